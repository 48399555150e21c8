"""End-to-end check of a Ray cluster, submitted by the portal as a Ray job.

    python -m mlops_runtime.cluster_probe [--address ADDR] [--timeout-s 60] [--connect-timeout-s 10]

Connects with `ray.init()` (as a Ray job the address comes from RAY_ADDRESS), runs a tiny task on
a CPU worker (and, when the cluster has GPUs, one on a GPU worker) to prove that workers really
execute and to see what torch finds there, and prints exactly ONE JSON line to stdout:

    {"kind": "mlops.cluster_probe", "schema_version": 1, "ok": true,
     "ray_version": "2.60.0", "python_version": "3.11.9", "runtime_version": "0.1.0",
     "node_count": 1,
     "resources": {"total": {"cpu": 2.0, "gpu": 0.0, "memory_bytes": ...,
                             "object_store_memory_bytes": ...},
                   "available": {...same keys...}},
     "gpu_types": ["A100"],
     "nodes": [{"node_id": "...", "address": "10.0.0.1", "cpu": 2.0, "gpu": 0.0,
                "memory_bytes": ..., "object_store_memory_bytes": ..., "gpu_types": []}],
     "torch_version": "2.13.0+cpu", "cuda_available": false,
     "tasks": {"cpu": {...TaskCheck...}, "gpu": null},
     "errors": []}

Ray job logs mix stdout and stderr, so a reader should take the last line that parses as a JSON
object with "kind" == "mlops.cluster_probe". The exit status is 0 when "ok" is true, else 1.

`build_report` turns plain inputs into that dict and has no Ray dependency, so it is tested
without a cluster; `collect_report` gathers the inputs from a connected Ray.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import socket
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from mlops_runtime.versions import runtime_version

__all__ = [
    "PROBE_KIND",
    "SCHEMA_VERSION",
    "TaskCheck",
    "build_report",
    "collect_report",
    "describe_error",
    "main",
    "run_task_check",
    "unreachable_address",
    "worker_environment",
]

PROBE_KIND: Final = "mlops.cluster_probe"
SCHEMA_VERSION: Final = 1
ACCELERATOR_PREFIX: Final = "accelerator_type:"
DEFAULT_TIMEOUT_S: Final = 60.0
DEFAULT_CONNECT_TIMEOUT_S: Final = 10.0
# The CPU check asks for a sliver of a CPU, so it still runs beside jobs that hold whole CPUs.
CPU_TASK_CPUS: Final = 0.1


@dataclass(frozen=True)
class TaskCheck:
    """Outcome of one probe task: what the worker saw, or why it did not run."""

    ok: bool
    latency_s: float
    error: str | None = None
    node_id: str | None = None
    pid: int | None = None
    python_version: str | None = None
    torch_version: str | None = None
    torch_error: str | None = None
    cuda_available: bool | None = None
    cuda_device_count: int | None = None
    cuda_device_names: list[str] = field(default_factory=list)
    ray_gpu_ids: list[str] = field(default_factory=list)


def worker_environment() -> dict[str, Any]:
    """Runs inside a Ray worker: reports the worker's process, torch and CUDA view."""
    import ray  # noqa: PLC0415  (imported where it runs; this module must import without Ray)

    info: dict[str, Any] = {
        "node_id": ray.get_runtime_context().get_node_id(),
        "pid": os.getpid(),
        "python_version": platform.python_version(),
        "ray_gpu_ids": [str(g) for g in ray.get_gpu_ids()],
        "torch_version": None,
        "torch_error": None,
        "cuda_available": None,
        "cuda_device_count": None,
        "cuda_device_names": [],
    }
    try:
        import torch  # noqa: PLC0415
    except Exception as exc:  # torch missing or broken on this worker: report, do not fail
        info["torch_error"] = f"{type(exc).__name__}: {exc}"
        return info
    info["torch_version"] = str(torch.__version__)
    available = bool(torch.cuda.is_available())
    info["cuda_available"] = available
    info["cuda_device_count"] = int(torch.cuda.device_count()) if available else 0
    if available:
        info["cuda_device_names"] = [
            str(torch.cuda.get_device_name(i)) for i in range(torch.cuda.device_count())
        ]
    return info


