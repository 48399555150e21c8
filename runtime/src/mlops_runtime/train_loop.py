"""The per-worker loop that Ray Train's TorchTrainer runs for the MNIST image templates.

Each epoch every worker trains on its shard, evaluates its share of the 10,000 test images, the
sums are all-reduced, and `ray.train.report` sends the epoch metrics with a checkpoint (written by
rank 0). After a worker failure, Ray Train restarts the group and the loop resumes from the latest
checkpoint.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any, TypedDict, cast

import ray
import ray.train
import ray.train.torch
import torch
import torch.distributed as dist

from mlops_runtime.custom_model import CustomModel
from mlops_runtime.idx import MnistData
from mlops_runtime.mnist_training import (
    CHECKPOINT_FILE,
    TrainingState,
    epoch_metrics,
    evaluate,
    evaluation_tensors,
    make_train_loader,
    read_checkpoint,
    seed_everything,
    train_one_epoch,
    train_tensors,
)

__all__ = ["LoopConfig", "SimulatedWorkerFailure", "train_loop_per_worker"]


class LoopConfig(TypedDict):
    template_id: str
    custom_model: CustomModel | None
    hyperparameters: dict[str, Any]
    seed: int
    cpus_per_worker: float
    dataset: ray.ObjectRef[MnistData]
    # Test-only: a marker file; the first attempt creates it and fails after its first epoch.
    fail_first_attempt_marker: str | None


class SimulatedWorkerFailure(RuntimeError):
    """Raised once, on purpose, when MLOPS_TEST_FAIL_FIRST_ATTEMPT is set (tests only)."""


def _all_reduce(tensor: torch.Tensor) -> torch.Tensor:
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        dist.all_reduce(tensor)
    return tensor


def train_loop_per_worker(untyped_config: dict[str, Any]) -> None:
    config = cast(LoopConfig, untyped_config)
    context = ray.train.get_context()
    rank, world_size = context.get_world_rank(), context.get_world_size()
    hyperparameters, seed = config["hyperparameters"], int(config["seed"])
    torch.set_num_threads(max(1, int(config["cpus_per_worker"])))
    seed_everything(seed)
    device = ray.train.torch.get_device()

    data: MnistData = ray.get(config["dataset"])
    train_set = train_tensors(data, int(hyperparameters["train_samples"]))
    test_images, test_labels = evaluation_tensors(data)
    test_images, test_labels = test_images[rank::world_size], test_labels[rank::world_size]
    loader = make_train_loader(
        train_set,
        batch_size=int(hyperparameters["batch_size"]),
        seed=seed,
        rank=rank,
        world_size=world_size,
    )
    sampler = loader.sampler
    assert isinstance(sampler, torch.utils.data.DistributedSampler)
    batches = ray.train.torch.prepare_data_loader(loader)

    state = TrainingState.create(
        hyperparameters,
        steps_per_epoch=len(loader),
        device=device,
        template_id=config["template_id"],
        custom_model=config["custom_model"],
    )
    model = ray.train.torch.prepare_model(state.model)
    torch.manual_seed(seed + rank)  # dropout differs per worker, reproducibly
    checkpoint = ray.train.get_checkpoint()
    if checkpoint:
        state.load_state_dict(state.model, read_checkpoint(checkpoint))

    for epoch in range(state.epoch + 1, int(hyperparameters["epochs"]) + 1):
        started = time.perf_counter()
        sampler.set_epoch(epoch)
        train_totals, train_count = train_one_epoch(state, model, batches, device)
        test_totals, _ = evaluate(model, test_images, test_labels, device)
        counts = _all_reduce(torch.tensor([train_count, len(test_labels)], device=device))
        metrics = epoch_metrics(
            _all_reduce(train_totals),
            int(counts[0]),
            _all_reduce(test_totals),
            int(counts[1]),
            started,
        )
        state.epoch = epoch
        with tempfile.TemporaryDirectory() as directory:
            saved_checkpoint = None
            if rank == 0:
                torch.save(state.state_dict(state.model), Path(directory) / CHECKPOINT_FILE)
                saved_checkpoint = ray.train.Checkpoint.from_directory(directory)
            ray.train.report({"epoch": epoch, **metrics.as_dict()}, checkpoint=saved_checkpoint)
        _maybe_fail_first_attempt(config["fail_first_attempt_marker"], rank)


def _maybe_fail_first_attempt(marker: str | None, rank: int) -> None:
    if marker is None or rank != 0 or os.path.exists(marker):
        return
    Path(marker).parent.mkdir(parents=True, exist_ok=True)
    Path(marker).touch()
    raise SimulatedWorkerFailure("simulated worker failure (MLOPS_TEST_FAIL_FIRST_ATTEMPT)")
