"""The sampled inference log: Parquet files in a folder (file://) or an S3 bucket (s3://).

Each file holds up to `batch_size` rows, written when that many are buffered or after
`flush_interval_s`, under `<uri>/date=YYYY-MM-DD/part-<UTC time>-<random>.parquet` (a Hive
partition, so `pyarrow.dataset.dataset(uri, partitioning="hive")` reads the whole log).
Columns: ts (UTC), request_id, model_name, model_version, key_id, inputs (JSON: the OIP input
tensors), outputs (JSON: the OIP output tensors), latency_ms. S3 credentials and endpoint come
from the usual AWS_* environment variables (AWS_ENDPOINT_URL for MinIO and other S3 servers).
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse

from mlops_runtime.serve.errors import ConfigError

__all__ = [
    "InferenceLog",
    "LogSettings",
    "filesystem_for",
    "parse_log_settings",
    "write_parquet",
]

logger = logging.getLogger(__name__)

# Rows kept when writes keep failing; older rows are dropped beyond this.
MAX_BUFFERED_BATCHES = 10


@dataclass(frozen=True)
class LogSettings:
    sample_rate: float
    uri: str
    batch_size: int = 100
    flush_interval_s: float = 10.0


def parse_log_settings(value: object) -> LogSettings | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigError("inference_log must be an object or null")
    rate = value.get("sample_rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise ConfigError("inference_log.sample_rate must be a number between 0 and 1")
    uri = value.get("uri")
    if not isinstance(uri, str) or urlparse(uri).scheme not in ("file", "s3"):
        raise ConfigError("inference_log.uri must be a file:///absolute/folder or s3:// URI")
    parsed = urlparse(uri)
    if parsed.scheme == "file" and not parsed.path.startswith("/"):
        raise ConfigError("inference_log.uri file:// needs an absolute path")
    if parsed.scheme == "s3" and not parsed.netloc:
        raise ConfigError("inference_log.uri s3:// needs a bucket")
    batch_size = value.get("batch_size", 100)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError("inference_log.batch_size must be a positive integer")
    interval = value.get("flush_interval_s", 10.0)
    if (
        isinstance(interval, bool)
        or not isinstance(interval, int | float)
        or not math.isfinite(interval)
        or interval <= 0
    ):
        raise ConfigError("inference_log.flush_interval_s must be a positive number")
    return LogSettings(float(rate), uri, batch_size, float(interval))


def filesystem_for(uri: str) -> tuple[Any, str]:
    """The pyarrow filesystem of a file:// or s3:// log URI, and the root path in it."""
    from pyarrow import fs  # noqa: PLC0415

    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return fs.LocalFileSystem(), parsed.path.rstrip("/")
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    options: dict[str, Any] = {"region": region}
    if endpoint:
        endpoint_url = urlparse(endpoint)
        options["endpoint_override"] = endpoint_url.netloc or endpoint
        options["scheme"] = endpoint_url.scheme or "https"
    return fs.S3FileSystem(**options), f"{parsed.netloc}{parsed.path}".rstrip("/")


def write_parquet(uri: str, rows: list[dict[str, Any]]) -> str:
    """Writes `rows` as one Parquet file under `uri`; returns the file's path."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    filesystem, root = filesystem_for(uri)
    now = datetime.now(timezone.utc)
    folder = f"{root}/date={now:%Y-%m-%d}"
    name = f"part-{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.parquet"
    table = pa.Table.from_pylist(rows, schema=_schema())
    filesystem.create_dir(folder, recursive=True)
    if urlparse(uri).scheme == "file":
        # Readers skip names starting with "."; the rename makes the file appear complete.
        temporary = f"{folder}/.{name}.tmp"
        pq.write_table(table, temporary, filesystem=filesystem)
        filesystem.move(temporary, f"{folder}/{name}")
    else:
        pq.write_table(table, f"{folder}/{name}", filesystem=filesystem)
    return f"{folder}/{name}"


def _schema() -> Any:
    import pyarrow as pa  # noqa: PLC0415

    return pa.schema(
        [
            ("ts", pa.timestamp("us", tz="UTC")),
            ("request_id", pa.string()),
            ("model_name", pa.string()),
            ("model_version", pa.string()),
            ("key_id", pa.string()),
            ("inputs", pa.string()),
            ("outputs", pa.string()),
            ("latency_ms", pa.float64()),
        ]
    )


class InferenceLog:
    """Buffers sampled rows; `due()` says when the buffer should be written."""

    def __init__(
        self,
        settings: LogSettings,
        sample: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._sample = sample
        self._clock = clock
        self._rows: list[dict[str, Any]] = []
        self._last_flush = clock()

    def sampled(self) -> bool:
        return self.settings.sample_rate > 0 and self._sample() < self.settings.sample_rate

    def add(
        self,
        *,
        request_id: str,
        model_name: str,
        model_version: str,
        key_id: str,
        inputs: list[dict[str, Any]],
        outputs: list[dict[str, Any]],
        latency_ms: float,
    ) -> None:
        self._rows.append(
            {
                "ts": datetime.now(timezone.utc),
                "request_id": request_id,
                "model_name": model_name,
                "model_version": model_version,
                "key_id": key_id,
                "inputs": json.dumps(inputs, separators=(",", ":")),
                "outputs": json.dumps(outputs, separators=(",", ":")),
                "latency_ms": latency_ms,
            }
        )
        limit = MAX_BUFFERED_BATCHES * self.settings.batch_size
        if len(self._rows) > limit:
            del self._rows[: len(self._rows) - limit]

    def due(self) -> bool:
        if not self._rows:
            return False
        return (
            len(self._rows) >= self.settings.batch_size
            or self._clock() - self._last_flush >= self.settings.flush_interval_s
        )

    def take_batch(self) -> list[dict[str, Any]]:
        batch = self._rows[: self.settings.batch_size]
        del self._rows[: len(batch)]
        self._last_flush = self._clock()
        return batch

    def put_back(self, batch: list[dict[str, Any]]) -> None:
        """A batch whose write failed goes back to the front (kept within the buffer limit)."""
        self._rows[:0] = batch
        limit = MAX_BUFFERED_BATCHES * self.settings.batch_size
        if len(self._rows) > limit:
            del self._rows[: len(self._rows) - limit]

    def pending(self) -> int:
        return len(self._rows)

    def flush_all(self) -> None:
        """Writes everything buffered now (blocking); failures are logged, not raised."""
        while self._rows:
            batch = self.take_batch()
            try:
                write_parquet(self.settings.uri, batch)
            except Exception as error:
                logger.warning("inference log write failed: %s", type(error).__name__)
                return
