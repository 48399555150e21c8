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

import sys
from dataclasses import dataclass
from typing import Any

import mlflow
import ray

from mlops_runtime.datasets import dataset_folder
from mlops_runtime.errors import JobError
from mlops_runtime.job_config import INVALID_CONFIG, JobConfig, parse_job_config
from mlops_runtime.mlflow_server import check_mlflow
from mlops_runtime.models import TABULAR_BUILDERS, tabular_model
from mlops_runtime.progress import emit, run_entrypoint
from mlops_runtime.tabular_data import Split, TargetTable, load_table, split_rows, target_table
from mlops_runtime.tabular_fit import Evaluation, fit_and_evaluate, tabular_task
from mlops_runtime.tracking import dataset_tags, log_and_register_pipeline
from mlops_runtime.train import check_resources, connect_ray, start_run

__all__ = ["JobTable", "load_job_table", "main", "run_job"]


def _fit_in_ray(pipeline: Any, split: Split, task: str, cpus: float) -> tuple[Any, Evaluation]:
    remote = ray.remote(fit_and_evaluate).options(num_cpus=cpus, max_retries=0)
    try:
        fitted, evaluation = ray.get(remote.remote(pipeline, split, task, max(1, int(cpus))))
    except (ray.exceptions.OutOfMemoryError, MemoryError) as error:
        raise JobError("worker ran out of memory", str(error)) from error
    return fitted, evaluation


@dataclass(frozen=True)
class JobTable:
    """A tabular job's table as its model sees it: features and target, the seeded split."""

    rows: int
    data: TargetTable
    split: Split
    task: str

    def params(self) -> dict[str, int]:
        """What the job's MLflow run records about the table."""
        return {
            "data.rows": self.rows,
            "data.rows_without_target": self.data.dropped_rows,
            "data.train_rows": len(self.split.train_target),
            "data.test_rows": len(self.split.test_target),
            "data.numeric_features": len(self.data.columns.numeric),
            "data.categorical_features": len(self.data.columns.categorical),
        }


def load_job_table(config: JobConfig) -> JobTable:
    """Reads and checks the job's table and splits it from the seed (JobError for what a user can
    fix)."""
    hyperparameters = config.hyperparameters
    task = tabular_task(hyperparameters)
    table = load_table(dataset_folder(config.dataset), config.dataset.format)
    data = target_table(table, str(hyperparameters["target_column"]), task)
    split = split_rows(
        data,
        float(hyperparameters["test_fraction"]),
        config.seed,
        stratify=task == "classification",
    )
    return JobTable(len(table), data, split, task)


def run_job(config: JobConfig) -> None:
    job_table = load_job_table(config)
    pipeline = tabular_model(config.template.id, config.hyperparameters, job_table.data.columns)
    check_mlflow(config.tracking_uri)
    connect_ray()
    check_resources(config)
    with start_run(config) as run:
        experiment_id = run.info.experiment_id
        emit("run_started", mlflowRunId=run.info.run_id, mlflowExperimentId=experiment_id)
        mlflow.log_params({**config.params(), **job_table.params()})
        cpus = config.resources.num_workers * config.resources.cpus_per_worker
        fitted, evaluation = _fit_in_ray(pipeline, job_table.split, job_table.task, cpus)
        mlflow.log_metrics(evaluation.metrics, step=1)
        emit("progress", epoch=1, epochs=1, metrics=evaluation.metrics)
        final_metrics, version = log_and_register_pipeline(
            fitted,
            evaluation,
            job_table.split,
            job_table.task,
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


def _run(text: str | None) -> None:
    config = parse_job_config(text)
    if config.template.id not in TABULAR_BUILDERS:
        raise JobError(
            INVALID_CONFIG,
            f"template {config.template.id} is not a tabular template "
            f"(its entrypoint is {config.template.manifest['entrypoint']})",
        )
    run_job(config)


def main() -> int:
    return run_entrypoint(_run)


if __name__ == "__main__":
    sys.exit(main())
