"""The window of the inference log a drift check reads: the rows of one model version, the last N
requests or the last M minutes, and their OIP tensors decoded into arrays. The log folder is one
deployment's, so every row is of the model it serves (logged under the deployment's OIP name)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from mlops_runtime.errors import JobError
from mlops_runtime.serve.inference_log import filesystem_for

__all__ = [
    "ImageInstances",
    "LogWindow",
    "TableInstances",
    "Window",
    "decode_tensors",
    "dominant_version",
    "image_instances",
    "read_window",
    "table_instances",
]

LOG_UNREADABLE = "inference log unreadable"


@dataclass(frozen=True)
class Window:
    last_requests: int | None = None
    last_minutes: int | None = None


@dataclass(frozen=True)
class LogWindow:
    """The window's log rows, oldest first."""

    request_ids: list[str] = field(default_factory=list)
    timestamps: list[datetime] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.request_ids)


def _open_dataset(uri: str) -> Any:
    import pyarrow.dataset as ds

    filesystem, root = filesystem_for(uri)
    try:
        dataset = ds.dataset(root, filesystem=filesystem, format="parquet", partitioning="hive")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise JobError(LOG_UNREADABLE, f"{uri}: {error}") from None
    return dataset if dataset.files else None


def dominant_version(uri: str, window: Window, now: datetime | None = None) -> str | None:
    """The model version that answered most of the window's requests (a canary shares the
    traffic; after a promotion the new version takes over); None when none did."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    dataset = _open_dataset(uri)
    if dataset is None:
        return None
    condition = None
    if window.last_minutes is not None:
        since = (now or datetime.now(timezone.utc)) - timedelta(minutes=window.last_minutes)
        condition = ds.field("ts") >= pa.scalar(since, type=pa.timestamp("us", tz="UTC"))
    try:
        table = dataset.to_table(columns=["ts", "model_version"], filter=condition)
    except OSError as error:
        raise JobError(LOG_UNREADABLE, f"{uri}: {error}") from None
    if table.num_rows == 0:
        return None
    table = table.sort_by("ts")
    if window.last_requests is not None and table.num_rows > window.last_requests:
        table = table.slice(table.num_rows - window.last_requests)
    versions, counts = np.unique(
        np.asarray([str(value) for value in table.column("model_version").to_pylist()]),
        return_counts=True,
    )
    return str(versions[int(np.argmax(counts))])


def read_window(
    uri: str,
    model_version: str,
    window: Window,
    now: datetime | None = None,
) -> LogWindow:
    """The rows of `model_version` in the window; no log folder or no rows: an empty window."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    dataset = _open_dataset(uri)
    if dataset is None:
        return LogWindow()
    condition = ds.field("model_version") == model_version
    stamp_type = pa.timestamp("us", tz="UTC")
    try:
        if window.last_minutes is not None:
            since = (now or datetime.now(timezone.utc)) - timedelta(minutes=window.last_minutes)
            condition = condition & (ds.field("ts") >= pa.scalar(since, type=stamp_type))
        elif window.last_requests is not None:
            # The cut-off time first, from one column, so that only the window's JSON is read.
            stamps = dataset.to_table(columns=["ts"], filter=condition).column("ts")
            if len(stamps) > window.last_requests:
                values = np.sort(stamps.cast(pa.int64()).to_numpy())
                cutoff = int(values[-window.last_requests])
                condition = condition & (
                    ds.field("ts") >= pa.scalar(cutoff, type=pa.int64()).cast(stamp_type)
                )
        table = dataset.to_table(
            columns=["ts", "request_id", "inputs", "outputs"], filter=condition
        )
    except OSError as error:
        raise JobError(LOG_UNREADABLE, f"{uri}: {error}") from None
    table = table.sort_by("ts")
    if window.last_requests is not None and table.num_rows > window.last_requests:
        table = table.slice(table.num_rows - window.last_requests)
    return LogWindow(
        request_ids=[str(value) for value in table.column("request_id").to_pylist()],
        timestamps=table.column("ts").to_pylist(),
        inputs=table.column("inputs").to_pylist(),
        outputs=table.column("outputs").to_pylist(),
    )


