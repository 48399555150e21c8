"""Killing a model replica under load, on a real Ray Serve with the model registered in a real
MLflow: the request stream recovers, Serve replaces the replica, and no request is lost (the
ingress asks another replica when the one that took a request died)."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pytest

from mlops_runtime.serve.model import Prediction

APP = "mlops-failover"
PREFIX = "/failover"
MODEL = "iris"
REGISTERED = "iris-failover"
DEPLOYMENT = "Model_1"  # deployment_name("1")
REPLICAS = 2
KEY = "mlops_failover-key"
FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
ROWS = 8

CLIENTS = 4  # client threads, each with one keep-alive connection
MAX_REQUESTS = 20_000  # the stream's bound in count...
STREAM_LIMIT_S = 150.0  # ...and in time
LOAD_BEFORE_KILL_S = 3.0
REPLACED_WITHIN_S = 90.0  # Serve notices the death, then starts a replica
RECOVERED_WITHIN_S = 5.0
AFTER_REPLACEMENT_S = 1.0


@dataclass(frozen=True)
class Sent:
    """One request of the stream, times from time.monotonic(); status 0: no HTTP answer."""

    started: float
    ended: float
    status: int
    correct: bool

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.correct


class Stream:
    """Client threads that send the same inference request over and over (loopback) until stopped
    or bounded, recording every request. Never retries: a failed request counts as failed. The
    number in flight is counted under `lock`, so holding it freezes that number."""

    def __init__(
        self, base_url: str, body: dict[str, Any], expected: list[int], clients: int
    ) -> None:
        url = urlparse(base_url)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 80
        self._payload = json.dumps(body).encode()
        self._expected = expected
        self.lock = threading.Lock()
        self.in_flight = 0
        self.sent: list[Sent] = []
        self._stop = threading.Event()
        self._deadline = time.monotonic() + STREAM_LIMIT_S
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def __enter__(self) -> Stream:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def done(self) -> bool:
        return self._stop.is_set() or time.monotonic() > self._deadline

    def _run(self) -> None:
        connection = self._connect()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
        path = f"{PREFIX}/v2/models/{MODEL}/infer"
        while not self.done():
            with self.lock:
                if len(self.sent) + self.in_flight >= MAX_REQUESTS:
                    self._stop.set()
                    break
                self.in_flight += 1
                started = time.monotonic()
            status, correct = 0, False
            try:
                connection.request("POST", path, body=self._payload, headers=headers)
                response = connection.getresponse()
                data = response.read()
                status = response.status
                correct = status == 200 and self._is_expected(data)
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = self._connect()
            with self.lock:
                self.in_flight -= 1
                self.sent.append(Sent(started, time.monotonic(), status, correct))
        connection.close()

    def _is_expected(self, data: bytes) -> bool:
        try:
            return bool(json.loads(data)["outputs"][0]["data"] == self._expected)
        except (ValueError, LookupError, TypeError):
            return False

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self._host, self._port, timeout=30)

    def count_ok(self, since: float) -> int:
        with self.lock:
            return sum(1 for sent in self.sent if sent.started >= since and sent.ok)


@dataclass(frozen=True)
class Iris:
    body: dict[str, Any]  # an OIP v2 inference request of ROWS iris rows
    expected: list[int]  # the registered model's answer to it


@pytest.fixture(scope="module")
def iris(mlflow_server: str) -> Iris:
    import mlflow  # noqa: PLC0415
    import mlflow.sklearn  # noqa: PLC0415
    from mlflow.models import infer_signature  # noqa: PLC0415
    from sklearn.datasets import load_iris  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    mlflow.set_tracking_uri(mlflow_server)
    mlflow.set_experiment("serve-failover-tests")
    frame, target = load_iris(as_frame=True, return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(frame, target)
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(frame.head(5), model.predict(frame.head(5))),
            registered_model_name=REGISTERED,
            pip_requirements=["scikit-learn"],
        )
    part = frame.iloc[45 : 45 + ROWS]  # rows of two classes: the answer is not a constant
    body = {
        "inputs": [
            {"name": name, "shape": [ROWS], "datatype": "FP64", "data": part[name].tolist()}
            for name in FEATURES
        ]
    }
    return Iris(body=body, expected=[int(label) for label in model.predict(part)])


@pytest.fixture(scope="module")
def failover_app(serve_url: str, mlflow_server: str, iris: Iris) -> Iterator[str]:
    """The application with one model version on REPLICAS replicas; yields the proxy's URL."""
    from ray import serve  # noqa: PLC0415

    from mlops_runtime.serve.app import build_app  # noqa: PLC0415

    actor = {"num_cpus": 0.1, "runtime_env": {"env_vars": {"MLFLOW_TRACKING_URI": mlflow_server}}}
    key = {
        "id": "failover",
        "sha256": hashlib.sha256(KEY.encode()).hexdigest(),
        "requests_per_second": 10_000,
        "burst": 10_000,
    }
    args = {
        "model_name": MODEL,
        "versions": [
            {
                "version": "1",
                "model_uri": f"models:/{REGISTERED}/1",
                "num_replicas": REPLICAS,
                "ray_actor_options": actor,
                # A batch never fills (max_batch_size > CLIENTS) and waits 1 s: requests spend
                # most of their time inside a replica, so the kill catches some there, the case
                # that the ingress retries. (5: Serve's default max_ongoing_requests.)
                "max_batch_size": 5,
                "batch_wait_timeout_s": 1.0,
            }
        ],
        "ingress": {
            "num_replicas": 1,
            "ray_actor_options": {"num_cpus": 0.1},
            "user_config": {"keys": [key], "weights": {"1": 100}},
        },
    }
    serve.run(build_app(args), name=APP, route_prefix=PREFIX)
    try:
        yield serve_url
    finally:
        serve.delete(APP)


