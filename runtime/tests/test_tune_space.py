"""The auto-tune section: validation against the template's hyperparameter schema and the metrics
the trials report, and grid points (no Ray, no MLflow)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from mlops_runtime.errors import JobError
from mlops_runtime.tabular_fit import metric_names
from mlops_runtime.templates import load_template
from mlops_runtime.tune_space import INVALID_TUNE_CONFIG, grid_points, parse_auto_tune
from mlops_runtime.tune_tabular_trial import FIXED_HYPERPARAMETERS
from mlops_runtime.tune_trainable import MNIST_TUNE_METRICS

SCHEMA = load_template("mnist-cnn").hyperparameter_schema


def auto_tune(**overrides: Any) -> dict[str, Any]:
    section: dict[str, Any] = {
        "searchSpace": {
            "learning_rate": {"type": "loguniform", "min": 1e-4, "max": 1e-2},
            "batch_size": {"type": "choice", "values": [32, 64, 128]},
            "epochs": {"type": "int", "min": 1, "max": 3},
        },
        "algorithm": "optuna",
        "asha": True,
        "budget": {"trials": 10, "concurrency": 2, "timeLimitMinutes": 10},
        "metric": "test_accuracy",
        "mode": "max",
    }
    section.update(overrides)
    return section


def problems_of(section: object) -> str:
    with pytest.raises(JobError) as caught:
        parse_auto_tune(section, SCHEMA, metrics=MNIST_TUNE_METRICS)
    assert caught.value.reason == INVALID_TUNE_CONFIG
    return caught.value.message


def test_a_valid_section_is_parsed() -> None:
    parsed = parse_auto_tune(auto_tune(), SCHEMA, metrics=MNIST_TUNE_METRICS)
    assert [(p.name, p.type) for p in parsed.parameters] == [
        ("learning_rate", "loguniform"),
        ("batch_size", "choice"),
        ("epochs", "int"),
    ]
    assert parsed.budget.trials == 10
    assert parsed.budget.time_limit_minutes == 10.0
    assert parsed.start_from_defaults is True
    assert parsed.as_params()["tune.algorithm"] == "optuna"


@pytest.mark.parametrize(
    ("space", "expected"),
    [
        (
            {"dropout": {"type": "uniform", "min": 0.5, "max": 0.1}},
            "autoTune.searchSpace.dropout: min (0.5) must be less than max (0.1)",
        ),
        (
            {"batch_size": {"type": "choice", "values": []}},
            "autoTune.searchSpace.batch_size.values: must be a non-empty list",
        ),
        (
            {"momentum": {"type": "uniform", "min": 0.1, "max": 0.9}},
            "autoTune.searchSpace.momentum: is not a hyperparameter of this template",
        ),
        (
            {"epochs": {"type": "uniform", "min": 1, "max": 3}},
            "autoTune.searchSpace.epochs: a uniform dimension needs a number hyperparameter",
        ),
        (
            {"batch_size": {"type": "choice", "values": [64, "big"]}},
            "autoTune.searchSpace.batch_size.values[1]: must be an integer, got string 'big'",
        ),
        (
            {"learning_rate": {"type": "loguniform", "min": 1e-4, "max": 2}},
            "autoTune.searchSpace.learning_rate.max: must be <= 1, got 2",
        ),
        (
            {"learning_rate": {"type": "uniform", "min": 0, "max": 0.1}},
            "autoTune.searchSpace.learning_rate.min: must be > 0, got 0",
        ),
        (
            {"dropout": {"type": "normal", "min": 0, "max": 0.5}},
            "autoTune.searchSpace.dropout.type: must be one of uniform, loguniform, int, choice",
        ),
        (
            {"dropout": {"type": "uniform", "min": "low", "max": 0.5}},
            "autoTune.searchSpace.dropout.min: must be a number, got 'low'",
        ),
    ],
)
def test_each_bad_search_space_is_named(space: dict[str, Any], expected: str) -> None:
    assert expected in problems_of(auto_tune(searchSpace=space))


def test_every_problem_is_named_at_once() -> None:
    message = problems_of(
        auto_tune(
            searchSpace={"dropout": {"type": "uniform", "min": 0.8, "max": 0.2}},
            algorithm="bayes",
            budget={"trials": 0, "concurrency": 2, "timeLimitMinutes": -1},
            metric="f1",
            mode="best",
            extra=True,
        )
    )
    for expected in (
        "autoTune.extra: is not a known field",
        "searchSpace.dropout: min (0.8) must be less than max (0.2)",
        "autoTune.algorithm: must be one of random, grid, optuna, hyperopt",
        "autoTune.budget.trials: must be an integer >= 1, got 0",
        "autoTune.budget.timeLimitMinutes: must be a number > 0, got -1",
        "autoTune.metric: must be one of",
        "autoTune.mode: must be max or min",
    ):
        assert expected in message


def test_an_empty_search_space_is_rejected() -> None:
    assert "must name at least one hyperparameter" in problems_of(auto_tune(searchSpace={}))


def test_grid_points_cover_choices_and_ranges() -> None:
    parsed = parse_auto_tune(
        auto_tune(
            searchSpace={
                "learning_rate": {"type": "loguniform", "min": 1e-4, "max": 1e-2},
                "batch_size": {"type": "choice", "values": [32, 64]},
                "epochs": {"type": "int", "min": 1, "max": 3},
            }
        ),
        SCHEMA,
        metrics=MNIST_TUNE_METRICS,
    )
    points = grid_points(parsed.parameters, limit=100)
    assert len(points) == 3 * 2 * 3
    assert sorted({p["learning_rate"] for p in points}) == pytest.approx([1e-4, 1e-3, 1e-2])
    assert {p["batch_size"] for p in points} == {32, 64}
    assert {p["epochs"] for p in points} == {1, 2, 3}
    assert all(p.contains(point[p.name]) for point in points for p in parsed.parameters)


def test_a_grid_larger_than_the_budget_is_spread_over_it() -> None:
    parsed = parse_auto_tune(
        auto_tune(searchSpace={"hidden_units": {"type": "choice", "values": list(range(16, 36))}}),
        SCHEMA,
        metrics=MNIST_TUNE_METRICS,
    )
    points = grid_points(parsed.parameters, limit=5)
    assert [p["hidden_units"] for p in points] == [16, 20, 24, 28, 32]


def test_wide_int_ranges_get_three_grid_levels() -> None:
    parsed = parse_auto_tune(
        auto_tune(searchSpace={"hidden_units": {"type": "int", "min": 16, "max": 1024}}),
        SCHEMA,
        metrics=MNIST_TUNE_METRICS,
    )
    assert [p["hidden_units"] for p in grid_points(parsed.parameters, 10)] == [16, 520, 1024]
    assert not parsed.parameters[0].contains(15)
    assert not parsed.parameters[0].contains(16.5)
    assert parsed.parameters[0].contains(16)
    assert math.isclose(parsed.budget.time_limit_minutes, 10)


HGB_SCHEMA = load_template("tabular-hgb").hyperparameter_schema


@pytest.mark.parametrize(
    ("task", "metric", "accepted"),
    [
        ("classification", "test_accuracy", True),
        ("classification", "test_f1", True),
        ("classification", "test_rmse", False),
        ("regression", "test_rmse", True),
        ("regression", "test_r2", True),
        ("regression", "test_loss", True),
        ("regression", "test_accuracy", False),
    ],
)
def test_a_tabular_tune_optimizes_a_metric_its_task_reports(
    task: str, metric: str, accepted: bool
) -> None:
    section = auto_tune(
        searchSpace={"learning_rate": {"type": "loguniform", "min": 0.01, "max": 0.5}},
        metric=metric,
    )
    if accepted:
        parsed = parse_auto_tune(section, HGB_SCHEMA, metrics=metric_names(task))
        assert parsed.metric == metric
        return
    with pytest.raises(JobError) as caught:
        parse_auto_tune(section, HGB_SCHEMA, metrics=metric_names(task))
    assert f"autoTune.metric: must be one of {', '.join(metric_names(task))}" in (
        caught.value.message
    )


def test_a_tabular_tune_keeps_the_data_hyperparameters_fixed() -> None:
    section = auto_tune(
        searchSpace={
            "test_fraction": {"type": "uniform", "min": 0.1, "max": 0.3},
            "task": {"type": "choice", "values": ["classification", "regression"]},
            "max_iter": {"type": "int", "min": 10, "max": 50},
        }
    )
    with pytest.raises(JobError) as caught:
        parse_auto_tune(
            section,
            HGB_SCHEMA,
            metrics=metric_names("classification"),
            fixed=FIXED_HYPERPARAMETERS,
        )
    message = caught.value.message
    assert "autoTune.searchSpace.test_fraction: cannot be searched" in message
    assert "autoTune.searchSpace.task: cannot be searched" in message
    assert "max_iter" not in message
