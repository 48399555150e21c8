"""Training and evaluation of the MNIST image templates (`mnist-cnn`, `mnist-mlp`; the network
comes from `mlops_runtime.models.torch_model`), shared by the Ray Train loop (`mlops_runtime.train`)
and the plain PyTorch baseline of the overhead benchmark.

Determinism: for a given seed, world size and thread count the result is bit-identical. The model
is initialized from `seed`, the data order comes from a DistributedSampler seeded with `seed` and
the epoch, dropout from the global RNG seeded with `seed + rank`, and the RNG state travels in each
checkpoint so a retried worker continues exactly where the failed one left off.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from mlops_runtime.custom_model import CustomModel
from mlops_runtime.idx import MnistData
from mlops_runtime.models import torch_model
from mlops_runtime.models.mnist_cnn import NUM_CLASSES

if TYPE_CHECKING:
    from ray.train import Checkpoint

__all__ = [
    "CHECKPOINT_FILE",
    "EPOCH_METRICS",
    "EpochMetrics",
    "TrainingState",
    "evaluate",
    "evaluation_tensors",
    "make_train_loader",
    "read_checkpoint",
    "seed_everything",
    "train_one_epoch",
    "train_tensors",
    "trained_model",
]

# The file in a Ray Train / Ray Tune checkpoint folder that holds `TrainingState.state_dict`.
CHECKPOINT_FILE = "checkpoint.pt"

EPOCH_METRICS = ("train_loss", "train_accuracy", "test_loss", "test_accuracy", "epoch_seconds")
EVAL_BATCH_SIZE = 1000


@dataclass(frozen=True)
class EpochMetrics:
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    epoch_seconds: float

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in EPOCH_METRICS}


def seed_everything(seed: int, *, deterministic: bool = True) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False


def _as_float_images(images: np.ndarray) -> torch.Tensor:
    # astype copies: arrays from the Ray object store are read-only.
    return torch.from_numpy(images.astype(np.float32)).div_(255.0).unsqueeze(1)


def train_tensors(data: MnistData, samples: int) -> TensorDataset:
    """The first `samples` training images as a float [0, 1] (N, 1, 28, 28) dataset."""
    count = min(samples, len(data.train_labels))
    return TensorDataset(
        _as_float_images(data.train_images[:count]),
        torch.from_numpy(data.train_labels[:count].astype(np.int64)),
    )


def evaluation_tensors(data: MnistData) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.from_numpy(data.test_labels.astype(np.int64))
    return _as_float_images(data.test_images), labels


def make_train_loader(
    dataset: TensorDataset, *, batch_size: int, seed: int, rank: int = 0, world_size: int = 1
) -> DataLoader[tuple[torch.Tensor, ...]]:
    """A loader over this worker's shard, reshuffled per epoch (call `sampler.set_epoch`)."""
    sampler: DistributedSampler[int] = DistributedSampler(
        dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed, drop_last=False
    )
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=0)


