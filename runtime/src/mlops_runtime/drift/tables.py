"""Per-feature drift of tables with Evidently's default rules (its `get_stattest` choice):

- reference of <= 1000 rows: a numeric column with more than 5 distinct values -> KS (drift when
  p < 0.05); other columns: two distinct values -> Z-test for proportions, more -> chi-squared;
- reference of > 1000 rows: numeric -> Wasserstein distance normed by the reference's standard
  deviation, others -> Jensen-Shannon distance (drift when the distance is >= 0.1).

The table drifts when the share of drifted features is >= `drift_share` (0.5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlops_runtime.drift.stats import (
    TestResult,
    category_histogram,
    chi2_test,
    jensen_shannon_distance,
    ks_test,
    numeric_histogram,
    wasserstein_normed,
    z_test,
)

__all__ = [
    "DISTANCE_THRESHOLD",
    "DRIFT_SHARE",
    "SMALL_REFERENCE_ROWS",
    "TableDrift",
    "column_kind",
    "feature_test",
    "stat_test_kind",
    "table_drift",
]

SMALL_REFERENCE_ROWS = 1000
NUMERIC_MIN_UNIQUE = 5
DISTANCE_THRESHOLD = 0.1
DRIFT_SHARE = 0.5


def column_kind(values: Sequence[Any] | np.ndarray) -> str:
    """ "num" for numbers with more than 5 distinct values, "cat" for anything else."""
    array = np.asarray(values)
    if array.dtype.kind in "iuf":
        finite = array[np.isfinite(array.astype(np.float64))]
        if len(np.unique(finite)) > NUMERIC_MIN_UNIQUE:
            return "num"
    return "cat"


def stat_test_kind(kind: str, reference: Sequence[Any], reference_rows: int) -> str:
    if reference_rows > SMALL_REFERENCE_ROWS:
        return "wasserstein" if kind == "num" else "jensenshannon"
    if kind == "num":
        return "ks"
    distinct = {str(value) for value in reference}
    return "z" if len(distinct) <= 2 else "chi2"


def _numbers(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    return array[np.isfinite(array)]


def _present(values: Sequence[Any] | np.ndarray) -> list[Any]:
    """Missing values (None, NaN) are their own category, "(missing)"."""
    return [
        "(missing)" if value is None or (isinstance(value, float) and value != value) else value
        for value in values
    ]


def feature_test(
    name: str,
    kind: str,
    reference: Sequence[Any] | np.ndarray,
    current: Sequence[Any] | np.ndarray,
    *,
    reference_rows: int | None = None,
    alpha: float = 0.05,
) -> TestResult:
    """The test Evidently's rules choose for one feature; `reference_rows` (the size of the data
    the reference sample stands for) defaults to the sample's size."""
    rows = len(reference) if reference_rows is None else reference_rows
    test = stat_test_kind(kind, reference, rows)
    if kind == "num":
        ref, cur = _numbers(reference), _numbers(current)
        histogram = numeric_histogram(ref, cur)
        if test == "ks":
            statistic, p_value = ks_test(ref, cur)
        else:
            distance = wasserstein_normed(ref, cur) if ref.size and cur.size else 0.0
            return TestResult(
                name,
                test,
                distance,
                None,
                DISTANCE_THRESHOLD,
                distance >= DISTANCE_THRESHOLD,
                histogram,
            )
    else:
        ref_values, cur_values = _present(reference), _present(current)
        histogram = category_histogram(ref_values, cur_values)
        if test == "jensenshannon":
            distance = jensen_shannon_distance(ref_values, cur_values)
            return TestResult(
                name,
                test,
                distance,
                None,
                DISTANCE_THRESHOLD,
                distance >= DISTANCE_THRESHOLD,
                histogram,
            )
        if test == "z":
            statistic, p_value = z_test(ref_values, cur_values)
        else:
            statistic, p_value = chi2_test(ref_values, cur_values)
    return TestResult(name, test, statistic, p_value, alpha, p_value < alpha, histogram)


@dataclass(frozen=True)
class TableDrift:
    tests: list[TestResult]
    drift_share: float

    @property
    def score(self) -> float:
        return sum(test.drifted for test in self.tests) / len(self.tests) if self.tests else 0.0

    @property
    def drifted(self) -> bool:
        return bool(self.tests) and self.score >= self.drift_share


def table_drift(
    reference: Mapping[str, Sequence[Any]],
    current: Mapping[str, Sequence[Any]],
    kinds: Mapping[str, str] | None = None,
    *,
    reference_rows: int | None = None,
    alpha: float = 0.05,
    drift_share: float = DRIFT_SHARE,
) -> TableDrift:
    """A test per feature of the reference that the current data has."""
    tests = []
    for name, values in reference.items():
        if name not in current or len(current[name]) == 0:
            continue
        kind = kinds[name] if kinds and name in kinds else column_kind(values)
        tests.append(
            feature_test(
                name, kind, values, current[name], reference_rows=reference_rows, alpha=alpha
            )
        )
    return TableDrift(tests, drift_share)
