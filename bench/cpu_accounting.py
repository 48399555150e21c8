"""Where the machine's CPU time goes while something runs: per process group, from /proc.

    with CpuAccounting() as cpu: ...      # or cpu = CpuAccounting().start(); ...; cpu.stop()
    cpu.usage  # {"wall_seconds", "machine_busy_share", "cpu_seconds_by_group", "top_processes"}
    cpu.between(start, end)  # the same for a window (time.time() seconds)

A thread samples /proc every second and keeps each process's last CPU time, so processes that end
before the measurement does (Ray Train's workers) are counted too. Groups come from each process's
command line, so a benchmark can tell the training's own CPU time from its neighbours'. Linux only.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["CpuAccounting"]

TICKS = os.sysconf("SC_CLK_TCK")

# First match wins; matched against the process's command line.
GROUPS = [
    ("prometheus", ("/usr/bin/prometheus", "bin/prometheus --config")),
    ("ray train worker", ("RayTrainWorker", "TrainWorker")),
    ("ray train controller", ("TrainController", "ray::Queue")),
    ("job driver (mlops_runtime.train)", ("mlops_runtime.train", "mlops_runtime.tune")),
    ("ray raylet", ("/raylet",)),
    ("ray gcs", ("gcs_server",)),
    ("ray dashboard + agents", ("dashboard", "DashboardAgent", "runtime_env_agent", "log_monitor")),
    ("ray idle workers", ("ray::IDLE", "default_worker.py")),
    ("mlflow", ("mlflow", "gunicorn", "uvicorn", "huey")),
    ("backstage backend", ("backstage-cli", "packages/backend", "workspace backend")),
    ("this benchmark", ("portal_training.py", "training_overhead.py")),
]


def _group(cmdline: str) -> str:
    for name, markers in GROUPS:
        if any(marker in cmdline for marker in markers):
            return name
    return "other"


def _processes(roots: set[int] | None = None) -> dict[int, tuple[str, int]]:
    """pid -> (command line, utime + stime in ticks); only `roots` and their descendants if given."""
    stats: dict[int, tuple[str, int, int]] = {}  # pid -> (name, parent, ticks)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        name = stat[stat.index("(") : stat.rindex(")") + 1]
        stats[int(entry.name)] = (name, int(fields[1]), int(fields[11]) + int(fields[12]))
    parents = {pid: parent for pid, (_, parent, _) in stats.items()}
    found: dict[int, tuple[str, int]] = {}
    for pid, (name, _, ticks) in stats.items():
        if roots is not None and not _descends(pid, roots, parents):
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[pid] = (cmdline.strip() or name, ticks)
    return found


def _descends(pid: int, roots: set[int], parents: dict[int, int]) -> bool:
    while pid > 1:
        if pid in roots:
            return True
        pid = parents.get(pid, 0)
    return False


def _machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuAccounting:
    def __init__(self, interval_s: float = 1.0, roots: list[int] | None = None) -> None:
        """`roots`: count only these processes and their descendants (default: every process)."""
        self.interval_s = interval_s
        self.roots = set(roots) if roots else None
        self.usage: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="cpu-accounting", daemon=True)
        self._first: dict[int, int] = {}
        self._last: dict[int, tuple[str, int]] = {}
        # (time.time(), CPU seconds so far per process), one entry per sample.
        self._timeline: list[tuple[float, dict[int, tuple[str, float]]]] = []

    def __enter__(self) -> CpuAccounting:
        return self.start()

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def start(self) -> CpuAccounting:
        self._started = time.monotonic()
        self._machine_before = _machine_ticks()
        self._first = {pid: ticks for pid, (_, ticks) in _processes(self.roots).items()}
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            for pid, (cmdline, ticks) in _processes(self.roots).items():
                # Ray renames a worker process when it takes on a role: keep the latest name.
                self._last[pid] = (cmdline, ticks)
            self._timeline.append((time.time(), self._spent()))

    def _spent(self) -> dict[int, tuple[str, float]]:
        return {
            pid: (cmdline, (ticks - self._first.get(pid, 0)) / TICKS)
            for pid, (cmdline, ticks) in self._last.items()
        }

    def between(self, start: float, end: float) -> dict[str, Any]:
        """CPU seconds per group, and the busiest processes, between the sampled instants
        nearest `start` and `end` (time.time() seconds)."""
        inside = [(at, spent) for at, spent in self._timeline if start <= at <= end]
        if len(inside) < 2:
            return {}
        (first_at, first), (last_at, last) = inside[0], inside[-1]
        per_process = {
            pid: (cmdline, seconds - first.get(pid, (cmdline, 0.0))[1])
            for pid, (cmdline, seconds) in last.items()
        }
        return {"wall_seconds": round(last_at - first_at, 2), **_summary(per_process)}

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for pid, (cmdline, ticks) in _processes(self.roots).items():
            self._last[pid] = (cmdline, ticks)
        busy_after, total_after = _machine_ticks()
        busy = (busy_after - self._machine_before[0]) / max(1, total_after - self._machine_before[1])
        self._timeline.append((time.time(), self._spent()))
        per_process = {
            pid: (cmdline, (ticks - self._first.get(pid, 0)) / TICKS)
            for pid, (cmdline, ticks) in self._last.items()
        }
        self.usage = {
            "wall_seconds": round(time.monotonic() - self._started, 2),
            "machine_busy_share": round(busy, 3),
            **_summary(per_process),
        }


def _summary(per_process: dict[int, tuple[str, float]]) -> dict[str, Any]:
    groups: dict[str, float] = {}
    for cmdline, seconds in per_process.values():
        groups[_group(cmdline)] = groups.get(_group(cmdline), 0.0) + seconds
    top = sorted(per_process.values(), key=lambda item: -item[1])[:12]
    return {
        "cpu_seconds_by_group": {
            name: round(seconds, 2)
            for name, seconds in sorted(groups.items(), key=lambda kv: -kv[1])
            if seconds >= 0.05
        },
        "top_processes": [[cmdline[:100], round(seconds, 2)] for cmdline, seconds in top],
    }
