"""`python -m mlops_runtime.train`: the training job the portal submits to Ray.

Reads the job config from MLOPS_JOB_CONFIG (see `mlops_runtime.job_config`), trains the template's
model with Ray Train's TorchTrainer, and tracks everything in one MLflow run: parameters,
per-epoch metrics as they arrive, final test metrics, the confusion matrix and the model, registered
as a new version of the config's model name. Progress goes to stdout as JSON lines
(`mlops_runtime.progress`).

Exit status: 0 on success; 2 after an `mlops.error` line (a known failure: invalid config or
hyperparameters, dataset not found, Ray or MLflow unreachable, not enough resources, a worker out of
memory); 1 with the traceback on stderr for anything else.

Connects to the Ray cluster named by RAY_ADDRESS (set for Ray jobs); without it, starts a private
local Ray. Test-only: MLOPS_TEST_FAIL_FIRST_ATTEMPT=1 makes the first attempt fail after its first
epoch, to exercise Ray Train's retry from the latest checkpoint.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import ray
import ray.train
import torch
from ray.util.queue import Empty, Queue

from mlops_runtime.datasets import dataset_folder
from mlops_runtime.drift.reference import DRIFT_REFERENCE_TAG, log_image_reference
from mlops_runtime.errors import JobError
from mlops_runtime.idx import IdxFormatError, MnistData, load_mnist
from mlops_runtime.job_config import JobConfig, parse_job_config
from mlops_runtime.lean_trainer import LeanTorchTrainer
from mlops_runtime.mlflow_server import check_mlflow
from mlops_runtime.mnist_training import evaluate, evaluation_tensors, trained_model
from mlops_runtime.models.mnist_cnn import NUM_CLASSES
from mlops_runtime.progress import emit, run_entrypoint
from mlops_runtime.tracking import dataset_tags, log_and_register_model, log_confusion_matrix
from mlops_runtime.train_loop import LoopConfig, train_loop_per_worker
from mlops_runtime.versions import runtime_version, source_digest

__all__ = ["main", "register_image_model", "run_job"]

FAIL_FIRST_ATTEMPT_ENV = "MLOPS_TEST_FAIL_FIRST_ATTEMPT"
MAX_FAILURES = 2


class _ForwardEpochs(ray.train.UserCallback):
    """Runs in the Ray Train controller: forwards each epoch's rank-0 metrics to the driver."""

    def __init__(self, epochs: Queue) -> None:
        self.epochs = epochs

    def after_report(
        self, run_context: Any, metrics: list[dict[str, Any]], checkpoint: Any
    ) -> None:
        self.epochs.put(dict(metrics[0]))


def load_dataset(config: JobConfig) -> MnistData:
    """The job's dataset version, materialized locally and read by its IDX file names."""
    folder = dataset_folder(config.dataset)
    try:
        return load_mnist(folder)
    except FileNotFoundError as error:
        raise JobError("dataset not found", str(error)) from None
    except IdxFormatError as error:
        raise JobError("dataset is malformed", str(error)) from None


def connect_ray() -> None:
    if ray.is_initialized():
        return
    address = os.environ.get("RAY_ADDRESS") or "local"
    try:
        ray.init(address=address, include_dashboard=False if address == "local" else None)
    except (ConnectionError, TimeoutError) as error:
        raise JobError("Ray cluster unreachable", f"{address}: {error}") from None


def check_resources(config: JobConfig) -> None:
    total = ray.cluster_resources()
    resources = config.resources
    needed_cpus = resources.num_workers * resources.cpus_per_worker
    if needed_cpus > total.get("CPU", 0):
        raise JobError(
            "not enough resources",
            f"{resources.num_workers} worker(s) x {resources.cpus_per_worker:g} CPUs need "
            f"{needed_cpus:g} CPUs; the Ray cluster has {total.get('CPU', 0):g}",
        )
    if resources.use_gpu and resources.num_workers > total.get("GPU", 0):
        raise JobError(
            "not enough resources",
            f"{resources.num_workers} GPU worker(s) requested; the Ray cluster has "
            f"{total.get('GPU', 0):g} GPUs",
        )


def start_run(config: JobConfig) -> mlflow.ActiveRun:
    mlflow.set_tracking_uri(config.tracking_uri)
    mlflow.set_experiment(config.experiment_name)
    return mlflow.start_run(
        run_name=f"{config.template.id}-{config.job_id}",
        tags={
            "mlops.job_id": config.job_id,
            "mlops.template": f"{config.template.id}@{config.template.version}",
            **dataset_tags(config.dataset),
            "mlops.runtime_version": runtime_version(),
            "mlops.runtime_digest": source_digest(),
        },
    )


_OOM_MARKERS = ("outofmemoryerror", "out of memory", "memory monitor")


