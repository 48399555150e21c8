"""Reader and writer for IDX files, the format MNIST ships in.

An IDX file is::

    magic   4 bytes: 0x00 0x00 <dtype code> <ndim>
    dims    ndim big-endian uint32 values
    data    prod(dims) items of the dtype, big-endian, row-major

optionally wrapped in gzip (detected from the content, not the file name).

Every header field is checked before anything is allocated from it: the data size the header
declares is compared with the bytes that can really be there (the file size for plain files, a
bound from the compressed size for gzip), and data is read in chunks, so a forged header cannot
make the reader allocate more than the input really holds. Any problem raises `IdxFormatError`
with a `reason` code and a message naming the file and the problem.
"""

from __future__ import annotations

import gzip
import math
import os
import stat
import struct
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, Literal, Protocol

import numpy as np
import numpy.typing as npt

__all__ = [
    "IDX_DTYPES",
    "MNIST_FILES",
    "IdxFormatError",
    "IdxHeader",
    "MnistData",
    "MnistFormatError",
    "find_mnist_files",
    "load_mnist",
    "read_idx",
    "write_idx",
]

IdxErrorReason = Literal[
    "bad_magic",
    "unknown_dtype",
    "bad_ndim",
    "truncated",
    "trailing_bytes",
    "too_large",
    "bad_gzip",
    "bad_dataset",
]


