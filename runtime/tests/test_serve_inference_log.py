"""The inference log's Parquet files in a folder and in S3 (a local moto S3 server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from conftest import free_port
from mlops_runtime.serve.inference_log import InferenceLog, LogSettings, write_parquet


def add_rows(log: InferenceLog, count: int) -> None:
    for index in range(count):
        log.add(
            request_id=f"r{index}",
            model_name="iris",
            model_version="3",
            key_id="k1",
            inputs=[{"name": "x", "shape": [1], "datatype": "FP64", "data": [float(index)]}],
            outputs=[{"name": "output-0", "shape": [1], "datatype": "INT64", "data": [1]}],
            latency_ms=1.5,
        )


def test_batches_are_written_when_full_or_due(tmp_path: Path) -> None:
    now = [0.0]
    log = InferenceLog(
        LogSettings(sample_rate=1.0, uri=f"file://{tmp_path}", batch_size=3, flush_interval_s=5),
        clock=lambda: now[0],
    )
    add_rows(log, 2)
    assert not log.due()
    now[0] = 6.0
    assert log.due()
    write_parquet(log.settings.uri, log.take_batch())
    add_rows(log, 4)
    assert log.due()
    write_parquet(log.settings.uri, log.take_batch())
    assert log.pending() == 1
    log.flush_all()
    table = ds.dataset(tmp_path, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 6
    assert sorted(table.column("request_id").to_pylist()) == sorted(
        ["r0", "r1", "r0", "r1", "r2", "r3"]
    )
    assert json.loads(table.column("inputs")[0].as_py())[0]["name"] == "x"
    assert "date" in table.column_names
    assert not list(tmp_path.rglob(".*"))  # no temporary files left


def test_sampling_follows_the_rate() -> None:
    values = iter([0.05, 0.5, 0.09, 0.95])
    log = InferenceLog(LogSettings(0.1, "file:///tmp/x"), sample=lambda: next(values))
    assert [log.sampled() for _ in range(4)] == [True, False, True, False]


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    try:
        yield endpoint
    finally:
        server.stop()


def test_writes_to_s3(s3_endpoint: str) -> None:
    from pyarrow import fs  # noqa: PLC0415

    s3 = fs.S3FileSystem(
        endpoint_override=s3_endpoint.removeprefix("http://"),
        scheme="http",
        region="us-east-1",
        access_key="test",
        secret_key="test",
        allow_bucket_creation=True,
    )
    s3.create_dir("inference-logs")
    log = InferenceLog(LogSettings(1.0, "s3://inference-logs/iris", batch_size=10))
    add_rows(log, 3)
    log.flush_all()
    assert log.pending() == 0
    files = s3.get_file_info(fs.FileSelector("inference-logs/iris", recursive=True))
    parquet = [info.path for info in files if info.path.endswith(".parquet")]
    assert len(parquet) == 1
    assert "/date=" in parquet[0]
    table = ds.dataset(parquet, filesystem=s3, format="parquet").to_table()
    assert table.column("model_version").to_pylist() == ["3", "3", "3"]
