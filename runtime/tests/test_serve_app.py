"""The serving application on a real Ray Serve, with models registered in a real MLflow: OIP v2
over HTTP, API keys, rate limits, input validation, canary split, shadow, inference log and live
reconfiguration."""

from __future__ import annotations

import hashlib
import http.client
import json
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pytest

APP = "mlops-iris"
PREFIX = "/iris"
MODEL = "iris"
DEPLOYMENT_ID = "d-iris-1"
KEY = "mlops_test-key-1"
SLOW_KEY = "mlops_test-key-slow"
EXPIRED_KEY = "mlops_test-key-expired"
FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]


def sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_entry(
    key_id: str, key: str, rps: float = 1000, burst: float = 1000, expires: Any = None
) -> dict[str, Any]:
    return {
        "id": key_id,
        "sha256": sha(key),
        "requests_per_second": rps,
        "burst": burst,
        "expires_at": expires,
    }


BASE_KEYS = [
    key_entry("k1", KEY),
    key_entry("slow", SLOW_KEY, rps=0.5, burst=2),
    key_entry("old", EXPIRED_KEY, expires="2000-01-01T00:00:00Z"),
]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


class Client:
    """One keep-alive HTTP connection to the Serve proxy."""

    def __init__(self, base_url: str) -> None:
        parsed = urlparse(base_url)
        self._host, self._port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self._connection = http.client.HTTPConnection(self._host, self._port, timeout=60)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        key: str | None = KEY,
        raw: bytes | None = None,
    ) -> Reply:
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        payload = (
            raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        )
        for attempt in range(2):
            try:
                self._connection.request(method, PREFIX + path, body=payload, headers=headers)
                response = self._connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self._connection.close()
                self._connection = http.client.HTTPConnection(self._host, self._port, timeout=60)
                if attempt:
                    raise
        parsed_body = json.loads(data) if data else None
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, parsed_body)


@dataclass
class Models:
    frame: Any  # the iris features (pandas DataFrame)
    column_models: dict[str, Any]  # version -> fitted LogisticRegression (column signature)
    tensor_model: Any


@pytest.fixture(scope="module")
def models(mlflow_server: str) -> Models:
    import mlflow  # noqa: PLC0415
    import mlflow.sklearn  # noqa: PLC0415
    from mlflow.models import infer_signature  # noqa: PLC0415
    from sklearn.datasets import load_iris  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    mlflow.set_tracking_uri(mlflow_server)
    mlflow.set_experiment("serve-tests")
    iris = load_iris(as_frame=True)
    frame, target = iris.data, iris.target
    column_models = {}
    for version, c in (("1", 1.0), ("2", 0.05)):
        model = LogisticRegression(C=c, max_iter=500).fit(frame, target)
        with mlflow.start_run():
            mlflow.sklearn.log_model(
                model,
                name="model",
                signature=infer_signature(frame.head(5), model.predict(frame.head(5))),
                registered_model_name="iris-columns",
                pip_requirements=["scikit-learn"],
            )
        column_models[version] = model
    array = frame.to_numpy(dtype=np.float32)
    tensor_model = LogisticRegression(max_iter=500).fit(array, target)
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            tensor_model,
            name="model",
            signature=infer_signature(array[:5], tensor_model.predict(array[:5])),
            registered_model_name="iris-tensor",
            pip_requirements=["scikit-learn"],
        )
    return Models(frame=frame, column_models=column_models, tensor_model=tensor_model)


@pytest.fixture(scope="module")
def client(serve_url: str, mlflow_server: str, models: Models) -> Iterator[Client]:
    from ray import serve  # noqa: PLC0415

    from mlops_runtime.serve.app import build_app  # noqa: PLC0415

    actor = {"num_cpus": 0.1, "runtime_env": {"env_vars": {"MLFLOW_TRACKING_URI": mlflow_server}}}
    args = {
        "model_name": MODEL,
        "deployment_id": DEPLOYMENT_ID,
        "versions": [
            {
                "version": "1",
                "model_uri": "models:/iris-columns/1",
                "num_replicas": 1,
                "ray_actor_options": actor,
                "max_batch_size": 8,
                "batch_wait_timeout_s": 0.002,
            },
            {
                "version": "2",
                "model_uri": "models:/iris-columns/2",
                "num_replicas": 1,
                "ray_actor_options": actor,
            },
            {
                "version": "t",
                "model_uri": "models:/iris-tensor/1",
                "num_replicas": 1,
                "ray_actor_options": actor,
            },
        ],
        "ingress": {
            "num_replicas": 1,
            "ray_actor_options": {"num_cpus": 0.1},
            "user_config": {"keys": BASE_KEYS, "weights": {"1": 100}},
        },
    }
    serve.run(build_app(args), name=APP, route_prefix=PREFIX)
    try:
        yield Client(serve_url)
    finally:
        serve.delete(APP)


