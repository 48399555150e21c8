"""The multilayer perceptron of the `mnist-mlp` template.

Input and output as the CNN's (`mnist_cnn`): float32 images (N, 1, 28, 28) in [0, 1], logits
(N, 10). The model flattens each image to its 784 pixels itself, so both image templates train,
evaluate and serve through the same code and take the same requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from mlops_runtime.models.mnist_cnn import IMAGE_SIZE, MNIST_MEAN, MNIST_STD, NUM_CLASSES


class MnistMlp(nn.Module):
    """Flatten, then `hidden_layers` x (linear, ReLU, dropout), then the output.

    No batch norm: a training batch of one image (the last one of an epoch) must work too.
    """

    def __init__(self, *, hidden_layers: int, hidden_units: int, dropout: float) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        width = IMAGE_SIZE * IMAGE_SIZE
        for _ in range(hidden_layers):
            layers += [
                nn.Linear(width, hidden_units),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout),
            ]
            width = hidden_units
        layers.append(nn.Linear(width, NUM_CLASSES))
        self.layers = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.layers((images - MNIST_MEAN) / MNIST_STD)
        return logits


def build_mnist_mlp(hyperparameters: Mapping[str, Any]) -> MnistMlp:
    """The MLP for a validated hyperparameter set of the `mnist-mlp` template."""
    return MnistMlp(
        hidden_layers=int(hyperparameters["hidden_layers"]),
        hidden_units=int(hyperparameters["hidden_units"]),
        dropout=float(hyperparameters["dropout"]),
    )