class IdxFormatError(ValueError):
    """An IDX file (or a dataset made of IDX files) is malformed.

    `reason` is a stable machine-readable code (see `IdxErrorReason`); the message is for people.
    """

    def __init__(self, reason: IdxErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason: IdxErrorReason = reason


class MnistFormatError(IdxFormatError):
    """The IDX files are individually valid but do not form an MNIST-style dataset."""

    def __init__(self, message: str) -> None:
        super().__init__("bad_dataset", message)


# IDX dtype code -> numpy dtype of the (big-endian) on-disk items.
IDX_DTYPES: Final[dict[int, np.dtype[np.generic]]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_BY_KIND: Final[dict[tuple[str, int], int]] = {
    (dtype.kind, dtype.itemsize): code for code, dtype in IDX_DTYPES.items()
}

_GZIP_MAGIC: Final = b"\x1f\x8b"
# Deflate cannot expand data by more than about 1032:1; anything claiming more is forged.
_MAX_DEFLATE_RATIO: Final = 1032
_CHUNK: Final = 1 << 20
_MAX_DIM: Final = 0xFFFFFFFF


@dataclass(frozen=True)
class IdxHeader:
    dtype: np.dtype[np.generic]
    dims: tuple[int, ...]

    @property
    def header_bytes(self) -> int:
        return 4 + 4 * len(self.dims)

    @property
    def data_bytes(self) -> int:
        return math.prod(self.dims) * self.dtype.itemsize

    def describe(self) -> str:
        shape = "x".join(str(d) for d in self.dims)
        return f"{shape} {self.dtype.newbyteorder('=').name}"


def read_idx(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    max_bytes: int | None = None,
) -> npt.NDArray[np.generic]:
    """Reads one IDX file (plain or gzip) into a native-endian, writable numpy array.

    `source` is a path or a binary file object positioned at the start of the file.
    `max_bytes` optionally caps the decoded data size; larger files raise
    `IdxFormatError(reason="too_large")` before their data is read.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        with open(path, "rb") as raw:
            info = os.fstat(raw.fileno())
            size = info.st_size if stat.S_ISREG(info.st_mode) else None  # a FIFO has no size
            return _read(raw, str(path), size, max_bytes)
    name = str(getattr(source, "name", "<stream>"))
    return _read(source, name, _remaining_size(source), max_bytes)


def _remaining_size(stream: BinaryIO) -> int | None:
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
        return end - here
    except (OSError, AttributeError, ValueError):
        return None


def _read(
    raw: BinaryIO, name: str, size: int | None, max_bytes: int | None
) -> npt.NDArray[np.generic]:
    first = _peek_prefix(raw)
    if first.startswith(_GZIP_MAGIC):
        # A forged header inside a gzip stream cannot be checked against the decoded size
        # up front; bound it by what the compressed bytes could possibly expand to.
        bound = None if size is None else size * _MAX_DEFLATE_RATIO
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return _read_stream(stream, name, None, bound, max_bytes)
        except EOFError as exc:
            raise IdxFormatError(
                "truncated", f"IDX file {name!r}: the gzip stream ends early ({exc})"
            ) from exc
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise IdxFormatError(
                "bad_gzip", f"IDX file {name!r}: corrupt gzip data ({exc})"
            ) from exc
    return _read_stream(raw, name, size, None, max_bytes)


def _peek_prefix(raw: BinaryIO) -> bytes:
    """Returns the first two bytes without consuming them (rewinding or buffering)."""
    if raw.seekable():
        here = raw.tell()
        prefix = raw.read(2)
        raw.seek(here)
        return prefix
    peek = getattr(raw, "peek", None)
    if callable(peek):
        return bytes(peek(2)[:2])
    raise TypeError("read_idx needs a seekable stream or one with peek() (e.g. io.BufferedReader)")


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _read_stream(
    stream: _Reader,
    name: str,
    exact_size: int | None,
    size_bound: int | None,
    max_bytes: int | None,
) -> npt.NDArray[np.generic]:
    header = _read_header(stream, name)
    declared = header.data_bytes
    if max_bytes is not None and declared > max_bytes:
        raise IdxFormatError(
            "too_large",
            f"IDX file {name!r}: header declares {header.describe()} data of {declared} bytes, "
            f"more than the allowed {max_bytes} bytes",
        )
    if exact_size is not None:
        available = exact_size - header.header_bytes
        if declared > available:
            raise IdxFormatError(
                "truncated",
                f"IDX file {name!r}: header declares {header.describe()} data of {declared} bytes "
                f"but the file holds only {available} bytes after the header "
                "(truncated file, or dims larger than the file)",
            )
        if declared < available:
            raise IdxFormatError(
                "trailing_bytes",
                f"IDX file {name!r}: {available - declared} unexpected bytes after the "
                f"{declared} bytes of {header.describe()} data the header declares",
            )
    if size_bound is not None and declared > size_bound:
        raise IdxFormatError(
            "too_large",
            f"IDX file {name!r}: header declares {header.describe()} data of {declared} bytes, "
            f"more than its {size_bound // _MAX_DEFLATE_RATIO} compressed bytes can hold "
            "(dims larger than the file)",
        )

    data = _read_exactly(stream, declared)
    if len(data) < declared:
        raise IdxFormatError(
            "truncated",
            f"IDX file {name!r}: data ends after {len(data)} of the {declared} bytes "
            f"of {header.describe()} data the header declares",
        )
    if exact_size is None:
        extra = stream.read(1)  # for gzip this also reaches the end and checks the CRC
        if extra:
            raise IdxFormatError(
                "trailing_bytes",
                f"IDX file {name!r}: unexpected bytes after the {declared} bytes "
                f"of {header.describe()} data the header declares",
            )

    # frombuffer over a bytearray is writable; astype only copies when bytes need swapping.
    array = np.frombuffer(data, dtype=header.dtype).reshape(header.dims)
    return array.astype(header.dtype.newbyteorder("="), copy=False)


def _read_header(stream: _Reader, name: str) -> IdxHeader:
    magic = stream.read(4)
    if len(magic) < 4:
        raise IdxFormatError(
            "truncated", f"IDX file {name!r}: {len(magic)} bytes, too short for the 4-byte magic"
        )
    if magic[0] != 0 or magic[1] != 0:
        raise IdxFormatError(
            "bad_magic",
            f"IDX file {name!r}: bad magic number 0x{magic.hex()} "
            "(an IDX file starts with two zero bytes)",
        )
    code, ndim = magic[2], magic[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise IdxFormatError(
            "unknown_dtype", f"IDX file {name!r}: unknown dtype code 0x{code:02X} (known: {known})"
        )
    if ndim == 0:
        raise IdxFormatError("bad_ndim", f"IDX file {name!r}: header declares 0 dimensions")
    raw_dims = stream.read(4 * ndim)
    if len(raw_dims) < 4 * ndim:
        raise IdxFormatError(
            "truncated",
            f"IDX file {name!r}: header declares {ndim} dimensions but ends after "
            f"{len(raw_dims) // 4}",
        )
    dims = struct.unpack(f">{ndim}I", raw_dims)
    return IdxHeader(dtype=IDX_DTYPES[code], dims=dims)


def _read_exactly(stream: _Reader, count: int) -> bytearray:
    """Reads up to `count` bytes, in chunks, so memory grows only with the bytes really read."""
    buffer = bytearray()
    while len(buffer) < count:
        chunk = stream.read(min(_CHUNK, count - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return buffer


def write_idx(
    path: str | os.PathLike[str],
    array: npt.ArrayLike,
    *,
    compress: bool | None = None,
) -> Path:
    """Writes `array` as an IDX file; gzip-compressed when `compress` (default: path ends .gz).

    The file is written to a temporary name and renamed into place, so a failure never leaves
    a half-written file behind. Returns the path written.
    """
    target = Path(path)
    data = np.asarray(array)
    code = _CODE_BY_KIND.get((data.dtype.kind, data.dtype.itemsize))
    if code is None:
        raise ValueError(f"IDX cannot store dtype {data.dtype} (supported: {_supported()})")
    if not 1 <= data.ndim <= 255:
        raise ValueError(f"IDX stores 1 to 255 dimensions, not {data.ndim}")
    if any(d > _MAX_DIM for d in data.shape):
        raise ValueError(f"IDX dimensions must fit in uint32, got shape {data.shape}")
    payload = _encode(data, code)
    if compress is None:
        compress = target.suffix == ".gz"
    if compress:
        payload = gzip.compress(payload, mtime=0)

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def _encode(data: npt.NDArray[np.generic], code: int) -> bytes:
    header = bytes([0, 0, code, data.ndim]) + struct.pack(f">{data.ndim}I", *data.shape)
    return header + np.ascontiguousarray(data, dtype=IDX_DTYPES[code]).tobytes()


def _supported() -> str:
    return ", ".join(str(d.newbyteorder("=")) for d in IDX_DTYPES.values())


# --- MNIST -----------------------------------------------------------------------------------

MNIST_FILES: Final[dict[str, str]] = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
MNIST_NUM_CLASSES: Final = 10


@dataclass(frozen=True)
class MnistData:
    """MNIST-style dataset: uint8 images (N, H, W) and uint8 labels (N,) in 0..9."""

    train_images: npt.NDArray[np.uint8]
    train_labels: npt.NDArray[np.uint8]
    test_images: npt.NDArray[np.uint8]
    test_labels: npt.NDArray[np.uint8]

    @property
    def image_shape(self) -> tuple[int, int]:
        return (int(self.train_images.shape[1]), int(self.train_images.shape[2]))


def _candidates(base: str) -> Sequence[str]:
    # The standard name; some mirrors use a dot before "idx". Uncompressed wins over .gz.
    dotted = base.replace("-idx", ".idx")
    return (base, f"{base}.gz", dotted, f"{dotted}.gz")


def find_mnist_files(directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Locates the four MNIST files in `directory` (plain or .gz); raises FileNotFoundError."""
    root = Path(directory)
    if not root.is_dir():
        raise FileNotFoundError(f"MNIST directory {str(root)!r} does not exist")
    found: dict[str, Path] = {}
    missing: list[str] = []
    for key, base in MNIST_FILES.items():
        path = next((root / c for c in _candidates(base) if (root / c).is_file()), None)
        if path is None:
            missing.append(f"{base}[.gz]")
        else:
            found[key] = path
    if missing:
        raise FileNotFoundError(f"MNIST directory {str(root)!r} lacks {', '.join(missing)}")
    return found


def load_mnist(directory: str | os.PathLike[str]) -> MnistData:
    """Loads and validates an MNIST-style dataset from the four standard IDX files."""
    files = find_mnist_files(directory)
    arrays: dict[str, npt.NDArray[np.uint8]] = {}
    for split in ("train", "test"):
        images_path, labels_path = files[f"{split}_images"], files[f"{split}_labels"]
        images = _uint8(read_idx(images_path), 3, images_path.name, "images (count x rows x cols)")
        labels = _uint8(read_idx(labels_path), 1, labels_path.name, "labels")
        if images.shape[0] != labels.shape[0]:
            raise MnistFormatError(
                f"{split} split: {images_path.name} has {images.shape[0]} images but "
                f"{labels_path.name} has {labels.shape[0]} labels"
            )
        out_of_range = np.flatnonzero(labels >= MNIST_NUM_CLASSES)
        if out_of_range.size:
            bad = int(out_of_range[0])
            raise MnistFormatError(
                f"{labels_path.name}: label {int(labels[bad])} at index {bad} is outside "
                f"0..{MNIST_NUM_CLASSES - 1}"
            )
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = images, labels
    if arrays["train_images"].shape[1:] != arrays["test_images"].shape[1:]:
        raise MnistFormatError(
            f"train images are {arrays['train_images'].shape[1:]} but test images are "
            f"{arrays['test_images'].shape[1:]}"
        )
    return MnistData(**arrays)


def _uint8(
    array: npt.NDArray[np.generic], ndim: int, name: str, what: str
) -> npt.NDArray[np.uint8]:
    if array.dtype != np.uint8 or array.ndim != ndim:
        raise MnistFormatError(
            f"{name}: expected {ndim}-D uint8 {what}, found {array.ndim}-D {array.dtype} "
            f"with shape {array.shape}"
        )
    return array.astype(np.uint8, copy=False)
