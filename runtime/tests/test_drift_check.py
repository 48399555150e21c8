"""`python -m mlops_runtime.drift_check` end to end: a real MLflow server, model versions
registered with the real training hooks (their drift reference profiles included), inference
logs written as Parquet by the serving code, and the report line the portal parses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
import pytest
import torch
from mlflow.tracking import MlflowClient

from mlops_runtime import drift_check
from mlops_runtime.drift.inference_window import Window, read_window
from mlops_runtime.drift.reference import DRIFT_REFERENCE_TAG, log_image_reference
from mlops_runtime.models import tabular_model
from mlops_runtime.serve.inference_log import write_parquet
from mlops_runtime.tabular_data import split_rows, target_table
from mlops_runtime.tabular_fit import fit_and_evaluate
from mlops_runtime.templates import load_template
from mlops_runtime.tracking import log_and_register_model, log_and_register_pipeline

REPO = Path(__file__).resolve().parents[2]
SIDE = 8
START = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


# --- a tiny image classifier: 10 noisy 8x8 patterns -------------------------------------------


def pattern_images(rng: np.random.Generator, count: int, noise: float = 0.25) -> tuple[Any, Any]:
    templates = np.random.default_rng(0).uniform(size=(10, 1, SIDE, SIDE)) > 0.5
    labels = rng.permutation(np.arange(count) % 10)  # balanced: no drift by chance class mix
    images = templates[labels] + rng.normal(0.0, noise, size=(count, 1, SIDE, SIDE))
    return np.clip(images, 0.0, 1.0).astype(np.float32), labels


def tiny_classifier() -> torch.nn.Module:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(SIDE * SIDE, 10))
    images, labels = pattern_images(np.random.default_rng(1), 2000)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    inputs, targets = torch.from_numpy(images), torch.from_numpy(labels)
    for _ in range(60):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(inputs), targets).backward()
        optimizer.step()
    return model.eval()


@dataclass(frozen=True)
class Registered:
    tracking_uri: str
    name: str
    version: str
    model: Any


def image_rows(
    model: torch.nn.Module, version: str, images: np.ndarray, start: datetime, per_request: int = 2
) -> list[dict[str, Any]]:
    """Inference log rows as the ingress writes them: OIP inputs and outputs of each request."""
    with torch.no_grad():
        outputs = model(torch.from_numpy(images)).numpy()
    rows = []
    for number, first in enumerate(range(0, len(images), per_request)):
        batch, logits = images[first : first + per_request], outputs[first : first + per_request]
        rows.append(
            {
                "ts": start + timedelta(seconds=number),
                "request_id": f"req-{version}-{start:%H%M}-{number}",
                "model_name": "digits-api",  # the deployment's OIP name, not the registered one
                "model_version": version,
                "key_id": "key-1",
                "inputs": json.dumps(
                    [
                        {
                            "name": "input-0",
                            "shape": list(batch.shape),
                            "datatype": "FP32",
                            "data": batch.reshape(-1).tolist(),
                        }
                    ]
                ),
                "outputs": json.dumps(
                    [
                        {
                            "name": "output-0",
                            "shape": list(logits.shape),
                            "datatype": "FP32",
                            "data": logits.reshape(-1).tolist(),
                        }
                    ]
                ),
                "latency_ms": 1.0,
            }
        )
    return rows


@pytest.fixture(scope="module")
def image_version(mlflow_server: str) -> Iterator[Registered]:
    mlflow.set_tracking_uri(mlflow_server)
    mlflow.set_experiment("drift-check-images")
    model = tiny_classifier()
    images, labels = pattern_images(np.random.default_rng(2), 1500)
    with mlflow.start_run():
        reference = log_image_reference(model, torch.from_numpy(images), torch.from_numpy(labels))
        version = log_and_register_model(
            model,
            images[:2],
            registered_model_name="drift-images",
            version_tags={DRIFT_REFERENCE_TAG: reference},
        )
    return Registered(mlflow_server, "drift-images", version, model)


def check_config(registered: Registered, log: Path, **extra: Any) -> dict[str, Any]:
    return {
        "trackingUri": registered.tracking_uri,
        "modelName": registered.name,
        "modelVersion": registered.version,
        "inferenceLogUri": log.as_uri(),
        "window": {"lastRequests": 200},
        **extra,
    }


def run_check(
    config: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    labels: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """drift_check.main in this process, as the Ray job runs it; its exit status and last line."""
    monkeypatch.setenv(drift_check.CONFIG_ENV, json.dumps(config))
    if labels is None:
        monkeypatch.delenv(drift_check.LABELS_ENV, raising=False)
    else:
        monkeypatch.setenv(drift_check.LABELS_ENV, json.dumps(labels))
    status = drift_check.main()
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return status, json.loads(lines[-1])


@pytest.fixture(scope="module")
def image_log(image_version: Registered, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 old requests of noisy images, then 150 clean ones, and rows of another version."""
    folder = tmp_path_factory.mktemp("image-log")
    uri = folder.as_uri()
    model, version = image_version.model, image_version.version
    noisy, _ = pattern_images(np.random.default_rng(3), 300, noise=0.8)
    clean, _ = pattern_images(np.random.default_rng(4), 300)
    write_parquet(uri, image_rows(model, version, noisy, START))
    write_parquet(uri, image_rows(model, version, clean[:150], START + timedelta(hours=1)))
    write_parquet(uri, image_rows(model, version, clean[150:], START + timedelta(hours=2)))
    write_parquet(uri, image_rows(model, "999", noisy, START + timedelta(hours=3)))
    return folder


