"""Black-box shift detection for classifiers of images (Rabanser et al. 2019, "Failing Loudly"):
a Kolmogorov-Smirnov test per class on the softmax outputs, Bonferroni-corrected (threshold
alpha / classes), drift when any class test falls below it; the predicted-class distribution as a
separate chi-squared test; the accuracy estimated without labels by average thresholded confidence
(Garg et al. 2022)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlops_runtime.drift.stats import TestResult, chi2_counts, ks_test, numeric_histogram

__all__ = [
    "BbsdResult",
    "PredictionShift",
    "atc_estimate",
    "atc_threshold",
    "bbsd",
    "prediction_shift",
    "to_probabilities",
]


def to_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Rows of class probabilities: kept as they are when they already are (non-negative, summing
    to 1), otherwise the softmax of the rows (logits)."""
    values = np.asarray(outputs, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] < 2:
        raise ValueError(f"expected outputs of shape [n, classes], got {list(values.shape)}")
    values = np.nan_to_num(values, nan=0.0, posinf=1e6, neginf=-1e6)
    sums = values.sum(axis=1)
    if values.size and values.min() >= 0 and np.allclose(sums, 1.0, atol=1e-3):
        return values
    shifted = values - values.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    probabilities: np.ndarray = exponentials / exponentials.sum(axis=1, keepdims=True)
    return probabilities


@dataclass(frozen=True)
class BbsdResult:
    tests: list[TestResult]
    threshold: float
    drifted: bool

    @property
    def score(self) -> float:
        return sum(test.drifted for test in self.tests) / len(self.tests) if self.tests else 0.0


def bbsd(
    reference: np.ndarray, current: np.ndarray, classes: Sequence[str], alpha: float = 0.05
) -> BbsdResult:
    """One KS test per class on the probability of that class; Bonferroni threshold."""
    threshold = alpha / len(classes)
    tests = []
    for column, label in enumerate(classes):
        statistic, p_value = ks_test(reference[:, column], current[:, column])
        tests.append(
            TestResult(
                name=f"p(class {label})",
                kind="ks",
                statistic=statistic,
                p_value=p_value,
                threshold=threshold,
                drifted=p_value < threshold,
                histogram=numeric_histogram(reference[:, column], current[:, column], (0.0, 1.0)),
            )
        )
    return BbsdResult(tests, threshold, any(test.drifted for test in tests))


@dataclass(frozen=True)
class PredictionShift:
    classes: list[str]
    reference: list[float]
    current: list[float]
    statistic: float
    p_value: float
    drifted: bool

    def as_json(self) -> dict[str, object]:
        return {
            "classes": self.classes,
            "reference": self.reference,
            "current": self.current,
            "statistic": self.statistic,
            "pValue": self.p_value,
            "drifted": self.drifted,
        }


def prediction_shift(
    reference_counts: np.ndarray,
    current_predicted: np.ndarray,
    classes: Sequence[str],
    alpha: float = 0.05,
) -> PredictionShift:
    """Chi-squared test of the predicted-class counts against the reference's (classes that
    neither predicts drop out)."""
    current_counts = np.bincount(current_predicted, minlength=len(classes))[: len(classes)]
    statistic, p_value = chi2_counts(reference_counts, current_counts)

    def fractions(counts: np.ndarray) -> list[float]:
        total = float(counts.sum())
        return [round(float(c) / total, 6) if total else 0.0 for c in counts]

    return PredictionShift(
        classes=list(classes),
        reference=fractions(np.asarray(reference_counts, dtype=np.float64)),
        current=fractions(current_counts.astype(np.float64)),
        statistic=statistic,
        p_value=p_value,
        drifted=p_value < alpha,
    )


def atc_threshold(confidence: np.ndarray, accuracy: float) -> float:
    """The confidence t with share(confidence > t) = accuracy on the labelled reference."""
    if confidence.size == 0:
        return 0.0
    return float(np.quantile(confidence, float(np.clip(1.0 - accuracy, 0.0, 1.0))))


def atc_estimate(confidence: np.ndarray, threshold: float) -> float | None:
    """The estimated accuracy: the share of (unlabelled) confidences above the threshold."""
    if confidence.size == 0:
        return None
    return float(np.mean(confidence > threshold))
