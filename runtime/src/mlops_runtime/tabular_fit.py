"""Fitting and measuring a tabular pipeline: what the Ray task of `mlops_runtime.train_tabular`
runs. Kept apart from the job's driver code so a Ray worker imports scikit-learn only, not torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
)
from threadpoolctl import threadpool_limits

from mlops_runtime.tabular_data import Split

__all__ = ["Evaluation", "fit_and_evaluate"]


@dataclass(frozen=True)
class Evaluation:
    metrics: dict[str, float]
    """train_* and test_* metrics of the fitted pipeline."""
    labels: list[str]
    """Classification: the classes, as the confusion matrix's rows and columns."""
    confusion: np.ndarray | None


def _parts(split: Split) -> tuple[tuple[str, Any, Any], ...]:
    return (
        ("train", split.train_features, split.train_target),
        ("test", split.test_features, split.test_target),
    )


def _classification_metrics(pipeline: Any, split: Split) -> Evaluation:
    metrics: dict[str, float] = {}
    for part, features, target in _parts(split):
        predicted = pipeline.predict(features)
        metrics[f"{part}_accuracy"] = float(accuracy_score(target, predicted))
        metrics[f"{part}_f1"] = float(f1_score(target, predicted, average="macro"))
        # Log loss is defined only when every true class is one the model knows.
        if set(target) <= set(pipeline.classes_):
            probabilities = pipeline.predict_proba(features)
            metrics[f"{part}_loss"] = float(
                log_loss(target, probabilities, labels=pipeline.classes_)
            )
    classes = sorted({*pipeline.classes_, *split.test_target}, key=str)
    confusion = confusion_matrix(
        split.test_target, pipeline.predict(split.test_features), labels=classes
    )
    return Evaluation(metrics, [str(label) for label in classes], confusion)


def _regression_metrics(pipeline: Any, split: Split) -> Evaluation:
    metrics: dict[str, float] = {}
    for part, features, target in _parts(split):
        predicted = pipeline.predict(features)
        squared = float(mean_squared_error(target, predicted))
        metrics[f"{part}_loss"] = squared
        metrics[f"{part}_rmse"] = squared**0.5
        metrics[f"{part}_mae"] = float(mean_absolute_error(target, predicted))
        metrics[f"{part}_r2"] = float(r2_score(target, predicted))
    return Evaluation(metrics, [], None)


def fit_and_evaluate(pipeline: Any, split: Split, task: str, cpus: int) -> tuple[Any, Evaluation]:
    """Fits `pipeline` on the train rows with at most `cpus` threads and measures it on both
    parts ("classification" or "regression" metrics by `task`)."""
    with threadpool_limits(limits=cpus):
        pipeline.fit(split.train_features, split.train_target)
        if task == "regression":
            return pipeline, _regression_metrics(pipeline, split)
        return pipeline, _classification_metrics(pipeline, split)
