"""Auto-tune of the tabular templates end to end, once per search algorithm, on the sample iris
CSV: `mlops_runtime.tune`'s main in this process against the session's real local Ray (started
once for every tune) and the real MLflow server; 3 one-fit trials each."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from test_tabular_train import IRIS_CSV, JobRun, job_config

from mlops_runtime import tune


@dataclass(frozen=True)
class Case:
    algorithm: str
    template_id: str
    search_space: dict[str, Any]
    metric: str
    mode: str
    concurrency: int = 1
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    defaults_point: dict[str, Any] | None = None
    """The job's values of the searched hyperparameters, where they lie inside the space."""


HGB_SPACE = {
    "learning_rate": {"type": "loguniform", "min": 0.01, "max": 0.5},
    "max_iter": {"type": "int", "min": 10, "max": 40},
}
CASES = [
    # Regression on a numeric column; RMSE is minimized.
    Case(
        "random",
        "tabular-hgb",
        HGB_SPACE,
        "test_rmse",
        "min",
        hyperparameters={
            "target_column": "petal_length",
            "task": "regression",
            "min_samples_leaf": 5,
        },
    ),
    Case("optuna", "tabular-hgb", HGB_SPACE, "test_loss", "min", concurrency=2),
    Case(
        "hyperopt",
        "tabular-logreg",
        {
            "C": {"type": "loguniform", "min": 0.01, "max": 100},
            "class_weight": {"type": "choice", "values": ["none", "balanced"]},
        },
        "test_loss",
        "min",
        defaults_point={"C": 1.0, "class_weight": "none"},
    ),
    # What the portal asks for by default for classification: test accuracy, highest.
    Case("grid", "tabular-hgb", HGB_SPACE, "test_accuracy", "max", concurrency=2),
]


@dataclass
class Tuned:
    case: Case
    run: JobRun
    model_name: str

    def trials(self) -> dict[str, dict[str, Any]]:
        """Each trial's last line, by trial id."""
        return {line["trialId"]: line for line in self.run.of_kind("trial")}


@pytest.fixture(scope="module", params=CASES, ids=[case.algorithm for case in CASES])
def tuned(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    mlflow_server: str,
    local_ray: None,
) -> Tuned:
    case: Case = request.param
    job_id = f"tune-{case.algorithm}"
    config = job_config(
        tmp_path_factory.mktemp(job_id),
        mlflow_server,
        template_id=case.template_id,
        job_id=job_id,
        dataset=IRIS_CSV,
        **case.hyperparameters,
    )
    config["autoTune"] = {
        "searchSpace": case.search_space,
        "algorithm": case.algorithm,
        "asha": True,  # turned off: a tabular trial has no epochs to stop between
        "budget": {"trials": 3, "concurrency": case.concurrency, "timeLimitMinutes": 5},
        "metric": case.metric,
        "mode": case.mode,
    }
    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as env, contextlib.redirect_stdout(stdout):
        env.setenv("MLOPS_JOB_CONFIG", json.dumps(config))
        returncode = tune.main()
    lines = [json.loads(raw) for raw in stdout.getvalue().splitlines() if raw.startswith('{"kind"')]
    return Tuned(case, JobRun(returncode, lines, ""), config["modelName"])


def inside(dimension: dict[str, Any], value: Any) -> bool:
    if dimension["type"] == "choice":
        return value in dimension["values"]
    if dimension["type"] == "int" and not isinstance(value, int):
        return False
    return bool(dimension["min"] <= value <= dimension["max"])


def test_trials_ran_distinct_configurations_inside_the_space(tuned: Tuned) -> None:
    assert tuned.run.returncode == 0
    assert tuned.run.of_kind("error") == []
    trials = tuned.trials()
    assert len(trials) == 3
    configs = [line["config"] for line in trials.values()]
    assert len({json.dumps(config, sort_keys=True) for config in configs}) == 3
    for line in trials.values():
        assert (line["state"], line["epoch"]) == ("SUCCEEDED", 1)
        assert tuned.case.metric in line["metrics"]
        assert set(line["config"]) == set(tuned.case.search_space)
        for name, value in line["config"].items():
            assert inside(tuned.case.search_space[name], value), (name, value)
            assert line["hyperparameters"][name] == value
        assert line["seed"] == 1234
    if tuned.case.defaults_point:
        assert tuned.case.defaults_point in configs


def test_the_best_trial_has_the_best_metric_and_its_model_is_registered(
    tuned: Tuned, mlflow_server: str
) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    trials = tuned.trials()
    result = tuned.run.one("result")
    scores = {trial_id: line["metrics"][tuned.case.metric] for trial_id, line in trials.items()}
    pick = max if tuned.case.mode == "max" else min
    assert scores[result["bestTrialId"]] == pick(scores.values())
    best = trials[result["bestTrialId"]]
    assert result["bestHyperparameters"] == best["hyperparameters"]
    assert result["registeredModel"] == {"name": tuned.model_name, "version": "1"}
    # The registered pipeline is the best trial's, measured again on the same test rows.
    final_names = (
        ("test_rmse", "test_r2")
        if tuned.case.hyperparameters.get("task") == "regression"
        else ("test_accuracy", "test_f1")
    )
    assert result["metrics"] == {
        f"final_{name}": pytest.approx(best["metrics"][name]) for name in final_names
    }

    client = MlflowClient(mlflow_server)
    version = client.get_model_version(tuned.model_name, "1")
    assert version.run_id == result["mlflowRunId"]
    assert version.tags["mlops.best_trial_id"] == result["bestTrialId"]
    assert version.tags["mlops.best_trial_run_id"] == best["mlflowRunId"]
    assert version.tags["mlops.dataset.id"] == "iris"


def test_each_trial_is_a_child_run_of_the_tune(tuned: Tuned, mlflow_server: str) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    client = MlflowClient(mlflow_server)
    parent = client.get_run(tuned.run.one("run_started")["mlflowRunId"])
    assert parent.info.status == "FINISHED"
    assert parent.data.tags["mlops.kind"] == "auto-tune"
    assert parent.data.params["tune.algorithm"] == tuned.case.algorithm
    assert parent.data.params["tune.asha"] == "False"
    assert parent.data.params["data.rows"] == "150"
    children = client.search_runs(
        [parent.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
    )
    trials = tuned.trials()
    assert {child.data.tags["mlops.trial_id"] for child in children} == set(trials)
    for child in children:
        line = trials[child.data.tags["mlops.trial_id"]]
        assert child.info.status == "FINISHED"
        assert child.info.run_id == line["mlflowRunId"]
        assert child.data.params["seed"] == "1234"
        for name, value in line["config"].items():
            assert child.data.params[name] == str(value)
        history = client.get_metric_history(child.info.run_id, tuned.case.metric)
        assert [(m.step, m.value) for m in history] == [(1, line["metrics"][tuned.case.metric])]
