"""The drift detectors on synthetic data: no false alarms on samples of the reference's
distribution, detection of clear shifts, Evidently's rules for tables, ATC and the PNG writer."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from mlops_runtime.drift.images import (
    atc_estimate,
    atc_threshold,
    bbsd,
    input_statistics,
    prediction_shift,
    to_probabilities,
)
from mlops_runtime.drift.png import grayscale_png, to_gray_pixels
from mlops_runtime.drift.stats import chi2_test, z_test
from mlops_runtime.drift.tables import (
    column_kind,
    feature_test,
    stat_test_kind,
    table_drift,
)

CLASSES = [str(label) for label in range(10)]


def logits(rng: np.random.Generator, count: int, margin: float = 4.0) -> np.ndarray:
    """Outputs of a fictitious 10-class model: noise plus `margin` on a uniform random class."""
    values = rng.normal(size=(count, 10))
    values[np.arange(count), rng.integers(0, 10, count)] += margin
    return values


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return to_probabilities(logits(np.random.default_rng(0), 1000))


def test_probabilities_are_softmax_of_logits_and_kept_when_already_probabilities() -> None:
    raw = np.array([[0.0, np.log(3.0)], [2.0, 2.0]])
    probabilities = to_probabilities(raw)
    np.testing.assert_allclose(probabilities, [[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_array_equal(to_probabilities(probabilities), probabilities)


def test_no_false_alarm_on_windows_of_the_reference_distribution(reference: np.ndarray) -> None:
    alarms = sum(
        bbsd(reference, to_probabilities(logits(np.random.default_rng(seed), 200)), CLASSES).drifted
        for seed in range(1, 51)
    )
    assert alarms <= 5


def test_a_clear_shift_is_detected(reference: np.ndarray) -> None:
    detected = [
        bbsd(reference, to_probabilities(logits(np.random.default_rng(seed), 200, 2.0)), CLASSES)
        for seed in range(1, 11)
    ]
    assert all(result.drifted for result in detected)
    assert min(result.score for result in detected) > 0.5


def test_the_class_tests_use_the_bonferroni_threshold(reference: np.ndarray) -> None:
    between = 0
    for seed in range(1, 51):
        current = to_probabilities(logits(np.random.default_rng(seed), 200))
        result = bbsd(reference, current, CLASSES, alpha=0.05)
        assert result.threshold == pytest.approx(0.005)
        p_values = [test.p_value for test in result.tests if test.p_value is not None]
        assert [test.threshold for test in result.tests] == [0.005] * 10
        assert result.drifted == (min(p_values) < 0.005)
        if 0.005 <= min(p_values) < 0.05:
            between += 1
            assert not result.drifted
    assert between > 0  # some windows had a p-value a single test at 0.05 would call drift


def test_input_statistics_catch_noise_that_leaves_the_outputs_alone(reference: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    digits = np.zeros((1200, 8, 8))
    digits[:, 2:6, 3:5] = rng.uniform(0.6, 1.0, size=(1200, 4, 2))  # a bright stroke on black
    noisy = digits[1000:].copy()
    noisy[::2] = np.clip(noisy[::2] + rng.normal(0.0, 0.04, size=noisy[::2].shape), 0.0, 1.0)
    stats_before = input_statistics(digits[:1000])
    assert set(stats_before) == {"mean intensity", "background level"}
    assert stats_before["background level"].max() == 0.0
    same = to_probabilities(logits(np.random.default_rng(8), 200))
    plain = bbsd(reference, same, CLASSES)
    assert not plain.drifted
    assert len(plain.tests) == 10
    clean = bbsd(reference, same, CLASSES, inputs=(stats_before, input_statistics(digits[1000:])))
    assert not clean.drifted
    assert clean.threshold == pytest.approx(0.05 / 12)
    shifted = bbsd(reference, same, CLASSES, inputs=(stats_before, input_statistics(noisy * 255)))
    assert shifted.drifted
    drifted = [test.name for test in shifted.tests if test.drifted]
    assert "input background level" in drifted
    assert not any(name.startswith("p(class") for name in drifted)


def test_histograms_of_class_tests_have_21_edges_and_fractions(reference: np.ndarray) -> None:
    result = bbsd(reference, reference[:100], CLASSES)
    histogram = result.tests[3].histogram
    assert result.tests[3].name == "p(class 3)"
    assert len(histogram["edges"]) == 21
    assert sum(histogram["reference"]) == pytest.approx(1.0, abs=1e-4)
    assert sum(histogram["current"]) == pytest.approx(1.0, abs=1e-4)


def test_prediction_shift_handles_classes_that_are_never_predicted() -> None:
    reference_counts = np.array([500, 500, 0])
    same = prediction_shift(reference_counts, np.array([0, 1] * 50), ["a", "b", "c"])
    assert not same.drifted
    assert same.p_value == pytest.approx(1.0)
    skewed = prediction_shift(reference_counts, np.array([0] * 90 + [2] * 10), ["a", "b", "c"])
    assert skewed.drifted
    assert np.isfinite(skewed.statistic)
    assert skewed.current == [0.9, 0.0, 0.1]


def test_evidently_rules_choose_the_test_by_kind_and_reference_size() -> None:
    numbers = list(np.arange(100, dtype=float))
    assert column_kind(numbers) == "num"
    assert column_kind([0.0, 1.0, 2.0, 0.0]) == "cat"
    assert column_kind(["a", "b"]) == "cat"
    assert stat_test_kind("num", numbers, 1000) == "ks"
    assert stat_test_kind("cat", ["a", "b", "a"], 1000) == "z"
    assert stat_test_kind("cat", ["a", "b", "c"], 1000) == "chi2"
    assert stat_test_kind("num", numbers, 1001) == "wasserstein"
    assert stat_test_kind("cat", ["a", "b"], 1001) == "jensenshannon"


def test_small_reference_numeric_feature_uses_ks_at_alpha() -> None:
    rng = np.random.default_rng(3)
    reference = rng.normal(size=500)
    same = feature_test("x", "num", reference, rng.normal(size=300))
    shifted = feature_test("x", "num", reference, rng.normal(0.5, 1.0, size=300))
    assert (same.kind, same.threshold, same.drifted) == ("ks", 0.05, False)
    assert shifted.drifted
    assert shifted.p_value is not None and shifted.p_value < 0.05
    assert len(shifted.histogram["edges"]) == 21


def test_large_reference_switches_to_distances_with_threshold_0_1() -> None:
    rng = np.random.default_rng(4)
    reference = rng.normal(10.0, 2.0, size=1000)
    small_shift = feature_test(
        "x", "num", reference, rng.normal(10.04, 2.0, size=5000), reference_rows=5000
    )
    large_shift = feature_test(
        "x", "num", reference, rng.normal(10.6, 2.0, size=5000), reference_rows=5000
    )
    assert (small_shift.kind, small_shift.p_value, small_shift.threshold) == (
        "wasserstein",
        None,
        0.1,
    )
    assert small_shift.statistic < 0.1 and not small_shift.drifted
    assert large_shift.statistic == pytest.approx(0.3, abs=0.08) and large_shift.drifted
    categories = ["a"] * 500 + ["b"] * 500
    same = feature_test("c", "cat", categories, ["a", "b"] * 200, reference_rows=2000)
    skewed = feature_test("c", "cat", categories, ["a"] * 380 + ["b"] * 20, reference_rows=2000)
    assert same.kind == "jensenshannon" and not same.drifted
    assert skewed.drifted and skewed.statistic >= 0.1


def test_categorical_tests_detect_a_changed_mix() -> None:
    reference = ["red", "green", "blue"] * 200
    assert chi2_test(reference, ["red", "green", "blue"] * 50)[1] > 0.5
    assert chi2_test(reference, ["red"] * 100 + ["green"] * 30 + ["blue"] * 20)[1] < 1e-6
    binary = ["yes"] * 300 + ["no"] * 300
    assert z_test(binary, ["yes", "no"] * 100)[1] > 0.5
    assert z_test(binary, ["yes"] * 150 + ["no"] * 50)[1] < 1e-4


def test_table_drifts_when_the_share_of_drifted_features_reaches_drift_share() -> None:
    rng = np.random.default_rng(5)
    reference = {f"x{index}": rng.normal(size=400) for index in range(4)}
    current = {f"x{index}": rng.normal(size=300) for index in range(4)}
    current["x0"] = current["x0"] + 3.0
    current["x1"] = current["x1"] + 3.0
    half = table_drift(reference, current)
    assert [test.drifted for test in half.tests] == [True, True, False, False]
    assert half.score == 0.5 and half.drifted
    assert not table_drift(reference, current, drift_share=0.75).drifted
    current.pop("x3")  # a feature the current data lacks is not tested
    assert len(table_drift(reference, current).tests) == 3


def _confidences(
    rng: np.random.Generator, count: int, accuracy: float
) -> tuple[np.ndarray, np.ndarray]:
    """Max-softmax confidences of a model that is right on a share `accuracy` of the instances:
    right ones are confident (Beta(8, 2)), wrong ones are not (Beta(2, 8))."""
    right = rng.uniform(size=count) < accuracy
    return np.where(right, rng.beta(8, 2, size=count), rng.beta(2, 8, size=count)), right


def test_atc_estimates_the_accuracy_when_harder_instances_become_more_frequent() -> None:
    rng = np.random.default_rng(6)
    reference_confidence, reference_right = _confidences(rng, 20000, 0.9)
    reference_accuracy = float(reference_right.mean())
    threshold = atc_threshold(reference_confidence, reference_accuracy)
    assert np.mean(reference_confidence > threshold) == pytest.approx(reference_accuracy, abs=1e-3)
    current_confidence, current_right = _confidences(rng, 20000, 0.6)
    estimate = atc_estimate(current_confidence, threshold)
    assert estimate is not None
    assert estimate == pytest.approx(float(current_right.mean()), abs=0.05)
    assert reference_accuracy - estimate > 0.2
    assert atc_estimate(np.zeros(0), threshold) is None


def _png_pixels(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        payload = png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF
        chunks[kind] = payload
        position += 12 + length
    width, height, depth, color, _, _, _ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, color) == (8, 0)
    raw = zlib.decompress(chunks[b"IDAT"])
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, width + 1)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:]


def test_png_decodes_with_zlib_to_the_same_pixels() -> None:
    pixels = np.random.default_rng(7).integers(0, 256, size=(28, 20), dtype=np.uint8)
    np.testing.assert_array_equal(_png_pixels(grayscale_png(pixels)), pixels)


def test_model_input_images_become_8_bit_pixels() -> None:
    image = np.zeros((1, 4, 4), dtype=np.float32)
    image[0, 1, 2] = 1.0
    image[0, 3, 0] = 0.5
    pixels = to_gray_pixels(image)
    assert pixels is not None
    assert pixels[1, 2] == 255 and pixels[3, 0] == 128 and pixels.sum() == 255 + 128
    assert to_gray_pixels(np.zeros((3, 4, 4))) is None
