"""A validator for the subset of JSON Schema that the template manifests use.

Supported on a top-level object schema: `properties`, `required`, `additionalProperties: false`;
on each property: `type` (integer, number, boolean, string), `enum`, `minimum`, `maximum`,
`exclusiveMinimum`, `exclusiveMaximum`. Anything else in a schema raises ValueError, so a manifest
never silently uses a keyword this validator would ignore.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["JsonSchema", "validate_object"]

JsonSchema = Mapping[str, Any]

_OBJECT_KEYWORDS = frozenset(
    {"type", "properties", "required", "additionalProperties", "title", "description"}
)
_VALUE_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "default",
        "title",
        "description",
    }
)


def validate_object(schema: JsonSchema, value: object, *, require_all: bool = False) -> list[str]:
    """Problems with `value` against an object `schema`, one "field: problem" message each."""
    _check_supported(schema)
    if not isinstance(value, Mapping):
        return [f"expected an object, got {_json_type(value)}"]
    properties: Mapping[str, JsonSchema] = schema.get("properties", {})
    required = set(properties) if require_all else set(schema.get("required", []))
    problems = [f"{name}: is required" for name in sorted(required - set(value))]
    if schema.get("additionalProperties", True) is False:
        problems += [
            f"{name}: is not a known field (known: {', '.join(sorted(properties))})"
            for name in sorted(set(value) - set(properties), key=str)
        ]
    for name, spec in properties.items():
        if name in value:
            problem = _value_problem(spec, value[name])
            if problem:
                problems.append(f"{name}: {problem}")
    return problems


def _check_supported(schema: JsonSchema) -> None:
    unsupported = set(schema) - _OBJECT_KEYWORDS
    if schema.get("type", "object") != "object":
        unsupported.add("type")
    for name, spec in schema.get("properties", {}).items():
        unsupported |= {f"{name}.{keyword}" for keyword in set(spec) - _VALUE_KEYWORDS}
    if unsupported:
        raise ValueError(f"unsupported JSON Schema keywords: {', '.join(sorted(unsupported))}")


def _value_problem(spec: JsonSchema, value: object) -> str | None:
    expected = spec.get("type")
    if expected is not None and not _has_type(value, expected):
        got = "null" if value is None else f"{_json_type(value)} {value!r}"
        if isinstance(value, float) and not math.isfinite(value):
            got = f"{value!r}"
        return f"must be {_article(expected)}, got {got}"
    if "enum" in spec and value not in spec["enum"]:
        return f"must be one of {', '.join(map(repr, spec['enum']))}, got {value!r}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for keyword, holds, symbol in _BOUNDS:
            if keyword in spec and not holds(value, spec[keyword]):
                return f"must be {symbol} {spec[keyword]}, got {value!r}"
    return None


_BOUNDS: tuple[tuple[str, Callable[[Any, Any], bool], str], ...] = (
    ("minimum", operator.ge, ">="),
    ("maximum", operator.le, "<="),
    ("exclusiveMinimum", operator.gt, ">"),
    ("exclusiveMaximum", operator.lt, "<"),
)


def _has_type(value: object, expected: str) -> bool:
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "string":
        return isinstance(value, str)
    raise ValueError(f"unsupported JSON Schema type {expected!r}")


_JSON_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"),
    (bool, "boolean"),  # before int: bool is a subclass of int
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (Mapping, "object"),
    ((list, tuple), "array"),
)


def _json_type(value: object) -> str:
    return next(
        (name for types, name in _JSON_TYPES if isinstance(value, types)), type(value).__name__
    )


def _article(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"
