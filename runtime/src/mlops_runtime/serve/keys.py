"""API keys, known to the ingress only by the SHA-256 hex of the key, and a token bucket per key."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from mlops_runtime.serve.errors import ConfigError

__all__ = [
    "ApiKey",
    "AuthError",
    "KeyRing",
    "RateLimiter",
    "TokenBucket",
    "hash_key",
    "parse_keys",
]

_HEX_DIGITS = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class ApiKey:
    id: str
    sha256: str
    requests_per_second: float
    burst: float
    expires_at: datetime | None


class AuthError(Exception):
    """No key, an unknown key or an expired key (HTTP 401). The message never contains the key."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _positive_number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{field} must be a finite number")
    if value <= 0:
        raise ConfigError(f"{field} must be greater than 0")
    return float(value)


def parse_timestamp(value: object, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{field} must be an ISO 8601 timestamp or null")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{field} is not an ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise ConfigError(f"{field} needs a time zone (e.g. a trailing Z): {value!r}")
    return parsed


def _parse_key(entry: object, index: int) -> ApiKey:
    where = f"keys[{index}]"
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where} must be an object")
    unknown = set(entry) - {"id", "sha256", "requests_per_second", "burst", "expires_at"}
    if unknown:
        raise ConfigError(f"{where} has unknown fields: {', '.join(sorted(map(str, unknown)))}")
    key_id = entry.get("id")
    if not isinstance(key_id, str) or not key_id:
        raise ConfigError(f"{where}.id must be a non-empty string")
    digest = entry.get("sha256")
    if not isinstance(digest, str) or len(digest) != 64 or not set(digest.lower()) <= _HEX_DIGITS:
        raise ConfigError(f"{where}.sha256 must be 64 hex digits (the SHA-256 of the key)")
    rate = _positive_number(entry.get("requests_per_second"), f"{where}.requests_per_second")
    burst_value = entry.get("burst")
    burst = (
        max(1.0, rate) if burst_value is None else _positive_number(burst_value, f"{where}.burst")
    )
    if burst < 1:
        raise ConfigError(f"{where}.burst must be at least 1")
    return ApiKey(
        id=key_id,
        sha256=digest.lower(),
        requests_per_second=rate,
        burst=burst,
        expires_at=parse_timestamp(entry.get("expires_at"), f"{where}.expires_at"),
    )


def parse_keys(value: object) -> list[ApiKey]:
    """The `keys` of the ingress user_config; every problem raises ConfigError naming the field."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError("keys must be a list")
    keys = [_parse_key(entry, index) for index, entry in enumerate(value)]
    for field in ("id", "sha256"):
        seen: set[str] = set()
        for key in keys:
            item = getattr(key, field)
            if item in seen:
                raise ConfigError(f"keys: two keys have the same {field}")
            seen.add(item)
    return keys


class KeyRing:
    """Finds the key a caller presents by comparing its hash with every configured hash in
    constant time (no early exit), so timing does not reveal which or how many hashes matched."""

    def __init__(self, keys: Iterable[ApiKey]) -> None:
        self._keys = [(key.sha256.encode("ascii"), key) for key in keys]

    def authenticate(self, presented: str | None, now: datetime | None = None) -> ApiKey:
        if not presented:
            raise AuthError("missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key'")
        digest = hash_key(presented).encode("ascii")
        found: ApiKey | None = None
        for expected, key in self._keys:
            if hmac.compare_digest(digest, expected):
                found = key
        if found is None:
            raise AuthError("invalid API key")
        moment = now or datetime.now(timezone.utc)
        if found.expires_at is not None and moment >= found.expires_at:
            raise AuthError("API key expired")
        return found


class TokenBucket:
    """`rate` tokens a second up to `burst`; each request takes one."""

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst <= 0:
            raise ValueError("rate and burst must be positive")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._updated = clock()

    def take(self) -> float:
        """0.0 when the request may pass (a token is taken), else the seconds until one will."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate


class RateLimiter:
    """A bucket per key id. The key's budget is split evenly across the ingress replicas (each
    replica limits on its own). Reconfiguring keeps the buckets of keys whose limits did not
    change, so a live update does not hand out a fresh burst."""

    def __init__(self, num_replicas: int = 1, clock: Callable[[], float] = time.monotonic) -> None:
        self._num_replicas = max(1, num_replicas)
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def configure(self, keys: Iterable[ApiKey]) -> None:
        buckets: dict[str, TokenBucket] = {}
        for key in keys:
            rate = key.requests_per_second / self._num_replicas
            burst = max(1.0, key.burst / self._num_replicas)
            current = self._buckets.get(key.id)
            if current is not None and current.rate == rate and current.burst == burst:
                buckets[key.id] = current
            else:
                buckets[key.id] = TokenBucket(rate, burst, self._clock)
        self._buckets = buckets

    def retry_after(self, key: ApiKey) -> float:
        """0.0 when `key` may make a request now, else the seconds to wait."""
        bucket = self._buckets.get(key.id)
        if bucket is None:
            rate = key.requests_per_second / self._num_replicas
            bucket = TokenBucket(rate, max(1.0, key.burst / self._num_replicas), self._clock)
            self._buckets[key.id] = bucket
        return bucket.take()