def configure(**user_config: Any) -> None:
    """Applies an ingress user_config the way Serve does on a live update (reconfigure)."""
    from ray import serve  # noqa: PLC0415

    config = {"keys": BASE_KEYS, "weights": {"1": 100}, **user_config}
    serve.get_app_handle(APP).reconfigure.remote(config).result(timeout_s=30)


def rows(models: Models, start: int, count: int) -> dict[str, Any]:
    part = models.frame.iloc[start : start + count]
    return {
        "id": f"req-{start}",
        "inputs": [
            {"name": name, "shape": [count], "datatype": "FP64", "data": part[name].tolist()}
            for name in FEATURES
        ],
    }


def test_predicts_with_a_valid_key(client: Client, models: Models) -> None:
    configure()
    reply = client.call("POST", f"/v2/models/{MODEL}/infer", rows(models, 45, 10))
    assert reply.status == 200, reply.body
    assert reply.headers["x-model-version"] == "1"
    expected = models.column_models["1"].predict(models.frame.iloc[45:55]).tolist()
    assert reply.body["model_name"] == MODEL
    assert reply.body["model_version"] == "1"
    assert reply.body["id"] == "req-45"
    [output] = reply.body["outputs"]
    assert output["shape"] == [10]
    assert output["datatype"] == "INT64"
    assert output["data"] == expected
    assert len(set(expected)) > 1  # the rows span two classes: the answer is not a constant

    pinned = client.call("POST", f"/v2/models/{MODEL}/versions/2/infer", rows(models, 90, 20))
    assert pinned.status == 200, pinned.body
    assert pinned.headers["x-model-version"] == "2"
    expected_2 = models.column_models["2"].predict(models.frame.iloc[90:110]).tolist()
    assert pinned.body["outputs"][0]["data"] == expected_2

    data = models.frame.iloc[:3].to_numpy(dtype=np.float32)
    tensor = {"inputs": [{"name": "x", "shape": [3, 4], "datatype": "FP32", "data": data.tolist()}]}
    reply_t = client.call("POST", f"/v2/models/{MODEL}/versions/t/infer", tensor)
    assert reply_t.status == 200, reply_t.body
    assert reply_t.body["outputs"][0]["data"] == models.tensor_model.predict(data).tolist()


def test_x_api_key_header_is_accepted(client: Client, models: Models, serve_url: str) -> None:
    url = urlparse(serve_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    connection.request(
        "POST",
        f"{PREFIX}/v2/models/{MODEL}/infer",
        body=json.dumps(rows(models, 0, 1)),
        headers={"X-API-Key": KEY, "Content-Type": "application/json"},
    )
    assert connection.getresponse().status == 200
    connection.close()


def test_unauthenticated_requests_get_401(client: Client, models: Models) -> None:
    configure()
    for key, message in (
        (None, "missing API key"),
        ("mlops_wrong", "invalid API key"),
        (EXPIRED_KEY, "API key expired"),
    ):
        for method, path, body in (
            ("POST", f"/v2/models/{MODEL}/infer", rows(models, 0, 1)),
            ("GET", f"/v2/models/{MODEL}", None),
            ("GET", "/v2", None),
        ):
            reply = client.call(method, path, body, key=key)
            assert reply.status == 401, (key, path, reply.body)
            assert message in reply.body["error"]
            assert KEY not in json.dumps(reply.body)
    health = client.call("GET", "/v2/health/live", key=None)
    assert health.status == 200


def test_over_the_limit_gets_429_with_retry_after(client: Client, models: Models) -> None:
    configure()
    statuses = []
    for _ in range(4):
        reply = client.call("GET", f"/v2/models/{MODEL}/ready", key=SLOW_KEY)
        statuses.append(reply.status)
    assert statuses[:2] == [200, 200]
    assert 429 in statuses[2:]
    limited = client.call("GET", f"/v2/models/{MODEL}/ready", key=SLOW_KEY)
    assert limited.status == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "rate limit" in limited.body["error"]
    # another key is not limited by the slow key's bucket
    assert client.call("GET", f"/v2/models/{MODEL}/ready").status == 200


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda body: body["inputs"][0].update(shape=[2, 2]), "shape [2, 2]"),
        (
            lambda body: body["inputs"][1].update(datatype="BYTES", data=["a", "b", "c", "d"]),
            "datatype BYTES",
        ),
        (lambda body: body["inputs"][2].update(name="petal size"), "unknown input 'petal size'"),
        (lambda body: body["inputs"].pop(3), "missing input 'petal width (cm)'"),
        (lambda body: body["inputs"][0].update(data=[1, 2]), "2 data elements"),
        (lambda body: body["inputs"][0].update(datatype="FP128"), "unknown datatype"),
        (lambda body: body["inputs"][0].update(data=["1", 2, 3, 4]), "only numbers"),
        (lambda body: body.update(inputs=[]), "'inputs'"),
        (lambda body: body.update(outputs=[{"name": "nope"}]), "unknown output 'nope'"),
    ],
)
def test_bad_input_gets_400_naming_the_problem(
    client: Client, models: Models, change: Any, fragment: str
) -> None:
    body = rows(models, 0, 4)
    change(body)
    reply = client.call("POST", f"/v2/models/{MODEL}/infer", body)
    assert reply.status == 400, reply.body
    assert fragment in reply.body["error"]


