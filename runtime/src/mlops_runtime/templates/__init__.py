"""Model templates: a JSON manifest per template (`<id>.json` in this folder).

The manifests are the single source of each template's hyperparameter names, bounds, defaults and
default auto-tune search space (`searchSpace`, see `search_space`); the portal backend reads the
same files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mlops_runtime.schema import JsonSchema, validate_object
from mlops_runtime.templates.search_space import search_space_problems

__all__ = [
    "ModelTemplate",
    "TemplateNotFoundError",
    "load_template",
    "search_space_problems",
    "template_ids",
]

_TEMPLATES_DIR = Path(__file__).resolve().parent


class TemplateNotFoundError(LookupError):
    """No manifest for the requested template id."""


@dataclass(frozen=True)
class ModelTemplate:
    id: str
    version: str
    hyperparameter_schema: JsonSchema
    manifest: dict[str, Any]

    def default_hyperparameters(self) -> dict[str, Any]:
        """Every hyperparameter with its schema default."""
        properties = self.hyperparameter_schema.get("properties", {})
        return {name: spec["default"] for name, spec in properties.items() if "default" in spec}

    @property
    def dataset_formats(self) -> list[str]:
        formats: list[str] = self.manifest["datasetFormats"]
        return formats

    @property
    def search_space(self) -> dict[str, Any]:
        """The default auto-tune search space (empty when the manifest declares none)."""
        return dict(self.manifest.get("searchSpace", {}))

    def validate_hyperparameters(self, values: object) -> list[str]:
        """Problems with a complete hyperparameter set, one message per field (empty when valid).

        Every property of the schema is required: a job's resolved configuration names them all.
        """
        return validate_object(self.hyperparameter_schema, values, require_all=True)


def template_ids() -> list[str]:
    return sorted(path.stem for path in _TEMPLATES_DIR.glob("*.json"))


@cache
def load_template(template_id: str) -> ModelTemplate:
    """The manifest of `template_id` (a name in `template_ids()`)."""
    if template_id not in template_ids():
        raise TemplateNotFoundError(
            f"unknown model template {template_id!r} (known: {', '.join(template_ids())})"
        )
    manifest = json.loads((_TEMPLATES_DIR / f"{template_id}.json").read_text(encoding="utf-8"))
    schema, space = manifest["hyperparameterSchema"], manifest.get("searchSpace", {})
    problems = search_space_problems(schema, space)
    if problems:
        raise ValueError(f"template {template_id}: invalid searchSpace: {'; '.join(problems)}")
    return ModelTemplate(
        id=manifest["id"],
        version=manifest["version"],
        hyperparameter_schema=manifest["hyperparameterSchema"],
        manifest=manifest,
    )
