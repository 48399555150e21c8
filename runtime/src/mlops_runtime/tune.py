"""`python -m mlops_runtime.tune`: the auto-tune job the portal submits to Ray.

Reads the job config from MLOPS_JOB_CONFIG: a training job's config (`mlops_runtime.job_config`)
plus an `autoTune` section (`mlops_runtime.tune_space`). Its hyperparameters are the fixed values;
each trial draws the searched ones from the search space. Runs Ray Tune's Tuner over the
template's trials with the chosen search algorithm (random, grid, Optuna TPE or HyperOpt),
optionally the ASHA scheduler, and the budget (trials, trials at once, time limit), every trial
with the job's seed so that configurations are compared on equal terms and any trial can be re-run
exactly. The trials are those of the runtime path that trains the template
(`mlops_runtime.tune_trials`): an image template's (`mlops_runtime.train`) train epochs and report
each with a checkpoint; a tabular template's (`mlops_runtime.train_tabular`) fit once on the split
of the job's seed and report once, so ASHA, which stops trials between epochs, is off for them.
The metric to optimize is one that the trials report.

MLflow: one parent run for the tune (parameters, the search space, the best configuration and the
best trial's model evaluated again, logged and registered as a new version of the config's model
name, as a training job of the template registers its model), and one child run per trial
(`mlops_runtime.tune_tracking`). Stdout: `mlops.run_started`, `mlops.trial` lines as trials start,
report epochs and end, then `mlops.result` with `bestTrialId`.

Exit status as for `mlops_runtime.train`: 0, 2 after an `mlops.error` line, 1 with a traceback.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Any

import mlflow
from mlflow.tracking import MlflowClient
from ray import tune
from ray.tune.schedulers import ASHAScheduler, TrialScheduler
from ray.tune.search import BasicVariantGenerator, SearchAlgorithm, Searcher

from mlops_runtime.errors import JobError
from mlops_runtime.job_config import INVALID_CONFIG, JobConfig, parse_job_config
from mlops_runtime.mlflow_server import check_mlflow
from mlops_runtime.progress import emit, run_entrypoint
from mlops_runtime.tracking import dataset_tags
from mlops_runtime.train import check_resources, connect_ray, start_run
from mlops_runtime.tune_space import (
    AutoTuneConfig,
    Parameter,
    grid_points,
    parse_auto_tune,
    trial_hyperparameters,
)
from mlops_runtime.tune_tracking import TrialTracker
from mlops_runtime.tune_trials import Trials, trials_for

__all__ = ["main", "run_tune"]


def parse_tune_config(text: str | None) -> tuple[JobConfig, AutoTuneConfig]:
    """The training job config and its auto-tune section; JobError naming every problem."""
    try:
        raw = json.loads(text) if text else None
    except json.JSONDecodeError:
        raw = None
    if not isinstance(raw, dict):
        parse_job_config(text)  # names what is wrong
        raise JobError(INVALID_CONFIG, "MLOPS_JOB_CONFIG must be a JSON object")
    auto_tune = raw.pop("autoTune", None)
    config = parse_job_config(json.dumps(raw))
    if auto_tune is None:
        raise JobError(INVALID_CONFIG, "autoTune: is required for an auto-tune job")
    trials = trials_for(config)
    if config.resources.num_workers != 1:
        raise JobError(
            INVALID_CONFIG,
            f"resources.numWorkers: auto-tune trials run on 1 worker each, "
            f"got {config.resources.num_workers}",
        )
    auto = parse_auto_tune(
        auto_tune,
        config.template.hyperparameter_schema,
        metrics=trials.objectives,
        fixed=trials.fixed,
    )
    # The parent run records what ran: no ASHA for trials that report once.
    return config, replace(auto, asha=auto.asha and trials.asha)


def search_space(parameters: tuple[Parameter, ...]) -> dict[str, Any]:
    space: dict[str, Any] = {}
    for parameter in parameters:
        if parameter.type == "choice":
            space[parameter.name] = tune.choice(list(parameter.values))
        elif parameter.type == "int":
            space[parameter.name] = tune.randint(int(parameter.low), int(parameter.high) + 1)
        elif parameter.type == "loguniform":
            space[parameter.name] = tune.loguniform(parameter.low, parameter.high)
        else:
            space[parameter.name] = tune.uniform(parameter.low, parameter.high)
    return space


def _defaults_point(auto: AutoTuneConfig, hyperparameters: dict[str, Any]) -> dict[str, Any] | None:
    """The job's own values of the searched hyperparameters, when they lie inside the space."""
    point = {parameter.name: hyperparameters[parameter.name] for parameter in auto.parameters}
    inside = all(parameter.contains(point[parameter.name]) for parameter in auto.parameters)
    return point if auto.start_from_defaults and inside else None


