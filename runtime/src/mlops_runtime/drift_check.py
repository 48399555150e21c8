"""`python -m mlops_runtime.drift_check`: the drift check of one model version, a Ray job the
portal submits.

Reads its config from MLOPS_DRIFT_CHECK_CONFIG (JSON, camelCase): modelName (registered in
MLflow), inferenceLogUri (one deployment's log: file:///abs/folder or s3://bucket/prefix), window
({"lastRequests": n} or {"lastMinutes": m}), and optionally trackingUri (MLFLOW_TRACKING_URI),
modelVersion (the version that answered most of the window's requests), alpha (0.05),
minInstances (30) and driftShare (0.5, tables); ground-truth labels of logged requests in
MLOPS_DRIFT_CHECK_LABELS ({requestId: class or [class per input]}) for the real accuracy. Loads
the version's reference profile from MLflow (`drift/`), reads the window's rows of that version
from the inference log and prints one `mlops.drift_report` line:

- images: black-box shift detection (KS per class on the softmax outputs, Bonferroni), the
  predicted-class chi-squared test, the accuracy estimated by ATC and up to 8 of the least
  confident images of a drifted window as PNG data URIs;
- tables: a test per feature with Evidently's default rules, drift when >= driftShare of the
  features drift, the predicted-class chi-squared test (classification).

Fewer instances than minInstances (an empty or missing log among them) is the verdict
NOT_ENOUGH_DATA. Exit status: 0 with a report; 2 after an `mlops.error` line (invalid config, MLflow
unreachable, version or reference missing, log unreadable); 1 with a traceback otherwise.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import numpy as np

from mlops_runtime.drift.images import (
    atc_estimate,
    bbsd,
    input_statistics,
    prediction_shift,
    to_probabilities,
)
from mlops_runtime.drift.inference_window import (
    LogWindow,
    Window,
    dominant_version,
    image_instances,
    read_window,
    table_instances,
)
from mlops_runtime.drift.labels import Labels, parse_labels, real_accuracy
from mlops_runtime.drift.png import png_data_uri, to_gray_pixels
from mlops_runtime.drift.reference import ImageProfile, TableProfile, load_reference
from mlops_runtime.drift.tables import DRIFT_SHARE, table_drift
from mlops_runtime.errors import JobError
from mlops_runtime.mlflow_server import check_mlflow
from mlops_runtime.progress import run_entrypoint

__all__ = ["CONFIG_ENV", "LABELS_ENV", "DriftCheckConfig", "check", "main", "parse_config"]

CONFIG_ENV = "MLOPS_DRIFT_CHECK_CONFIG"
LABELS_ENV = "MLOPS_DRIFT_CHECK_LABELS"
INVALID_CONFIG = "invalid config"
MAX_SAMPLES = 8
MAX_REPORT_BYTES = 200_000
MAX_WINDOW_REQUESTS = 1_000_000
MAX_WINDOW_MINUTES = 366 * 24 * 60


@dataclass(frozen=True)
class DriftCheckConfig:
    tracking_uri: str
    model_name: str
    model_version: str | None
    inference_log_uri: str
    window: Window
    alpha: float = 0.05
    min_instances: int = 30
    drift_share: float = DRIFT_SHARE
    labels: Labels = field(default_factory=dict)


def _text(config: Mapping[str, Any], name: str) -> str:
    value = config.get(name)
    if not isinstance(value, str) or not value.strip():
        raise JobError(INVALID_CONFIG, f"{name} must be a non-empty string")
    return value.strip()


def _integer(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise JobError(INVALID_CONFIG, f"{name} must be an integer from {low} to {high}")
    return value


def _fraction(value: object, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value < 1
    ):
        raise JobError(INVALID_CONFIG, f"{name} must be a number between 0 and 1 (exclusive)")
    return float(value)


def _log_uri(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme == "file" and parsed.path.startswith("/") and not parsed.netloc:
        return value
    if parsed.scheme == "s3" and parsed.netloc:
        return value
    raise JobError(
        INVALID_CONFIG, "inferenceLogUri must be a file:///absolute/folder or s3://bucket/prefix"
    )


def _window(value: object) -> Window:
    if not isinstance(value, Mapping) or len(value) != 1:
        raise JobError(INVALID_CONFIG, 'window must be {"lastRequests": n} or {"lastMinutes": m}')
    if "lastRequests" in value:
        count = _integer(value["lastRequests"], "window.lastRequests", 1, MAX_WINDOW_REQUESTS)
        return Window(last_requests=count)
    if "lastMinutes" in value:
        return Window(
            last_minutes=_integer(value["lastMinutes"], "window.lastMinutes", 1, MAX_WINDOW_MINUTES)
        )
    raise JobError(INVALID_CONFIG, 'window must be {"lastRequests": n} or {"lastMinutes": m}')


def parse_config(text: str | None, labels: str | None = None) -> DriftCheckConfig:
    if not text:
        raise JobError(INVALID_CONFIG, f"{CONFIG_ENV} is not set")
    try:
        config = json.loads(text)
    except ValueError as error:
        raise JobError(INVALID_CONFIG, f"{CONFIG_ENV} is not valid JSON: {error}") from None
    if not isinstance(config, Mapping):
        raise JobError(INVALID_CONFIG, f"{CONFIG_ENV} must be a JSON object")
    if config.get("trackingUri") is None and os.environ.get("MLFLOW_TRACKING_URI"):
        config = {**config, "trackingUri": os.environ["MLFLOW_TRACKING_URI"]}
    tracking_uri = _text(config, "trackingUri")
    version = config.get("modelVersion")
    if isinstance(version, int) and not isinstance(version, bool):
        version = str(version)
    if version is not None and (not isinstance(version, str) or not version.strip().isdigit()):
        raise JobError(INVALID_CONFIG, 'modelVersion must be a version number such as "3"')
    return DriftCheckConfig(
        tracking_uri=tracking_uri,
        model_name=_text(config, "modelName"),
        model_version=version.strip() if version is not None else None,
        inference_log_uri=_log_uri(_text(config, "inferenceLogUri")),
        window=_window(config.get("window")),
        alpha=_fraction(config.get("alpha", 0.05), "alpha"),
        min_instances=_integer(config.get("minInstances", 30), "minInstances", 1, 1_000_000),
        drift_share=_fraction(config.get("driftShare", DRIFT_SHARE), "driftShare"),
        labels=parse_labels(labels, LABELS_ENV),
    )


def _iso(stamp: datetime | None) -> str | None:
    return None if stamp is None else stamp.isoformat().replace("+00:00", "Z")


def _window_json(requests: int, instances: int, timestamps: list[datetime]) -> dict[str, Any]:
    return {
        "requests": requests,
        "instances": instances,
        "from": _iso(min(timestamps)) if timestamps else None,
        "to": _iso(max(timestamps)) if timestamps else None,
    }


def _finite(value: Any) -> Any:
    """The value with every NaN or infinity (anywhere inside) as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _input_statistics(
    profile: ImageProfile, images: list[np.ndarray | None], min_instances: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None:
    """The reference's and the window's input statistics, where the log holds enough images (of
    one shape) for them."""
    if not profile.inputs:
        return None
    logged = [image for image in images if image is not None]
    shapes = {image.size for image in logged}
    if len(logged) < min_instances or len(shapes) != 1:
        return None
    return profile.inputs, input_statistics(np.stack(logged))


def _image_report(
    config: DriftCheckConfig, profile: ImageProfile, window: LogWindow
) -> dict[str, Any]:
    instances = image_instances(window, len(profile.classes))
    current = to_probabilities(instances.outputs)
    predicted = current.argmax(axis=1)
    report: dict[str, Any] = {
        "method": "bbsd-ks",
        "window": _window_json(instances.requests, len(instances), instances.timestamps),
        "referenceInstances": len(profile),
        "accuracy": {
            "estimated": None,
            "reference": profile.accuracy,
            "method": "atc",
            **real_accuracy(
                instances.request_ids, [profile.classes[i] for i in predicted], config.labels
            ),
        },
    }
    if len(instances) < config.min_instances:
        return report
    shift = bbsd(
        profile.probabilities,
        current,
        profile.classes,
        config.alpha,
        inputs=_input_statistics(profile, instances.images, config.min_instances),
    )
    confidence = current.max(axis=1)
    samples = []
    if shift.drifted:
        for index in np.argsort(confidence, kind="stable")[:MAX_SAMPLES]:
            image = instances.images[index]
            pixels = to_gray_pixels(image) if image is not None else None
            samples.append(
                {
                    "requestId": instances.request_ids[index],
                    "ts": _iso(instances.timestamps[index]),
                    "predicted": profile.classes[predicted[index]],
                    "confidence": round(float(confidence[index]), 6),
                    "image": png_data_uri(pixels) if pixels is not None else None,
                }
            )
    return {
        **report,
        "verdict": "DRIFT" if shift.drifted else "NO_DRIFT",
        "driftScore": shift.score,
        "tests": [test.as_json() for test in shift.tests],
        "prediction": prediction_shift(
            profile.predicted_counts, predicted, profile.classes, config.alpha
        ).as_json(),
        "accuracy": {
            **report["accuracy"],
            "estimated": atc_estimate(confidence, profile.atc_threshold),
        },
        "driftedSamples": samples,
    }


def _current_column(values: list[Any], numeric: bool) -> list[Any]:
    if not numeric:
        return [None if value is None else str(value) for value in values]
    numbers = []
    for value in values:
        try:
            numbers.append(float(value) if value is not None else math.nan)
        except (TypeError, ValueError):
            numbers.append(math.nan)
    return numbers


def _table_prediction(
    profile: TableProfile, predictions: list[Any], alpha: float
) -> dict[str, Any] | None:
    if profile.task != "classification" or not profile.classes:
        return None
    labels = [str(value) for value in predictions if value is not None]
    classes = list(profile.classes) + sorted(set(labels) - set(profile.classes))
    index = {label: position for position, label in enumerate(classes)}
    reference = np.zeros(len(classes))
    reference[: len(profile.predicted_counts)] = profile.predicted_counts
    predicted = np.asarray([index[label] for label in labels], dtype=np.int64)
    return prediction_shift(reference, predicted, classes, alpha).as_json()


def _table_report(
    config: DriftCheckConfig, profile: TableProfile, window: LogWindow
) -> dict[str, Any]:
    instances = table_instances(window, list(profile.columns))
    accuracy: dict[str, Any] = {"estimated": None, "reference": profile.accuracy, "method": "atc"}
    if profile.task == "classification":
        accuracy.update(real_accuracy(instances.request_ids, instances.predictions, config.labels))
    report: dict[str, Any] = {
        "method": "tabular-features",
        "window": _window_json(instances.requests, len(instances), instances.timestamps),
        "referenceInstances": len(profile),
        "accuracy": accuracy,
    }
    if len(instances) < config.min_instances:
        return report
    numeric = set(profile.numeric)
    reference = {
        name: (
            [math.nan if value is None else float(value) for value in values]
            if name in numeric
            else values
        )
        for name, values in profile.columns.items()
    }
    current = {
        name: _current_column(values, name in numeric)
        for name, values in instances.columns.items()
        if any(value is not None for value in values)
    }
    drift = table_drift(
        reference,
        current,
        profile.kinds,
        reference_rows=profile.reference_rows,
        alpha=config.alpha,
        drift_share=config.drift_share,
    )
    return {
        **report,
        "verdict": "DRIFT" if drift.drifted else "NO_DRIFT",
        "driftScore": drift.score,
        "tests": [test.as_json() for test in drift.tests],
        "prediction": _table_prediction(profile, instances.predictions, config.alpha),
    }


def _bounded(report: dict[str, Any]) -> str:
    """The report as one JSON line under MAX_REPORT_BYTES: histograms, then samples, dropped
    when it is larger."""
    line = json.dumps(report, allow_nan=False, separators=(",", ":"))
    for test in report["tests"]:
        if len(line.encode()) < MAX_REPORT_BYTES:
            break
        test["histogram"] = {}
        line = json.dumps(report, allow_nan=False, separators=(",", ":"))
    while len(line.encode()) >= MAX_REPORT_BYTES and report["driftedSamples"]:
        report["driftedSamples"].pop()
        line = json.dumps(report, allow_nan=False, separators=(",", ":"))
    while len(line.encode()) >= MAX_REPORT_BYTES and report["tests"]:
        report["tests"].pop()
        line = json.dumps(report, allow_nan=False, separators=(",", ":"))
    return line


def _no_requests(config: DriftCheckConfig, started: float) -> dict[str, Any]:
    """The report of a window in which no version of the model answered a request."""
    return {
        "kind": "mlops.drift_report",
        "verdict": "NOT_ENOUGH_DATA",
        "method": "none",
        "modelName": config.model_name,
        "window": _window_json(0, 0, []),
        "referenceInstances": 0,
        "alpha": config.alpha,
        "driftScore": 0.0,
        "tests": [],
        "prediction": None,
        "accuracy": {"estimated": None, "reference": None, "method": "atc"},
        "driftedSamples": [],
        "durationS": round(time.perf_counter() - started, 3),
    }


def check(config: DriftCheckConfig) -> dict[str, Any]:
    """The drift report of the config's version and window (the `mlops.drift_report` fields)."""
    import mlflow

    started = time.perf_counter()
    check_mlflow(config.tracking_uri)
    mlflow.set_tracking_uri(config.tracking_uri)
    version = config.model_version or dominant_version(config.inference_log_uri, config.window)
    if version is None:
        return _no_requests(config, started)
    profile = load_reference(config.model_name, version)
    window = read_window(config.inference_log_uri, version, config.window)
    if isinstance(profile, ImageProfile):
        body = _image_report(config, profile, window)
    else:
        body = _table_report(config, profile, window)
    report = {
        "kind": "mlops.drift_report",
        "verdict": "NOT_ENOUGH_DATA",
        "method": body["method"],
        "modelName": config.model_name,
        "modelVersion": version,
        "window": body["window"],
        "referenceInstances": body["referenceInstances"],
        "alpha": config.alpha,
        "driftScore": 0.0,
        "tests": [],
        "prediction": None,
        "accuracy": body["accuracy"],
        "driftedSamples": [],
        **{key: value for key, value in body.items() if key not in {"method", "window"}},
    }
    report["durationS"] = round(time.perf_counter() - started, 3)
    finite: dict[str, Any] = _finite(report)
    return finite


def _run(text: str | None, labels: str | None) -> None:
    report = check(parse_config(text, labels))
    sys.stdout.write(_bounded(report) + "\n")
    sys.stdout.flush()


def main() -> int:
    return run_entrypoint(lambda _: _run(os.environ.get(CONFIG_ENV), os.environ.get(LABELS_ENV)))


if __name__ == "__main__":
    sys.exit(main())
