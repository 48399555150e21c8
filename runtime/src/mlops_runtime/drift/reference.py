"""The reference profile of a registered model version: what its drift checks compare with.

Images: the softmax outputs and labels of <= 1000 held-out test images (a seeded sample), the
predicted-class counts, the accuracy on them with the ATC confidence threshold, and each image's
input statistics (mean intensity and background level). Tables: a seeded sample of <= 1000 rows
of the features, each column's kind, the number of rows the sample stands for and the
predicted-class counts (classification).

Stored in the training run under `drift/` (`profile.json`, and `arrays.npz` for images; no
pickle); the registered version is tagged `mlops.drift_reference` with that artifact path.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mlops_runtime.drift.images import atc_threshold, input_statistics, to_probabilities
from mlops_runtime.drift.tables import column_kind
from mlops_runtime.errors import JobError

if TYPE_CHECKING:
    import pandas as pd
    import torch

    from mlops_runtime.tabular_data import Split

__all__ = [
    "DRIFT_REFERENCE_TAG",
    "REFERENCE_ARTIFACT_PATH",
    "ImageProfile",
    "TableProfile",
    "image_profile",
    "load_reference",
    "log_image_reference",
    "log_profile",
    "log_table_reference",
    "read_profile",
    "table_profile",
    "write_profile",
]

DRIFT_REFERENCE_TAG = "mlops.drift_reference"
REFERENCE_ARTIFACT_PATH = "drift"
PROFILE_FILE = "profile.json"
ARRAYS_FILE = "arrays.npz"
MAX_REFERENCE_INSTANCES = 1000
FORMAT_VERSION = 1
INPUT_STATISTICS = ("mean intensity", "background level")  # images.input_statistics
NO_REFERENCE = "no drift reference"


@dataclass(frozen=True)
class ImageProfile:
    classes: list[str]
    probabilities: np.ndarray  # [n, classes], float64 (float32 would round confident outputs)
    labels: np.ndarray  # [n]
    inputs: dict[str, np.ndarray]  # images.input_statistics of the n images; none without them
    accuracy: float
    atc_threshold: float

    @property
    def predicted_counts(self) -> np.ndarray:
        predicted = self.probabilities.argmax(axis=1)
        return np.bincount(predicted, minlength=len(self.classes)).astype(np.int64)

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class TableProfile:
    columns: dict[str, list[Any]]
    kinds: dict[str, str]
    numeric: list[str]  # the columns whose values are numbers (kind "num" or few distinct ones)
    reference_rows: int
    task: str
    classes: list[str]
    predicted_counts: list[int]
    accuracy: float | None

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))


Profile = ImageProfile | TableProfile


def _sample(count: int, seed: int, limit: int = MAX_REFERENCE_INSTANCES) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if count <= limit:
        return np.arange(count)
    return np.sort(rng.choice(count, size=limit, replace=False))


def image_profile(
    outputs: np.ndarray, labels: np.ndarray, images: np.ndarray | None = None
) -> ImageProfile:
    """The profile of model `outputs` (logits or probabilities) on labelled images."""
    probabilities = to_probabilities(outputs)
    labels = np.asarray(labels, dtype=np.int64)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == labels)) if len(labels) else 0.0
    return ImageProfile(
        classes=[str(index) for index in range(probabilities.shape[1])],
        probabilities=probabilities,
        labels=labels,
        inputs=input_statistics(images) if images is not None else {},
        accuracy=accuracy,
        atc_threshold=atc_threshold(probabilities.max(axis=1), accuracy),
    )


def table_profile(
    features: pd.DataFrame,
    predictions: Sequence[Any] | np.ndarray,
    task: str,
    *,
    reference_rows: int,
    kinds: dict[str, str],
    accuracy: float | None,
) -> TableProfile:
    numeric = [name for name in features.columns if features[name].dtype.kind in "iuf"]
    columns = {
        str(name): [
            None if value is None or (isinstance(value, float) and value != value) else value
            for value in features[name].tolist()
        ]
        for name in features.columns
    }
    classes: list[str] = []
    counts: list[int] = []
    if task == "classification":
        labels = [str(value) for value in predictions]
        tally = Counter(labels)
        classes = sorted(tally)
        counts = [tally[label] for label in classes]
    return TableProfile(
        columns=columns,
        kinds={str(name): kind for name, kind in kinds.items()},
        numeric=[str(name) for name in numeric],
        reference_rows=reference_rows,
        task=task,
        classes=classes,
        predicted_counts=counts,
        accuracy=accuracy,
    )


def _input_array(name: str) -> str:
    return "input_" + name.replace(" ", "_")


def write_profile(profile: Profile, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(profile, ImageProfile):
        np.savez_compressed(
            folder / ARRAYS_FILE,
            probabilities=profile.probabilities,
            labels=profile.labels,
            **{_input_array(name): values for name, values in profile.inputs.items()},
        )
        meta: dict[str, Any] = {
            "formatVersion": FORMAT_VERSION,
            "kind": "image",
            "classes": profile.classes,
            "instances": len(profile),
            "accuracy": profile.accuracy,
            "atcThreshold": profile.atc_threshold,
        }
    else:
        meta = {
            "formatVersion": FORMAT_VERSION,
            "kind": "table",
            "columns": profile.columns,
            "kinds": profile.kinds,
            "numeric": profile.numeric,
            "referenceRows": profile.reference_rows,
            "task": profile.task,
            "classes": profile.classes,
            "predictedCounts": profile.predicted_counts,
            "accuracy": profile.accuracy,
        }
    (folder / PROFILE_FILE).write_text(json.dumps(meta, allow_nan=False), encoding="utf-8")


def read_profile(folder: Path) -> Profile:
    meta = json.loads((folder / PROFILE_FILE).read_text(encoding="utf-8"))
    if meta.get("kind") == "image":
        with np.load(folder / ARRAYS_FILE, allow_pickle=False) as arrays:
            return ImageProfile(
                classes=[str(label) for label in meta["classes"]],
                probabilities=arrays["probabilities"].astype(np.float64),
                labels=arrays["labels"],
                inputs={
                    name: arrays[_input_array(name)].astype(np.float64)
                    for name in INPUT_STATISTICS
                    if _input_array(name) in arrays.files
                },
                accuracy=float(meta["accuracy"]),
                atc_threshold=float(meta["atcThreshold"]),
            )
    return TableProfile(
        columns={str(name): list(values) for name, values in meta["columns"].items()},
        kinds=dict(meta["kinds"]),
        numeric=list(meta["numeric"]),
        reference_rows=int(meta["referenceRows"]),
        task=str(meta["task"]),
        classes=[str(label) for label in meta["classes"]],
        predicted_counts=[int(count) for count in meta["predictedCounts"]],
        accuracy=None if meta.get("accuracy") is None else float(meta["accuracy"]),
    )


def log_profile(profile: Profile) -> str:
    """Logs the profile to the active MLflow run; returns its artifact path."""
    import mlflow

    with tempfile.TemporaryDirectory() as folder:
        write_profile(profile, Path(folder))
        mlflow.log_artifacts(folder, REFERENCE_ARTIFACT_PATH)
    return REFERENCE_ARTIFACT_PATH


def log_image_reference(
    model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, *, seed: int = 0
) -> str:
    """The profile of `model` on a seeded sample of <= 1000 of the held-out `images`, logged to the
    active run; returns the artifact path (the value of the version's `mlops.drift_reference`)."""
    import torch

    chosen = torch.from_numpy(_sample(len(labels), seed))
    sample = images[chosen]
    model.eval()
    with torch.no_grad():
        outputs = model(sample).float().numpy()
    return log_profile(image_profile(outputs, labels[chosen].numpy(), sample.numpy()))


def log_table_reference(
    pipeline: Any, split: Split, task: str, *, accuracy: float | None, seed: int = 0
) -> str:
    """The profile of a fitted pipeline on a seeded sample of <= 1000 rows of the whole table
    (train and test features), logged to the active run; returns the artifact path."""
    import pandas as pd

    features = pd.concat([split.train_features, split.test_features], ignore_index=True)
    kinds = {
        str(name): column_kind(features[name].to_numpy())
        if features[name].dtype.kind in "iuf"
        else "cat"
        for name in features.columns
    }
    sample = features.iloc[_sample(len(features), seed)].reset_index(drop=True)
    profile = table_profile(
        sample,
        pipeline.predict(sample),
        task,
        reference_rows=len(features),
        kinds=kinds,
        accuracy=accuracy,
    )
    return log_profile(profile)


def load_reference(model_name: str, model_version: str) -> Profile:
    """The reference profile of a registered version, downloaded with MlflowClient (tracking URI
    already set); JobError when the version does not exist or has no profile."""
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    client = MlflowClient()
    try:
        version = client.get_model_version(model_name, model_version)
    except MlflowException as error:
        if error.error_code == "RESOURCE_DOES_NOT_EXIST":
            raise JobError(
                "model version not found",
                f"model {model_name!r} has no version {model_version!r}",
            ) from None
        raise
    path = (version.tags or {}).get(DRIFT_REFERENCE_TAG)
    if not path or not version.run_id:
        raise JobError(
            NO_REFERENCE,
            f"version {model_version} of model {model_name!r} was trained before drift references "
            "existed (it has no mlops.drift_reference); retrain it to check its drift",
        )
    with tempfile.TemporaryDirectory() as folder:
        try:
            local = client.download_artifacts(version.run_id, path, folder)
            return read_profile(Path(local))
        except (MlflowException, OSError, KeyError, ValueError) as error:
            raise JobError(
                NO_REFERENCE,
                f"the drift reference of version {model_version} of model {model_name!r} "
                f"({path}) could not be read: {error}",
            ) from None
