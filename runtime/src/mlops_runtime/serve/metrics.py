"""Inference metrics of the ingress, exported through Ray's metrics agent to Prometheus.

Serve's own metrics count requests per deployment; these count them per model version and
outcome, as a caller sees them (authentication, rate limit and validation included), and tell when
each API key was last used. Labels stay few and bounded: the portal's deployment id, the model
version, the status class, the key id, and the application/deployment/replica tags that
`ray.serve.metrics` adds. Exported names: `ray_mlops_inference_requests_total`,
`ray_mlops_inference_latency_ms_{bucket,sum,count}` and
`ray_mlops_api_key_last_used_timestamp_seconds`.
"""

from __future__ import annotations

import time

from ray.serve import metrics

# A request refused before a version was chosen (no key, over the limit, bad JSON).
NO_VERSION = "none"
LATENCY_BOUNDARIES_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class InferenceMetrics:
    def __init__(self, deployment_id: str | None) -> None:
        # A new dict each time: Ray adds its own tags to the one it is given.
        def deployment() -> dict[str, str]:
            return {"portal_deployment": deployment_id or NO_VERSION}

        self._requests = metrics.Counter(
            "mlops_inference_requests",
            description="Inference requests answered by the ingress, by model version and status.",
            tag_keys=("portal_deployment", "model_version", "code"),
        )
        self._requests.set_default_tags(deployment())
        self._latency = metrics.Histogram(
            "mlops_inference_latency_ms",
            description="Time from a request's arrival at the ingress to its answer.",
            boundaries=LATENCY_BOUNDARIES_MS,
            tag_keys=("portal_deployment", "model_version", "code"),
        )
        self._latency.set_default_tags(deployment())
        self._key_used = metrics.Gauge(
            "mlops_api_key_last_used_timestamp_seconds",
            description="When the ingress last admitted a request with the key (Unix time).",
            tag_keys=("portal_deployment", "key_id"),
        )
        self._key_used.set_default_tags(deployment())

    def record(self, version: str | None, status: int, seconds: float) -> None:
        tags = {"model_version": version or NO_VERSION, "code": status_class(status)}
        self._requests.inc(1, tags=tags)
        self._latency.observe(seconds * 1000, tags=tags)

    def key_used(self, key_id: str) -> None:
        self._key_used.set(time.time(), tags={"key_id": key_id})
