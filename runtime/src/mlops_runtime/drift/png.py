"""8-bit grayscale PNG (zlib and struct only) for the report's sample images."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

__all__ = ["grayscale_png", "png_data_uri", "to_gray_pixels"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def grayscale_png(pixels: np.ndarray) -> bytes:
    """A PNG of a 2-D uint8 array (row 0 at the top)."""
    if pixels.ndim != 2:
        raise ValueError(f"expected a 2-D image, got shape {list(pixels.shape)}")
    image = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = image.shape
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit, grayscale
    rows = b"".join(b"\x00" + image[row].tobytes() for row in range(height))  # filter: none
    return (
        SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def to_gray_pixels(image: np.ndarray) -> np.ndarray | None:
    """A model input image as 2-D uint8 pixels ([0, 1] floats scaled to 255), or None when it is
    not one image ((H, W) or (1, H, W))."""
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 2 or array.dtype.kind not in "biuf":
        return None
    values = np.nan_to_num(array.astype(np.float64))
    if values.size and values.max() <= 1.0 and values.min() >= 0.0:
        values = values * 255.0
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def png_data_uri(pixels: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(grayscale_png(pixels)).decode("ascii")