def test_bad_input_for_a_tensor_model_and_bad_json(client: Client) -> None:
    tensor = {"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}
    reply = client.call("POST", f"/v2/models/{MODEL}/versions/t/infer", tensor)
    assert reply.status == 400
    assert "shape [1, 3], the model expects ['N', 4]" in reply.body["error"]
    broken = client.call("POST", f"/v2/models/{MODEL}/infer", raw=b"{not json")
    assert broken.status == 400
    assert "not valid JSON" in broken.body["error"]


def test_metadata_routes(client: Client) -> None:
    configure()
    server = client.call("GET", "/v2")
    assert server.status == 200
    assert server.body["name"] == "mlops-runtime"
    assert server.body["extensions"] == []
    model = client.call("GET", f"/v2/models/{MODEL}")
    assert model.status == 200
    assert model.headers["x-model-version"] == "1"
    assert model.body["versions"] == ["1", "2", "t"]
    assert model.body["platform"] == "mlflow_sklearn"
    assert [i["name"] for i in model.body["inputs"]] == FEATURES
    assert {i["datatype"] for i in model.body["inputs"]} == {"FP64"}
    tensor = client.call("GET", f"/v2/models/{MODEL}/versions/t")
    assert tensor.body["inputs"] == [{"name": "input-0", "datatype": "FP32", "shape": [-1, 4]}]
    assert client.call("GET", f"/v2/models/{MODEL}/versions/2/ready").status == 200
    assert client.call("GET", "/v2/health/ready", key=None).status == 200
    unknown = client.call("GET", "/v2/models/other")
    assert unknown.status == 404
    assert "unknown model 'other'" in unknown.body["error"]
    assert client.call("GET", f"/v2/models/{MODEL}/versions/9").status == 404


def test_canary_sends_its_share_to_the_challenger(client: Client, models: Models) -> None:
    configure(weights={"1": 80, "2": 20})
    counts: Counter[str] = Counter()
    for index in range(500):
        reply = client.call("POST", f"/v2/models/{MODEL}/infer", rows(models, index % 150, 1))
        assert reply.status == 200, reply.body
        counts[reply.headers["x-model-version"]] += 1
    assert set(counts) == {"1", "2"}
    assert abs(counts["2"] / 500 - 0.20) <= 0.05, counts


def test_shadow_copies_and_inference_log(client: Client, models: Models, tmp_path: Path) -> None:
    import pyarrow.dataset as ds  # noqa: PLC0415

    log_dir = tmp_path / "inference-log"
    configure(
        weights={"1": 100},
        shadow={"version": "2", "percent": 100},
        inference_log={
            "sample_rate": 1.0,
            "uri": f"file://{log_dir}",
            "batch_size": 5,
            "flush_interval_s": 0.5,
        },
    )
    answered = []
    for index in range(10):
        body = rows(models, index * 10, 2)
        if index == 0:
            del body["id"]  # the ingress names it, in the answer and in the log
        reply = client.call("POST", f"/v2/models/{MODEL}/infer", body)
        assert reply.status == 200
        assert reply.headers["x-model-version"] == "1"
        answered.append(reply.body["id"])
    assert len(answered[0]) == 32
    deadline = time.monotonic() + 30
    table = None
    while time.monotonic() < deadline:
        if log_dir.exists() and any(log_dir.rglob("*.parquet")):
            table = ds.dataset(log_dir, format="parquet", partitioning="hive").to_table()
            if table.num_rows >= 20:
                break
        time.sleep(0.5)
    assert table is not None
    assert table.num_rows == 20
    versions = Counter(table.column("model_version").to_pylist())
    assert versions == {"1": 10, "2": 10}
    assert set(table.column("key_id").to_pylist()) == {"k1"}
    assert Counter(table.column("request_id").to_pylist()) == Counter(answered * 2)  # + shadow
    first = json.loads(table.column("inputs")[0].as_py())
    assert [tensor["name"] for tensor in first] == FEATURES
    configure()  # logging off again


def test_reconfigure_applies_keys_and_weights_without_dropping_requests(
    client: Client, models: Models, serve_url: str
) -> None:
    new_key = "mlops_test-key-2"
    configure()
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    def traffic() -> None:
        own = Client(serve_url)
        while not stop.is_set():
            statuses[own.call("POST", f"/v2/models/{MODEL}/infer", rows(models, 0, 1)).status] += 1

    worker = threading.Thread(target=traffic)
    worker.start()
    try:
        time.sleep(0.5)
        assert client.call("GET", f"/v2/models/{MODEL}", key=new_key).status == 401
        configure(keys=[*BASE_KEYS, key_entry("k2", new_key)], weights={"2": 100})
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join()
    assert statuses[200] > 5
    assert set(statuses) == {200}, statuses
    reply = client.call("POST", f"/v2/models/{MODEL}/infer", rows(models, 0, 1), key=new_key)
    assert reply.status == 200
    assert reply.headers["x-model-version"] == "2"
    configure(keys=[key_entry("k2", new_key)])
    assert client.call("GET", "/v2", key=KEY).status == 401
    assert client.call("GET", "/v2", key=new_key).status == 200


def test_browsers_may_call_from_another_origin(client: Client, serve_url: str) -> None:
    """The portal's Try it panel calls the API from the portal's origin (CORS)."""
    url = urlparse(serve_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    connection.request(
        "OPTIONS",
        f"{PREFIX}/v2/models/{MODEL}/infer",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    preflight = connection.getresponse()
    preflight.read()
    assert preflight.status == 200
    assert preflight.getheader("access-control-allow-origin") == "*"
    allowed = (preflight.getheader("access-control-allow-headers") or "").lower()
    assert "authorization" in allowed and "content-type" in allowed

    connection.request(
        "GET", f"{PREFIX}/v2/models/{MODEL}", headers={"Origin": "http://localhost:3000"}
    )
    refused = connection.getresponse()
    refused.read()
    assert refused.status == 401  # CORS lets the browser read the answer, not skip the key
    assert refused.getheader("access-control-allow-origin") == "*"
    connection.close()


def _exported_metrics() -> str:
    """What this Ray node's metrics agent serves to Prometheus."""
    import ray  # noqa: PLC0415

    [node] = [n for n in ray.nodes() if n["Alive"]]
    url = f"http://127.0.0.1:{node['MetricsExportPort']}/metrics"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        return str(response.read().decode())


def _sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        label_part, _, value = line.rpartition(" ")
        if all(f'{key}="{wanted}"' in label_part for key, wanted in labels.items()):
            total += float(value)
    return total


def test_counts_requests_per_version_and_status_for_prometheus(
    client: Client, models: Models
) -> None:
    configure()
    before = _exported_metrics()
    ok = {"portal_deployment": DEPLOYMENT_ID, "model_version": "1", "code": "2xx"}
    refused = {"portal_deployment": DEPLOYMENT_ID, "model_version": "none", "code": "4xx"}
    counts_before = (
        _sample(before, "ray_mlops_inference_requests_total", **ok),
        _sample(before, "ray_mlops_inference_requests_total", **refused),
    )
    for start in range(0, 30, 10):
        assert client.call("POST", f"/v2/models/{MODEL}/infer", rows(models, start, 10)).status == 200
    for _ in range(2):
        assert client.call("POST", f"/v2/models/{MODEL}/infer", rows(models, 0, 1), key=None).status == 401

    # Ray's agent exports what replicas report every few seconds.
    deadline = time.monotonic() + 60
    while True:
        text = _exported_metrics()
        counts = (
            _sample(text, "ray_mlops_inference_requests_total", **ok),
            _sample(text, "ray_mlops_inference_requests_total", **refused),
        )
        if counts[0] >= counts_before[0] + 3 and counts[1] >= counts_before[1] + 2:
            break
        assert time.monotonic() < deadline, f"not exported: {counts} after {counts_before}"
        time.sleep(1)
    assert _sample(text, "ray_mlops_inference_latency_ms_count", **ok) >= 3
    assert _sample(text, "ray_mlops_inference_latency_ms_sum", **ok) > 0
    used = _sample(
        text,
        "ray_mlops_api_key_last_used_timestamp_seconds",
        portal_deployment=DEPLOYMENT_ID,
        key_id="k1",
    )
    assert time.time() - 120 < used <= time.time()
    assert 'application="mlops-iris"' in text
