"""Traffic split between model versions (canary) and the shadow copy.

The split is a smooth weighted round robin: over any run of requests each version's share stays
within one request of its weight, so a 80/20 canary really sends 20 of every 100 requests to the
challenger (random draws would drift by several percent over a few hundred requests).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mlops_runtime.serve.errors import ConfigError

__all__ = ["Shadow", "ShadowSampler", "WeightedRouter", "parse_shadow", "parse_weights"]


@dataclass(frozen=True)
class Shadow:
    version: str
    percent: float


def _percent(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{field} must be a number")
    if not 0 <= value <= 100:
        raise ConfigError(f"{field} must be between 0 and 100")
    return float(value)


def parse_weights(value: object, versions: Sequence[str]) -> dict[str, float]:
    """Percent per version; versions absent get 0. None or {} sends everything to the first
    version."""
    if value is None or value == {}:
        return {versions[0]: 100.0}
    if not isinstance(value, Mapping):
        raise ConfigError("weights must be an object {version: percent}")
    weights: dict[str, float] = {}
    for version, weight in value.items():
        if version not in versions:
            raise ConfigError(
                f"weights name version {version!r}, which this application does not serve "
                f"(versions: {', '.join(versions)})"
            )
        weights[str(version)] = _percent(weight, f"weights[{version!r}]")
    if sum(weights.values()) <= 0:
        raise ConfigError("weights must give at least one version a positive percent")
    return {version: weight for version, weight in weights.items() if weight > 0}


def parse_shadow(value: object, versions: Sequence[str]) -> Shadow | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigError("shadow must be an object {version, percent} or null")
    version = value.get("version")
    if not isinstance(version, str) or version not in versions:
        raise ConfigError(
            f"shadow.version must be one of the served versions ({', '.join(versions)})"
        )
    percent = _percent(value.get("percent", 100), "shadow.percent")
    return Shadow(version=version, percent=percent) if percent > 0 else None


class WeightedRouter:
    """Smooth weighted round robin over the versions with a positive weight."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        if not weights or sum(weights.values()) <= 0:
            raise ValueError("weights must be positive")
        self._weights = dict(weights)
        self._total = sum(self._weights.values())
        self._current = dict.fromkeys(self._weights, 0.0)

    @property
    def weights(self) -> dict[str, float]:
        return dict(self._weights)

    def choose(self) -> str:
        for version, weight in self._weights.items():
            self._current[version] += weight
        chosen = max(self._current, key=lambda version: self._current[version])
        self._current[chosen] -= self._total
        return chosen

    def main_version(self) -> str:
        """The version with the most traffic (the champion), for metadata without a version."""
        return max(self._weights, key=lambda version: self._weights[version])


class ShadowSampler:
    """True for `percent` of the calls, spread evenly."""

    def __init__(self, percent: float) -> None:
        self._percent = percent
        self._credit = 0.0

    def take(self) -> bool:
        self._credit += self._percent
        if self._credit >= 100:
            self._credit -= 100
            return True
        return False
