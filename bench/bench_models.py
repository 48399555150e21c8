"""Models the benchmarks train: the same code path as the portal's image templates."""

from __future__ import annotations

from typing import Any


def train_cnn_one_epoch(data: Any, train_samples: int, seed: int) -> Any:
    """The `mnist-cnn` template's CNN (default hyperparameters) after one epoch on the first
    `train_samples` training images of `data` (an `mlops_runtime.idx.MnistData`), on the CPU."""
    import torch

    from mlops_runtime.mnist_training import (
        TrainingState,
        make_train_loader,
        seed_everything,
        train_one_epoch,
        train_tensors,
    )
    from mlops_runtime.templates import load_template

    hyperparameters = load_template("mnist-cnn").default_hyperparameters()
    hyperparameters.update(epochs=1, train_samples=train_samples)
    seed_everything(seed)
    device = torch.device("cpu")
    loader = make_train_loader(
        train_tensors(data, train_samples),
        batch_size=int(hyperparameters["batch_size"]),
        seed=seed,
    )
    state = TrainingState.create(hyperparameters, steps_per_epoch=len(loader), device=device)
    loader.sampler.set_epoch(1)  # type: ignore[attr-defined]
    train_one_epoch(state, state.model, loader, device)
    return state.model.eval()
