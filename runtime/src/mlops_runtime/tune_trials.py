"""The two kinds of auto-tune trials, as the tune's driver (`mlops_runtime.tune`) sees them: which
trainable runs them, what they report, which hyperparameters stay fixed, whether ASHA can stop
them, the data they get, and how the best trial's model is evaluated again, logged and registered
(as the template's training job registers its model).

- `ImageTrials` (templates of `mlops_runtime.train`, custom models): `tune_trainable.mnist_trial`
  on the MNIST files, one report per epoch.
- `TabularTrials` (templates of `mlops_runtime.train_tabular`): `tune_tabular_trial.tabular_trial`
  on the table split from the job's seed, one report per trial.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from ray import tune

from mlops_runtime.errors import JobError
from mlops_runtime.job_config import INVALID_CONFIG, JobConfig
from mlops_runtime.mnist_training import EPOCH_METRICS, trained_model
from mlops_runtime.models import TABULAR_BUILDERS, TORCH_BUILDERS
from mlops_runtime.tabular_fit import evaluate as evaluate_pipeline
from mlops_runtime.tabular_fit import metric_names, tabular_task
from mlops_runtime.tracking import log_and_register_pipeline
from mlops_runtime.train import load_dataset, register_image_model
from mlops_runtime.train_tabular import load_job_table
from mlops_runtime.tune_tabular_trial import (
    FIXED_HYPERPARAMETERS,
    load_trial_pipeline,
    tabular_trial,
)
from mlops_runtime.tune_trainable import MNIST_TUNE_METRICS, mnist_trial

__all__ = ["ImageTrials", "TabularTrials", "Trials", "trials_for"]


class ImageTrials:
    """The trials of an image template: epochs on the MNIST files, each reported with a
    checkpoint; the best model is evaluated again on the test images and registered."""

    trainable = staticmethod(mnist_trial)
    reported = EPOCH_METRICS
    objectives = MNIST_TUNE_METRICS
    fixed: tuple[str, ...] = ()
    asha = True

    def __init__(self, config: JobConfig) -> None:
        self.config = config

    def load(self) -> dict[str, Any]:
        """Reads the dataset; returns what the parent run records about it."""
        self.data = load_dataset(self.config)
        return {}

    def trial_parameters(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "seed": self.config.seed,
            "custom_model": self.config.custom_model,
        }

    def register_best(
        self,
        checkpoint: tune.Checkpoint,
        hyperparameters: dict[str, Any],
        version_tags: dict[str, str],
    ) -> tuple[dict[str, float], str]:
        model = trained_model(
            checkpoint, self.config.template.id, hyperparameters, self.config.custom_model
        )
        return register_image_model(self.config, model, self.data, version_tags)


class TabularTrials:
    """The trials of a tabular template: one fit each on the split of the job's seed, reported
    once with the fitted pipeline; the best pipeline is measured again and registered."""

    trainable = staticmethod(tabular_trial)
    fixed = FIXED_HYPERPARAMETERS
    asha = False

    def __init__(self, config: JobConfig) -> None:
        self.config = config
        self.task = tabular_task(config.hyperparameters)
        self.reported = self.objectives = metric_names(self.task)

    def load(self) -> dict[str, Any]:
        """Reads and splits the table; returns what the parent run records about it."""
        self.table = load_job_table(self.config)
        return self.table.params()

    def trial_parameters(self) -> dict[str, Any]:
        return {"split": self.table.split, "columns": self.table.data.columns, "task": self.task}

    def register_best(
        self,
        checkpoint: tune.Checkpoint,
        hyperparameters: dict[str, Any],
        version_tags: dict[str, str],
    ) -> tuple[dict[str, float], str]:
        pipeline = load_trial_pipeline(checkpoint)
        split = self.table.split
        return log_and_register_pipeline(
            pipeline,
            evaluate_pipeline(pipeline, split, self.task),
            split,
            self.task,
            registered_model_name=self.config.model_name,
            version_tags=version_tags,
        )


Trials: TypeAlias = ImageTrials | TabularTrials


def trials_for(config: JobConfig) -> Trials:
    """The trials of the config's template; JobError when the runtime cannot tune it."""
    if config.template.id in TORCH_BUILDERS or config.custom_model is not None:
        return ImageTrials(config)
    if config.template.id in TABULAR_BUILDERS:
        return TabularTrials(config)
    raise JobError(
        INVALID_CONFIG,
        f"auto-tune is not available for template {config.template.id} "
        f"(available for: {', '.join(sorted([*TORCH_BUILDERS, *TABULAR_BUILDERS]))})",
    )
