"""Job config parsing, the template manifest and the hyperparameter validator (no Ray/MLflow)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlops_runtime.datasets import DatasetFile, manifest_sha256
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


def version_dataset(**overrides: Any) -> dict[str, Any]:
    """The dataset of a job config as the portal writes it: a pinned version with its files."""
    files = [
        {"name": "train-images-idx3-ubyte", "size": 16, "sha256": "a" * 64, "path": "/s/a"},
        {"name": "train-labels-idx1-ubyte", "size": 8, "sha256": "b" * 64, "url": "https://s3/b"},
    ]
    manifest = manifest_sha256(
        DatasetFile(name=f["name"], size=f["size"], sha256=f["sha256"]) for f in files
    )
    dataset = {
        "id": "ds-1",
        "name": "mnist",
        "version": "c" * 64,
        "format": "idx",
        "manifestSha256": manifest,
        "files": files,
    }
    dataset.update(overrides)
    return dataset


def test_parses_a_pinned_dataset_version_with_its_files() -> None:
    dataset = parse_job_config(json.dumps(job_config(dataset=version_dataset()))).dataset
    assert (dataset.id, dataset.name, dataset.version) == ("ds-1", "mnist", "c" * 64)
    assert dataset.path is None
    assert dataset.files == (
        DatasetFile("train-images-idx3-ubyte", 16, "a" * 64, path="/s/a"),
        DatasetFile("train-labels-idx1-ubyte", 8, "b" * 64, url="https://s3/b"),
    )
    assert dataset.manifest_sha256 == manifest_sha256(dataset.files)


def test_each_problem_of_a_dataset_file_is_named() -> None:
    files = [
        {"name": "../escape", "size": -1, "sha256": "nothex", "path": "/s/a", "url": "https://x"},
        {"name": "b", "size": 1, "sha256": "b" * 64},
        {"name": "c", "size": 1, "sha256": "c" * 64, "url": "file:///etc/passwd", "mode": 1},
    ]
    error = parse_error(job_config(dataset=version_dataset(files=files)))
    assert error.reason == INVALID_CONFIG
    for expected in (
        "dataset.files[0].name: '../escape' must not contain empty, '.' or '..' segments",
        "dataset.files[0]: needs exactly one of path and url",
        "dataset.files[0].sha256: must be 64 lowercase hex digits",
        "dataset.files[0].size: must be an integer in 0..",
        "dataset.files[1]: needs exactly one of path and url",
        "dataset.files[2].url: must be an http(s) URL",
        "dataset.files[2].mode: is not a known field",
    ):
        assert expected in error.message


def test_a_dataset_needs_files_or_a_folder_not_both() -> None:
    assert "dataset.files: must name at least one file" in (
        parse_error(job_config(dataset=version_dataset(files=[]))).message
    )
    both = version_dataset(path="/data/mnist")
    assert "dataset: give either files and manifestSha256, or path" in (
        parse_error(job_config(dataset=both)).message
    )


def test_a_dataset_format_the_template_does_not_read_is_refused() -> None:
    error = parse_error(job_config(dataset=version_dataset(format="csv")))
    assert error.reason == INVALID_CONFIG
    assert "dataset.format: mnist-cnn does not accept 'csv' (accepted: idx)" in error.message


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