def replica_actor_names() -> set[str]:
    """The names of the model version's live replica actors (namespace "serve")."""
    import ray  # noqa: PLC0415

    prefix = f"SERVE_REPLICA::{APP}#{DEPLOYMENT}#"
    return {
        actor["name"]
        for actor in ray.util.list_named_actors(all_namespaces=True)
        if actor["namespace"] == "serve" and actor["name"].startswith(prefix)
    }


def running_replicas() -> int:
    from ray import serve  # noqa: PLC0415

    application = serve.status().applications.get(APP)
    if application is None or DEPLOYMENT not in application.deployments:
        return 0
    states = application.deployments[DEPLOYMENT].replica_states  # ReplicaState (a str) -> count
    return sum(count for state, count in states.items() if state == "RUNNING")


def wait_for(condition: Callable[[], bool], limit_s: float, what: str) -> float:
    """Polls `condition` until true; returns when it became true (time.monotonic())."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"{what} not within {limit_s:g} s"
        time.sleep(0.1)
    return time.monotonic()


def test_killing_a_replica_under_load_loses_no_request(
    failover_app: str, iris: Iris, record_property: Callable[[str, object], None]
) -> None:
    import ray  # noqa: PLC0415

    before = replica_actor_names()
    assert len(before) == REPLICAS, before
    assert running_replicas() == REPLICAS
    victim_name = sorted(before)[0]
    victim = ray.get_actor(victim_name, namespace="serve")

    with Stream(failover_app, iris.body, iris.expected, CLIENTS) as stream:
        time.sleep(LOAD_BEFORE_KILL_S)
        assert stream.count_ok(since=0) > 0, "the stream did not start"
        with stream.lock:  # the clients wait on the lock: nothing starts or ends during the kill
            in_flight = stream.in_flight
            killed_at = time.monotonic()
            ray.kill(victim, no_restart=True)

        replaced_at = wait_for(
            lambda: (
                victim_name not in (names := replica_actor_names())
                and len(names) == REPLICAS
                and running_replicas() == REPLICAS
            ),
            REPLACED_WITHIN_S,
            "Serve did not replace the killed replica",
        )
        wait_for(
            lambda: stream.count_ok(since=replaced_at) >= CLIENTS,
            AFTER_REPLACEMENT_S + RECOVERED_WITHIN_S,
            "no request succeeded after the replacement",
        )
        time.sleep(AFTER_REPLACEMENT_S)
        assert not stream.done(), "the stream hit its bound before the end of the test"

    sent = list(stream.sent)
    failed = [request for request in sent if not request.ok]
    after_kill = [request for request in sent if request.started >= killed_at]
    first_ok_after_kill = min(request.ended for request in after_kill if request.ok)
    counts = {
        "total": len(sent),
        "failed": len(failed),
        "in_flight_at_kill": in_flight,
        "after_kill": len(after_kill),
        "recovered_after_s": round(first_ok_after_kill - killed_at, 3),
        "replaced_after_s": round(replaced_at - killed_at, 3),
    }
    print(
        f"replica kill: {counts['failed']} of {counts['total']} failed, {in_flight} in flight; "
        f"first success {counts['recovered_after_s']} s and replica replaced "
        f"{counts['replaced_after_s']} s after the kill"
    )
    for name, value in counts.items():
        record_property(f"replica_kill_{name}", value)

    assert in_flight >= 1, "the kill did not happen under load"
    assert len(failed) <= in_flight, counts  # the bound: only requests in flight
    assert not failed, (counts, sorted({request.status for request in failed}))
    assert first_ok_after_kill - killed_at < RECOVERED_WITHIN_S, counts


# --- the ingress's retry, without a cluster ---------------------------------------------------


class FakeModel:
    """A model version's DeploymentHandle: `predict.remote` raises the given errors in turn, then
    answers `answer`."""

    def __init__(self, *errors: Exception, answer: Prediction | None = None) -> None:
        self._errors = list(errors)
        self._answer = answer or Prediction(outputs={"output-0": np.array([1, 2])})
        self.calls = 0
        self.predict = SimpleNamespace(remote=self._remote)

    async def _remote(self, model_input: Any) -> Prediction:
        self.calls += 1
        if self._errors:
            raise self._errors.pop(0)
        return self._answer


def predict_with(model: FakeModel) -> Prediction:
    from mlops_runtime.serve.ingress import predict_on_a_live_replica  # noqa: PLC0415

    prediction: Prediction = asyncio.run(predict_on_a_live_replica(model, {"x": [1.0, 2.0]}))
    return prediction


def died() -> Exception:
    from ray.exceptions import ActorDiedError  # noqa: PLC0415

    return ActorDiedError()


def unavailable() -> Exception:
    from ray.exceptions import ActorUnavailableError  # noqa: PLC0415

    return ActorUnavailableError("replica unreachable", None)


@pytest.mark.parametrize("error", [died, unavailable])
def test_a_request_whose_replica_died_is_asked_again(error: Callable[[], Exception]) -> None:
    model = FakeModel(error())
    outputs = predict_with(model).outputs
    assert outputs is not None
    assert outputs["output-0"].tolist() == [1, 2]
    assert model.calls == 2


def test_a_replica_death_is_retried_once_only() -> None:
    from ray.exceptions import ActorDiedError  # noqa: PLC0415

    model = FakeModel(died(), died())
    with pytest.raises(ActorDiedError):  # the ingress answers 503
        predict_with(model)
    assert model.calls == 2


def test_other_failures_are_not_retried() -> None:
    broken = FakeModel(RuntimeError("handle broken"))
    with pytest.raises(RuntimeError, match="handle broken"):
        predict_with(broken)
    assert broken.calls == 1

    failing = FakeModel(answer=Prediction(error="model failed: ValueError: nan"))
    assert predict_with(failing).error == "model failed: ValueError: nan"
    assert failing.calls == 1
