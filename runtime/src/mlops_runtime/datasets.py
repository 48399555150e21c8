"""The files of a pinned dataset version, materialized in a local cache folder.

The portal resolves a job's dataset to one immutable version of the datasets plugin and passes its
manifest in the job config: each file's relative name, size and SHA-256, and where to fetch it (a
URL the datasets backend signed for its local object store, a presigned GET URL for S3; a file
path only outside the portal, which Ray nodes cannot read). `dataset_folder` copies or
downloads every file into `<cache>/<dataset id>/<version>/`, checks each against the manifest, and
renames the folder into place in one step, so a folder that exists is complete and is reused by
later jobs of the same version.

The cache root is `$MLOPS_DATASET_CACHE`, else `<temp dir>/mlops/dataset-cache`; each account
keeps its copies in a private folder `uid-<uid>` there (0700). Under root the portal runs each Ray
cluster as an account of its own (docs/security-model-ray.md), and all of them share the cache
root, which is made like /tmp (1777 without listing: 1733) when this module creates it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from mlops_runtime.errors import JobError

__all__ = [
    "CACHE_ENV",
    "DATASET_MISMATCH",
    "DATASET_NOT_FOUND",
    "DATASET_UNREACHABLE",
    "DatasetFile",
    "DatasetRef",
    "dataset_folder",
    "invalid_file_name",
    "manifest_sha256",
]

CACHE_ENV = "MLOPS_DATASET_CACHE"
DATASET_NOT_FOUND = "dataset not found"
DATASET_MISMATCH = "dataset does not match its version"
DATASET_UNREACHABLE = "dataset unreachable"

_CHUNK = 1024 * 1024
_DOWNLOAD_TIMEOUT_S = 60
_FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class DatasetFile:
    """One file of a version: `name` relative to the dataset root (POSIX, e.g. "images/0/1.png"),
    fetched from `path` (a local file) or `url` (presigned HTTP GET), exactly one of them."""

    name: str
    size: int
    sha256: str
    path: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class DatasetRef:
    """A job's dataset: one immutable version of a dataset of the datasets plugin (`files` and
    their `manifest_sha256`), or, outside the portal (benchmarks, local runs), a local folder
    `path` used as it is."""

    id: str
    version: str
    format: str
    manifest_sha256: str = ""
    files: tuple[DatasetFile, ...] = ()
    name: str = ""
    path: str | None = None


def manifest_sha256(files: Iterable[DatasetFile]) -> str:
    """SHA-256 (hex) over the JSON of [name, size, sha256] of each file, sorted by name (UTF-16
    code units, as JavaScript sorts); the portal computes the same hash when it pins the version."""
    entries = sorted(
        ([f.name, f.size, f.sha256] for f in files), key=lambda e: str(e[0]).encode("utf-16-be")
    )
    canonical = json.dumps(entries, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def invalid_file_name(name: str) -> str | None:
    """Why `name` cannot be a file name inside a dataset folder, or None when it can."""
    if not name or name.startswith("/") or "\\" in name or "\0" in name:
        return "must be a relative POSIX path"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "must not contain empty, '.' or '..' segments"
    return None


_SHARED_MODE = 0o1733


def _shared_folder(folder: Path) -> None:
    """Creates `folder` (and missing parents) so that every account can make entries in it
    without seeing or removing other accounts' entries; an existing folder is left as it is."""
    if folder.is_dir():
        return
    _shared_folder(folder.parent)
    try:
        folder.mkdir()
    except FileExistsError:
        return
    folder.chmod(_SHARED_MODE)


def _cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    default = Path(tempfile.gettempdir()) / "mlops" / "dataset-cache"
    shared = Path(configured) if configured else default
    try:
        _shared_folder(shared)
        own = shared / f"uid-{os.getuid()}"
        own.mkdir(mode=0o700, exist_ok=True)
    except OSError as error:
        raise JobError(
            DATASET_UNREACHABLE,
            f"the dataset cache {shared} cannot be used by this account (uid {os.getuid()}): "
            f"{error.strerror}",
        ) from None
    return own


def _folder_name(value: str, what: str) -> str:
    if not _FOLDER_NAME.match(value) or value in (".", ".."):
        raise JobError(
            "invalid job config",
            f"dataset {what} {value!r} cannot name a cache folder "
            "(letters, digits, '.', '_' and '-' only)",
        )
    return value


