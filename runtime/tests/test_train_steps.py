"""The shared training steps, in process, without Ray: seeding and checkpoint resume are exact."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch

from mlops_runtime.idx import MnistData
from mlops_runtime.mnist_training import (
    TrainingState,
    evaluate,
    evaluation_tensors,
    make_train_loader,
    seed_everything,
    train_one_epoch,
    train_tensors,
)
from mlops_runtime.templates import load_template

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def data() -> MnistData:
    """Learnable MNIST-shaped data: each class is a bright bar at its own row, plus noise."""
    rng = np.random.default_rng(0)

    def split(count: int) -> tuple[np.ndarray, np.ndarray]:
        labels = rng.integers(0, 10, count).astype(np.uint8)
        images = rng.integers(0, 60, (count, 28, 28)).astype(np.uint8)
        for index, label in enumerate(labels):
            images[index, 2 + 2 * label : 4 + 2 * label, 4:24] = 255
        return images, labels

    train_images, train_labels = split(400)
    test_images, test_labels = split(200)
    return MnistData(train_images, train_labels, test_images, test_labels)


def hyperparameters() -> dict[str, object]:
    return {
        **load_template("mnist-cnn").default_hyperparameters(),
        "epochs": 2,
        "batch_size": 32,
        "conv1_channels": 8,
        "conv2_channels": 8,
        "hidden_units": 32,
        "train_samples": 400,
    }


def run_epochs(
    data: MnistData, seed: int, epochs: range, state_bytes: bytes | None = None
) -> tuple[list[list[float]], bytes]:
    """Trains `epochs` (1-based) from scratch or from a saved state; returns metrics and state."""
    seed_everything(seed)
    loader = make_train_loader(train_tensors(data, 400), batch_size=32, seed=seed)
    state = TrainingState.create(hyperparameters(), steps_per_epoch=len(loader), device=CPU)
    torch.manual_seed(seed)
    if state_bytes is not None:
        state.load_state_dict(state.model, torch.load(io.BytesIO(state_bytes), weights_only=False))
    images, labels = evaluation_tensors(data)
    history = []
    for epoch in epochs:
        loader.sampler.set_epoch(epoch)  # type: ignore[attr-defined]
        train_totals, count = train_one_epoch(state, state.model, loader, CPU)
        test_totals, confusion = evaluate(state.model, images, labels, CPU)
        assert int(confusion.sum()) == len(labels)
        assert int(confusion.trace()) == int(test_totals[1])
        history.append([*(train_totals / count).tolist(), *(test_totals / len(labels)).tolist()])
        state.epoch = epoch
    buffer = io.BytesIO()
    torch.save(state.state_dict(state.model), buffer)
    return history, buffer.getvalue()


def test_same_seed_same_metrics_other_seed_differs(data: MnistData) -> None:
    first, _ = run_epochs(data, 7, range(1, 3))
    second, _ = run_epochs(data, 7, range(1, 3))
    other, _ = run_epochs(data, 8, range(1, 3))
    assert first == second
    assert other != first
    # The bars are easy: two epochs learn them, so the metrics above are not noise.
    assert first[-1][3] > 0.9


def test_resuming_from_a_checkpoint_continues_exactly(data: MnistData, tmp_path: Path) -> None:
    straight, _ = run_epochs(data, 3, range(1, 3))
    first_epoch, saved = run_epochs(data, 3, range(1, 2))
    (tmp_path / "state.pt").write_bytes(saved)
    resumed, _ = run_epochs(data, 3, range(2, 3), (tmp_path / "state.pt").read_bytes())
    assert first_epoch + resumed == straight
