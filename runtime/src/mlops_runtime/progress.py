"""JSON lines on stdout that the portal parses while a training job runs.

Every line is one JSON object with a `kind`:
- `mlops.run_started`: {mlflowRunId, mlflowExperimentId} as soon as the MLflow run exists;
- `mlops.progress`: {epoch, epochs, metrics} after each epoch;
- `mlops.result`: {mlflowRunId, mlflowExperimentId, registeredModel: {name, version}, metrics};
- `mlops.error`: {reason, message} for a known failure (then the process exits with status 2).
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["emit"]


def emit(kind: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"kind": f"mlops.{kind}", **fields}) + "\n")
    sys.stdout.flush()
