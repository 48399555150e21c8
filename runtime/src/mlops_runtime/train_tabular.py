"""`python -m mlops_runtime.train_tabular`: the training job of the tabular templates
(`tabular-hgb`, `tabular-logreg`), submitted by the portal like `mlops_runtime.train`.

Reads the job config from MLOPS_JOB_CONFIG (see `mlops_runtime.job_config`), reads the dataset's
CSV or Parquet table, checks it (target column, row count, column types: `tabular_data`), splits
it into train and test rows from the seed, and fits the template's scikit-learn pipeline
(`models.tabular`) in one Ray task with the job's CPUs (numWorkers x cpusPerWorker). One MLflow
run records parameters (hyperparameters, seed, resources, `data.*` row and column counts), the
metrics at step 1 (classification: train/test accuracy, log loss as loss, macro F1; regression:
train/test RMSE, R², MAE, mean squared error as loss), `final_test_*`, the confusion matrix
(classification) and the fitted pipeline (signature and input example on the raw columns),
registered as a new version of the config's model name. Prints the same JSON lines as
`mlops_runtime.train` (`progress` once, epoch 1 of 1) and exits the same way: 0, 2 after
`mlops.error`, 1 with a traceback.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Mapping
from typing import Any

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
import ray
import sklearn
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

from mlops_runtime.datasets import dataset_folder
from mlops_runtime.errors import JobError
from mlops_runtime.job_config import INVALID_CONFIG, JobConfig, parse_job_config
from mlops_runtime.models import TABULAR_BUILDERS, tabular_model
from mlops_runtime.models.tabular import SKOPS_TRUSTED_TYPES
from mlops_runtime.progress import emit
from mlops_runtime.tabular_data import Split, load_table, split_rows, target_table
from mlops_runtime.tabular_fit import Evaluation, fit_and_evaluate
from mlops_runtime.tracking import dataset_tags, log_confusion_matrix
from mlops_runtime.train import (
    EXIT_KNOWN_FAILURE,
    check_mlflow,
    check_resources,
    connect_ray,
    start_run,
)

__all__ = ["log_and_register_pipeline", "main", "run_job"]

INPUT_EXAMPLE_ROWS = 5


def _fit_in_ray(pipeline: Any, split: Split, task: str, cpus: float) -> tuple[Any, Evaluation]:
    remote = ray.remote(fit_and_evaluate).options(num_cpus=cpus, max_retries=0)
    try:
        fitted, evaluation = ray.get(remote.remote(pipeline, split, task, max(1, int(cpus))))
    except (ray.exceptions.OutOfMemoryError, MemoryError) as error:
        raise JobError("worker ran out of memory", str(error)) from error
    return fitted, evaluation


def log_and_register_pipeline(
    pipeline: Any,
    input_example: pd.DataFrame,
    *,
    registered_model_name: str,
    version_tags: Mapping[str, str],
) -> str:
    """Logs the fitted pipeline to the active run and registers it; returns the new version."""
    info = mlflow.sklearn.log_model(
        pipeline,
        name="model",
        signature=infer_signature(input_example, pipeline.predict(input_example)),
        input_example=input_example,
        registered_model_name=registered_model_name,
        serialization_format="skops",
        skops_trusted_types=list(SKOPS_TRUSTED_TYPES),
        pip_requirements=[
            f"scikit-learn=={sklearn.__version__}",
            f"skops=={importlib.metadata.version('skops')}",
            f"pandas=={pd.__version__}",
            f"numpy=={np.__version__}",
        ],
    )
    version = str(info.registered_model_version)
    client = MlflowClient()
    for key, value in version_tags.items():
        client.set_model_version_tag(registered_model_name, version, key, value)
    return version


def input_example(split: Split) -> pd.DataFrame:
    """A few training rows, complete ones where there are (MLflow infers the column types from
    them)."""
    complete = split.train_features.dropna()
    rows = complete if len(complete) >= INPUT_EXAMPLE_ROWS else split.train_features
    return rows.head(INPUT_EXAMPLE_ROWS)


def run_job(config: JobConfig) -> None:
    hyperparameters = config.hyperparameters
    task = str(hyperparameters.get("task", "classification"))
    table = load_table(dataset_folder(config.dataset), config.dataset.format)
    data = target_table(table, str(hyperparameters["target_column"]), task)
    split = split_rows(
        data,
        float(hyperparameters["test_fraction"]),
        config.seed,
        stratify=task == "classification",
    )
    pipeline = tabular_model(config.template.id, hyperparameters, data.columns)
    check_mlflow(config.tracking_uri)
    connect_ray()
    check_resources(config)
    with start_run(config) as run:
        experiment_id = run.info.experiment_id
        emit("run_started", mlflowRunId=run.info.run_id, mlflowExperimentId=experiment_id)
        mlflow.log_params(
            {
                **config.params(),
                "data.rows": len(table),
                "data.rows_without_target": data.dropped_rows,
                "data.train_rows": len(split.train_target),
                "data.test_rows": len(split.test_target),
                "data.numeric_features": len(data.columns.numeric),
                "data.categorical_features": len(data.columns.categorical),
            }
        )
        cpus = config.resources.num_workers * config.resources.cpus_per_worker
        fitted, evaluation = _fit_in_ray(pipeline, split, task, cpus)
        mlflow.log_metrics(evaluation.metrics, step=1)
        emit("progress", epoch=1, epochs=1, metrics=evaluation.metrics)
        final_names = (
            ("test_rmse", "test_r2") if task == "regression" else ("test_accuracy", "test_f1")
        )
        final_metrics = {f"final_{name}": evaluation.metrics[name] for name in final_names}
        mlflow.log_metrics(final_metrics)
        if evaluation.confusion is not None:
            log_confusion_matrix(evaluation.confusion, evaluation.labels)
        version = log_and_register_pipeline(
            fitted,
            input_example(split),
            registered_model_name=config.model_name,
            version_tags={
                "mlops.job_id": config.job_id,
                **dataset_tags(config.dataset),
                "mlops.mlflow_run_id": run.info.run_id,
            },
        )
        emit(
            "result",
            mlflowRunId=run.info.run_id,
            mlflowExperimentId=experiment_id,
            registeredModel={"name": config.model_name, "version": version},
            metrics=final_metrics,
        )


def main() -> int:
    try:
        config = parse_job_config(os.environ.get("MLOPS_JOB_CONFIG"))
        if config.template.id not in TABULAR_BUILDERS:
            raise JobError(
                INVALID_CONFIG,
                f"template {config.template.id} is not a tabular template "
                f"(its entrypoint is {config.template.manifest['entrypoint']})",
            )
        run_job(config)
    except JobError as error:
        emit("error", reason=error.reason, message=error.message)
        return EXIT_KNOWN_FAILURE
    return 0


if __name__ == "__main__":
    sys.exit(main())
