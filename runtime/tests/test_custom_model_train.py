"""Training a custom model version: `python -m mlops_runtime.train` with a `customModel` in the job
config (real local Ray, real MLflow server, MNIST files), and the registered model loading where
neither the runtime nor the module is installed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from test_train import JobRun, job_config, needs_mnist, run_job
from test_tune import run_tune

from mlops_runtime.errors import JobError
from mlops_runtime.job_config import parse_job_config
from mlops_runtime.templates import load_template

SOURCE = textwrap.dedent(
    """
    from torch import nn

    HYPERPARAMETER_SCHEMA = {
        "type": "object",
        "properties": {
            "hidden": {"type": "integer", "minimum": 8, "maximum": 256, "default": 64},
        },
    }

    class TinyNet(nn.Module):
        def __init__(self, hidden):
            super().__init__()
            self.layers = nn.Sequential(
                nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10)
            )

        def forward(self, x):
            return self.layers(x)

    def build_model(config):
        return TinyNet(config["hidden"])
    """
)
LOOP_PARAMETERS = ("epochs", "batch_size", "learning_rate", "train_samples")


def custom_job_config(tmp_path: Path, tracking_uri: str, **hyperparameters: Any) -> dict[str, Any]:
    """A job of `custom:tiny-net@3` as the portal's worker writes it: the training loop's
    hyperparameters of mnist-cnn plus the module's own."""
    base = load_template("mnist-cnn").hyperparameter_schema["properties"]
    schema = {
        "type": "object",
        "properties": {
            **{name: base[name] for name in LOOP_PARAMETERS},
            "hidden": {"type": "integer", "minimum": 8, "maximum": 256, "default": 64},
        },
    }
    config = job_config(tmp_path, tracking_uri, job_id="custom", model_name="tiny-net-team")
    defaults = {name: spec["default"] for name, spec in schema["properties"].items()}
    return config | {
        "template": {"id": "custom:tiny-net@3", "version": "3"},
        "hyperparameters": {**defaults, **hyperparameters},
        "customModel": {
            "name": "tiny-net",
            "version": 3,
            "sha256": hashlib.sha256(SOURCE.encode()).hexdigest(),
            "source": SOURCE,
            "hyperparameterSchema": schema,
        },
    }


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, mlflow_server: str) -> JobRun:
    tmp_path = tmp_path_factory.mktemp("custom")
    config = custom_job_config(
        tmp_path, mlflow_server, epochs=2, train_samples=1000, learning_rate=0.003, hidden=32
    )
    return run_job(config)


@needs_mnist
def test_a_custom_model_trains_and_registers_a_version(trained: JobRun) -> None:
    assert trained.returncode == 0, trained.stderr[-3000:]
    progress = trained.of_kind("progress")
    assert [line["epoch"] for line in progress] == [1, 2]
    # 32 steps of a 32-unit MLP already learn: well above the 10% of guessing.
    assert progress[-1]["metrics"]["test_accuracy"] > 0.3
    [result] = trained.of_kind("result")
    assert result["registeredModel"] == {"name": "tiny-net-team", "version": "1"}


@needs_mnist
def test_the_registered_custom_model_loads_without_the_runtime_installed(
    trained: JobRun, mlflow_server: str, tmp_path: Path
) -> None:
    assert trained.returncode == 0, trained.stderr[-3000:]
    # A fresh interpreter outside the repository: MLflow must bring the runtime package and the
    # custom module (under the name its classes were pickled with) from the model's artifacts.
    script = textwrap.dedent(
        """
        import json, sys
        import mlflow.pytorch, torch
        model = mlflow.pytorch.load_model("models:/tiny-net-team/1")
        out = model(torch.rand(3, 1, 28, 28))
        print(json.dumps({"class": type(model).__name__, "module": type(model).__module__,
                          "shape": list(out.shape),
                          "hidden": model.layers[1].out_features}))
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "RAY_ADDRESS"}}
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env=env | {"MLFLOW_TRACKING_URI": mlflow_server},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert loaded == {
        "class": "TinyNet",
        "module": "mlops_custom_model_tiny_net_v3",
        "shape": [3, 10],
        "hidden": 32,
    }


@needs_mnist
def test_a_custom_model_is_auto_tuned_over_its_own_hyperparameter(
    tmp_path: Path, mlflow_server: str
) -> None:
    config = custom_job_config(tmp_path, mlflow_server, epochs=1, train_samples=500)
    config["jobId"] = "custom-tune"
    config["modelName"] = "tiny-net-tuned"
    config["resources"] = {"numWorkers": 1, "cpusPerWorker": 1, "useGpu": False}
    config["autoTune"] = {
        "searchSpace": {"hidden": {"type": "choice", "values": [8, 48]}},
        "algorithm": "grid",
        "asha": False,
        "budget": {"trials": 2, "concurrency": 2, "timeLimitMinutes": 10},
        "metric": "test_accuracy",
        "mode": "max",
        "startFromDefaults": False,
    }
    tuned = run_tune(config)
    assert tuned.returncode == 0, tuned.stderr[-3000:]
    finished = {
        line["trialId"]: line for line in tuned.of_kind("trial") if line["state"] == "SUCCEEDED"
    }
    assert sorted(line["config"]["hidden"] for line in finished.values()) == [8, 48]
    [result] = tuned.of_kind("result")
    best = finished[result["bestTrialId"]]
    assert result["bestHyperparameters"]["hidden"] == best["config"]["hidden"]
    assert result["registeredModel"] == {"name": "tiny-net-tuned", "version": "1"}


def test_the_custom_model_must_be_the_version_the_template_names(tmp_path: Path) -> None:
    config = custom_job_config(tmp_path, "http://unused")
    config["customModel"]["version"] = 2
    with pytest.raises(JobError) as raised:
        parse_job_config(json.dumps(config))
    assert "customModel: is 'custom:tiny-net@2', but template.id is 'custom:tiny-net@3'" in str(
        raised.value.message
    )


def test_a_source_that_is_not_the_versions_is_rejected(tmp_path: Path) -> None:
    config = custom_job_config(tmp_path, "http://unused")
    config["customModel"]["source"] += "\n# changed after the check\n"
    with pytest.raises(JobError) as raised:
        parse_job_config(json.dumps(config))
    assert "customModel.sha256: the source does not match the version's sha256" in (
        raised.value.message
    )


def test_a_custom_template_without_its_module_is_rejected(tmp_path: Path) -> None:
    config = custom_job_config(tmp_path, "http://unused")
    del config["customModel"]
    with pytest.raises(JobError) as raised:
        parse_job_config(json.dumps(config))
    assert "customModel: is required" in raised.value.message


def test_hyperparameters_are_checked_against_the_custom_schema(tmp_path: Path) -> None:
    config = custom_job_config(tmp_path, "http://unused", hidden=4096)
    with pytest.raises(JobError) as raised:
        parse_job_config(json.dumps(config))
    assert raised.value.reason == "invalid hyperparameters"
    assert "hidden" in raised.value.message
