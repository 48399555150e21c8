"""`python -m mlops_runtime.train_tabular` end to end, as the portal runs it: a real local Ray
(started by the job), a real MLflow server, the sample iris table of the datasets plugin as CSV
and as Parquet written with pyarrow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from test_train import JobRun, run_entrypoint

from mlops_runtime.templates import load_template

REPO = Path(__file__).resolve().parents[2]
IRIS_CSV = REPO / "plugins" / "datasets-backend" / "samples" / "iris-synthetic.csv"
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def job_config(
    tmp_path: Path,
    tracking_uri: str,
    *,
    template_id: str,
    job_id: str,
    dataset: Path,
    data_format: str = "csv",
    **hyperparameters: Any,
) -> dict[str, Any]:
    template = load_template(template_id)
    return {
        "jobId": job_id,
        "template": {"id": template.id, "version": template.version},
        "dataset": {"id": "iris", "version": "v1", "format": data_format, "path": str(dataset)},
        "hyperparameters": {**template.default_hyperparameters(), **hyperparameters},
        "seed": 1234,
        "resources": {"numWorkers": 1, "cpusPerWorker": 1, "useGpu": False},
        "modelName": f"model-{job_id}",
        "mlflow": {"trackingUri": tracking_uri, "experimentName": f"exp-{job_id}"},
        "storagePath": str(tmp_path / "ray-results"),
    }


def run_job(config: dict[str, Any]) -> JobRun:
    return run_entrypoint("mlops_runtime.train_tabular", config)


@pytest.fixture(scope="module")
def csv_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample as the datasets plugin stores it: a folder holding iris-synthetic.csv."""
    folder = tmp_path_factory.mktemp("iris-csv")
    (folder / IRIS_CSV.name).write_bytes(IRIS_CSV.read_bytes())
    return folder


@pytest.fixture(scope="module")
def parquet_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("iris-parquet")
    pq.write_table(pa.Table.from_pandas(pd.read_csv(IRIS_CSV)), folder / "iris.parquet")
    return folder


@pytest.fixture(scope="module")
def hgb_run(
    tmp_path_factory: pytest.TempPathFactory, mlflow_server: str, csv_dataset: Path
) -> JobRun:
    """The gradient-boosted trees with every default on the sample CSV: what a user gets by
    picking the template and the sample dataset."""
    tmp_path = tmp_path_factory.mktemp("hgb")
    config = job_config(
        tmp_path, mlflow_server, template_id="tabular-hgb", job_id="hgb", dataset=csv_dataset
    )
    return run_job(config)


def test_hgb_with_defaults_learns_the_sample_csv(hgb_run: JobRun) -> None:
    assert hgb_run.returncode == 0, hgb_run.stderr[-3000:]
    assert hgb_run.of_kind("error") == []
    started = hgb_run.one("run_started")
    progress = hgb_run.one("progress")
    result = hgb_run.one("result")
    assert (progress["epoch"], progress["epochs"]) == (1, 1)
    assert {"train_accuracy", "test_accuracy", "test_f1", "test_loss"} <= set(progress["metrics"])
    assert result["mlflowRunId"] == started["mlflowRunId"]
    assert result["registeredModel"] == {"name": "model-hgb", "version": "1"}
    # Three species, 30 test rows: guessing scores about 33%.
    assert result["metrics"]["final_test_accuracy"] >= 0.85
    assert result["metrics"]["final_test_accuracy"] == progress["metrics"]["test_accuracy"]


def test_hgb_run_is_tracked_in_mlflow(hgb_run: JobRun, mlflow_server: str) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    client = MlflowClient(mlflow_server)
    result = hgb_run.one("result")
    run = client.get_run(result["mlflowRunId"])
    assert run.info.status == "FINISHED"
    params = run.data.params
    assert params["target_column"] == "species"
    assert params["max_iter"] == "100"
    assert (params["data.rows"], params["data.train_rows"], params["data.test_rows"]) == (
        "150",
        "120",
        "30",
    )
    assert params["data.numeric_features"] == "4"
    assert run.data.tags["mlops.template"] == f"tabular-hgb@{load_template('tabular-hgb').version}"
    history = client.get_metric_history(run.info.run_id, "test_accuracy")
    assert [(m.step, m.value) for m in history] == [(1, result["metrics"]["final_test_accuracy"])]

    confusion = json.loads(
        Path(client.download_artifacts(run.info.run_id, "confusion_matrix.json")).read_text()
    )
    assert confusion["labels"] == ["setosa", "versicolor", "virginica"]
    matrix = confusion["matrix"]
    assert sum(map(sum, matrix)) == 30
    assert sum(matrix[i][i] for i in range(3)) / 30 == pytest.approx(
        run.data.metrics["final_test_accuracy"]
    )


