"""Registers two versions of a digits classifier (sklearn's 8x8 MNIST-like digits, logistic
regression, tensor signature float32 [-1, 64]) in MLflow, as a team's job would: with the
MLFLOW_TRACKING_* variables of the environment, into experiment and registered model argv[1].
Prints JSON: the registered versions and, for a few test images, each version's predictions."""

from __future__ import annotations

import json
import sys

import mlflow
import mlflow.sklearn
import numpy as np
from mlflow.models import infer_signature
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression


def main(name: str) -> None:
    digits = load_digits()
    images = (digits.data / 16.0).astype(np.float32)
    train, test = images[:1500], images[1500:1510]
    labels = digits.target[:1500]
    mlflow.set_experiment(name)
    result: dict[str, object] = {"images": test.tolist(), "versions": {}}
    for c in (1.0, 0.001):
        model = LogisticRegression(C=c, max_iter=300).fit(train, labels)
        with mlflow.start_run():
            info = mlflow.sklearn.log_model(
                model,
                name="model",
                signature=infer_signature(test, model.predict(test)),
                registered_model_name=name,
                pip_requirements=["scikit-learn"],
            )
        version = str(info.registered_model_version)
        result["versions"][version] = model.predict(test).tolist()  # type: ignore[index]
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