@dataclass
class TrainingState:
    """Model, optimizer and schedule of one worker; what a checkpoint holds."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler | None
    epoch: int = 0

    @classmethod
    def create(
        cls,
        hyperparameters: Mapping[str, Any],
        *,
        steps_per_epoch: int,
        device: torch.device,
        template_id: str = "mnist-cnn",
        custom_model: CustomModel | None = None,
    ) -> TrainingState:
        model = torch_model(template_id, hyperparameters, custom_model).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=float(hyperparameters["learning_rate"]))
        # Cosine decay over the whole run: the last epoch settles into a good minimum.
        total_steps = max(1, steps_per_epoch * int(hyperparameters["epochs"]))
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
        scaler = torch.amp.GradScaler("cuda") if device.type == "cuda" else None
        return cls(model=model, optimizer=optimizer, scheduler=scheduler, scaler=scaler)

    def state_dict(self, model: nn.Module) -> dict[str, Any]:
        return {
            "model": model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler else None,
            "epoch": self.epoch,
            "torch_rng": torch.get_rng_state(),
        }

    def load_state_dict(self, model: nn.Module, state: Mapping[str, Any]) -> None:
        model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        if self.scaler and state["scaler"]:
            self.scaler.load_state_dict(state["scaler"])
        self.epoch = int(state["epoch"])
        torch.set_rng_state(state["torch_rng"])


def read_checkpoint(checkpoint: Checkpoint) -> dict[str, Any]:
    """The `TrainingState.state_dict` a Ray Train or Ray Tune checkpoint holds, on the CPU."""
    with checkpoint.as_directory() as directory:
        saved: dict[str, Any] = torch.load(
            Path(directory) / CHECKPOINT_FILE, map_location="cpu", weights_only=False
        )
    return saved


def trained_model(
    checkpoint: Checkpoint,
    template_id: str,
    hyperparameters: Mapping[str, Any],
    custom_model: CustomModel | None = None,
) -> nn.Module:
    """The network saved in a checkpoint, on the CPU, in eval mode."""
    model = torch_model(template_id, hyperparameters, custom_model)
    model.load_state_dict(read_checkpoint(checkpoint)["model"])
    return model.eval()


def _autocast(device: torch.device) -> contextlib.AbstractContextManager[Any]:
    if device.type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.float16)
    return contextlib.nullcontext()


def train_one_epoch(
    state: TrainingState,
    model: nn.Module,
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    device: torch.device,
) -> tuple[torch.Tensor, int]:
    """One pass over `batches`; returns [loss sum, correct] (a tensor to all-reduce) and count."""
    model.train()
    totals = torch.zeros(2, dtype=torch.float64, device=device)
    count = 0
    for batch_images, batch_labels in batches:
        images, labels = batch_images.to(device), batch_labels.to(device)
        state.optimizer.zero_grad(set_to_none=True)
        with _autocast(device):
            logits = model(images)
            loss = nn.functional.cross_entropy(logits, labels)
        if state.scaler:
            state.scaler.scale(loss).backward()  # type: ignore[no-untyped-call]
            state.scaler.step(state.optimizer)
            state.scaler.update()
        else:
            loss.backward()  # type: ignore[no-untyped-call]
            state.optimizer.step()
        state.scheduler.step()
        with torch.no_grad():
            totals[0] += loss.detach().double() * labels.numel()
            totals[1] += (logits.argmax(dim=1) == labels).sum()
        count += labels.numel()
    return totals, count


def _eval_batches(
    images: torch.Tensor, labels: torch.Tensor
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    for start in range(0, len(labels), EVAL_BATCH_SIZE):
        yield images[start : start + EVAL_BATCH_SIZE], labels[start : start + EVAL_BATCH_SIZE]


@torch.no_grad()
def evaluate(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """[loss sum, correct] over the given images, and the (true x predicted) confusion counts."""
    model.eval()
    totals = torch.zeros(2, dtype=torch.float64, device=device)
    confusion = torch.zeros(NUM_CLASSES, NUM_CLASSES, dtype=torch.int64, device=device)
    for cpu_images, cpu_labels in _eval_batches(images, labels):
        batch_images, batch_labels = cpu_images.to(device), cpu_labels.to(device)
        with _autocast(device):
            logits = model(batch_images)
        loss = nn.functional.cross_entropy(logits.float(), batch_labels, reduction="sum")
        predicted = logits.argmax(dim=1)
        totals[0] += loss.double()
        totals[1] += (predicted == batch_labels).sum()
        confusion += torch.bincount(
            batch_labels * NUM_CLASSES + predicted, minlength=NUM_CLASSES**2
        ).view(NUM_CLASSES, NUM_CLASSES)
    return totals, confusion


def epoch_metrics(
    train_totals: torch.Tensor,
    train_count: int,
    test_totals: torch.Tensor,
    test_count: int,
    started: float,
) -> EpochMetrics:
    return EpochMetrics(
        train_loss=float(train_totals[0]) / train_count,
        train_accuracy=float(train_totals[1]) / train_count,
        test_loss=float(test_totals[0]) / test_count,
        test_accuracy=float(test_totals[1]) / test_count,
        epoch_seconds=time.perf_counter() - started,
    )
