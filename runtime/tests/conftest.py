"""Shared fixtures for the runtime tests."""

from __future__ import annotations

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