def run_task_check(
    *,
    num_cpus: float,
    num_gpus: float,
    timeout_s: float,
    probe: Callable[[], dict[str, Any]] = worker_environment,
) -> TaskCheck:
    """Runs `probe` (default `worker_environment`) as a Ray task and waits for it.

    Never raises for task problems: a timeout or a failed task becomes `TaskCheck(ok=False)`.
    """
    import ray  # noqa: PLC0415
    from ray.exceptions import GetTimeoutError  # noqa: PLC0415

    task = ray.remote(probe).options(
        num_cpus=num_cpus, num_gpus=num_gpus, max_retries=0, name="mlops_cluster_probe"
    )
    started = time.monotonic()
    ref = task.remote()
    try:
        info = ray.get(ref, timeout=timeout_s)
    except GetTimeoutError:
        ray.cancel(ref, force=True)
        wanted = f"{num_cpus:g} CPU" + (f" and {num_gpus:g} GPU" if num_gpus else "")
        return TaskCheck(
            ok=False,
            latency_s=round(time.monotonic() - started, 3),
            error=f"the task did not finish within {timeout_s:g} s "
            f"(no worker with {wanted} free, or workers cannot start)",
        )
    except Exception as exc:  # RayTaskError, WorkerCrashedError, RuntimeEnvSetupError, ...
        return TaskCheck(
            ok=False,
            latency_s=round(time.monotonic() - started, 3),
            error=describe_error(exc),
        )
    return TaskCheck(ok=True, latency_s=round(time.monotonic() - started, 3), **info)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def describe_error(exc: BaseException) -> str:
    """One line naming an error; for a failed Ray task, the exception raised inside it."""
    from ray.exceptions import RayTaskError  # noqa: PLC0415

    cause = exc.cause if isinstance(exc, RayTaskError) and exc.cause is not None else exc
    lines = [ln.strip() for ln in _ANSI.sub("", str(cause)).splitlines() if ln.strip()]
    return f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__


def _number(resources: Mapping[str, float], key: str) -> float:
    value = float(resources.get(key, 0.0))
    return value if math.isfinite(value) else 0.0


def summarize_resources(resources: Mapping[str, float]) -> dict[str, float | int]:
    """CPU/GPU counts and memory/object-store bytes from a Ray resource dict (missing = 0)."""
    return {
        "cpu": _number(resources, "CPU"),
        "gpu": _number(resources, "GPU"),
        "memory_bytes": int(_number(resources, "memory")),
        "object_store_memory_bytes": int(_number(resources, "object_store_memory")),
    }


def gpu_types(resources: Mapping[str, float]) -> list[str]:
    """Accelerator types (e.g. "A100", "H100") from Ray's `accelerator_type:<type>` resources."""
    return sorted(
        key.removeprefix(ACCELERATOR_PREFIX)
        for key, amount in resources.items()
        if key.startswith(ACCELERATOR_PREFIX) and float(amount) > 0
    )


def _node_summary(node: Mapping[str, Any]) -> dict[str, Any]:
    resources: Mapping[str, float] = node.get("Resources") or {}
    return {
        "node_id": str(node.get("NodeID", "")),
        "address": str(node.get("NodeManagerAddress", "")),
        **summarize_resources(resources),
        "gpu_types": gpu_types(resources),
    }


def build_report(
    *,
    ray_version: str,
    cluster_resources: Mapping[str, float],
    available_resources: Mapping[str, float],
    nodes: Sequence[Mapping[str, Any]],
    cpu_task: TaskCheck | None,
    gpu_task: TaskCheck | None,
    errors: Sequence[str] = (),
) -> dict[str, Any]:
    """Builds the probe's JSON object from plain inputs (ray.nodes() style node dicts)."""
    alive = [n for n in nodes if n.get("Alive", False)]
    problems = list(errors)
    if cpu_task is None:
        problems.append("the CPU task was not run")
    elif not cpu_task.ok:
        problems.append(f"CPU task: {cpu_task.error}")
    total = summarize_resources(cluster_resources)
    if total["gpu"] > 0 and gpu_task is None:
        problems.append("the cluster has GPUs but the GPU task was not run")
    if gpu_task is not None and not gpu_task.ok:
        problems.append(f"GPU task: {gpu_task.error}")
    if gpu_task is not None and gpu_task.ok and not gpu_task.cuda_available:
        problems.append(
            "GPU task: torch sees no CUDA device on a GPU worker"
            + (f" ({gpu_task.torch_error})" if gpu_task.torch_error else "")
        )
    if not alive:
        problems.append("no alive nodes")

    # CUDA is hidden from tasks that hold no GPU, so the GPU task is the one that answers it.
    source = gpu_task if gpu_task is not None and gpu_task.ok else cpu_task
    seen = source if source is not None and source.ok else None
    return {
        "kind": PROBE_KIND,
        "schema_version": SCHEMA_VERSION,
        "ok": not problems,
        "ray_version": ray_version,
        "python_version": platform.python_version(),
        "runtime_version": runtime_version(),
        "node_count": len(alive),
        "resources": {
            "total": total,
            "available": summarize_resources(available_resources),
        },
        "gpu_types": gpu_types(cluster_resources),
        "nodes": [_node_summary(n) for n in alive],
        "torch_version": seen.torch_version if seen else None,
        "cuda_available": bool(seen.cuda_available) if seen else False,
        "tasks": {
            "cpu": asdict(cpu_task) if cpu_task is not None else None,
            "gpu": asdict(gpu_task) if gpu_task is not None else None,
        },
        "errors": problems,
    }


