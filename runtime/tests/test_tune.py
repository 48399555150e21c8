"""`python -m mlops_runtime.tune` end to end: a real local Ray (started by the job itself), a real
MLflow server, the real MNIST files; a tiny budget (3 trials of 1 epoch on 2,000 images)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_train import JobRun, job_config, needs_mnist, run_entrypoint

SEARCH_SPACE = {
    "learning_rate": {"type": "loguniform", "min": 1e-4, "max": 1e-2},
    "dropout": {"type": "choice", "values": [0.25, 0.5]},
}


def tune_config(tmp_path: Path, tracking_uri: str, **auto_tune: Any) -> dict[str, Any]:
    config = job_config(
        tmp_path,
        tracking_uri,
        job_id="tune-small",
        model_name="mnist-tuned",
        epochs=1,
        train_samples=2000,
    )
    config["resources"] = {"numWorkers": 1, "cpusPerWorker": 1, "useGpu": False}
    config["autoTune"] = {
        "searchSpace": SEARCH_SPACE,
        "algorithm": "optuna",
        "asha": True,
        "budget": {"trials": 3, "concurrency": 2, "timeLimitMinutes": 10},
        "metric": "test_accuracy",
        "mode": "max",
        **auto_tune,
    }
    return config


def run_tune(config: dict[str, Any]) -> JobRun:
    return run_entrypoint("mlops_runtime.tune", config)


def trials_by_id(run: JobRun) -> dict[str, list[dict[str, Any]]]:
    trials: dict[str, list[dict[str, Any]]] = {}
    for line in run.of_kind("trial"):
        trials.setdefault(line["trialId"], []).append(line)
    return trials


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory, mlflow_server: str) -> JobRun:
    return run_tune(tune_config(tmp_path_factory.mktemp("tune"), mlflow_server))


@needs_mnist
def test_prints_a_line_per_trial_event_and_the_best_trial(tuned: JobRun) -> None:
    assert tuned.returncode == 0, tuned.stderr[-3000:]
    assert tuned.of_kind("error") == []
    trials = trials_by_id(tuned)
    assert len(trials) == 3
    for lines in trials.values():
        first, last = lines[0], lines[-1]
        assert (first["state"], first["epoch"], first["metrics"]) == ("RUNNING", 0, {})
        assert last["state"] == "SUCCEEDED"
        assert last["epoch"] == 1
        assert 0.5 < last["metrics"]["test_accuracy"] <= 1.0
        assert set(last["config"]) == set(SEARCH_SPACE)
        assert 1e-4 <= last["config"]["learning_rate"] <= 1e-2
        assert last["config"]["dropout"] in (0.25, 0.5)
        assert last["hyperparameters"]["epochs"] == 1
        assert last["hyperparameters"]["train_samples"] == 2000
        assert last["hyperparameters"]["learning_rate"] == last["config"]["learning_rate"]
        assert last["seed"] == 1234
        assert last["elapsedSeconds"] >= first["elapsedSeconds"]
    # The template's own values lie inside the space, so they are the first trial.
    assert {"learning_rate": 0.001, "dropout": 0.25} in [
        lines[-1]["config"] for lines in trials.values()
    ]

    [result] = tuned.of_kind("result")
    accuracies = {tid: lines[-1]["metrics"]["test_accuracy"] for tid, lines in trials.items()}
    assert result["bestTrialId"] == max(accuracies, key=lambda tid: accuracies[tid])
    # The registered model is the best trial's checkpoint, evaluated again on the test set.
    assert result["metrics"]["final_test_accuracy"] == pytest.approx(
        accuracies[result["bestTrialId"]], abs=2e-4
    )
    assert result["bestHyperparameters"] == trials[result["bestTrialId"]][-1]["hyperparameters"]
    assert result["registeredModel"] == {"name": "mnist-tuned", "version": "1"}


@needs_mnist
def test_each_trial_is_a_child_run_of_the_tune(tuned: JobRun, mlflow_server: str) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    client = MlflowClient(mlflow_server)
    [started] = tuned.of_kind("run_started")
    parent = client.get_run(started["mlflowRunId"])
    assert parent.info.status == "FINISHED"
    assert parent.data.tags["mlops.kind"] == "auto-tune"
    assert parent.data.params["tune.algorithm"] == "optuna"
    assert parent.data.params["tune.trials"] == "3"
    assert parent.data.params["seed"] == "1234"
    children = client.search_runs(
        [parent.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
    )
    trials = trials_by_id(tuned)
    assert {run.data.tags["mlops.trial_id"] for run in children} == set(trials)
    for child in children:
        line = trials[child.data.tags["mlops.trial_id"]][-1]
        assert child.info.status == "FINISHED"
        assert child.info.run_id == line["mlflowRunId"]
        assert child.data.params["seed"] == "1234"
        assert float(child.data.params["learning_rate"]) == pytest.approx(
            line["config"]["learning_rate"]
        )
        assert child.data.params["dropout"] == str(line["config"]["dropout"])
        history = client.get_metric_history(child.info.run_id, "test_accuracy")
        assert [(m.step, m.value) for m in history] == [(1, line["metrics"]["test_accuracy"])]


@needs_mnist
def test_the_best_trials_model_is_registered(tuned: JobRun, mlflow_server: str) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    client = MlflowClient(mlflow_server)
    [result] = tuned.of_kind("result")
    version = client.get_model_version("mnist-tuned", "1")
    assert version.run_id == result["mlflowRunId"]
    best_id = result["bestTrialId"]
    assert version.tags["mlops.best_trial_id"] == best_id
    best_run_id = trials_by_id(tuned)[best_id][-1]["mlflowRunId"]
    assert version.tags["mlops.best_trial_run_id"] == best_run_id
    parent = client.get_run(result["mlflowRunId"])
    assert parent.data.tags["mlops.best_trial_id"] == best_id
    assert parent.data.metrics["final_test_accuracy"] == result["metrics"]["final_test_accuracy"]


def test_an_invalid_search_space_fails_before_anything_runs(
    tmp_path: Path, mlflow_server: str
) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    config = tune_config(
        tmp_path,
        mlflow_server,
        searchSpace={
            "dropout": {"type": "uniform", "min": 0.6, "max": 0.2},
            "momentum": {"type": "uniform", "min": 0.1, "max": 0.9},
        },
    )
    config["jobId"] = "tune-bad"
    config["mlflow"]["experimentName"] = "exp-tune-bad"
    run = run_tune(config)
    assert run.returncode == 2
    [error] = run.of_kind("error")
    assert error["reason"] == "invalid auto-tune config"
    assert "autoTune.searchSpace.dropout: min (0.6) must be less than max (0.2)" in error["message"]
    assert "autoTune.searchSpace.momentum: is not a hyperparameter" in error["message"]
    assert run.of_kind("run_started") == []
    assert MlflowClient(mlflow_server).get_experiment_by_name("exp-tune-bad") is None
    assert not (tmp_path / "ray-results").exists()


def test_a_training_config_without_auto_tune_is_rejected(tmp_path: Path) -> None:
    config = tune_config(tmp_path, "http://127.0.0.1:1")
    del config["autoTune"]
    run = run_tune(config)
    assert run.returncode == 2
    [error] = run.of_kind("error")
    assert error == {
        "kind": "mlops.error",
        "reason": "invalid job config",
        "message": "autoTune: is required for an auto-tune job",
    }
