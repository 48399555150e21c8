"""The CNN of the `mnist-cnn` template.

Input: float32 tensor (N, 1, 28, 28) of pixel intensities scaled to [0, 1] (raw uint8 / 255).
Output: float32 logits (N, 10), one per digit. The MNIST normalization is part of the model, so a
served model takes the same [0, 1] images a user would send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
NUM_CLASSES = 10
IMAGE_SIZE = 28


class MnistCnn(nn.Module):
    """Two 3x3 conv blocks (conv, batch norm, ReLU, 2x2 max pool), then dropout, a hidden fully
    connected layer and the 10-class output."""

    def __init__(
        self, *, conv1_channels: int, conv2_channels: int, hidden_units: int, dropout: float
    ) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, conv1_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(conv1_channels),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(conv1_channels, conv2_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(conv2_channels),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        flat = conv2_channels * (IMAGE_SIZE // 4) ** 2
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(flat, hidden_units),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden_units, NUM_CLASSES),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        normalized = (images - MNIST_MEAN) / MNIST_STD
        logits: torch.Tensor = self.classifier(self.features(normalized))
        return logits


def build_mnist_cnn(hyperparameters: Mapping[str, Any]) -> MnistCnn:
    """The CNN for a validated hyperparameter set of the `mnist-cnn` template."""
    return MnistCnn(
        conv1_channels=int(hyperparameters["conv1_channels"]),
        conv2_channels=int(hyperparameters["conv2_channels"]),
        hidden_units=int(hyperparameters["hidden_units"]),
        dropout=float(hyperparameters["dropout"]),
    )
