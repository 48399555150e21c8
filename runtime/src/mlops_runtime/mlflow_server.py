"""The MLflow tracking server a job talks to."""

from __future__ import annotations

import urllib.request

from mlops_runtime.errors import JobError

__all__ = ["check_mlflow"]


def check_mlflow(tracking_uri: str) -> None:
    """Fails fast when an HTTP tracking server does not answer (the client retries for minutes)."""
    if not tracking_uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(f"{tracking_uri.rstrip('/')}/health", timeout=15):
            pass
    except OSError as error:
        raise JobError("MLflow unreachable", f"{tracking_uri}: {error}") from None
