"""What a training job records in MLflow beyond parameters and metrics: the dataset version it
trained on (tags), the confusion matrix and the model (with signature and input example),
registered as a new version of a model name: a torch network (`log_and_register_model`) or a
fitted tabular pipeline with its final metrics (`log_and_register_pipeline`)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mlflow
import mlflow.pytorch
import numpy as np
import torch
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

from mlops_runtime.datasets import DatasetRef
from mlops_runtime.drift.reference import DRIFT_REFERENCE_TAG, log_table_reference

if TYPE_CHECKING:
    import pandas as pd

    from mlops_runtime.custom_model import CustomModel
    from mlops_runtime.tabular_data import Split
    from mlops_runtime.tabular_fit import Evaluation

__all__ = [
    "dataset_tags",
    "log_and_register_model",
    "log_and_register_pipeline",
    "log_confusion_matrix",
]

PACKAGE_DIR = Path(__file__).resolve().parent
INPUT_EXAMPLE_ROWS = 5


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
    custom_model: CustomModel | None = None,
) -> str:
    """Logs `model` to the active run and registers it; returns the new model version."""
    model.eval()
    with torch.no_grad():
        output_example = model(torch.from_numpy(input_example)).numpy()
    with tempfile.TemporaryDirectory() as custom_code:
        # The model class is pickled by reference: ship the package (and a custom model's module,
        # under the name it was loaded as) so that a loader needs no install.
        code_paths = [str(PACKAGE_DIR)]
        if custom_model is not None:
            module_file = Path(custom_code) / f"{custom_model.module_name}.py"
            module_file.write_text(custom_model.source, encoding="utf-8")
            code_paths.append(str(module_file))
        info = mlflow.pytorch.log_model(
            model,
            name="model",
            signature=infer_signature(input_example, output_example),
            input_example=input_example,
            registered_model_name=registered_model_name,
            serialization_format="pickle",
            code_paths=code_paths,
            pip_requirements=[
                f"torch=={torch.__version__.split('+')[0]}",
                f"numpy=={np.__version__}",
            ],
        )
    return _tagged_version(registered_model_name, info, version_tags)


def log_and_register_pipeline(
    pipeline: Any,
    evaluation: Evaluation,
    split: Split,
    task: str,
    *,
    registered_model_name: str,
    version_tags: Mapping[str, str],
) -> tuple[dict[str, float], str]:
    """Logs a fitted tabular pipeline to the active run with its `final_test_*` metrics
    (classification: accuracy and macro F1, and the confusion matrix; regression: RMSE and R²) and
    registers it (skops format, signature and input example on the raw columns) with its drift
    reference profile (`drift/`); returns the final metrics and the new model version."""
    import mlflow.sklearn  # noqa: PLC0415  (scikit-learn only where a tabular job runs)
    import pandas as pd  # noqa: PLC0415
    import sklearn  # noqa: PLC0415

    from mlops_runtime.models.tabular import SKOPS_TRUSTED_TYPES  # noqa: PLC0415

    names = ("test_rmse", "test_r2") if task == "regression" else ("test_accuracy", "test_f1")
    final_metrics = {f"final_{name}": evaluation.metrics[name] for name in names}
    mlflow.log_metrics(final_metrics)
    if evaluation.confusion is not None:
        log_confusion_matrix(evaluation.confusion, evaluation.labels)
    accuracy = evaluation.metrics.get("test_accuracy") if task == "classification" else None
    reference = log_table_reference(pipeline, split, task, accuracy=accuracy)
    example = _input_example(split)
    info = mlflow.sklearn.log_model(
        pipeline,
        name="model",
        signature=infer_signature(example, pipeline.predict(example)),
        input_example=example,
        registered_model_name=registered_model_name,
        serialization_format="skops",
        skops_trusted_types=list(SKOPS_TRUSTED_TYPES),
        pip_requirements=[
            f"scikit-learn=={sklearn.__version__}",
            f"skops=={importlib.metadata.version('skops')}",
            f"pandas=={pd.__version__}",
            f"numpy=={np.__version__}",
        ],
    )
    tags = {**version_tags, DRIFT_REFERENCE_TAG: reference}
    return final_metrics, _tagged_version(registered_model_name, info, tags)


def _input_example(split: Split) -> pd.DataFrame:
    """A few training rows, complete ones where there are (MLflow infers the column types from
    them)."""
    complete = split.train_features.dropna()
    rows = complete if len(complete) >= INPUT_EXAMPLE_ROWS else split.train_features
    return rows.head(INPUT_EXAMPLE_ROWS)


def _tagged_version(name: str, info: Any, tags: Mapping[str, str]) -> str:
    """The version a `log_model(..., registered_model_name=name)` registered, with `tags` set."""
    version = str(info.registered_model_version)
    client = MlflowClient()
    for key, value in tags.items():
        client.set_model_version_tag(name, version, key, value)
    return version