def test_clean_requests_are_no_drift(
    image_version: Registered,
    image_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = check_config(image_version, image_log, window={"lastRequests": 150})
    status, report = run_check(config, monkeypatch, capsys)
    assert status == 0
    assert report["kind"] == "mlops.drift_report"
    assert (report["verdict"], report["method"]) == ("NO_DRIFT", "bbsd-ks")
    assert report["window"]["requests"] == 150 and report["window"]["instances"] == 300
    assert report["window"]["from"].startswith("2026-12-01T13:00:")
    assert report["referenceInstances"] == 1000
    assert len(report["tests"]) == 12
    assert report["tests"][3]["name"] == "p(class 3)"
    assert [test["name"] for test in report["tests"][10:]] == [
        "input mean intensity",
        "input background level",
    ]
    assert all(test["threshold"] == pytest.approx(0.05 / 12) for test in report["tests"])
    assert not report["prediction"]["drifted"]
    accuracy = report["accuracy"]
    assert accuracy["reference"] > 0.9
    assert accuracy["estimated"] == pytest.approx(accuracy["reference"], abs=0.06)
    assert report["driftedSamples"] == []


def test_labels_give_the_real_accuracy_of_the_window(
    image_version: Registered,
    image_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, truth = pattern_images(np.random.default_rng(4), 300)  # the clean images' classes
    version = image_version.version
    # The window ends with 75 requests of 2 images (clean[150:]): the first 20 labelled, one of them
    # with a single label (its second image stays unlabelled), and a request outside the window.
    labels: dict[str, Any] = {
        f"req-{version}-1400-{number}": [str(truth[150 + 2 * number + k]) for k in range(2)]
        for number in range(20)
    }
    labels[f"req-{version}-1400-0"] = str(truth[150])
    labels[f"req-{version}-1200-0"] = ["0", "0"]
    config = check_config(image_version, image_log, window={"lastRequests": 150})
    status, report = run_check(config, monkeypatch, capsys, labels)
    assert status == 0
    accuracy = report["accuracy"]
    assert accuracy["labelled"] == 39
    assert accuracy["real"] == pytest.approx(accuracy["reference"], abs=0.1)
    wrong = {key: ["1" if value != ["1"] else "2"] for key, value in labels.items()}
    _, report = run_check(config, monkeypatch, capsys, {k: v * 2 for k, v in wrong.items()})
    assert report["accuracy"]["real"] < 0.3
    status, line = run_check(config, monkeypatch, capsys, {"req-x": 7})
    assert (status, line["reason"]) == (2, "invalid config")
    assert (
        line["message"]
        == f"{drift_check.LABELS_ENV}: the label of req-x must be a string or strings"
    )


def test_noisy_requests_are_drift_with_sample_images(
    image_version: Registered,
    image_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = check_config(image_version, image_log, window={"lastRequests": 300})
    status, report = run_check(config, monkeypatch, capsys)
    assert status == 0
    assert report["verdict"] == "DRIFT"
    assert report["window"]["instances"] == 600  # version 999's rows are not in the window
    assert report["driftScore"] > 0.5
    assert report["accuracy"]["estimated"] < report["accuracy"]["reference"] - 0.1
    samples = report["driftedSamples"]
    assert len(samples) == 8
    assert samples[0]["confidence"] <= samples[-1]["confidence"]
    assert samples[0]["image"].startswith("data:image/png;base64,")
    assert samples[0]["requestId"].startswith(f"req-{image_version.version}-")
    assert len(json.dumps(report)) < 200_000


def test_an_empty_log_is_not_enough_data(
    image_version: Registered,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, report = run_check(
        check_config(image_version, tmp_path / "never-written"), monkeypatch, capsys
    )
    assert status == 0
    assert report["verdict"] == "NOT_ENOUGH_DATA"
    assert report["window"] == {"requests": 0, "instances": 0, "from": None, "to": None}
    assert (report["tests"], report["prediction"]) == ([], None)
    (tmp_path / "empty").mkdir()
    _, report = run_check(check_config(image_version, tmp_path / "empty"), monkeypatch, capsys)
    assert report["verdict"] == "NOT_ENOUGH_DATA"


def test_without_a_version_the_check_takes_the_one_that_answered_most(
    image_version: Registered,
    image_log: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = check_config(image_version, image_log, window={"lastRequests": 400})
    del config["modelVersion"], config["trackingUri"]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", image_version.tracking_uri)
    status, report = run_check(config, monkeypatch, capsys)
    assert status == 0
    assert report["modelVersion"] == image_version.version  # 250 of the last 400, "999" 150
    assert report["verdict"] == "DRIFT"
    _, report = run_check({**config, "inferenceLogUri": tmp_path.as_uri()}, monkeypatch, capsys)
    assert (report["verdict"], report["method"], report["referenceInstances"]) == (
        "NOT_ENOUGH_DATA",
        "none",
        0,
    )
    assert "modelVersion" not in report


def test_fewer_instances_than_min_instances_is_not_enough_data(
    image_version: Registered,
    image_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = check_config(image_version, image_log, window={"lastRequests": 10})
    _, report = run_check({**config, "minInstances": 21}, monkeypatch, capsys)
    assert report["verdict"] == "NOT_ENOUGH_DATA"
    assert report["window"]["instances"] == 20


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"window": {"lastHours": 3}}, "window"),
        ({"window": {"lastRequests": 0}}, "window.lastRequests"),
        ({"alpha": 1.5}, "alpha"),
        ({"inferenceLogUri": "relative/folder"}, "inferenceLogUri"),
        ({"modelName": ""}, "modelName"),
        ({"minInstances": "30"}, "minInstances"),
    ],
)
def test_a_bad_config_is_an_error_naming_the_field(
    image_version: Registered,
    image_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, Any],
    named: str,
) -> None:
    status, line = run_check(
        {**check_config(image_version, image_log), **change}, monkeypatch, capsys
    )
    assert status == 2
    assert (line["kind"], line["reason"]) == ("mlops.error", "invalid config")
    assert line["message"].startswith(named)


def test_a_version_without_reference_asks_for_retraining(
    image_version: Registered,
    image_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = MlflowClient(image_version.tracking_uri)
    old = client.get_model_version(image_version.name, image_version.version)
    created = client.create_model_version(
        image_version.name, f"runs:/{old.run_id}/model", run_id=old.run_id
    )
    config = {**check_config(image_version, image_log), "modelVersion": created.version}
    status, line = run_check(config, monkeypatch, capsys)
    assert (status, line["kind"], line["reason"]) == (2, "mlops.error", "no drift reference")
    assert "retrain" in line["message"]
    status, line = run_check({**config, "modelVersion": "4242"}, monkeypatch, capsys)
    assert (status, line["reason"]) == (2, "model version not found")


def test_the_entrypoint_runs_as_a_module(image_version: Registered, image_log: Path) -> None:
    env = {**os.environ, drift_check.CONFIG_ENV: json.dumps(check_config(image_version, image_log))}
    completed = subprocess.run(
        [sys.executable, "-m", "mlops_runtime.drift_check"],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["kind"] == "mlops.drift_report" and report["verdict"] == "DRIFT"


def test_the_window_reads_the_last_minutes_of_one_version(image_log: Path) -> None:
    now = START + timedelta(hours=2, minutes=30)
    window = read_window(image_log.as_uri(), "1", Window(last_minutes=60), now)
    assert len(window) == 75
    assert window.timestamps == sorted(window.timestamps)
    assert min(window.timestamps) >= now - timedelta(minutes=60)


# --- a tabular classifier ------------------------------------------------------------------


def feature_table(rng: np.random.Generator, rows: int, shift: float = 0.0) -> pd.DataFrame:
    x1, x2 = rng.normal(shift, 1.0, rows), rng.normal(shift, 1.0, rows)
    return pd.DataFrame(
        {
            "x1": x1,
            "x2": x2,
            "color": rng.choice(["red", "green", "blue"], rows),
            "label": np.where(x1 + x2 > 0, "yes", "no"),
        }
    )


@pytest.fixture(scope="module")
def table_version(mlflow_server: str) -> tuple[Registered, Any]:
    mlflow.set_tracking_uri(mlflow_server)
    mlflow.set_experiment("drift-check-tables")
    data = target_table(feature_table(np.random.default_rng(10), 600), "label", "classification")
    split = split_rows(data, 0.2, 0, stratify=True)
    hyperparameters = {**load_template("tabular-logreg").default_hyperparameters()}
    pipeline = tabular_model("tabular-logreg", hyperparameters, data.columns)
    fitted, evaluation = fit_and_evaluate(pipeline, split, "classification", 1)
    with mlflow.start_run():
        _, version = log_and_register_pipeline(
            fitted,
            evaluation,
            split,
            "classification",
            registered_model_name="drift-table",
            version_tags={},
        )
    return Registered(mlflow_server, "drift-table", version, fitted), data.columns


def table_rows(pipeline: Any, version: str, table: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for number, first in enumerate(range(0, len(table), 4)):
        part = table.iloc[first : first + 4].drop(columns="label")
        predicted = pipeline.predict(part)
        rows.append(
            {
                "ts": START + timedelta(seconds=number),
                "request_id": f"row-{number}",
                "model_name": "table-api",
                "model_version": version,
                "key_id": "key-1",
                "inputs": json.dumps(
                    [
                        {
                            "name": "x1",
                            "shape": [len(part)],
                            "datatype": "FP64",
                            "data": part["x1"].tolist(),
                        },
                        {
                            "name": "x2",
                            "shape": [len(part), 1],
                            "datatype": "FP64",
                            "data": part["x2"].tolist(),
                        },
                        {
                            "name": "color",
                            "shape": [len(part)],
                            "datatype": "BYTES",
                            "data": part["color"].tolist(),
                        },
                    ]
                ),
                "outputs": json.dumps(
                    [
                        {
                            "name": "output-0",
                            "shape": [len(part)],
                            "datatype": "BYTES",
                            "data": [str(value) for value in predicted],
                        }
                    ]
                ),
                "latency_ms": 1.0,
            }
        )
    return rows


@pytest.mark.parametrize(("shift", "verdict"), [(0.0, "NO_DRIFT"), (2.0, "DRIFT")])
def test_table_features_are_tested_with_evidently_rules(
    table_version: tuple[Registered, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    shift: float,
    verdict: str,
) -> None:
    registered, _ = table_version
    table = feature_table(np.random.default_rng(11), 400, shift)
    write_parquet(tmp_path.as_uri(), table_rows(registered.model, registered.version, table))
    status, report = run_check(check_config(registered, tmp_path), monkeypatch, capsys)
    assert status == 0
    assert (report["verdict"], report["method"]) == (verdict, "tabular-features")
    assert report["window"]["instances"] == 400
    assert report["referenceInstances"] == 600
    # A reference of 600 rows (<= 1000): KS for numbers, chi-squared for 3 categories.
    kinds = {test["name"]: test["kind"] for test in report["tests"]}
    assert kinds == {"x1": "ks", "x2": "ks", "color": "chi2"}
    drifted = {test["name"] for test in report["tests"] if test["drifted"]}
    if shift:
        assert drifted == {"x1", "x2"}
    else:
        assert len(drifted) <= 1  # each feature test is at alpha 0.05
    assert report["prediction"]["classes"] == ["no", "yes"]
    assert report["prediction"]["drifted"] == bool(shift)
    assert report["accuracy"]["estimated"] is None and report["accuracy"]["reference"] > 0.8
