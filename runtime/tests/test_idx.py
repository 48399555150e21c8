"""IDX reader/writer: round trips, exact byte layout, and every malformed-input case."""

from __future__ import annotations

import gzip
import io
import struct
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from mlops_runtime.idx import IDX_DTYPES, IdxFormatError, read_idx, write_idx


def idx_bytes(code: int, dims: tuple[int, ...], data: bytes = b"") -> bytes:
    """Builds an IDX file by hand (independently of write_idx): magic, big-endian dims, data."""
    return bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + data


def write_bytes(tmp_path: Path, payload: bytes, name: str = "f.idx", *, gz: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(payload, mtime=0) if gz else payload)
    return path


class OneWayStream(io.RawIOBase):
    """A non-seekable stream (like a socket or pipe), for the chunked-read path."""

    def __init__(self, payload: bytes) -> None:
        self._inner = io.BytesIO(payload)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._inner.readinto(buffer)


def check(exc: pytest.ExceptionInfo[IdxFormatError], reason: str, *fragments: str) -> None:
    assert exc.value.reason == reason, str(exc.value)
    for fragment in fragments:
        assert fragment in str(exc.value), f"{fragment!r} not in {exc.value}"


# --- round trips -----------------------------------------------------------------------------

SAMPLES: dict[str, npt.NDArray[Any]] = {
    "uint8": np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 10,
    "int8": np.array([[-128, -1, 0], [1, 64, 127]], dtype=np.int8),
    "int16": np.array([-32768, -2, 0, 258, 32767], dtype=np.int16),
    "int32": np.array([[-(2**31), -1], [65536, 2**31 - 1]], dtype=np.int32),
    "float32": np.array([[-1.5, 0.0], [3.25, np.inf]], dtype=np.float32),
    "float64": np.linspace(-1e300, 1e300, 7).reshape(7, 1, 1),
}


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip_every_dtype(tmp_path: Path, name: str, suffix: str) -> None:
    original = SAMPLES[name]
    path = write_idx(tmp_path / f"{name}.idx{suffix}", original)
    assert path.read_bytes()[:2] == (b"\x1f\x8b" if suffix else b"\x00\x00")

    loaded = read_idx(path)

    assert loaded.dtype == original.dtype
    assert loaded.dtype.isnative
    assert loaded.shape == original.shape
    np.testing.assert_array_equal(loaded, original)
    loaded.flat[0] = 0  # callers get a writable array of their own


def test_reads_hand_built_file_with_big_endian_values(tmp_path: Path) -> None:
    # int16 0x0102 = 258 and 0xFFFE = -2; int32 0x00010000 = 65536
    short = write_bytes(tmp_path, idx_bytes(0x0B, (2,), b"\x01\x02\xff\xfe"), "s.idx")
    np.testing.assert_array_equal(read_idx(short), np.array([258, -2], dtype=np.int16))
    word = write_bytes(tmp_path, idx_bytes(0x0C, (1, 1), b"\x00\x01\x00\x00"), "w.idx")
    np.testing.assert_array_equal(read_idx(word), np.array([[65536]], dtype=np.int32))
    real = write_bytes(tmp_path, idx_bytes(0x0D, (1,), struct.pack(">f", 0.15625)), "f.idx")
    np.testing.assert_array_equal(read_idx(real), np.array([0.15625], dtype=np.float32))


def test_writer_emits_the_standard_mnist_layout(tmp_path: Path) -> None:
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    path = write_idx(tmp_path / "train-images-idx3-ubyte", images)
    assert path.read_bytes() == idx_bytes(0x08, (2, 28, 28), images.tobytes())
    assert path.read_bytes()[:4] == b"\x00\x00\x08\x03"  # the magic 2051 of MNIST images


def test_empty_dimension_round_trips(tmp_path: Path) -> None:
    empty = np.zeros((0, 28, 28), dtype=np.uint8)
    assert read_idx(write_idx(tmp_path / "e.idx", empty)).shape == (0, 28, 28)


