"""Reading and checking tables, the split, and the tabular pipelines, in process (no Ray/MLflow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlops_runtime.errors import JobError
from mlops_runtime.models import tabular_model
from mlops_runtime.tabular_data import MIN_ROWS, load_table, split_rows, target_table
from mlops_runtime.tabular_fit import fit_and_evaluate
from mlops_runtime.templates import load_template

REPO = Path(__file__).resolve().parents[2]
IRIS_CSV = REPO / "plugins" / "datasets-backend" / "samples" / "iris-synthetic.csv"


@pytest.fixture
def iris() -> pd.DataFrame:
    return pd.read_csv(IRIS_CSV)


def job_error(call: object, *args: object) -> JobError:
    with pytest.raises(JobError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value


def test_reads_a_csv_folder_a_csv_file_and_parquet(tmp_path: Path, iris: pd.DataFrame) -> None:
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "iris.csv").write_bytes(IRIS_CSV.read_bytes())
    (tmp_path / "pq").mkdir()
    pq.write_table(pa.Table.from_pandas(iris), tmp_path / "pq" / "iris.parquet")

    from_folder = load_table(tmp_path / "csv", "csv")
    from_file = load_table(IRIS_CSV, "csv")
    from_parquet = load_table(tmp_path / "pq", "parquet")
    assert from_folder.shape == from_file.shape == from_parquet.shape == (150, 5)
    pd.testing.assert_frame_equal(from_parquet, from_folder, check_dtype=False)


def test_several_files_are_one_table_in_name_order(tmp_path: Path, iris: pd.DataFrame) -> None:
    iris.iloc[100:].to_csv(tmp_path / "b.csv", index=False)
    iris.iloc[:100].to_csv(tmp_path / "a.csv", index=False)
    (tmp_path / "README.md").write_text("not a table")
    table = load_table(tmp_path, "csv")
    assert len(table) == 150
    assert table["species"].iloc[0] == iris["species"].iloc[0]


def test_files_with_other_columns_are_named(tmp_path: Path, iris: pd.DataFrame) -> None:
    iris.to_csv(tmp_path / "a.csv", index=False)
    iris.drop(columns=["petal_width"]).to_csv(tmp_path / "b.csv", index=False)
    error = job_error(load_table, tmp_path, "csv")
    assert error.reason == "dataset is malformed"
    assert "b.csv" in error.message
    assert "same columns" in error.message


def test_no_table_file_is_dataset_not_found(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    error = job_error(load_table, tmp_path, "parquet")
    assert error.reason == "dataset not found"
    assert ".parquet" in error.message
    assert job_error(load_table, tmp_path / "missing", "csv").reason == "dataset not found"


def test_a_broken_parquet_file_is_malformed(tmp_path: Path) -> None:
    (tmp_path / "data.parquet").write_bytes(b"PAR1 this is not parquet")
    error = job_error(load_table, tmp_path, "parquet")
    assert error.reason == "dataset is malformed"
    assert "data.parquet" in error.message


def test_a_format_other_than_csv_or_parquet_is_refused(tmp_path: Path) -> None:
    assert "idx" in job_error(load_table, tmp_path, "idx").message


def test_missing_target_column_names_it_and_the_columns(iris: pd.DataFrame) -> None:
    error = job_error(target_table, iris, "label", "classification")
    assert error.reason == "target column not found"
    assert "'label'" in error.message
    assert "'species'" in error.message
    assert "'sepal_length'" in error.message
    assert job_error(target_table, iris, " ", "classification").reason == "target column not found"


def test_too_few_rows(iris: pd.DataFrame) -> None:
    few = iris.head(MIN_ROWS + 2).copy()
    few.loc[few.index[:3], "species"] = None  # rows without a target do not count
    error = job_error(target_table, few, "species", "classification")
    assert error.reason == "unusable table"
    assert f"too few rows: {MIN_ROWS - 1} row(s)" in error.message


def test_one_class_only(iris: pd.DataFrame) -> None:
    error = job_error(target_table, iris[iris["species"] == "setosa"], "species", "classification")
    assert "only one value ('setosa')" in error.message


def test_regression_needs_a_numeric_target(iris: pd.DataFrame) -> None:
    error = job_error(target_table, iris, "species", "regression")
    assert "regression needs a numeric target" in error.message
    assert "classification" in error.message


def test_a_continuous_target_is_not_a_classification(iris: pd.DataFrame) -> None:
    table = pd.DataFrame({"x": np.arange(300.0), "y": np.arange(300.0) * 1.5})
    error = job_error(target_table, table, "y", "classification")
    assert "300 distinct values" in error.message
    assert "regression" in error.message


def test_dates_are_not_features(iris: pd.DataFrame) -> None:
    iris["measured"] = pd.Timestamp("2026-01-01")
    error = job_error(target_table, iris, "species", "classification")
    assert error.reason == "unusable table"
    assert "measured (datetime64" in error.message


def test_features_numbers_as_floats_text_as_strings_and_unlabeled_rows_dropped(
    iris: pd.DataFrame,
) -> None:
    iris["garden"] = ["north", 7, None] * 50  # mixed types and missing values
    iris["watered"] = [True, False] * 75
    iris.loc[[0, 1], "species"] = None
    data = target_table(iris, "species", "classification")
    assert data.columns.numeric == (
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
        "watered",
    )
    assert data.columns.categorical == ("garden",)
    assert data.dropped_rows == 2
    assert len(data.features) == len(data.target) == 148
    assert data.features["watered"].dtype == np.float64
    assert set(data.features["garden"].dropna()) == {"north", "7"}
    assert data.features["garden"].isna().sum() == 50


def test_split_is_seeded_and_stratified(iris: pd.DataFrame) -> None:
    data = target_table(iris, "species", "classification")
    first = split_rows(data, 0.2, seed=7, stratify=True)
    again = split_rows(data, 0.2, seed=7, stratify=True)
    other = split_rows(data, 0.2, seed=8, stratify=True)
    assert len(first.test_target) == 30
    assert len(first.train_target) == 120
    assert list(first.test_features.index) == list(again.test_features.index)
    assert list(first.test_features.index) != list(other.test_features.index)
    assert first.test_target.value_counts().to_dict() == {
        "setosa": 10,
        "versicolor": 10,
        "virginica": 10,
    }


@pytest.mark.parametrize("template_id", ["tabular-hgb", "tabular-logreg"])
def test_pipelines_learn_from_text_categories_with_missing_values(template_id: str) -> None:
    """The class depends only on a text column (with gaps) and weakly on noise: a pipeline that
    ignored or mangled the categories could not score well."""
    rng = np.random.default_rng(0)
    colors = rng.choice(["red", "green", "blue"], size=600)
    table = pd.DataFrame(
        {
            "color": [
                None if gap else color
                for gap, color in zip(rng.random(600) < 0.05, colors, strict=True)
            ],
            "noise": rng.normal(size=600),
            "label": np.where(colors == "red", "stop", np.where(colors == "green", "go", "wait")),
        }
    )
    data = target_table(table, "label", "classification")
    split = split_rows(data, 0.25, seed=1, stratify=True)
    hyperparameters = load_template(template_id).default_hyperparameters()
    pipeline = tabular_model(template_id, hyperparameters, data.columns)
    fitted, evaluation = fit_and_evaluate(pipeline, split, "classification", cpus=1)
    assert evaluation.metrics["test_accuracy"] > 0.9
    assert evaluation.labels == ["go", "stop", "wait"]
    assert evaluation.confusion is not None
    assert evaluation.confusion.sum() == 150
    # Unseen categories at prediction time do not fail.
    assert len(fitted.predict(pd.DataFrame({"color": ["purple"], "noise": [0.0]}))) == 1


def test_hgb_regression_on_iris(iris: pd.DataFrame) -> None:
    hyperparameters = {
        **load_template("tabular-hgb").default_hyperparameters(),
        "task": "regression",
        "min_samples_leaf": 5,
    }
    data = target_table(iris, "petal_length", "regression")
    split = split_rows(data, 0.2, seed=3, stratify=False)
    pipeline = tabular_model("tabular-hgb", hyperparameters, data.columns)
    _, evaluation = fit_and_evaluate(pipeline, split, "regression", cpus=1)
    assert evaluation.confusion is None
    assert evaluation.metrics["test_r2"] > 0.8
    assert evaluation.metrics["test_rmse"] == pytest.approx(evaluation.metrics["test_loss"] ** 0.5)


@pytest.mark.parametrize(
    ("template_id", "task", "target"),
    [
        ("tabular-hgb", "classification", "species"),
        ("tabular-hgb", "regression", "petal_length"),
        ("tabular-logreg", "classification", "species"),
    ],
)
def test_fitted_pipelines_load_from_skops_trusting_only_the_listed_types(
    iris: pd.DataFrame, template_id: str, task: str, target: str
) -> None:
    """The registered models are written with skops; a type missing from SKOPS_TRUSTED_TYPES
    would make logging them fail."""
    import skops.io  # noqa: PLC0415

    from mlops_runtime.models.tabular import SKOPS_TRUSTED_TYPES  # noqa: PLC0415

    iris["garden"] = ["north", None, "south"] * 50
    hyperparameters = {
        **load_template(template_id).default_hyperparameters(),
        "target_column": target,
    }
    if task == "regression":
        hyperparameters["task"] = task
    data = target_table(iris, target, task)
    pipeline = tabular_model(template_id, hyperparameters, data.columns)
    pipeline.fit(data.features, data.target)
    dumped = skops.io.dumps(pipeline)
    assert set(skops.io.get_untrusted_types(data=dumped)) <= set(SKOPS_TRUSTED_TYPES)
    loaded = skops.io.loads(dumped, trusted=list(SKOPS_TRUSTED_TYPES))
    rows = data.features.head(3)
    assert list(loaded.predict(rows)) == list(pipeline.predict(rows))
