"""cluster_probe: the report builder on its own, then the probe against a real local Ray."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mlops_runtime.cluster_probe import (
    PROBE_KIND,
    TaskCheck,
    build_report,
    collect_report,
    main,
    run_task_check,
    unreachable_address,
)
from mlops_runtime.versions import runtime_version

SRC = Path(__file__).resolve().parents[1] / "src"
GIB = 1024**3


def gpu_node(node_id: str, *, alive: bool = True, gpus: float = 4.0) -> dict[str, Any]:
    return {
        "NodeID": node_id,
        "NodeManagerAddress": f"10.0.0.{len(node_id)}",
        "Alive": alive,
        "Resources": {
            "CPU": 16.0,
            "GPU": gpus,
            "memory": 64.0 * GIB,
            "object_store_memory": 8.0 * GIB,
            "accelerator_type:A100": 1.0,
        },
    }


def task(**fields: Any) -> TaskCheck:
    base: dict[str, Any] = {
        "ok": True,
        "latency_s": 0.1,
        "node_id": "n1",
        "pid": 42,
        "python_version": "3.11.7",
        "torch_version": "2.13.0+cpu",
        "cuda_available": False,
        "cuda_device_count": 0,
    }
    return TaskCheck(**{**base, **fields})


# --- build_report, no Ray needed --------------------------------------------------------------

GPU_TOTAL = {
    "CPU": 32.0,
    "GPU": 8.0,
    "memory": 128.0 * GIB,
    "object_store_memory": 16.0 * GIB,
    "accelerator_type:A100": 2.0,
    "node:10.0.0.2": 1.0,
}


def test_report_for_a_healthy_gpu_cluster() -> None:
    gpu = task(
        torch_version="2.13.0+cu126",
        cuda_available=True,
        cuda_device_count=1,
        cuda_device_names=["NVIDIA A100-SXM4-80GB"],
        ray_gpu_ids=["0"],
    )
    report = build_report(
        ray_version="2.60.0",
        cluster_resources=GPU_TOTAL,
        available_resources={"CPU": 30.5, "GPU": 6.0, "memory": 100.0 * GIB},
        nodes=[gpu_node("n1"), gpu_node("n22"), gpu_node("dead", alive=False)],
        cpu_task=task(),
        gpu_task=gpu,
    )
    assert report["ok"] is True, report["errors"]
    assert report["kind"] == PROBE_KIND
    assert report["runtime_version"] == runtime_version()
    assert report["node_count"] == 2
    assert [n["node_id"] for n in report["nodes"]] == ["n1", "n22"]
    assert report["nodes"][0]["gpu_types"] == ["A100"]
    assert report["resources"]["total"] == {
        "cpu": 32.0,
        "gpu": 8.0,
        "memory_bytes": 128 * GIB,
        "object_store_memory_bytes": 16 * GIB,
    }
    # Missing keys in available_resources mean none of that resource is free.
    assert report["resources"]["available"] == {
        "cpu": 30.5,
        "gpu": 6.0,
        "memory_bytes": 100 * GIB,
        "object_store_memory_bytes": 0,
    }
    assert report["gpu_types"] == ["A100"]
    # CUDA is answered by the task that held a GPU, not the CPU task that sees none.
    assert report["cuda_available"] is True
    assert report["torch_version"] == "2.13.0+cu126"
    assert report["tasks"]["gpu"]["cuda_device_names"] == ["NVIDIA A100-SXM4-80GB"]
    json.dumps(report, allow_nan=False)


@pytest.mark.parametrize(
    ("gpu_task", "expected"),
    [
        (None, "GPUs but the GPU task was not run"),
        (task(ok=False, error="the task did not finish within 5 s"), "GPU task: the task did not"),
        (task(cuda_available=False, torch_error=None), "torch sees no CUDA device"),
    ],
)
def test_gpu_cluster_whose_gpu_check_fails_is_not_ok(
    gpu_task: TaskCheck | None, expected: str
) -> None:
    report = build_report(
        ray_version="2.60.0",
        cluster_resources=GPU_TOTAL,
        available_resources=GPU_TOTAL,
        nodes=[gpu_node("n1")],
        cpu_task=task(),
        gpu_task=gpu_task,
    )
    assert report["ok"] is False
    assert any(expected in e for e in report["errors"]), report["errors"]


def test_failed_cpu_task_and_no_nodes_are_errors() -> None:
    report = build_report(
        ray_version="2.60.0",
        cluster_resources={},
        available_resources={},
        nodes=[],
        cpu_task=task(ok=False, error="WorkerCrashedError: boom", torch_version=None),
        gpu_task=None,
        errors=["earlier problem"],
    )
    assert report["ok"] is False
    assert report["errors"] == [
        "earlier problem",
        "CPU task: WorkerCrashedError: boom",
        "no alive nodes",
    ]
    assert report["torch_version"] is None
    assert report["cuda_available"] is False
    assert report["resources"]["total"]["cpu"] == 0.0


def test_unreachable_address_answers_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        listener.listen()
        assert unreachable_address(f"127.0.0.1:{port}", 2) is None
        assert unreachable_address(f"ray://127.0.0.1:{port}", 2) is None
    problem = unreachable_address(f"127.0.0.1:{port}", 2)  # closed now
    assert problem is not None
    assert f"127.0.0.1:{port}" in problem
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
    assert unreachable_address(None, 2) == problem  # as a Ray job the address comes from here
    monkeypatch.delenv("RAY_ADDRESS")
    for resolved_by_ray in (None, "auto", "local"):
        assert unreachable_address(resolved_by_ray, 2) is None


def test_cli_with_unreachable_address_prints_one_failing_json_line() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_cli("--address", f"127.0.0.1:{port}", "--connect-timeout-s", "2", timeout=60)
    assert result.returncode == 1, result.stderr
    report = single_json_line(result.stdout)
    assert report["ok"] is False
    assert f"cannot reach the Ray cluster at 127.0.0.1:{port}" in report["errors"][0]


# --- against a real local Ray -----------------------------------------------------------------


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), full_env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "mlops_runtime.cluster_probe", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )


def single_json_line(stdout: str) -> dict[str, Any]:
    lines = stdout.splitlines()
    assert len(lines) == 1, f"expected one line on stdout, got {lines!r}"
    report: dict[str, Any] = json.loads(lines[0])
    assert report["kind"] == PROBE_KIND
    return report


def test_collect_report_matches_the_cluster(local_ray: None) -> None:
    import ray  # noqa: PLC0415
    import torch  # noqa: PLC0415

    report = collect_report(timeout_s=60)

    total = ray.cluster_resources()
    alive = [n for n in ray.nodes() if n["Alive"]]
    assert report["ok"] is True, report["errors"]
    assert report["ray_version"] == ray.__version__
    assert report["resources"]["total"] == {
        "cpu": total["CPU"],
        "gpu": total.get("GPU", 0.0),
        "memory_bytes": int(total["memory"]),
        "object_store_memory_bytes": int(total["object_store_memory"]),
    }
    assert report["resources"]["total"]["cpu"] == 1.0  # what the fixture started
    available = report["resources"]["available"]
    assert 0 <= available["cpu"] <= total["CPU"]
    assert 0 < available["object_store_memory_bytes"] <= int(total["object_store_memory"])
    assert report["node_count"] == len(alive) == 1
    assert report["nodes"][0]["node_id"] == alive[0]["NodeID"]
    assert report["gpu_types"] == []
    assert report["errors"] == []

    cpu = report["tasks"]["cpu"]
    assert cpu["ok"] is True
    assert cpu["pid"] != os.getpid()  # it really ran in a worker process
    assert cpu["node_id"] == alive[0]["NodeID"]
    assert report["torch_version"] == cpu["torch_version"] == torch.__version__
    assert report["cuda_available"] is False  # no GPU in this cluster
    assert report["tasks"]["gpu"] is None


def test_main_prints_one_line_and_keeps_an_existing_connection(
    local_ray: None, capsys: pytest.CaptureFixture[str]
) -> None:
    import ray  # noqa: PLC0415

    assert main(["--timeout-s", "60"]) == 0
    report = single_json_line(capsys.readouterr().out)
    assert report["ok"] is True
    assert ray.is_initialized()  # main() must not shut down a connection it did not open


def test_cli_joins_the_cluster_named_by_ray_address(local_ray: None) -> None:
    """What the portal does: run the module as a process with RAY_ADDRESS set (as a Ray job)."""
    import ray  # noqa: PLC0415

    address = ray.get_runtime_context().gcs_address
    result = run_cli(env={"RAY_ADDRESS": address}, timeout=120)

    assert result.returncode == 0, result.stderr[-3000:]
    report = single_json_line(result.stdout)
    assert report["ok"] is True, report["errors"]
    node_ids = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
    assert {n["node_id"] for n in report["nodes"]} == node_ids  # the same cluster, not a new one
    assert report["tasks"]["cpu"]["node_id"] in node_ids
    assert report["resources"]["total"]["cpu"] == ray.cluster_resources()["CPU"]


def test_task_needing_a_missing_gpu_times_out_cleanly(local_ray: None) -> None:
    import ray  # noqa: PLC0415

    if ray.cluster_resources().get("GPU", 0) > 0:
        pytest.skip("this cluster has a GPU")
    check = run_task_check(num_cpus=0, num_gpus=1, timeout_s=1)
    assert check.ok is False
    assert check.error is not None
    assert "did not finish within 1 s" in check.error
    assert "1 GPU" in check.error


def test_failing_task_reports_the_exception_raised_inside_it(local_ray: None) -> None:
    def broken_probe() -> dict[str, Any]:  # local, so Ray ships it by value
        raise RuntimeError("worker image has no torch\nsecond line")

    check = run_task_check(num_cpus=0.1, num_gpus=0, timeout_s=60, probe=broken_probe)
    assert check.ok is False
    assert check.error == "RuntimeError: worker image has no torch"


def test_timed_out_task_is_cancelled_and_frees_its_cpu(local_ray: None) -> None:
    import ray  # noqa: PLC0415

    def stuck_probe() -> dict[str, Any]:  # e.g. a worker hanging on a broken driver
        time.sleep(120)
        return {}

    check = run_task_check(num_cpus=1, num_gpus=0, timeout_s=2, probe=stuck_probe)
    assert check.ok is False
    assert check.error is not None
    assert "did not finish within 2 s" in check.error
    # Without the cancel the task would hold the cluster's only CPU for two minutes.
    deadline = time.monotonic() + 30
    while ray.available_resources().get("CPU", 0.0) < 1.0:
        assert time.monotonic() < deadline, f"CPU still held: {ray.available_resources()}"
        time.sleep(0.2)
