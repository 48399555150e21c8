"""Black-box shift detection for classifiers of images (Rabanser et al. 2019, "Failing Loudly"):
a Kolmogorov-Smirnov test per class on the softmax outputs and, where the inputs are logged, on
two simple statistics of each input image (its mean intensity and its background level, which
noise lifts long before the model's outputs move), Bonferroni-corrected (threshold alpha / tests),
drift when any test falls below it; the predicted-class distribution as a separate chi-squared
test; the accuracy estimated without labels by average thresholded confidence (Garg et al.
2022)."""

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
    "input_statistics",
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


def input_statistics(images: np.ndarray) -> dict[str, np.ndarray]:
    """Per image, on pixel values in [0, 1] (0-255 images are scaled): the mean intensity, and
    the background level (the mean of the pixels darker than 0.5)."""
    flat = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    if flat.size and flat.max() > 1.0:
        flat = flat / 255.0
    flat = np.clip(np.nan_to_num(flat), 0.0, 1.0)
    dark = flat < 0.5
    return {
        "mean intensity": flat.mean(axis=1),
        "background level": (flat * dark).sum(axis=1) / np.maximum(dark.sum(axis=1), 1),
    }


def bbsd(
    reference: np.ndarray,
    current: np.ndarray,
    classes: Sequence[str],
    alpha: float = 0.05,
    inputs: tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None = None,
) -> BbsdResult:
    """One KS test per class on the probability of that class, and one per input statistic
    present on both sides (`inputs`: reference, current); Bonferroni threshold."""
    columns: list[tuple[str, np.ndarray, np.ndarray, tuple[float, float] | None]] = [
        (f"p(class {label})", reference[:, column], current[:, column], (0.0, 1.0))
        for column, label in enumerate(classes)
    ]
    if inputs is not None:
        reference_inputs, current_inputs = inputs
        columns += [
            (f"input {name}", reference_inputs[name], current_inputs[name], None)
            for name in reference_inputs
            if name in current_inputs and len(reference_inputs[name]) and len(current_inputs[name])
        ]
    threshold = alpha / len(columns)
    tests = []
    for name, before, after, bounds in columns:
        statistic, p_value = ks_test(before, after)
        tests.append(
            TestResult(
                name=name,
                kind="ks",
                statistic=statistic,
                p_value=p_value,
                threshold=threshold,
                drifted=p_value < threshold,
                histogram=numeric_histogram(before, after, bounds),
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
