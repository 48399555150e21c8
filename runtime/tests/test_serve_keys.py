"""API keys and the token bucket, without Ray."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest

from mlops_runtime.serve.errors import ConfigError
from mlops_runtime.serve.keys import AuthError, KeyRing, RateLimiter, TokenBucket, parse_keys


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def entry(key: str, **extra: object) -> dict[str, object]:
    return {
        "id": key[-3:],
        "sha256": hashlib.sha256(key.encode()).hexdigest(),
        "requests_per_second": 2,
        "burst": 3,
        **extra,
    }


def test_token_bucket_allows_the_burst_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2, burst=3, clock=clock)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.take()
    assert wait == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.take() == 0.0
    assert bucket.take() > 0
    clock.now += 100  # refills to the burst, not beyond
    assert [bucket.take() for _ in range(4)][-1] > 0


def test_key_ring_finds_keys_by_hash_and_checks_expiry() -> None:
    keys = parse_keys([entry("mlops_aaa"), entry("mlops_bbb", expires_at="2030-01-01T00:00:00Z")])
    ring = KeyRing(keys)
    assert ring.authenticate("mlops_aaa").id == "aaa"
    assert ring.authenticate("mlops_bbb", datetime(2029, 1, 1, tzinfo=timezone.utc)).id == "bbb"
    with pytest.raises(AuthError, match="expired"):
        ring.authenticate("mlops_bbb", datetime(2030, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(AuthError, match="invalid API key"):
        ring.authenticate("mlops_ccc")
    with pytest.raises(AuthError, match="missing"):
        ring.authenticate(None)


def test_rate_limiter_splits_the_budget_and_keeps_buckets_on_reconfigure() -> None:
    clock = FakeClock()
    keys = parse_keys([entry("mlops_aaa", requests_per_second=10, burst=4)])
    limiter = RateLimiter(num_replicas=2, clock=clock)
    limiter.configure(keys)
    assert [limiter.retry_after(keys[0]) for _ in range(2)] == [0.0, 0.0]  # burst 4 / 2 replicas
    assert limiter.retry_after(keys[0]) == pytest.approx(0.2)  # 5 requests/s on this replica
    limiter.configure(keys)  # same limits: no fresh burst
    assert limiter.retry_after(keys[0]) > 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sha256": "xyz"}, "sha256 must be 64 hex digits"),
        ({"requests_per_second": 0}, "requests_per_second must be greater than 0"),
        ({"requests_per_second": "5"}, "requests_per_second must be a finite number"),
        ({"burst": 0.5}, "burst must be at least 1"),
        ({"expires_at": "tomorrow"}, "not an ISO 8601 timestamp"),
        ({"expires_at": "2030-01-01T00:00:00"}, "needs a time zone"),
        ({"id": ""}, "id must be a non-empty string"),
        ({"secret": "x"}, "unknown fields: secret"),
    ],
)
def test_invalid_keys_are_named(change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_keys([{**entry("mlops_aaa"), **change}])


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ConfigError, match="same sha256"):
        parse_keys([entry("mlops_aaa"), {**entry("mlops_aaa"), "id": "other"}])
