"""The two-sample tests and distances the detectors use, and the histograms a report shows."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

__all__ = [
    "HISTOGRAM_BINS",
    "TestResult",
    "category_histogram",
    "chi2_test",
    "jensen_shannon_distance",
    "ks_test",
    "numeric_histogram",
    "wasserstein_normed",
    "z_test",
]

HISTOGRAM_BINS = 20
MAX_CATEGORIES = 20
OTHER = "(other)"


@dataclass(frozen=True)
class TestResult:
    name: str
    kind: str  # ks | chi2 | z | wasserstein | jensenshannon
    statistic: float
    p_value: float | None
    threshold: float
    drifted: bool
    histogram: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "statistic": finite(self.statistic),
            "pValue": None if self.p_value is None else finite(self.p_value),
            "threshold": finite(self.threshold),
            "drifted": self.drifted,
            "histogram": self.histogram,
        }


def finite(value: float, default: float = 0.0) -> float:
    value = float(value)
    return value if math.isfinite(value) else default


def ks_test(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """The two-sample Kolmogorov-Smirnov statistic and p-value."""
    result = stats.ks_2samp(reference, current)
    return float(result.statistic), float(result.pvalue)


def chi2_test(reference: Sequence[Any], current: Sequence[Any]) -> tuple[float, float]:
    """Chi-squared test of homogeneity of two samples of categories (a 2 x K contingency table;
    categories neither sample has drop out, one category left means no difference)."""
    categories = sorted({*map(str, reference), *map(str, current)})
    return chi2_counts(_counts(reference, categories), _counts(current, categories))


def chi2_counts(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    table = np.vstack([reference, current]).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)


def z_test(reference: Sequence[Any], current: Sequence[Any]) -> tuple[float, float]:
    """Two-proportion z-test (pooled) on the share of the reference's most common value."""
    values = [str(value) for value in reference]
    if not values or len(current) == 0:
        return 0.0, 1.0
    top, top_count = Counter(values).most_common(1)[0]
    p1 = top_count / len(values)
    p2 = sum(str(value) == top for value in current) / len(current)
    pooled = (p1 * len(values) + p2 * len(current)) / (len(values) + len(current))
    spread = math.sqrt(pooled * (1 - pooled) * (1 / len(values) + 1 / len(current)))
    if spread == 0:
        return 0.0, 1.0
    z = (p1 - p2) / spread
    return float(z), float(2 * stats.norm.sf(abs(z)))


def wasserstein_normed(reference: np.ndarray, current: np.ndarray) -> float:
    """Evidently's `wasserstein`: the Wasserstein-1 distance divided by the reference's standard
    deviation (at least 0.001)."""
    norm = max(float(np.std(reference)), 0.001)
    return float(stats.wasserstein_distance(reference, current)) / norm


def jensen_shannon_distance(reference: Sequence[Any], current: Sequence[Any]) -> float:
    """Jensen-Shannon distance (natural log, as Evidently) between the category frequencies."""
    categories = sorted({*map(str, reference), *map(str, current)})
    p = _counts(reference, categories) + 1e-12
    q = _counts(current, categories) + 1e-12
    return float(jensenshannon(p / p.sum(), q / q.sum()))


def _counts(values: Sequence[Any], categories: list[str]) -> np.ndarray:
    index = {category: position for position, category in enumerate(categories)}
    counts = np.zeros(len(categories), dtype=np.float64)
    for value in values:
        counts[index[str(value)]] += 1
    return counts


def _fractions(counts: np.ndarray) -> list[float]:
    total = counts.sum()
    return [round(float(c / total), 6) if total else 0.0 for c in counts]


def numeric_histogram(
    reference: np.ndarray, current: np.ndarray, value_range: tuple[float, float] | None = None
) -> dict[str, Any]:
    """Both samples' fractions in the same <= 20 bins (edges: <= 21 numbers)."""
    if value_range is None:
        both = np.concatenate([reference, current])
        both = both[np.isfinite(both)]
        value_range = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
    low, high = value_range
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
    ref_counts = np.histogram(reference[np.isfinite(reference)], bins=edges)[0]
    cur_counts = np.histogram(current[np.isfinite(current)], bins=edges)[0]
    return {
        "edges": [round(float(edge), 6) for edge in edges],
        "reference": _fractions(ref_counts.astype(np.float64)),
        "current": _fractions(cur_counts.astype(np.float64)),
    }


def category_histogram(reference: Sequence[Any], current: Sequence[Any]) -> dict[str, Any]:
    """Both samples' fractions per category: the 20 most common in the reference (then in the
    current sample), the rest as "(other)"."""
    ref_values = [str(value) for value in reference]
    cur_values = [str(value) for value in current]
    ref_counts, cur_counts = Counter(ref_values), Counter(cur_values)
    ranked = sorted({*ref_values, *cur_values}, key=lambda c: (-ref_counts[c], -cur_counts[c], c))
    shown = ranked[:MAX_CATEGORIES]
    categories = shown + ([OTHER] if len(ranked) > len(shown) else [])
    kept = set(shown)

    def fold(values: list[str]) -> np.ndarray:
        return _counts([v if v in kept else OTHER for v in values], categories)

    return {
        "categories": categories,
        "reference": _fractions(fold(ref_values)),
        "current": _fractions(fold(cur_values)),
    }
