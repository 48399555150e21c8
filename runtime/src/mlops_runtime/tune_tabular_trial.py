"""The Ray Tune trial of the tabular templates (`tabular-hgb`, `tabular-logreg`): a function
trainable that fits one configuration's pipeline on the job's train rows and reports its metrics
once, as epoch 1 of 1, with the fitted pipeline as the checkpoint.

Every trial gets the same split (made once in the driver from the job's seed), so trials are
compared on the same test rows; the hyperparameters that choose the data (`FIXED_HYPERPARAMETERS`)
cannot be searched. The fit and the metrics are those of `mlops_runtime.tabular_fit`, as in a
training job (`mlops_runtime.train_tabular`), so a trial and a training job with the same
hyperparameters and seed fit the same model. Imports scikit-learn, not torch.
"""

from __future__ import annotations

import pickle
import tempfile
from pathlib import Path
from typing import Any

import ray.tune

from mlops_runtime.models import tabular_model
from mlops_runtime.tabular_data import FeatureColumns, Split
from mlops_runtime.tabular_fit import fit_and_evaluate
from mlops_runtime.tune_space import trial_hyperparameters

__all__ = ["FIXED_HYPERPARAMETERS", "load_trial_pipeline", "tabular_trial"]

CHECKPOINT_FILE = "pipeline.pkl"
FIXED_HYPERPARAMETERS = ("target_column", "task", "test_fraction")


def tabular_trial(
    config: dict[str, Any],
    *,
    split: Split,
    columns: FeatureColumns,
    task: str,
    template_id: str,
    base_hyperparameters: dict[str, Any],
    cpus: float,
) -> None:
    hyperparameters = trial_hyperparameters(base_hyperparameters, config)
    pipeline = tabular_model(template_id, hyperparameters, columns)
    fitted, evaluation = fit_and_evaluate(pipeline, split, task, max(1, int(cpus)))
    with tempfile.TemporaryDirectory() as directory:
        # pickle: the checkpoint is read back only by this tune's driver.
        (Path(directory) / CHECKPOINT_FILE).write_bytes(pickle.dumps(fitted))
        ray.tune.report(
            {"epoch": 1, **evaluation.metrics},
            checkpoint=ray.tune.Checkpoint.from_directory(directory),
        )


def load_trial_pipeline(checkpoint: ray.tune.Checkpoint) -> Any:
    """The fitted pipeline saved in a trial's checkpoint."""
    with checkpoint.as_directory() as directory:
        return pickle.loads((Path(directory) / CHECKPOINT_FILE).read_bytes())
