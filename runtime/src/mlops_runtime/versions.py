"""Version of this runtime, pinned into each job's resolved config.

`runtime_version()` is the release version (from `mlops_runtime.__version__`, so it works whether
the package is pip-installed or shipped to Ray as source). `source_digest()` identifies the exact
code: two runtimes with the same version but edited sources get different digests.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from mlops_runtime import __version__

__all__ = ["runtime_version", "source_digest", "tree_digest"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def runtime_version() -> str:
    """The `mlops-runtime` package version, e.g. "0.1.0"."""
    return __version__


@cache
def source_digest() -> str:
    """sha256 (hex) over this package's Python sources (computed once per process)."""
    return tree_digest(_PACKAGE_DIR)


def tree_digest(root: Path) -> str:
    """sha256 (hex) over the relative path and content of each .py file under `root`."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(root).as_posix().encode()
        content = path.read_bytes()
        # Length-prefixed so that no two different trees hash the same byte stream.
        for part in (relative, content):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()
