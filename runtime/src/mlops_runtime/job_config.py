"""The configuration of a training job, as the portal passes it in MLOPS_JOB_CONFIG (JSON).

```
{"jobId": str, "template": {"id": str, "version": str},
 "dataset": {"id": str, "name": str, "version": str, "format": str, "manifestSha256": str,
             "files": [{"name": str, "size": int, "sha256": str, "path": str | "url": str}]}
            | {"id": str, "version": str, "format": str, "path": str},
 "hyperparameters": {every field of the template's schema}, "seed": int,
 "resources": {"numWorkers": int, "cpusPerWorker": number, "useGpu": bool},
 "modelName": str, "mlflow": {"trackingUri": str, "experimentName": str},
 "storagePath": str,
 "customModel": {"name": str, "version": int, "sha256": str, "source": str,
                 "hyperparameterSchema": {...}}}
```

`customModel` is present exactly when `template.id` is a custom model version
(`custom:<name>@<version>`): the module's source and the hyperparameter schema the portal
resolved for it (see `mlops_runtime.custom_model`).

`dataset` is one immutable version of a dataset of the datasets plugin, whose files are fetched from
a local `path` or a presigned `url` (see `mlops_runtime.datasets.dataset_folder`); outside the
portal (benchmarks, local runs) it may instead name a local folder `path` that is used as it is.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from mlops_runtime.custom_model import CUSTOM_TEMPLATE_PREFIX, CustomModel, custom_template
from mlops_runtime.datasets import DatasetFile, DatasetRef, invalid_file_name
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
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


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
    custom_model: CustomModel | None = None

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

    def optional_string(self, key: str) -> str | None:
        if key not in self.value:
            return None
        return self.string(key)

    def items(self, key: str) -> list[_Fields]:
        value = self._get(key)
        if key in self.value and not isinstance(value, list):
            self.problems.append(f"{self._path(key)}: must be a list")
        if not isinstance(value, list):
            return []
        where = self._path(key)
        return [_Fields(item, f"{where}[{i}]", self.problems) for i, item in enumerate(value)]

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
            "customModel",
        }
    )
    job_id = root.string("jobId")
    template_fields = root.obj("template")
    template_id, template_version = template_fields.string("id"), template_fields.string("version")
    dataset = _parse_dataset(root.obj("dataset"))
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
        (resource_fields, {"numWorkers", "cpusPerWorker", "useGpu"}),
        (mlflow_fields, {"trackingUri", "experimentName"}),
    ):
        fields.reject_unknown(known)

    custom_model = None
    if "customModel" in root.value:
        custom_model = _parse_custom_model(root.obj("customModel"), template_id)
    elif template_id.startswith(CUSTOM_TEMPLATE_PREFIX):
        problems.append(f"customModel: is required for the custom model template {template_id}")
    template = None
    if custom_model is not None:
        template = custom_template(custom_model)
    elif template_id and not template_id.startswith(CUSTOM_TEMPLATE_PREFIX):
        try:
            template = load_template(template_id)
        except TemplateNotFoundError as error:
            problems.append(f"template.id: {error}")
    if template is not None and template_version and template_version != template.version:
        problems.append(
            f"template.version: {template_version!r} is not available "
            f"(this runtime has {template.id} {template.version})"
        )
    if template is not None and dataset.format:
        accepted = template.manifest.get("datasetFormats", [])
        if dataset.format not in accepted:
            problems.append(
                f"dataset.format: {template.id} does not accept {dataset.format!r} "
                f"(accepted: {', '.join(accepted)})"
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
        custom_model=custom_model,
    )


def _parse_custom_model(fields: _Fields, template_id: str) -> CustomModel:
    fields.reject_unknown({"name", "version", "sha256", "source", "hyperparameterSchema"})
    model = CustomModel(
        name=fields.string("name"),
        version=fields.integer("version", 1, 2**31 - 1),
        source=fields.string("source"),
        hyperparameter_schema=dict(fields.obj("hyperparameterSchema").value),
    )
    sha256 = fields.optional_string("sha256")
    if sha256 is not None and sha256 != hashlib.sha256(model.source.encode()).hexdigest():
        fields.problems.append(
            f"{fields.where}.sha256: the source does not match the version's sha256 {sha256}"
        )
    if model.template_id != template_id:
        fields.problems.append(
            f"{fields.where}: is {model.template_id!r}, but template.id is {template_id!r}"
        )
    return model


def _parse_dataset(fields: _Fields) -> DatasetRef:
    fields.reject_unknown({"id", "name", "version", "format", "manifestSha256", "files", "path"})
    dataset = DatasetRef(
        id=fields.string("id"),
        name=fields.optional_string("name") or "",
        version=fields.string("version"),
        format=fields.string("format"),
    )
    path = fields.optional_string("path")
    if path is not None:
        if "files" in fields.value or "manifestSha256" in fields.value:
            fields.problems.append(f"{fields.where}: give either files and manifestSha256, or path")
        return replace(dataset, path=path)
    files: list[DatasetFile] = []
    for item in fields.items("files"):
        item.reject_unknown({"name", "size", "sha256", "path", "url"})
        name = item.string("name")
        problem = invalid_file_name(name) if name else None
        if problem:
            item.problems.append(f"{item.where}.name: {name!r} {problem}")
        path, url = item.optional_string("path"), item.optional_string("url")
        if (path is None) == (url is None):
            item.problems.append(f"{item.where}: needs exactly one of path and url")
        if url is not None and not url.startswith(("http://", "https://")):
            item.problems.append(f"{item.where}.url: must be an http(s) URL")
        sha256 = item.string("sha256")
        if sha256 and not _SHA256.match(sha256):
            item.problems.append(f"{item.where}.sha256: must be 64 lowercase hex digits")
        files.append(
            DatasetFile(
                name=name,
                size=item.integer("size", 0, 2**63 - 1),
                sha256=sha256,
                path=path,
                url=url,
            )
        )
    if "files" in fields.value and not files:
        fields.problems.append(f"{fields.where}.files: must name at least one file")
    return replace(dataset, manifest_sha256=fields.string("manifestSha256"), files=tuple(files))
