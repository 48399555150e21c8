"""How training failures map to the reasons a user sees."""

from __future__ import annotations

import pytest
import ray.exceptions
from ray.train.v2.api.exceptions import WorkerGroupError

from mlops_runtime.train import _out_of_memory


def worker_group_error(failure: Exception) -> WorkerGroupError:
    return WorkerGroupError("worker 0 failed", {0: failure})


@pytest.mark.parametrize(
    "failure",
    [
        ray.exceptions.OutOfMemoryError("Task was killed due to the node running low on memory."),
        MemoryError(),
        RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"),
        ray.exceptions.ActorDiedError(),
    ],
    ids=["ray-oom-killer", "memory-error", "cuda-oom", "actor-died"],
)
def test_out_of_memory_is_recognized_inside_worker_failures(failure: Exception) -> None:
    expected = not isinstance(failure, ray.exceptions.ActorDiedError)
    assert _out_of_memory(worker_group_error(failure)) is expected


def test_out_of_memory_as_cause() -> None:
    wrapped = RuntimeError("training step failed")
    wrapped.__cause__ = MemoryError()
    assert _out_of_memory(wrapped)
    assert not _out_of_memory(RuntimeError("loss is nan"))
