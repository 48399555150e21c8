"""The configuration of a training job, as the portal passes it in MLOPS_JOB_CONFIG (JSON).

```
{"jobId": str, "template": {"id": str, "version": str},
 "dataset": {"id": str, "version": str, "format": "idx", "path": str},
 "hyperparameters": {every field of the template's schema}, "seed": int,
 "resources": {"numWorkers": int, "cpusPerWorker": number, "useGpu": bool},
 "modelName": str, "mlflow": {"trackingUri": str, "experimentName": str},
 "storagePath": str}
```
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from mlops_runtime.errors import JobError
from mlops_runtime.templates import ModelTemplate, TemplateNotFoundError, load_template

__all__ = [
    "INVALID_CONFIG",
    "INVALID_HYPERPARAMETERS",
    "DatasetRef",
    "JobConfig",
    "Resources",
    "parse_job_config",
]

INVALID_CONFIG = "invalid job config"
INVALID_HYPERPARAMETERS = "invalid hyperparameters"
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class DatasetRef:
    id: str
    version: str
    format: str
    path: str


@dataclass(frozen=True)
class Resources:
    num_workers: int
    cpus_per_worker: float
    use_gpu: bool


@dataclass(frozen=True)
class JobConfig:
    job_id: str
    template: ModelTemplate
    dataset: DatasetRef
    hyperparameters: dict[str, Any]
    seed: int
    resources: Resources
    model_name: str
    tracking_uri: str
    experiment_name: str
    storage_path: str

    def params(self) -> dict[str, Any]:
        """What the MLflow run records as parameters."""
        return {
            **self.hyperparameters,
            "seed": self.seed,
            **{f"resources.{key}": value for key, value in asdict(self.resources).items()},
        }


class _Fields:
    """Reads typed fields of one JSON object, collecting every problem instead of the first."""

    def __init__(self, value: object, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = problems
        self.value: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
        if not isinstance(value, Mapping):
            problems.append(f"{where or 'config'}: must be an object")

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _get(self, key: str) -> Any:
        if key not in self.value:
            self.problems.append(f"{self._path(key)}: is required")
        return self.value.get(key)

    def string(self, key: str) -> str:
        value = self._get(key)
        if key in self.value and (not isinstance(value, str) or not value.strip()):
            self.problems.append(f"{self._path(key)}: must be a non-empty string")
        return value if isinstance(value, str) else ""

    def integer(self, key: str, minimum: int, maximum: int) -> int:
        value = self._get(key)
        ok = isinstance(value, int) and not isinstance(value, bool)
        if key in self.value and (not ok or not minimum <= value <= maximum):
            self.problems.append(
                f"{self._path(key)}: must be an integer in {minimum}..{maximum}, got {value!r}"
            )
        return value if ok else minimum

    def positive_number(self, key: str) -> float:
        value = self._get(key)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if key in self.value and (not ok or not math.isfinite(value) or value <= 0):
            self.problems.append(f"{self._path(key)}: must be a number > 0, got {value!r}")
        return float(value) if ok else 1.0

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if key in self.value and not isinstance(value, bool):
            self.problems.append(f"{self._path(key)}: must be true or false, got {value!r}")
        return value is True

    def obj(self, key: str) -> _Fields:
        return _Fields(self._get(key) if key in self.value else {}, self._path(key), self.problems)

    def reject_unknown(self, known: set[str]) -> None:
        self.problems += [
            f"{self._path(key)}: is not a known field"
            for key in sorted(set(self.value) - known, key=str)
        ]


def parse_job_config(text: str | None) -> JobConfig:
    """Parses and validates the job config; raises JobError naming every problem."""
    if text is None or not text.strip():
        raise JobError(INVALID_CONFIG, "the environment variable MLOPS_JOB_CONFIG is not set")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise JobError(INVALID_CONFIG, f"MLOPS_JOB_CONFIG is not valid JSON: {error}") from None

    problems: list[str] = []
    root = _Fields(raw, "", problems)
    root.reject_unknown(
        {
            "jobId",
            "template",
            "dataset",
            "hyperparameters",
            "seed",
            "resources",
            "modelName",
            "mlflow",
            "storagePath",
        }
    )
    job_id = root.string("jobId")
    template_fields = root.obj("template")
    template_id, template_version = template_fields.string("id"), template_fields.string("version")
    dataset_fields = root.obj("dataset")
    dataset = DatasetRef(
        id=dataset_fields.string("id"),
        version=dataset_fields.string("version"),
        format=dataset_fields.string("format"),
        path=dataset_fields.string("path"),
    )
    if dataset.format and dataset.format != "idx":
        problems.append(f"dataset.format: {dataset.format!r} is not supported (supported: idx)")
    seed = root.integer("seed", 0, MAX_SEED)
    resource_fields = root.obj("resources")
    resources = Resources(
        num_workers=resource_fields.integer("numWorkers", 1, 1024),
        cpus_per_worker=resource_fields.positive_number("cpusPerWorker"),
        use_gpu=resource_fields.boolean("useGpu"),
    )
    model_name = root.string("modelName")
    mlflow_fields = root.obj("mlflow")
    tracking_uri = mlflow_fields.string("trackingUri")
    experiment_name = mlflow_fields.string("experimentName")
    storage_path = root.string("storagePath")
    for fields, known in (
        (template_fields, {"id", "version"}),
        (dataset_fields, {"id", "version", "format", "path"}),
        (resource_fields, {"numWorkers", "cpusPerWorker", "useGpu"}),
        (mlflow_fields, {"trackingUri", "experimentName"}),
    ):
        fields.reject_unknown(known)

    template = None
    if template_id:
        try:
            template = load_template(template_id)
        except TemplateNotFoundError as error:
            problems.append(f"template.id: {error}")
    if template is not None and template_version and template_version != template.version:
        problems.append(
            f"template.version: {template_version!r} is not available "
            f"(this runtime has {template.id} {template.version})"
        )
    if problems or template is None:
        raise JobError(INVALID_CONFIG, "; ".join(problems))

    hyperparameters = raw.get("hyperparameters")
    hyperparameter_problems = template.validate_hyperparameters(hyperparameters)
    if hyperparameter_problems:
        raise JobError(INVALID_HYPERPARAMETERS, "; ".join(hyperparameter_problems))
    assert isinstance(hyperparameters, dict)
    return JobConfig(
        job_id=job_id,
        template=template,
        dataset=dataset,
        hyperparameters=dict(hyperparameters),
        seed=seed,
        resources=resources,
        model_name=model_name,
        tracking_uri=tracking_uri,
        experiment_name=experiment_name,
        storage_path=storage_path,
    )
