"""Registers a digits image classifier (sklearn's 8x8 digits as [n, 1, 8, 8] float32 images, a
linear layer in torch) in MLflow as the portal's training does: with its drift reference profile
(the held-out images), with the MLFLOW_TRACKING_* variables of the environment, into experiment
and registered model argv[1]. Prints JSON: the registered version, and request images: clean
ones (from the reference's own held-out images) and the same with heavy Gaussian noise."""

from __future__ import annotations

import json
import sys

import mlflow
import numpy as np
import torch
from sklearn.datasets import load_digits

from mlops_runtime.drift.reference import DRIFT_REFERENCE_TAG, log_image_reference
from mlops_runtime.tracking import log_and_register_model


def main(name: str) -> None:
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    labels = digits.target.astype(np.int64)
    train, held_out = slice(0, 1200), slice(1200, None)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    inputs, targets = torch.from_numpy(images[train]), torch.from_numpy(labels[train])
    for _ in range(100):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(inputs), targets).backward()
        optimizer.step()
    model.eval()

    mlflow.set_experiment(name)
    with mlflow.start_run():
        reference = log_image_reference(
            model,
            torch.from_numpy(images[held_out]),
            torch.from_numpy(labels[held_out]),
        )
        version = log_and_register_model(
            model,
            images[:2],
            registered_model_name=name,
            version_tags={DRIFT_REFERENCE_TAG: reference},
        )
    clean, truth = images[held_out][:300], labels[held_out][:300]
    noisy = np.clip(clean + np.random.default_rng(0).normal(0, 0.6, clean.shape), 0, 1)
    print(
        json.dumps(
            {
                "version": version,
                "clean": clean.round(4).tolist(),
                "cleanLabels": [str(label) for label in truth],
                "noisy": noisy.astype(np.float32).round(4).tolist(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
