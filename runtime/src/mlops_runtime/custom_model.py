"""Custom models: a user's Python module, passed as source text, loaded inside Ray.

The interface a custom image-classification model implements (see the README, "Custom models"):

    build_model(config: dict) -> torch.nn.Module
        input float32 (N, 1, 28, 28) in [0, 1], output logits (N, 10)
    HYPERPARAMETER_SCHEMA = {...}   # optional: an object JSON Schema, every property with a default

The module is never imported by the portal: `check_model` loads it in a Ray job, and training jobs
load it from the source in their job config. `load_source` runs the module's top level, so only
call it inside Ray.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping
from typing import Any

__all__ = [
    "MODULE_PREFIX",
    "default_config",
    "load_source",
]

MODULE_PREFIX = "mlops_custom_model_"


def load_source(source: str, name: str) -> types.ModuleType:
    """Compiles and runs `source` as a fresh module named `mlops_custom_model_<name>`.

    Raises SyntaxError, ImportError or whatever the module's top level raises; nothing is left in
    `sys.modules` when it fails.
    """
    module_name = MODULE_PREFIX + "".join(c if c.isalnum() else "_" for c in name)
    code = compile(source, f"<custom model {name}>", "exec", dont_inherit=True)
    module = types.ModuleType(module_name)
    module.__file__ = f"<custom model {name}>"
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)  # noqa: S102  (user code, run inside Ray only)
    except BaseException:
        sys.modules.pop(module_name, None)
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