def search_algorithm(
    auto: AutoTuneConfig, hyperparameters: dict[str, Any], seed: int
) -> tuple[SearchAlgorithm | Searcher, int]:
    """The searcher and the number of trials it is run for."""
    trials = auto.budget.trials
    start = _defaults_point(auto, hyperparameters)
    points = [start] if start else None
    if auto.algorithm == "grid":
        grid = grid_points(auto.parameters, trials)
        return BasicVariantGenerator(points_to_evaluate=grid, random_state=seed), len(grid)
    if auto.algorithm == "optuna":
        from optuna.samplers import TPESampler  # noqa: PLC0415  (optional until chosen)
        from ray.tune.search.optuna import OptunaSearch  # noqa: PLC0415

        sampler = TPESampler(seed=seed, n_startup_trials=max(1, min(10, trials // 3)))
        return OptunaSearch(points_to_evaluate=points, sampler=sampler), trials
    if auto.algorithm == "hyperopt":
        from ray.tune.search.hyperopt import HyperOptSearch  # noqa: PLC0415

        searcher = HyperOptSearch(
            points_to_evaluate=points,
            random_state_seed=seed,
            n_initial_points=max(1, min(20, trials // 3)),
        )
        return searcher, trials
    return BasicVariantGenerator(points_to_evaluate=points, random_state=seed), trials


def max_epochs(auto: AutoTuneConfig, hyperparameters: dict[str, Any]) -> int:
    for parameter in auto.parameters:
        if parameter.name == "epochs":
            values = parameter.values if parameter.type == "choice" else (parameter.high,)
            return int(max(values))
    return int(hyperparameters["epochs"])


def scheduler(auto: AutoTuneConfig, hyperparameters: dict[str, Any]) -> TrialScheduler | None:
    if not auto.asha:
        return None
    # One epoch is one training iteration; a trial has to show its first epoch before ASHA
    # compares it, and half of the trials go on at each rung.
    return ASHAScheduler(
        time_attr="training_iteration",
        max_t=max(1, max_epochs(auto, hyperparameters)),
        grace_period=1,
        reduction_factor=2,
    )


def run_trials(
    config: JobConfig,
    auto: AutoTuneConfig,
    trials: Trials,
    tracker: TrialTracker,
) -> tune.ResultGrid:
    """Runs the tune; `with_parameters` puts the dataset into Ray's object store once."""
    searcher, num_samples = search_algorithm(auto, config.hyperparameters, config.seed)
    trainable = tune.with_resources(
        tune.with_parameters(
            trials.trainable,
            **trials.trial_parameters(),
            template_id=config.template.id,
            base_hyperparameters=config.hyperparameters,
            cpus=config.resources.cpus_per_worker,
        ),
        {
            "cpu": config.resources.cpus_per_worker,
            "gpu": 1 if config.resources.use_gpu else 0,
        },
    )
    tuner = tune.Tuner(
        trainable,
        param_space=search_space(auto.parameters),
        tune_config=tune.TuneConfig(
            metric=auto.metric,
            mode=auto.mode,
            search_alg=searcher,
            scheduler=scheduler(auto, config.hyperparameters),
            num_samples=num_samples,
            max_concurrent_trials=auto.budget.concurrency,
            time_budget_s=auto.budget.time_limit_minutes * 60,
        ),
        run_config=tune.RunConfig(
            name=f"tune-{config.job_id}",
            storage_path=config.storage_path,
            callbacks=[tracker],
            checkpoint_config=tune.CheckpointConfig(
                num_to_keep=1,
                checkpoint_score_attribute=auto.metric,
                checkpoint_score_order=auto.mode,
            ),
            failure_config=tune.FailureConfig(max_failures=1),
            verbose=0,
        ),
    )
    results = tuner.fit()
    tracker.close_all()
    return results


def best_trial(results: tune.ResultGrid, auto: AutoTuneConfig) -> tune.Result:
    errors = results.errors
    if len(results) > 0 and len(errors) == len(results):
        raise JobError("all trials failed", str(errors[0])[-2000:])
    try:
        return results.get_best_result(
            metric=auto.metric, mode=auto.mode, scope="all", filter_nan_and_inf=True
        )
    except RuntimeError:
        raise JobError(
            "no trial finished an epoch",
            f"no trial reported {auto.metric} within "
            f"{auto.budget.time_limit_minutes:g} minutes; raise the time limit or make "
            "trials smaller",
        ) from None


def run_tune(config: JobConfig, auto: AutoTuneConfig) -> None:
    trials = trials_for(config)
    data_params = trials.load()
    check_mlflow(config.tracking_uri)
    connect_ray()
    check_resources(config)
    with start_run(config) as run:
        experiment_id = run.info.experiment_id
        mlflow.set_tag("mlops.kind", "auto-tune")
        emit("run_started", mlflowRunId=run.info.run_id, mlflowExperimentId=experiment_id)
        mlflow.log_params({**config.params(), **auto.as_params(), **data_params})
        mlflow.log_dict(
            {parameter.name: _describe(parameter) for parameter in auto.parameters},
            "search_space.json",
        )
        tracker = TrialTracker(
            client=MlflowClient(config.tracking_uri),
            experiment_id=experiment_id,
            parent_run_id=run.info.run_id,
            job_id=config.job_id,
            base_hyperparameters=config.hyperparameters,
            seed=config.seed,
            metric_names=trials.reported,
        )
        results = run_trials(config, auto, trials, tracker)
        best = best_trial(results, auto)
        best_id = str(best.metrics.get("trial_id", ""))
        hyperparameters = trial_hyperparameters(config.hyperparameters, dict(best.config or {}))
        checkpoint = best.get_best_checkpoint(auto.metric, auto.mode) or best.checkpoint
        if checkpoint is None:
            raise RuntimeError(f"the best trial {best_id} left no checkpoint")
        mlflow.set_tag("mlops.best_trial_id", best_id)
        mlflow.log_dict(
            {"trialId": best_id, "hyperparameters": hyperparameters}, "best_config.json"
        )
        best_run_id = tracker.trials[best_id].run_id if best_id in tracker.trials else ""
        final_metrics, version = trials.register_best(
            checkpoint,
            hyperparameters,
            version_tags={
                "mlops.job_id": config.job_id,
                **dataset_tags(config.dataset),
                "mlops.mlflow_run_id": run.info.run_id,
                "mlops.best_trial_id": best_id,
                "mlops.best_trial_run_id": best_run_id,
            },
        )
        emit(
            "result",
            mlflowRunId=run.info.run_id,
            mlflowExperimentId=experiment_id,
            registeredModel={"name": config.model_name, "version": version},
            metrics=final_metrics,
            bestTrialId=best_id,
            bestHyperparameters=hyperparameters,
        )


def _describe(parameter: Parameter) -> dict[str, Any]:
    if parameter.type == "choice":
        return {"type": "choice", "values": list(parameter.values)}
    return {"type": parameter.type, "min": parameter.low, "max": parameter.high}


def main() -> int:
    return run_entrypoint(lambda text: run_tune(*parse_tune_config(text)))


if __name__ == "__main__":
    sys.exit(main())
