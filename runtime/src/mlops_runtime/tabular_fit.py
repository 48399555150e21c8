"""Fitting and measuring a tabular pipeline: what the Ray task of `mlops_runtime.train_tabular`
and the trials of a tabular tune (`mlops_runtime.tune_tabular_trial`) run. Kept apart from the
jobs' driver code so a Ray worker imports scikit-learn only, not torch."""

from __future__ import annotations

from collections.abc import Mapping
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

__all__ = ["Evaluation", "evaluate", "fit_and_evaluate", "metric_names", "tabular_task"]

_MEASURES = {
    "classification": ("accuracy", "f1", "loss"),
    "regression": ("loss", "rmse", "mae", "r2"),
}


def tabular_task(hyperparameters: Mapping[str, Any]) -> str:
    """The `task` hyperparameter ("classification" or "regression"); classification for a
    template without one."""
    return str(hyperparameters.get("task", "classification"))


def metric_names(task: str) -> tuple[str, ...]:
    """Every metric `evaluate` can report for `task` (classification: accuracy, macro F1 and log
    loss; regression: mean squared error as loss, RMSE, MAE and R²), train_* and test_*."""
    return tuple(f"{part}_{measure}" for part in ("train", "test") for measure in _MEASURES[task])


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


def evaluate(pipeline: Any, split: Split, task: str) -> Evaluation:
    """The fitted `pipeline` measured on both parts ("classification" or "regression" metrics by
    `task`)."""
    if task == "regression":
        return _regression_metrics(pipeline, split)
    return _classification_metrics(pipeline, split)


def fit_and_evaluate(pipeline: Any, split: Split, task: str, cpus: int) -> tuple[Any, Evaluation]:
    """Fits `pipeline` on the train rows with at most `cpus` threads and measures it on both
    parts."""
    with threadpool_limits(limits=cpus):
        pipeline.fit(split.train_features, split.train_target)
        return pipeline, evaluate(pipeline, split, task)
