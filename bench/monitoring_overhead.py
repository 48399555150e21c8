"""What monitoring costs while a model trains: the CPU share of Prometheus and of the exporters.

Starts the embedded stack with Prometheus (MLflow, Prometheus, a local Ray head and the Backstage
backend, on ports of their own), trains the `mnist-cnn` template through the portal's API
(1 epoch on 10,000 images by default), and reads from /proc the CPU seconds each part of the stack
spent while the job was RUNNING. Prometheus scrapes every 5 s (the stack's setting): the Ray
node, dashboard and autoscaler exporters and the backend's OpenTelemetry exporter.

    .venv/bin/python bench/monitoring_overhead.py [--epochs N] [--train-samples N]

Reports Prometheus's share of one core (the target: under 3%) and, as an upper bound of the Ray
exporters' cost, the share of Ray's dashboard and agent processes (which also serve the dashboard
and the job API; the backend's exporter lives in the backend process, which serves the portal too).
Writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from portal_training import Portal, print_cpu, run_job, start_stack, stop_stack
from training_overhead import REPO

from mlops_runtime.templates import load_template

TARGET_SHARE = 0.03


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-samples", type=int, default=10_000)
    parser.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()

    hyperparameters = load_template("mnist-cnn").default_hyperparameters()
    hyperparameters.update(epochs=args.epochs, train_samples=args.train_samples)
    state = Path(tempfile.mkdtemp(prefix="mlops-bench-monitoring-"))
    print("starting MLflow, Prometheus, Ray and the backend ...", flush=True)
    stack, stack_env = start_stack(state, services="mlflow,prometheus,ray,backend")
    try:
        portal = Portal(stack_env["MLOPS_BACKEND_URL"])
        job = run_job(portal, hyperparameters, 2, stack.pid)
    except BaseException:
        print(f"FAILED; the stack's logs are in {state / 'logs'}", file=sys.stderr)
        raise
    finally:
        stop_stack(stack)
    shutil.rmtree(state, ignore_errors=True)

    usage = job["cpu_while_running"]
    wall = usage["wall_seconds"]
    by_group = usage["cpu_seconds_by_group"]
    shares = {
        group: by_group.get(group, 0.0) / wall
        for group in ("prometheus", "ray dashboard + agents")
    }
    print_cpu("CPU seconds while the job was RUNNING", usage)
    print()
    print(f"Prometheus: {100 * shares['prometheus']:.2f}% of one core "
          f"(target: under {100 * TARGET_SHARE:.0f}%)")
    print(f"upper bound of Ray's exporters (Ray dashboard + agents): "
          f"{100 * shares['ray dashboard + agents']:.2f}% of one core")

    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%MZ")
    out = args.results_dir / f"monitoring_overhead-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "hyperparameters": hyperparameters,
                "job_seconds_running": wall,
                "shares_of_one_core": shares,
                "target_prometheus_share": TARGET_SHARE,
                "cpu_while_running": usage,
                "load_1m_at_start": os.getloadavg()[0],
            },
            indent=2,
        )
    )
    print(f"results: {out.relative_to(REPO)}")
    return 0 if shares["prometheus"] < TARGET_SHARE else 1


if __name__ == "__main__":
    sys.exit(main())
