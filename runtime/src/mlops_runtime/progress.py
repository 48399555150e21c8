"""JSON lines on stdout that the portal parses while a training job runs.

Every line is one JSON object with a `kind`:
- `mlops.run_started`: {mlflowRunId, mlflowExperimentId} as soon as the MLflow run exists;
- `mlops.progress`: {epoch, epochs, metrics} after each epoch;
- `mlops.result`: {mlflowRunId, mlflowExperimentId, registeredModel: {name, version}, metrics};
- `mlops.error`: {reason, message} for a known failure (then the process exits with status 2).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from mlops_runtime.errors import JobError

__all__ = ["EXIT_KNOWN_FAILURE", "emit", "run_entrypoint"]

EXIT_KNOWN_FAILURE = 2


def emit(kind: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"kind": f"mlops.{kind}", **fields}) + "\n")
    sys.stdout.flush()


def run_entrypoint(run: Callable[[str | None], None]) -> int:
    """The exit status of a job entrypoint: `run(MLOPS_JOB_CONFIG)` returning is 0; a JobError is
    printed as an `mlops.error` line and is 2; anything else propagates (status 1, traceback)."""
    try:
        run(os.environ.get("MLOPS_JOB_CONFIG"))
    except JobError as error:
        emit("error", reason=error.reason, message=error.message)
        return EXIT_KNOWN_FAILURE
    return 0