def collect_report(*, timeout_s: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
    """Gathers the report from the Ray cluster this process is connected to."""
    import ray  # noqa: PLC0415

    # Read before the probe's own tasks run: Ray releases their resources asynchronously, so
    # "available" read afterwards could still count them as in use.
    total = ray.cluster_resources()
    available = ray.available_resources()
    nodes = ray.nodes()
    cpu_task = run_task_check(num_cpus=CPU_TASK_CPUS, num_gpus=0, timeout_s=timeout_s)
    gpu_task = None
    if float(total.get("GPU", 0.0)) > 0:
        gpu_task = run_task_check(num_cpus=0, num_gpus=1, timeout_s=timeout_s)
    return build_report(
        ray_version=ray.__version__,
        cluster_resources=total,
        available_resources=available,
        nodes=nodes,
        cpu_task=cpu_task,
        gpu_task=gpu_task,
    )


def to_json_line(report: Mapping[str, Any]) -> str:
    return json.dumps(report, separators=(",", ":"), allow_nan=False)


def unreachable_address(address: str | None, timeout_s: float) -> str | None:
    """Why the Ray address cannot be reached over TCP, or None when it can (or is not host:port).

    `ray.init()` keeps retrying an unreachable GCS for minutes; this answers in `timeout_s`.
    """
    target = address or os.environ.get("RAY_ADDRESS") or ""
    host, sep, port = target.removeprefix("ray://").rpartition(":")
    if not sep or not host or not port.isdigit():
        return None  # None, "auto", "local" or another form ray.init() resolves itself
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            return None
    except OSError as exc:
        return f"cannot reach the Ray cluster at {target} within {timeout_s:g} s ({exc})"


def _failure_report(ray_version: str, error: str) -> dict[str, Any]:
    return build_report(
        ray_version=ray_version,
        cluster_resources={},
        available_resources={},
        nodes=[],
        cpu_task=None,
        gpu_task=None,
        errors=[error],
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlops_runtime.cluster_probe",
        description="Check a Ray cluster end to end and print one JSON line.",
    )
    parser.add_argument(
        "--address", default=None, help="Ray address (default: RAY_ADDRESS, else ray.init()'s own)"
    )
    parser.add_argument(
        "--timeout-s",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help=f"how long each probe task may take (default {DEFAULT_TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--connect-timeout-s",
        type=float,
        default=DEFAULT_CONNECT_TIMEOUT_S,
        help=f"how long to try reaching the cluster (default {DEFAULT_CONNECT_TIMEOUT_S:g})",
    )
    args = parser.parse_args(argv)
    for flag in ("timeout_s", "connect_timeout_s"):
        value = getattr(args, flag)
        if not (math.isfinite(value) and value > 0):
            parser.error(f"--{flag.replace('_', '-')} must be a positive number")

    import ray  # noqa: PLC0415

    connected_here = not ray.is_initialized()
    try:
        problem = (
            unreachable_address(args.address, args.connect_timeout_s) if connected_here else None
        )
        if problem is not None:
            report = _failure_report(ray.__version__, problem)
        else:
            if connected_here:
                # Worker output would land on our stdout; the one JSON line must stay alone.
                ray.init(address=args.address, log_to_driver=False)
            report = collect_report(timeout_s=args.timeout_s)
    except Exception as exc:  # e.g. the GCS goes away mid-probe: still answer in JSON
        report = _failure_report(ray.__version__, describe_error(exc))
    finally:
        if connected_here and ray.is_initialized():
            ray.shutdown()
    sys.stdout.write(to_json_line(report) + "\n")
    sys.stdout.flush()
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
