"""Shared fixtures for the runtime tests."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "mlops_runtime"


@pytest.fixture(scope="session")
def local_ray() -> Iterator[None]:
    """A real single-node Ray (1 CPU) started for the test session and shut down after it.

    address="local" always starts a fresh cluster (never joins one named by RAY_ADDRESS or left
    running on this machine), on ports Ray picks. The package is shipped to the workers with
    runtime_env py_modules, the way the portal ships it to a cluster, so tasks can import it even
    where it is not pip-installed.
    """
    import ray  # noqa: PLC0415  (only the tests that need Ray pay for importing it)

    if ray.is_initialized():
        raise RuntimeError("Ray is already initialized in this test process")
    ray.init(
        address="local",
        num_cpus=1,
        include_dashboard=False,
        object_store_memory=128 * 1024 * 1024,
        runtime_env={"py_modules": [str(PACKAGE_DIR)]},
    )
    try:
        yield
    finally:
        ray.shutdown()


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 now (the OS picks it from its ephemeral range)."""
    import socket  # noqa: PLC0415

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real MLflow tracking server (SQLite backend, artifacts proxied to a local folder) for the
    test session; yields its URI."""
    import sys  # noqa: PLC0415
    import time  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    root = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    uri = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("wb")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("mlflow")),
            "server",
            "--backend-store-uri",
            f"sqlite:///{root / 'mlflow.db'}",
            "--artifacts-destination",
            str(root / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the server forks workers
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"mlflow server exited: {(root / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("mlflow server did not become healthy in 120 s") from None
                time.sleep(0.5)
        yield uri
    finally:
        _stop_group(server)
        log.close()


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group that `process` leads (started with start_new_session)."""
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415

    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="session")
def serve_url(local_ray: None) -> Iterator[str]:
    """Ray Serve on the session's Ray, its HTTP proxy on a free loopback port; yields the proxy's
    base URL. Shuts Serve down after the session."""
    from ray import serve  # noqa: PLC0415

    port = free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        serve.shutdown()
