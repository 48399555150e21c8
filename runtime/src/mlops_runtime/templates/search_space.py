"""Auto-tune search spaces: which values of a template's hyperparameters a tuner may try.

A search space maps hyperparameter names to one dimension each (JSON):

- `{"type": "uniform", "min": a, "max": b}`: any number in [a, b] (a `number` hyperparameter);
- `{"type": "loguniform", "min": a, "max": b}`: a number in [a, b] drawn on a log scale, a > 0
  (a `number` hyperparameter: learning rates, regularization strengths);
- `{"type": "int", "min": a, "max": b}`: any integer in [a, b] (an `integer` hyperparameter);
- `{"type": "choice", "values": [v, ...]}`: one of the listed values (any hyperparameter type).

`min` < `max`, and every value the dimension can produce must be valid for the hyperparameter's
schema (type, bounds, enum). Hyperparameters that a space leaves out keep the value of the run's
form (or their default) in every trial.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mlops_runtime.schema import JsonSchema, validate_object

__all__ = ["DIMENSION_TYPES", "search_space_problems"]

RANGE_TYPES = ("uniform", "loguniform", "int")
DIMENSION_TYPES = (*RANGE_TYPES, "choice")
_HYPERPARAMETER_TYPE = {"uniform": "number", "loguniform": "number", "int": "integer"}


def search_space_problems(schema: JsonSchema, space: object) -> list[str]:
    """Problems with `space` for the hyperparameters of `schema`, one "name: problem" each."""
    if not isinstance(space, Mapping):
        return ["search space: must be an object of hyperparameter name to dimension"]
    properties: Mapping[str, JsonSchema] = schema.get("properties", {})
    problems: list[str] = []
    for name, dimension in space.items():
        if name not in properties:
            problems.append(
                f"{name}: is not a hyperparameter of this template "
                f"(known: {', '.join(sorted(properties))})"
            )
            continue
        problems += [
            f"{name}{problem}" for problem in _dimension_problems(name, properties[name], dimension)
        ]
    return problems


def _dimension_problems(name: str, spec: JsonSchema, dimension: object) -> list[str]:
    if not isinstance(dimension, Mapping):
        return [": must be an object with a type"]
    kind = dimension.get("type")
    if kind not in DIMENSION_TYPES:
        return [f".type: must be one of {', '.join(DIMENSION_TYPES)}, got {kind!r}"]
    allowed = {"type", "values"} if kind == "choice" else {"type", "min", "max"}
    unknown = sorted(set(dimension) - allowed, key=str)
    if unknown:
        return [f": unknown key(s) {', '.join(map(repr, unknown))} for a {kind} dimension"]
    if kind == "choice":
        return _choice_problems(name, spec, dimension.get("values"))
    return _range_problems(name, spec, kind, dimension)


def _range_problems(
    name: str, spec: JsonSchema, kind: str, dimension: Mapping[str, Any]
) -> list[str]:
    expected = _HYPERPARAMETER_TYPE[kind]
    if spec.get("type") != expected:
        # Worded as experiments-common's searchSpaceProblems words it.
        article = "an" if expected == "integer" else "a"
        return [
            f": a {kind} dimension needs {article} {expected} hyperparameter, this one is "
            f"{spec.get('type', 'untyped')}"
            + ("; use choice" if spec.get("type") in ("string", "boolean") else "")
        ]
    problems = []
    for bound in ("min", "max"):
        value = dimension.get(bound)
        if not _is_number(value) or (kind == "int" and not isinstance(value, int)):
            word = "an integer" if kind == "int" else "a number"
            problems.append(f".{bound}: must be {word}, got {value!r}")
        else:
            problems += [f".{bound}{p}" for p in _value_problems(name, spec, value)]
    if problems:
        return problems
    low, high = dimension["min"], dimension["max"]
    if low >= high:
        problems.append(f": min ({low}) must be less than max ({high})")
    if kind == "loguniform" and low <= 0:
        problems.append(f".min: must be > 0 on a log scale, got {low}")
    return problems


def _choice_problems(name: str, spec: JsonSchema, values: object) -> list[str]:
    if not isinstance(values, list) or not values:
        return [".values: must be a non-empty list"]
    problems = []
    seen: list[object] = []
    for index, value in enumerate(values):
        if any(_same(value, other) for other in seen):
            problems.append(f".values[{index}]: {value!r} is listed twice")
        seen.append(value)
        problems += [f".values[{index}]{p}" for p in _value_problems(name, spec, value)]
    return problems


def _value_problems(name: str, spec: JsonSchema, value: object) -> list[str]:
    """The schema's problems with one value, without the leading "name"."""
    single = {"type": "object", "properties": {name: spec}}
    return [problem.removeprefix(name) for problem in validate_object(single, {name: value})]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _same(a: object, b: object) -> bool:
    # 1 and True are equal in Python but different JSON values.
    return type(a) is type(b) and a == b
