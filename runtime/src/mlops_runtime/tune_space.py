"""The `autoTune` section of a tune job's config: search space, algorithm, scheduler and budget.

```
"autoTune": {
  "searchSpace": {name: {"type": "uniform" | "loguniform" | "int", "min": n, "max": n}
                      | {"type": "choice", "values": [...]}},
  "algorithm": "random" | "grid" | "optuna" | "hyperopt",
  "asha": bool,
  "budget": {"trials": int, "concurrency": int, "timeLimitMinutes": number},
  "metric": a metric the template's trials report (images: test_accuracy, test_loss,
            train_accuracy, train_loss; tables: those of `tabular_fit.metric_names`),
  "mode": "max" | "min",
  "startFromDefaults": bool   (optional, default true: the template's defaults are the first trial
                               when they lie inside the space)
}
```

The search space is checked by `mlops_runtime.templates.search_space` (the rules of the templates'
default spaces): every searched name a hyperparameter of the template, every value it can produce
valid for that hyperparameter's schema, so that every trial's hyperparameters are valid. The
hyperparameters that a tune keeps at the job's value (a tabular tune's data settings) cannot be
searched.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlops_runtime.errors import JobError
from mlops_runtime.schema import JsonSchema
from mlops_runtime.templates.search_space import search_space_problems

__all__ = [
    "ALGORITHMS",
    "INVALID_TUNE_CONFIG",
    "AutoTuneConfig",
    "Budget",
    "Parameter",
    "grid_points",
    "parse_auto_tune",
    "trial_hyperparameters",
]

INVALID_TUNE_CONFIG = "invalid auto-tune config"
ALGORITHMS = ("random", "grid", "optuna", "hyperopt")
# Points per numeric range in a grid search (all integers of a narrower int range).
GRID_LEVELS = 3


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    low: float = 0.0
    high: float = 0.0
    values: tuple[Any, ...] = ()

    def contains(self, value: Any) -> bool:
        if self.type == "choice":
            return value in self.values
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.type == "int" and not float(value).is_integer():
            return False
        return self.low <= value <= self.high

    def grid(self) -> list[Any]:
        if self.type == "choice":
            return list(self.values)
        if self.type == "int":
            low, high = int(self.low), int(self.high)
            if high - low + 1 <= GRID_LEVELS + 2:
                return list(range(low, high + 1))
            steps = range(GRID_LEVELS)
            return sorted({round(low + (high - low) * i / (GRID_LEVELS - 1)) for i in steps})
        if self.type == "loguniform":
            ratio = math.log(self.high / self.low)
            steps = range(1, GRID_LEVELS - 1)
            inner = [self.low * math.exp(ratio * i / (GRID_LEVELS - 1)) for i in steps]
        else:
            step = (self.high - self.low) / (GRID_LEVELS - 1)
            inner = [self.low + step * i for i in range(1, GRID_LEVELS - 1)]
        # The ends exactly: computed ones may fall a rounding error outside the range.
        return [self.low, *inner, self.high]


@dataclass(frozen=True)
class Budget:
    trials: int
    concurrency: int
    time_limit_minutes: float


@dataclass(frozen=True)
class AutoTuneConfig:
    parameters: tuple[Parameter, ...]
    algorithm: str
    asha: bool
    budget: Budget
    metric: str
    mode: str
    start_from_defaults: bool

    def as_params(self) -> dict[str, Any]:
        """What the parent MLflow run records as parameters."""
        return {
            "tune.algorithm": self.algorithm,
            "tune.asha": self.asha,
            "tune.trials": self.budget.trials,
            "tune.concurrency": self.budget.concurrency,
            "tune.time_limit_minutes": self.budget.time_limit_minutes,
            "tune.metric": self.metric,
            "tune.mode": self.mode,
        }


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _parameter(name: str, spec: Mapping[str, Any]) -> Parameter:
    """One dimension of a space that `search_space_problems` found valid."""
    if spec["type"] == "choice":
        return Parameter(name, "choice", values=tuple(spec["values"]))
    return Parameter(name, spec["type"], low=float(spec["min"]), high=float(spec["max"]))


def _integer(raw: Mapping[str, Any], key: str, problems: list[str]) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        problems.append(f"autoTune.budget.{key}: must be an integer >= 1, got {value!r}")
        return 1
    return value


def parse_auto_tune(
    raw: object,
    hyperparameter_schema: JsonSchema,
    *,
    metrics: tuple[str, ...],
    fixed: tuple[str, ...] = (),
) -> AutoTuneConfig:
    """The validated auto-tune section for trials that report `metrics` and keep the `fixed`
    hyperparameters at the job's value; JobError naming every problem."""
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        raise JobError(INVALID_TUNE_CONFIG, "autoTune: must be an object")
    known = {"searchSpace", "algorithm", "asha", "budget", "metric", "mode", "startFromDefaults"}
    problems += [f"autoTune.{key}: is not a known field" for key in sorted(set(raw) - known)]
    space = raw.get("searchSpace")
    parameters: list[Parameter] = []
    if not isinstance(space, Mapping) or not space:
        problems.append("autoTune.searchSpace: must name at least one hyperparameter")
    else:
        space_problems = search_space_problems(hyperparameter_schema, space)
        problems += [f"autoTune.searchSpace.{problem}" for problem in space_problems]
        problems += [
            f"autoTune.searchSpace.{name}: cannot be searched; every trial uses the job's value"
            for name in space
            if name in fixed
        ]
        if not space_problems:
            parameters = [_parameter(str(name), spec) for name, spec in space.items()]
    algorithm = raw.get("algorithm")
    if algorithm not in ALGORITHMS:
        problems.append(f"autoTune.algorithm: must be one of {', '.join(ALGORITHMS)}")
    asha = raw.get("asha")
    if not isinstance(asha, bool):
        problems.append(f"autoTune.asha: must be true or false, got {asha!r}")
    budget_raw = raw.get("budget")
    if not isinstance(budget_raw, Mapping):
        problems.append("autoTune.budget: must be an object")
        budget_raw = {}
    minutes = budget_raw.get("timeLimitMinutes")
    if not _number(minutes) or minutes <= 0:
        problems.append(f"autoTune.budget.timeLimitMinutes: must be a number > 0, got {minutes!r}")
        minutes = 1.0
    budget = Budget(
        trials=_integer(budget_raw, "trials", problems),
        concurrency=_integer(budget_raw, "concurrency", problems),
        time_limit_minutes=float(minutes),
    )
    metric = raw.get("metric")
    if metric not in metrics:
        problems.append(f"autoTune.metric: must be one of {', '.join(metrics)}, got {metric!r}")
    mode = raw.get("mode")
    if mode not in ("max", "min"):
        problems.append(f"autoTune.mode: must be max or min, got {mode!r}")
    start = raw.get("startFromDefaults", True)
    if not isinstance(start, bool):
        problems.append("autoTune.startFromDefaults: must be true or false")
    if problems:
        raise JobError(INVALID_TUNE_CONFIG, "; ".join(problems))
    return AutoTuneConfig(
        parameters=tuple(parameters),
        algorithm=str(algorithm),
        asha=bool(asha),
        budget=budget,
        metric=str(metric),
        mode=str(mode),
        start_from_defaults=bool(start),
    )


def grid_points(parameters: tuple[Parameter, ...], limit: int) -> list[dict[str, Any]]:
    """The grid over the parameters (GRID_LEVELS points per range), at most `limit` points spread
    evenly over it when it is larger."""
    axes = [parameter.grid() for parameter in parameters]
    names = [parameter.name for parameter in parameters]
    every = [dict(zip(names, values)) for values in itertools.product(*axes)]
    if len(every) <= limit:
        return every
    step = len(every) / limit
    return [every[int(i * step)] for i in range(limit)]


def trial_hyperparameters(base: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """The job's hyperparameters with a trial's sampled values over them (as plain Python
    values: samplers may return numpy scalars)."""
    return {**base, **{name: _plain(value) for name, value in config.items()}}


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value