def test_gzip_is_detected_from_content_not_name(tmp_path: Path) -> None:
    data = np.arange(12, dtype=np.uint8)
    gz_without_suffix = write_bytes(tmp_path, idx_bytes(0x08, (12,), data.tobytes()), gz=True)
    plain_with_gz_suffix = write_bytes(tmp_path, idx_bytes(0x08, (12,), data.tobytes()), "p.gz")
    np.testing.assert_array_equal(read_idx(gz_without_suffix), data)
    np.testing.assert_array_equal(read_idx(plain_with_gz_suffix), data)


@pytest.mark.parametrize("gz", [False, True])
def test_reads_file_objects_including_non_seekable_streams(gz: bool) -> None:
    data = np.arange(6, dtype=np.int16).reshape(2, 3)
    payload = idx_bytes(0x0B, (2, 3), data.astype(">i2").tobytes())
    payload = gzip.compress(payload) if gz else payload
    np.testing.assert_array_equal(read_idx(io.BytesIO(payload)), data)
    np.testing.assert_array_equal(read_idx(io.BufferedReader(OneWayStream(payload))), data)


# --- writer input checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "fragment"),
    [
        (np.zeros(3, dtype=np.uint16), "cannot store dtype uint16"),
        (np.zeros(3, dtype=np.complex64), "cannot store dtype complex64"),
        (np.array(5, dtype=np.uint8), "not 0"),
    ],
)
def test_writer_rejects_what_idx_cannot_hold(
    tmp_path: Path, array: np.ndarray, fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        write_idx(tmp_path / "x.idx", array)
    assert list(tmp_path.iterdir()) == []


def test_writer_replaces_atomically_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "labels.idx"
    write_idx(target, np.zeros(3, dtype=np.uint8))
    write_idx(target, np.ones(5, dtype=np.uint8))
    assert [p.name for p in tmp_path.iterdir()] == ["labels.idx"]
    np.testing.assert_array_equal(read_idx(target), np.ones(5, dtype=np.uint8))


# --- malformed input --------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_bad_magic(tmp_path: Path, gz: bool) -> None:
    path = write_bytes(tmp_path, b"\x01\x00\x08\x01" + b"\x00\x00\x00\x01" + b"\x05", gz=gz)
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    check(exc, "bad_magic", "bad magic number 0x01000801", str(path))


def test_text_file_is_bad_magic(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"label,pixel0\n5,0\n", "data.csv")
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    check(exc, "bad_magic", "two zero bytes")


@pytest.mark.parametrize("code", [0x00, 0x07, 0x0A, 0x0F, 0xFF])
def test_unknown_dtype_code(tmp_path: Path, code: int) -> None:
    path = write_bytes(tmp_path, idx_bytes(code, (1,), b"\x00"))
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    check(exc, "unknown_dtype", f"unknown dtype code 0x{code:02X}", "0x08")


def test_zero_dimensions(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"\x00\x00\x08\x00\x05")
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    check(exc, "bad_ndim", "0 dimensions")


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"", "0 bytes, too short"),
        (b"\x00\x00\x08", "3 bytes, too short"),
        (
            b"\x00\x00\x08\x03" + b"\x00\x00\x00\x02" + b"\x00\x00",
            "declares 3 dimensions but ends after 1",
        ),
    ],
)
@pytest.mark.parametrize("gz", [False, True])
def test_truncated_header(tmp_path: Path, payload: bytes, fragment: str, gz: bool) -> None:
    path = write_bytes(tmp_path, payload, gz=gz)
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    check(exc, "truncated", fragment)


def test_truncated_data_plain(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, idx_bytes(0x08, (3, 28, 28), bytes(3 * 28 * 28 - 1)))
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    check(exc, "truncated", "3x28x28 uint8", "2352 bytes", "only 2351 bytes")


@pytest.mark.parametrize("stream", [False, True])
def test_truncated_data_gzip_and_stream(tmp_path: Path, stream: bool) -> None:
    payload = idx_bytes(0x0C, (10,), bytes(4 * 10 - 3))
    if stream:
        source: object = io.BufferedReader(OneWayStream(payload))
    else:
        source = write_bytes(tmp_path, payload, gz=True)
    with pytest.raises(IdxFormatError) as exc:
        read_idx(source)  # type: ignore[arg-type]
    check(exc, "truncated", "ends after 37 of the 40 bytes", "10 int32")


