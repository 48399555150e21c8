"""What a training job records in MLflow beyond parameters and metrics: the dataset version it
trained on (tags), the confusion matrix and the model (with signature and input example),
registered as a new version of a model name."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path

import mlflow
import mlflow.pytorch
import numpy as np
import torch
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

from mlops_runtime.datasets import DatasetRef

__all__ = ["dataset_tags", "log_and_register_model", "log_confusion_matrix"]

PACKAGE_DIR = Path(__file__).resolve().parent


def dataset_tags(dataset: DatasetRef) -> dict[str, str]:
    """Lineage tags of a run or model version: the dataset and the immutable version it used."""
    return {
        "mlops.dataset.id": dataset.id,
        "mlops.dataset.name": dataset.name,
        "mlops.dataset.version": dataset.version,
        "mlops.dataset.manifest_sha256": dataset.manifest_sha256,
    }


def log_confusion_matrix(confusion: np.ndarray, labels: list[str]) -> None:
    """`confusion_matrix.json` ({labels, matrix[true][predicted]}), and a PNG when matplotlib is
    installed."""
    mlflow.log_dict(
        {"labels": labels, "matrix": confusion.tolist(), "rows": "true", "columns": "predicted"},
        "confusion_matrix.json",
    )
    if importlib.util.find_spec("matplotlib") is None:
        return
    import matplotlib  # noqa: PLC0415  (optional)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(figsize=(6, 5))
    image = axes.imshow(confusion, cmap="Blues")
    figure.colorbar(image, ax=axes)
    axes.set(
        xticks=range(len(labels)),
        yticks=range(len(labels)),
        xticklabels=labels,
        yticklabels=labels,
        xlabel="predicted",
        ylabel="true",
        title="Confusion matrix (test set)",
    )
    threshold = confusion.max() / 2
    for (row, column), count in np.ndenumerate(confusion):
        axes.text(
            column,
            row,
            str(count),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if count > threshold else "black",
        )
    figure.tight_layout()
    mlflow.log_figure(figure, "confusion_matrix.png")
    plt.close(figure)


def log_and_register_model(
    model: torch.nn.Module,
    input_example: np.ndarray,
    *,
    registered_model_name: str,
    version_tags: Mapping[str, str],
) -> str:
    """Logs `model` to the active run and registers it; returns the new model version."""
    model.eval()
    with torch.no_grad():
        output_example = model(torch.from_numpy(input_example)).numpy()
    info = mlflow.pytorch.log_model(
        model,
        name="model",
        signature=infer_signature(input_example, output_example),
        input_example=input_example,
        registered_model_name=registered_model_name,
        # The model class is pickled by reference: ship the package so a loader needs no install.
        serialization_format="pickle",
        code_paths=[str(PACKAGE_DIR)],
        pip_requirements=[
            f"torch=={torch.__version__.split('+')[0]}",
            f"numpy=={np.__version__}",
        ],
    )
    version = str(info.registered_model_version)
    client = MlflowClient()
    for key, value in version_tags.items():
        client.set_model_version_tag(registered_model_name, version, key, value)
    return version
