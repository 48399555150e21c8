"""runtime_version / source_digest: what each job's resolved config pins."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from pathlib import Path

import pytest

import mlops_runtime
from mlops_runtime.versions import runtime_version, source_digest, tree_digest

RUNTIME = Path(__file__).resolve().parents[1]


def test_version_is_the_single_source_pyproject_reads() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the package itself supports 3.10
    pyproject = tomllib.loads((RUNTIME / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "mlops_runtime.__version__"
    }
    assert runtime_version() == mlops_runtime.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+([.+-]?\w+)*", runtime_version())


def test_installed_metadata_agrees() -> None:
    try:
        installed = importlib.metadata.version("mlops-runtime")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("mlops-runtime is not pip-installed here (tests import it from src/)")
    assert installed == runtime_version()


def test_source_digest_tracks_the_code(tmp_path: Path) -> None:
    package = Path(mlops_runtime.__file__).parent
    copy = tmp_path / "mlops_runtime"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert re.fullmatch(r"[0-9a-f]{64}", source_digest())
    assert tree_digest(copy) == source_digest() == tree_digest(package)

    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "stale.py").write_text("ignored")
    (copy / "notes.txt").write_text("not code")
    assert tree_digest(copy) == source_digest()

    idx = copy / "idx.py"
    idx.write_text(idx.read_text() + "\n# edited\n")
    assert tree_digest(copy) != source_digest()

    idx.rename(copy / "idx2.py")  # same bytes under another name is other code too
    edited = tree_digest(copy)
    (copy / "idx2.py").rename(copy / "idx.py")
    assert tree_digest(copy) != edited