def _check_ref(ref: DatasetRef) -> None:
    for file in ref.files:
        problem = invalid_file_name(file.name)
        if problem:
            raise JobError("invalid job config", f"dataset file name {file.name!r} {problem}")
    names = [f.name for f in ref.files]
    if len(set(names)) != len(names):
        raise JobError("invalid job config", "dataset files name the same file twice")
    folders = {str(parent) for name in names for parent in PurePosixPath(name).parents}
    both = sorted(folders.intersection(names))
    if both:
        raise JobError("invalid job config", f"dataset file {both[0]} is also a folder of others")
    actual = manifest_sha256(ref.files)
    if actual != ref.manifest_sha256:
        raise JobError(
            "invalid job config",
            f"the file list of dataset {ref.id} version {ref.version} does not match its "
            f"manifest hash {ref.manifest_sha256} (got {actual})",
        )


def _is_complete(folder: Path, files: Iterable[DatasetFile]) -> bool:
    """Whether a cached folder still holds every file at its size (its content was checked when
    it was made)."""
    try:
        return all((folder / f.name).stat().st_size == f.size for f in files)
    except OSError:
        return False


def _open_source(ref: DatasetRef, file: DatasetFile) -> BinaryIO:
    where = file.path or file.url or ""
    missing = f"dataset file {file.name} of {ref.id} version {ref.version} is missing"
    if file.path is not None:
        try:
            return open(file.path, "rb")  # noqa: SIM115  (closed by the caller)
        except FileNotFoundError:
            raise JobError(DATASET_NOT_FOUND, f"{missing} (no file at {where})") from None
        except OSError as error:
            raise JobError(DATASET_NOT_FOUND, f"{missing}: {error}") from None
    if file.url is None:
        raise JobError("invalid job config", f"dataset file {file.name} has neither path nor url")
    try:
        response = urllib.request.urlopen(file.url, timeout=_DOWNLOAD_TIMEOUT_S)
    except urllib.error.HTTPError as error:
        if error.code in (403, 404):
            # A presigned URL names its object key, signature and expiry: never show it.
            raise JobError(
                DATASET_NOT_FOUND,
                f"{missing} (the object store answered {error.code} {error.reason})",
            ) from None
        raise JobError(
            DATASET_UNREACHABLE,
            f"dataset file {file.name}: the object store answered {error.code} {error.reason}",
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise JobError(
            DATASET_UNREACHABLE, f"dataset file {file.name}: object store unreachable: {reason}"
        ) from None
    return response  # type: ignore[no-any-return]


def _copy_checked(ref: DatasetRef, file: DatasetFile, target: Path) -> None:
    """Copies one file to `target`, reading at most one byte more than the manifest says, and
    raises JobError unless size and SHA-256 match."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with _open_source(ref, file) as source, target.open("wb") as sink:
        while size <= file.size:
            try:
                chunk = source.read(min(_CHUNK, file.size + 1 - size))
            except OSError as error:
                raise JobError(
                    DATASET_UNREACHABLE, f"dataset file {file.name}: reading failed: {error}"
                ) from None
            if not chunk:
                break
            digest.update(chunk)
            sink.write(chunk)
            size += len(chunk)
    actual = digest.hexdigest()
    if size != file.size or actual != file.sha256:
        got = f"more than {file.size} bytes" if size > file.size else f"{size} bytes"
        raise JobError(
            DATASET_MISMATCH,
            f"dataset file {file.name} does not match its version {ref.version} of {ref.id}: "
            f"expected {file.size} bytes with sha256 {file.sha256}, got {got}"
            + (f" with sha256 {actual}" if size <= file.size else ""),
        )


def dataset_folder(ref: DatasetRef, cache_root: Path | None = None) -> Path:
    """A local folder holding exactly the files of `ref`'s version under their relative names.

    A ref with only a local `path` gives that folder. Otherwise the folder is made once per
    version (copied or downloaded, each file checked against its size and SHA-256,
    renamed into place atomically) and reused while it is complete. Raises JobError: "dataset not
    found" (a file is missing), "dataset does not match its version" (a file's content differs),
    "dataset unreachable" (the object store does not answer), "invalid job config".
    """
    if ref.path is not None and not ref.files:
        return Path(ref.path)
    _check_ref(ref)
    parent = (cache_root or _cache_root()) / _folder_name(ref.id, "id")
    final = parent / _folder_name(ref.version, "version")
    if _is_complete(final, ref.files):
        return final
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{ref.version[:16]}-", dir=parent))
    try:
        for file in ref.files:
            _copy_checked(ref, file, staging.joinpath(*PurePosixPath(file.name).parts))
        if final.exists():
            # Incomplete (files deleted from the cache) or made meanwhile by a concurrent job.
            if _is_complete(final, ref.files):
                return final
            stale = Path(tempfile.mkdtemp(prefix=".stale-", dir=parent))
            with contextlib.suppress(FileNotFoundError):
                final.rename(stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            staging.rename(final)
        except OSError:
            # Another job renamed its complete copy into place first.
            if not _is_complete(final, ref.files):
                raise
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
