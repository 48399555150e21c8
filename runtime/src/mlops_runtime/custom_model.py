"""Custom models: a user's Python module, passed as source text, loaded inside Ray.

The interface a custom image-classification model implements (see the README, "Custom models"):

    build_model(config: dict) -> torch.nn.Module
        input float32 (N, 1, 28, 28) in [0, 1], output logits (N, 10)
    HYPERPARAMETER_SCHEMA = {...}   # optional: an object JSON Schema, every property with a default

The module is never imported by the portal: `check_model` loads it in a Ray job, and training jobs
load it from the source in their job config (`customModel`, see `mlops_runtime.job_config`) and
train it with the training loop of the `mnist-cnn` template. `load_source` runs the module's top
level, so only call it inside Ray.
"""

from __future__ import annotations

import hashlib
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlops_runtime.templates import ModelTemplate, load_template

if TYPE_CHECKING:
    from torch import nn

__all__ = [
    "BASE_TEMPLATE_ID",
    "CUSTOM_TEMPLATE_PREFIX",
    "MODULE_PREFIX",
    "CustomModel",
    "build_custom_model",
    "custom_template",
    "default_config",
    "load_source",
    "module_name",
]

MODULE_PREFIX = "mlops_custom_model_"
CUSTOM_TEMPLATE_PREFIX = "custom:"
# The built-in template whose training loop (and accepted dataset formats) custom models use.
BASE_TEMPLATE_ID = "mnist-cnn"


@dataclass(frozen=True)
class CustomModel:
    """One version of a custom model, as a training job carries it."""

    name: str
    version: int
    source: str
    # The template's whole schema: the training loop's hyperparameters and the module's own.
    hyperparameter_schema: dict[str, Any]

    @property
    def template_id(self) -> str:
        return f"{CUSTOM_TEMPLATE_PREFIX}{self.name}@{self.version}"

    @property
    def module_name(self) -> str:
        """The name the module is loaded under, and saved under beside a logged model."""
        return module_name(f"{self.name}_v{self.version}")


def module_name(name: str) -> str:
    return MODULE_PREFIX + "".join(c if c.isalnum() else "_" for c in name)


def custom_template(model: CustomModel) -> ModelTemplate:
    """The model template of a custom model version (no default auto-tune search space)."""
    base = load_template(BASE_TEMPLATE_ID)
    manifest = {
        "id": model.template_id,
        "version": str(model.version),
        "task": base.manifest["task"],
        "datasetFormats": base.dataset_formats,
        "hyperparameterSchema": model.hyperparameter_schema,
    }
    return ModelTemplate(
        id=model.template_id,
        version=str(model.version),
        hyperparameter_schema=model.hyperparameter_schema,
        manifest=manifest,
    )


_loaded: dict[tuple[str, str], types.ModuleType] = {}


def build_custom_model(model: CustomModel, hyperparameters: Mapping[str, Any]) -> nn.Module:
    """`build_model(hyperparameters)` of the version's module, loaded once per process so that
    every network of the version has the same classes (the logged model pickles them by name)."""
    from torch import nn  # noqa: PLC0415  (torch only where a network is built)

    key = (model.module_name, hashlib.sha256(model.source.encode()).hexdigest())
    if key not in _loaded:
        _loaded[key] = load_source(model.source, f"{model.name}_v{model.version}")
    built = _loaded[key].build_model(dict(hyperparameters))
    if not isinstance(built, nn.Module):
        raise TypeError(
            f"build_model of custom model {model.name} version {model.version} returned "
            f"{type(built).__name__}, not a torch.nn.Module"
        )
    return built


def load_source(source: str, name: str) -> types.ModuleType:
    """Compiles and runs `source` as a fresh module named `mlops_custom_model_<name>`.

    Raises SyntaxError, ImportError or whatever the module's top level raises; nothing is left in
    `sys.modules` when it fails.
    """
    qualified = module_name(name)
    code = compile(source, f"<custom model {name}>", "exec", dont_inherit=True)
    module = types.ModuleType(qualified)
    module.__file__ = f"<custom model {name}>"
    sys.modules[qualified] = module
    try:
        exec(code, module.__dict__)  # noqa: S102  (user code, run inside Ray only)
    except BaseException:
        sys.modules.pop(qualified, None)
        raise
    return module


def default_config(schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults of a HYPERPARAMETER_SCHEMA's properties ({} without a schema)."""
    if not schema:
        return {}
    properties = schema.get("properties") or {}
    return {
        key: prop["default"]
        for key, prop in properties.items()
        if isinstance(prop, Mapping) and "default" in prop
    }
