"""Follows a tune's trials in the driver: one MLflow child run per trial under the tune's parent
run (parameters with the seed, per-epoch metrics as they arrive), and an `mlops.trial` line on
stdout each time a trial starts, reports an epoch or ends. A tabular trial reports once, as epoch 1
of 1.

Trial states in the lines: RUNNING, SUCCEEDED (trained every epoch), STOPPED (stopped early by
ASHA or by the time limit) and FAILED.
"""

from __future__ import annotations

import time
from typing import Any

import ray.tune
from mlflow.entities import Metric, Param, RunStatus
from mlflow.tracking import MlflowClient
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID, MLFLOW_RUN_NAME

from mlops_runtime.progress import emit
from mlops_runtime.tune_space import trial_hyperparameters

__all__ = ["TrialTracker"]

ENDED = ("SUCCEEDED", "STOPPED", "FAILED")


class _TrialRecord:
    def __init__(self, run_id: str, hyperparameters: dict[str, Any], config: dict[str, Any]):
        self.run_id = run_id
        self.hyperparameters = hyperparameters
        self.config = config
        self.state = "RUNNING"
        self.epoch = 0
        self.metrics: dict[str, float] = {}


class TrialTracker(ray.tune.Callback):  # type: ignore[misc]
    def __init__(
        self,
        *,
        client: MlflowClient,
        experiment_id: str,
        parent_run_id: str,
        job_id: str,
        base_hyperparameters: dict[str, Any],
        seed: int,
        metric_names: tuple[str, ...],
    ) -> None:
        """`metric_names`: what the trials report each epoch, logged to their child runs."""
        self.client = client
        self.experiment_id = experiment_id
        self.parent_run_id = parent_run_id
        self.job_id = job_id
        self.base = base_hyperparameters
        self.seed = seed
        self.metric_names = metric_names
        self.started = time.monotonic()
        self.trials: dict[str, _TrialRecord] = {}

    def on_trial_start(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        trial_id = str(trial.trial_id)
        if trial_id in self.trials:  # restarted after a failure: same child run
            self.trials[trial_id].state = "RUNNING"
            self._emit(trial_id)
            return
        hyperparameters = trial_hyperparameters(self.base, dict(trial.config))
        run = self.client.create_run(
            self.experiment_id,
            tags={
                MLFLOW_PARENT_RUN_ID: self.parent_run_id,
                MLFLOW_RUN_NAME: f"trial-{trial_id}",
                "mlops.job_id": self.job_id,
                "mlops.trial_id": trial_id,
            },
        )
        params = {**hyperparameters, "seed": self.seed}
        self.client.log_batch(
            run.info.run_id, params=[Param(key, str(value)) for key, value in params.items()]
        )
        searched = {name: hyperparameters[name] for name in trial.config}
        self.trials[trial_id] = _TrialRecord(run.info.run_id, hyperparameters, searched)
        self._emit(trial_id)

    def on_trial_result(
        self, iteration: int, trials: list[Any], trial: Any, result: dict[str, Any], **info: Any
    ) -> None:
        record = self.trials.get(str(trial.trial_id))
        if record is None or "epoch" not in result:
            return
        record.epoch = int(result["epoch"])
        record.metrics = {name: float(result[name]) for name in self.metric_names if name in result}
        now = int(time.time() * 1000)
        self.client.log_batch(
            record.run_id,
            metrics=[
                Metric(name, value, now, record.epoch) for name, value in record.metrics.items()
            ],
        )
        self._emit(str(trial.trial_id))

    def on_trial_complete(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        record = self.trials.get(str(trial.trial_id))
        if record is None:
            return
        epochs = int(record.hyperparameters.get("epochs", 1))  # a tabular trial: 1 fit
        self._end(str(trial.trial_id), "SUCCEEDED" if record.epoch >= epochs else "STOPPED")

    def on_trial_error(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        self._end(str(trial.trial_id), "FAILED", error=getattr(trial, "error_msg", None))

    def on_experiment_end(self, trials: list[Any], **info: Any) -> None:
        """Trials still running when the time limit ended the tune were stopped by it."""
        self.close_all()

    def close_all(self) -> None:
        for trial_id, record in self.trials.items():
            if record.state not in ENDED:
                self._end(trial_id, "STOPPED")

    def _end(self, trial_id: str, state: str, error: str | None = None) -> None:
        record = self.trials.get(trial_id)
        if record is None or record.state in ENDED:
            return
        record.state = state
        status = RunStatus.FAILED if state == "FAILED" else RunStatus.FINISHED
        self.client.set_terminated(record.run_id, status=RunStatus.to_string(status))
        self._emit(trial_id, error=error)

    def _emit(self, trial_id: str, error: str | None = None) -> None:
        record = self.trials[trial_id]
        emit(
            "trial",
            trialId=trial_id,
            state=record.state,
            config=record.config,
            hyperparameters=record.hyperparameters,
            seed=self.seed,
            epoch=record.epoch,
            metrics=record.metrics,
            elapsedSeconds=round(time.monotonic() - self.started, 3),
            mlflowRunId=record.run_id,
            **({"error": error[-2000:]} if error else {}),
        )