def test_truncated_gzip_stream(tmp_path: Path) -> None:
    compressed = gzip.compress(idx_bytes(0x08, (1000,), bytes(range(256)) * 3 + bytes(232)))
    path = write_bytes(tmp_path, compressed[: len(compressed) // 2])
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    assert exc.value.reason in {"truncated", "bad_gzip"}
    assert str(path) in str(exc.value)


@pytest.mark.parametrize("gz", [False, True])
def test_trailing_bytes(tmp_path: Path, gz: bool) -> None:
    path = write_bytes(tmp_path, idx_bytes(0x08, (2, 2), bytes(4) + b"junk!"), gz=gz)
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    check(exc, "trailing_bytes", "after the 4 bytes of 2x2 uint8")
    if not gz:
        assert "5 unexpected bytes" in str(exc.value)


def test_trailing_bytes_on_a_stream() -> None:
    stream = io.BufferedReader(OneWayStream(idx_bytes(0x08, (1,), b"\x07\x08")))
    with pytest.raises(IdxFormatError) as exc:
        read_idx(stream)
    check(exc, "trailing_bytes")


def test_corrupt_gzip_crc(tmp_path: Path) -> None:
    compressed = bytearray(gzip.compress(idx_bytes(0x08, (4,), b"\x01\x02\x03\x04"), mtime=0))
    compressed[-8] ^= 0xFF  # CRC32 of the member
    path = write_bytes(tmp_path, bytes(compressed))
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    check(exc, "bad_gzip", "corrupt gzip", "CRC")


def test_corrupt_deflate_data(tmp_path: Path) -> None:
    compressed = bytearray(gzip.compress(idx_bytes(0x08, (64,), bytes(range(64))), mtime=0))
    compressed[10] = 0xFF  # first byte of the deflate stream: block type 3 is invalid
    path = write_bytes(tmp_path, bytes(compressed))
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path)
    check(exc, "bad_gzip", "corrupt gzip")


HUGE = (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)


def test_huge_dims_in_plain_file_fail_before_any_allocation(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, idx_bytes(0x0E, HUGE, bytes(64)))
    tracemalloc.start()
    try:
        with pytest.raises(IdxFormatError) as exc:
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    check(exc, "truncated", "4294967295x4294967295x4294967295 float64", "only 64 bytes")
    assert peak < 1 << 20


def test_huge_dims_in_gzip_file_exceed_what_the_compressed_size_allows(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, idx_bytes(0x08, (60000, 28, 28), bytes(100)), gz=True)
    tracemalloc.start()
    try:
        with pytest.raises(IdxFormatError) as exc:
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    check(exc, "too_large", "60000x28x28 uint8", "47040000 bytes", "compressed bytes")
    assert peak < 1 << 20


def test_huge_dims_on_an_unsized_stream_read_in_bounded_chunks() -> None:
    # No size is known up front, so the reader must stop at the real end of the data instead of
    # allocating the 4 GiB the header claims.
    stream = io.BufferedReader(OneWayStream(idx_bytes(0x08, (1 << 16, 1 << 16), bytes(1000))))
    tracemalloc.start()
    try:
        with pytest.raises(IdxFormatError) as exc:
            read_idx(stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    check(exc, "truncated", "ends after 1000 of the 4294967296 bytes")
    assert peak < 4 << 20


def test_max_bytes_caps_what_a_valid_file_may_declare(tmp_path: Path) -> None:
    path = write_idx(tmp_path / "big.idx", np.zeros((10, 10), dtype=np.float32))
    assert read_idx(path, max_bytes=400).shape == (10, 10)
    with pytest.raises(IdxFormatError) as exc:
        read_idx(path, max_bytes=399)
    check(exc, "too_large", "400 bytes", "allowed 399 bytes")


def test_every_dtype_code_is_covered() -> None:
    assert sorted(IDX_DTYPES) == [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]
    assert {str(d.newbyteorder("=")) for d in IDX_DTYPES.values()} == {
        str(np.dtype(n)) for n in SAMPLES
    }
