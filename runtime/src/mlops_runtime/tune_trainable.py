"""The Ray Tune trial of the MNIST image templates (`mnist-cnn`, `mnist-mlp`, custom models): a function
trainable that trains one configuration in its own worker process and reports every epoch's
metrics with a checkpoint.

A plain function trainable rather than a one-worker TorchTrainer: on a small CPU cluster each
trial then costs one process instead of a controller plus a worker group, and two trials fit on two
cores. The training and evaluation steps are those of `mlops_runtime.mnist_training`, so a trial
and a training job with the same hyperparameters and seed learn the same model.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import ray.tune
import torch

from mlops_runtime.custom_model import CustomModel
from mlops_runtime.idx import MnistData
from mlops_runtime.mnist_training import (
    CHECKPOINT_FILE,
    EPOCH_METRICS,
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
from mlops_runtime.tune_space import trial_hyperparameters

__all__ = ["MNIST_TUNE_METRICS", "mnist_trial"]
# What a tune of the image templates may optimize: every epoch metric but the epoch's duration.
MNIST_TUNE_METRICS = tuple(name for name in EPOCH_METRICS if name != "epoch_seconds")


def mnist_trial(
    config: dict[str, Any],
    *,
    data: MnistData,
    template_id: str,
    base_hyperparameters: dict[str, Any],
    seed: int,
    cpus: float,
    custom_model: CustomModel | None = None,
) -> None:
    hyperparameters = trial_hyperparameters(base_hyperparameters, config)
    torch.set_num_threads(max(1, int(cpus)))
    seed_everything(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_set = train_tensors(data, int(hyperparameters["train_samples"]))
    test_images, test_labels = evaluation_tensors(data)
    loader = make_train_loader(train_set, batch_size=int(hyperparameters["batch_size"]), seed=seed)
    sampler = loader.sampler
    assert isinstance(sampler, torch.utils.data.DistributedSampler)
    state = TrainingState.create(
        hyperparameters,
        steps_per_epoch=len(loader),
        device=device,
        template_id=template_id,
        custom_model=custom_model,
    )
    torch.manual_seed(seed)
    checkpoint = ray.tune.get_checkpoint()
    if checkpoint:
        state.load_state_dict(state.model, read_checkpoint(checkpoint))

    for epoch in range(state.epoch + 1, int(hyperparameters["epochs"]) + 1):
        started = time.perf_counter()
        sampler.set_epoch(epoch)
        train_totals, train_count = train_one_epoch(state, state.model, loader, device)
        test_totals, _ = evaluate(state.model, test_images, test_labels, device)
        metrics = epoch_metrics(train_totals, train_count, test_totals, len(test_labels), started)
        state.epoch = epoch
        with tempfile.TemporaryDirectory() as directory:
            torch.save(state.state_dict(state.model), Path(directory) / CHECKPOINT_FILE)
            ray.tune.report(
                {"epoch": epoch, **metrics.as_dict()},
                checkpoint=ray.tune.Checkpoint.from_directory(directory),
            )