def _out_of_memory(error: BaseException) -> bool:
    """Whether a training failure (or a worker failure inside it) was a worker running out of
    memory: Ray's OOM killer, MemoryError, or CUDA out of memory."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (ray.exceptions.OutOfMemoryError, MemoryError)):
            return True
        if any(marker in f"{type(current).__name__} {current}".lower() for marker in _OOM_MARKERS):
            return True
        pending += [current.__cause__, current.__context__]
        failures = getattr(current, "worker_failures", None)
        if isinstance(failures, dict):
            pending += list(failures.values())
    return False


EpochHandler = Callable[[int, dict[str, float]], None]


def train(config: JobConfig, data: MnistData, on_epoch: EpochHandler) -> ray.train.Result:
    """Runs the TorchTrainer; calls `on_epoch(epoch, metrics)` in this process as each epoch's
    report arrives (also from the benchmark, which compares it with plain PyTorch)."""
    run_name = f"mlops-{config.job_id}"
    marker = None
    if os.environ.get(FAIL_FIRST_ATTEMPT_ENV) == "1":
        marker = str(Path(config.storage_path) / run_name / ".test-failed-first-attempt")
    loop_config: LoopConfig = {
        "template_id": config.template.id,
        "custom_model": config.custom_model,
        "hyperparameters": config.hyperparameters,
        "seed": config.seed,
        "cpus_per_worker": config.resources.cpus_per_worker,
        "dataset": ray.put(data),
        "fail_first_attempt_marker": marker,
    }
    epochs_queue = Queue(actor_options={"num_cpus": 0})
    trainer = LeanTorchTrainer(
        train_loop_per_worker,
        train_loop_config=dict(loop_config),
        scaling_config=ray.train.ScalingConfig(
            num_workers=config.resources.num_workers,
            use_gpu=config.resources.use_gpu,
            resources_per_worker={"CPU": config.resources.cpus_per_worker},
        ),
        run_config=ray.train.RunConfig(
            name=run_name,
            storage_path=config.storage_path,
            failure_config=ray.train.FailureConfig(
                max_failures=MAX_FAILURES,
                # e.g. a worker group that cannot start: end the job instead of retrying forever.
                controller_failure_limit=MAX_FAILURES,
            ),
            checkpoint_config=ray.train.CheckpointConfig(num_to_keep=2),
            callbacks=[_ForwardEpochs(epochs_queue)],  # type: ignore[list-item]
        ),
    )
    outcome: queue.SimpleQueue[ray.train.Result | BaseException] = queue.SimpleQueue()

    def fit() -> None:
        try:
            outcome.put(trainer.fit())
        except BaseException as error:
            outcome.put(error)

    thread = threading.Thread(target=fit, name="ray-train-fit", daemon=True)
    thread.start()
    while thread.is_alive() or not epochs_queue.empty():
        try:
            reported = epochs_queue.get(timeout=1.0)
        except Empty:
            continue
        epoch = int(reported.pop("epoch"))
        on_epoch(epoch, reported)
    thread.join()
    result = outcome.get()
    if isinstance(result, BaseException):
        if _out_of_memory(result):
            raise JobError("worker ran out of memory", str(result)) from result
        raise result
    return result


def final_model(config: JobConfig, result: ray.train.Result) -> torch.nn.Module:
    if result.checkpoint is None:
        raise RuntimeError("training finished without a checkpoint")
    return trained_model(
        result.checkpoint, config.template.id, config.hyperparameters, config.custom_model
    )


def register_image_model(
    config: JobConfig,
    model: torch.nn.Module,
    data: MnistData,
    version_tags: Mapping[str, str],
) -> tuple[dict[str, float], str]:
    """Evaluates the trained `model` on the test images, logs the final metrics, the confusion
    matrix and the drift reference profile (`drift/`) to the active run, and logs and registers
    the model as a new version of the config's model name, tagged with its drift reference (also
    for the best trial of a tune); returns the final metrics and the version."""
    images, labels = evaluation_tensors(data)
    totals, confusion = evaluate(model, images, labels, torch.device("cpu"))
    final_metrics = {
        "final_test_loss": float(totals[0]) / len(labels),
        "final_test_accuracy": float(totals[1]) / len(labels),
    }
    mlflow.log_metrics(final_metrics)
    log_confusion_matrix(confusion.numpy(), [str(label) for label in range(NUM_CLASSES)])
    reference = log_image_reference(model, images, labels, seed=config.seed)
    version = log_and_register_model(
        model,
        np.ascontiguousarray(images[:2].numpy()),
        registered_model_name=config.model_name,
        version_tags={**version_tags, DRIFT_REFERENCE_TAG: reference},
        custom_model=config.custom_model,
    )
    return final_metrics, version


def run_job(config: JobConfig) -> None:
    data = load_dataset(config)
    check_mlflow(config.tracking_uri)
    connect_ray()
    check_resources(config)
    with start_run(config) as run:
        experiment_id = run.info.experiment_id
        emit("run_started", mlflowRunId=run.info.run_id, mlflowExperimentId=experiment_id)
        mlflow.log_params(config.params())
        epochs = int(config.hyperparameters["epochs"])

        def log_epoch(epoch: int, metrics: dict[str, float]) -> None:
            mlflow.log_metrics(metrics, step=epoch)
            emit("progress", epoch=epoch, epochs=epochs, metrics=metrics)

        result = train(config, data, log_epoch)

        final_metrics, version = register_image_model(
            config,
            final_model(config, result),
            data,
            version_tags={
                "mlops.job_id": config.job_id,
                **dataset_tags(config.dataset),
                "mlops.mlflow_run_id": run.info.run_id,
            },
        )
        emit(
            "result",
            mlflowRunId=run.info.run_id,
            mlflowExperimentId=experiment_id,
            registeredModel={"name": config.model_name, "version": version},
            metrics=final_metrics,
        )


def main() -> int:
    return run_entrypoint(lambda text: run_job(parse_job_config(text)))


if __name__ == "__main__":
    sys.exit(main())