def _tensor_array(entry: dict[str, Any]) -> np.ndarray:
    shape = [int(dim) for dim in entry["shape"]]
    data = entry["data"]
    datatype = entry.get("datatype")
    if datatype == "BYTES":
        array = np.empty(len(data), dtype=object)
        array[:] = data
    elif datatype == "BOOL":
        array = np.asarray(data, dtype=np.bool_)
    elif datatype in ("FP16", "FP32", "FP64"):
        array = np.asarray([np.nan if value is None else value for value in data], np.float64)
    else:
        array = np.asarray(data)
    return array.reshape(shape)


def decode_tensors(text: str | None) -> dict[str, np.ndarray]:
    """The OIP tensors of a log row's inputs or outputs JSON, by name; unreadable ones left out."""
    if not text:
        return {}
    try:
        entries = json.loads(text)
    except ValueError:
        return {}
    tensors: dict[str, np.ndarray] = {}
    for entry in entries if isinstance(entries, list) else []:
        try:
            tensors[str(entry["name"])] = _tensor_array(entry)
        except (KeyError, TypeError, ValueError):
            continue
    return tensors


@dataclass(frozen=True)
class ImageInstances:
    """Every instance of the window's requests: model outputs, and where each came from."""

    outputs: np.ndarray  # [instances, classes]
    request_ids: list[str]
    timestamps: list[datetime]
    images: list[np.ndarray | None]  # the model input of each instance, when it is one image
    requests: int

    def __len__(self) -> int:
        return len(self.request_ids)


def _instance_image(tensors: dict[str, np.ndarray], count: int) -> np.ndarray | None:
    for array in tensors.values():
        if array.dtype.kind in "biuf" and array.ndim in (3, 4) and array.shape[0] == count:
            return array
    return None


def image_instances(window: LogWindow, classes: int) -> ImageInstances:
    """The instances whose output is a [n, classes] tensor (other rows are left out)."""
    outputs: list[np.ndarray] = []
    request_ids: list[str] = []
    timestamps: list[datetime] = []
    images: list[np.ndarray | None] = []
    requests = 0
    for request_id, stamp, inputs, row_outputs in zip(
        window.request_ids, window.timestamps, window.inputs, window.outputs, strict=True
    ):
        output = next(
            (
                array
                for array in decode_tensors(row_outputs).values()
                if array.ndim == 2 and array.shape[1] == classes and array.dtype.kind in "iuf"
            ),
            None,
        )
        if output is None or len(output) == 0:
            continue
        requests += 1
        count = len(output)
        batch = _instance_image(decode_tensors(inputs), count)
        outputs.append(output.astype(np.float64))
        request_ids += [request_id] * count
        timestamps += [stamp] * count
        images += [batch[index] if batch is not None else None for index in range(count)]
    stacked = np.concatenate(outputs) if outputs else np.zeros((0, classes))
    return ImageInstances(stacked, request_ids, timestamps, images, requests)


@dataclass(frozen=True)
class TableInstances:
    columns: dict[str, list[Any]]
    predictions: list[Any]
    request_ids: list[str]
    timestamps: list[datetime]
    requests: int

    def __len__(self) -> int:
        return len(self.request_ids)


def table_instances(window: LogWindow, features: Sequence[str]) -> TableInstances:
    """The instances of requests that send the features as columns ([N] or [N, 1] tensors)."""
    columns: dict[str, list[Any]] = {name: [] for name in features}
    predictions: list[Any] = []
    request_ids: list[str] = []
    timestamps: list[datetime] = []
    requests = 0
    for request_id, stamp, inputs, row_outputs in zip(
        window.request_ids, window.timestamps, window.inputs, window.outputs, strict=True
    ):
        tensors = {
            name: array.reshape(len(array), -1)
            for name, array in decode_tensors(inputs).items()
            if array.ndim in (1, 2)
        }
        counts = {len(array) for array in tensors.values()}
        if len(counts) != 1 or not any(name in tensors for name in features):
            continue
        count = counts.pop()
        requests += 1
        for name in features:
            array = tensors.get(name)
            columns[name] += array[:, 0].tolist() if array is not None else [None] * count
        output = next(iter(decode_tensors(row_outputs).values()), None)
        if output is not None and len(output) == count:
            predictions += output.reshape(count, -1)[:, 0].tolist()
        else:
            predictions += [None] * count
        request_ids += [request_id] * count
        timestamps += [stamp] * count
    return TableInstances(columns, predictions, request_ids, timestamps, requests)
