"""Job config parsing, the template manifest and the hyperparameter validator (no Ray/MLflow)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlops_runtime.errors import JobError
from mlops_runtime.job_config import INVALID_CONFIG, INVALID_HYPERPARAMETERS, parse_job_config
from mlops_runtime.schema import validate_object
from mlops_runtime.templates import TemplateNotFoundError, load_template


def job_config(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "jobId": "job-1",
        "template": {"id": "mnist-cnn", "version": load_template("mnist-cnn").version},
        "dataset": {"id": "mnist", "version": "v1", "format": "idx", "path": "/data/mnist"},
        "hyperparameters": load_template("mnist-cnn").default_hyperparameters(),
        "seed": 42,
        "resources": {"numWorkers": 1, "cpusPerWorker": 2, "useGpu": False},
        "modelName": "mnist-model",
        "mlflow": {"trackingUri": "http://127.0.0.1:5000", "experimentName": "team-a"},
        "storagePath": "/tmp/ray-results",
    }
    config.update(overrides)
    return config


def parse_error(config: object) -> JobError:
    with pytest.raises(JobError) as caught:
        parse_job_config(json.dumps(config))
    return caught.value


def test_template_defaults_come_from_the_manifest() -> None:
    template = load_template("mnist-cnn")
    properties = template.hyperparameter_schema["properties"]
    defaults = template.default_hyperparameters()
    assert set(defaults) == set(properties)
    assert all(defaults[name] == spec["default"] for name, spec in properties.items())
    assert template.validate_hyperparameters(defaults) == []


def test_unknown_template_id() -> None:
    with pytest.raises(TemplateNotFoundError, match="no-such-template"):
        load_template("no-such-template")


def test_parses_a_complete_config() -> None:
    config = parse_job_config(json.dumps(job_config()))
    assert config.job_id == "job-1"
    assert config.template.id == "mnist-cnn"
    assert config.dataset.path == "/data/mnist"
    assert config.resources.cpus_per_worker == 2.0
    assert config.params()["seed"] == 42
    assert config.params()["resources.num_workers"] == 1
    assert config.params()["learning_rate"] == config.hyperparameters["learning_rate"]


def test_each_bad_hyperparameter_is_named() -> None:
    hyperparameters = load_template("mnist-cnn").default_hyperparameters()
    hyperparameters.update(learning_rate=0, batch_size="64", epochs=51, momentum=0.9)
    del hyperparameters["dropout"]
    error = parse_error(job_config(hyperparameters=hyperparameters))
    assert error.reason == INVALID_HYPERPARAMETERS
    problems = error.message.split("; ")
    assert "learning_rate: must be > 0, got 0" in problems
    assert "batch_size: must be an integer, got string '64'" in problems
    assert "epochs: must be <= 50, got 51" in problems
    assert "dropout: is required" in problems
    assert any(problem.startswith("momentum: is not a known field") for problem in problems)
    assert len(problems) == 5


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (True, "epochs: must be an integer, got boolean True"),
        (2.5, "epochs: must be an integer, got number 2.5"),
        (0, "epochs: must be >= 1, got 0"),
        (None, "epochs: must be an integer, got null"),
    ],
)
def test_integer_hyperparameter_checks(value: object, problem: str) -> None:
    hyperparameters = {**load_template("mnist-cnn").default_hyperparameters(), "epochs": value}
    assert parse_error(job_config(hyperparameters=hyperparameters)).message == problem


def test_hyperparameters_must_be_an_object() -> None:
    error = parse_error(job_config(hyperparameters=[1, 2]))
    assert (error.reason, error.message) == (
        INVALID_HYPERPARAMETERS,
        "expected an object, got array",
    )


def test_config_problems_are_all_named() -> None:
    config = job_config(seed=-1, extra=1)
    del config["modelName"]
    config["resources"] = {"numWorkers": 0, "cpusPerWorker": "2", "useGpu": "no"}
    config["template"] = {"id": "mnist-cnn", "version": "9.9.9"}
    error = parse_error(config)
    assert error.reason == INVALID_CONFIG
    for expected in (
        "extra: is not a known field",
        "modelName: is required",
        "seed: must be an integer in 0..4294967295, got -1",
        "resources.numWorkers: must be an integer in 1..1024, got 0",
        "resources.cpusPerWorker: must be a number > 0, got '2'",
        "resources.useGpu: must be true or false, got 'no'",
        "template.version: '9.9.9' is not available",
    ):
        assert expected in error.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [(None, "MLOPS_JOB_CONFIG is not set"), ("{", "not valid JSON"), ("[]", "must be an object")],
)
def test_unreadable_config(text: str | None, fragment: str) -> None:
    with pytest.raises(JobError) as caught:
        parse_job_config(text)
    assert caught.value.reason == INVALID_CONFIG
    assert fragment in caught.value.message


def test_validator_refuses_keywords_it_does_not_implement() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^a"}}}
    with pytest.raises(ValueError, match=r"name\.pattern"):
        validate_object(schema, {"name": "abc"})


def test_validator_exclusive_bounds_and_enum() -> None:
    schema = {
        "type": "object",
        "properties": {
            "rate": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "mode": {"type": "string", "enum": ["fast", "exact"]},
        },
    }
    assert validate_object(schema, {"rate": 0.5, "mode": "fast"}) == []
    assert validate_object(schema, {"rate": 1, "mode": "slow"}) == [
        "rate: must be < 1, got 1",
        "mode: must be one of 'fast', 'exact', got 'slow'",
    ]
    assert validate_object(schema, {"rate": float("nan")}) == ["rate: must be a number, got nan"]