def test_hgb_model_is_registered_with_signature_and_predicts(
    hgb_run: JobRun, mlflow_server: str
) -> None:
    import mlflow  # noqa: PLC0415
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    result = hgb_run.one("result")
    version = MlflowClient(mlflow_server).get_model_version("model-hgb", "1")
    assert version.run_id == result["mlflowRunId"]
    assert version.tags["mlops.job_id"] == "hgb"

    mlflow.set_tracking_uri(mlflow_server)
    info = mlflow.models.get_model_info("models:/model-hgb/1")
    assert info.signature is not None
    assert info.signature.inputs.input_names() == FEATURES
    assert info.saved_input_example_info is not None
    model = mlflow.pyfunc.load_model("models:/model-hgb/1")
    iris = pd.read_csv(IRIS_CSV)
    predicted = model.predict(iris[FEATURES])
    assert (predicted == iris["species"]).mean() > 0.85


def test_logreg_learns_the_sample_as_parquet(
    tmp_path: Path, mlflow_server: str, parquet_dataset: Path
) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    config = job_config(
        tmp_path,
        mlflow_server,
        template_id="tabular-logreg",
        job_id="logreg",
        dataset=parquet_dataset,
        data_format="parquet",
    )
    run = run_job(config)
    assert run.returncode == 0, run.stderr[-3000:]
    result = run.one("result")
    assert result["registeredModel"] == {"name": "model-logreg", "version": "1"}
    assert result["metrics"]["final_test_accuracy"] >= 0.85
    assert result["metrics"]["final_test_f1"] >= 0.85
    mlflow_run = MlflowClient(mlflow_server).get_run(result["mlflowRunId"])
    assert mlflow_run.data.params["C"] == "1.0"


def test_hgb_regression_predicts_a_number(
    tmp_path: Path, mlflow_server: str, csv_dataset: Path
) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    config = job_config(
        tmp_path,
        mlflow_server,
        template_id="tabular-hgb",
        job_id="hgb-regression",
        dataset=csv_dataset,
        target_column="petal_length",
        task="regression",
        min_samples_leaf=5,
    )
    run = run_job(config)
    assert run.returncode == 0, run.stderr[-3000:]
    result = run.one("result")
    assert set(result["metrics"]) == {"final_test_rmse", "final_test_r2"}
    assert result["metrics"]["final_test_r2"] > 0.8
    client = MlflowClient(mlflow_server)
    artifacts = {a.path for a in client.list_artifacts(result["mlflowRunId"])}
    assert "confusion_matrix.json" not in artifacts
    assert client.get_model_version("model-hgb-regression", "1").run_id == result["mlflowRunId"]


def test_missing_target_column_is_named_before_anything_runs(
    tmp_path: Path, mlflow_server: str, csv_dataset: Path
) -> None:
    from mlflow.tracking import MlflowClient  # noqa: PLC0415

    config = job_config(
        tmp_path,
        mlflow_server,
        template_id="tabular-logreg",
        job_id="no-target",
        dataset=csv_dataset,
        target_column="label",
    )
    run = run_job(config)
    assert run.returncode == 2, run.stderr[-3000:]
    error = run.one("error")
    assert error["reason"] == "target column not found"
    assert "'label'" in error["message"]
    assert "'species'" in error["message"]
    assert run.of_kind("run_started") == []
    assert MlflowClient(mlflow_server).get_experiment_by_name("exp-no-target") is None


def test_an_image_template_is_refused(tmp_path: Path, csv_dataset: Path) -> None:
    config = job_config(
        tmp_path, "http://127.0.0.1:9", template_id="mnist-mlp", job_id="x", dataset=csv_dataset
    )
    config["dataset"]["format"] = "idx"
    run = run_job(config)
    assert run.returncode == 2
    error = run.one("error")
    assert error["reason"] == "invalid job config"
    assert "not a tabular template" in error["message"]


def test_a_tabular_template_refuses_an_idx_dataset(tmp_path: Path, csv_dataset: Path) -> None:
    config = job_config(
        tmp_path, "http://127.0.0.1:9", template_id="tabular-hgb", job_id="x", dataset=csv_dataset
    )
    config["dataset"]["format"] = "idx"
    run = run_job(config)
    assert run.returncode == 2
    assert "dataset.format" in run.one("error")["message"]
