"""dataset_folder: a pinned dataset version materialized in a local cache folder, checked file by
file against its manifest."""

from __future__ import annotations

import hashlib
import http.server
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from mlops_runtime.datasets import (
    DATASET_MISMATCH,
    DATASET_NOT_FOUND,
    DatasetFile,
    DatasetRef,
    dataset_folder,
    manifest_sha256,
)
from mlops_runtime.errors import JobError

CONTENT = {
    "train.csv": b"a,b,label\n1,2,0\n3,4,1\n",
    "images/0/first.png": b"\x89PNG not really an image",
}


def local_files(source: Path) -> list[DatasetFile]:
    files = []
    for name, content in CONTENT.items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        files.append(
            DatasetFile(
                name=name,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                path=str(path),
            )
        )
    return files


def ref_of(files: list[DatasetFile], version: str = "a1b2c3") -> DatasetRef:
    return DatasetRef(
        id="ds-1",
        name="tiny",
        version=version,
        format="csv",
        manifest_sha256=manifest_sha256(files),
        files=tuple(files),
    )


def folder_content(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_copies_a_local_version_into_a_folder_keyed_by_version(tmp_path: Path) -> None:
    ref = ref_of(local_files(tmp_path / "store"))

    folder = dataset_folder(ref, tmp_path / "cache")

    assert folder == tmp_path / "cache" / "ds-1" / "a1b2c3"
    assert folder_content(folder) == CONTENT
    # Nothing but the finished folder is left in the cache.
    assert [p.name for p in (tmp_path / "cache" / "ds-1").iterdir()] == ["a1b2c3"]


def test_reuses_the_folder_of_a_version_it_already_made(tmp_path: Path) -> None:
    ref = ref_of(local_files(tmp_path / "store"))
    first = dataset_folder(ref, tmp_path / "cache")
    for name in CONTENT:
        (tmp_path / "store" / name).unlink()

    assert dataset_folder(ref, tmp_path / "cache") == first
    assert folder_content(first) == CONTENT


def test_makes_an_incomplete_cached_folder_again(tmp_path: Path) -> None:
    ref = ref_of(local_files(tmp_path / "store"))
    folder = dataset_folder(ref, tmp_path / "cache")
    (folder / "train.csv").unlink()

    assert dataset_folder(ref, tmp_path / "cache") == folder
    assert folder_content(folder) == CONTENT


def test_a_file_whose_content_changed_is_a_clear_job_error(tmp_path: Path) -> None:
    ref = ref_of(local_files(tmp_path / "store"))
    (tmp_path / "store" / "train.csv").write_bytes(b"a,b,label\n1,2,0\n3,4,9\n")

    with pytest.raises(JobError) as raised:
        dataset_folder(ref, tmp_path / "cache")

    assert raised.value.reason == DATASET_MISMATCH
    assert "dataset file train.csv does not match its version a1b2c3" in raised.value.message
    assert not (tmp_path / "cache" / "ds-1" / "a1b2c3").exists()
    assert list((tmp_path / "cache" / "ds-1").iterdir()) == []


def test_a_file_longer_than_its_manifest_says_is_a_mismatch(tmp_path: Path) -> None:
    ref = ref_of(local_files(tmp_path / "store"))
    with (tmp_path / "store" / "train.csv").open("ab") as file:
        file.write(b"5,6,1\n")

    with pytest.raises(JobError, match="dataset file train.csv does not match its version"):
        dataset_folder(ref, tmp_path / "cache")


def test_a_missing_file_is_reported_as_dataset_not_found(tmp_path: Path) -> None:
    ref = ref_of(local_files(tmp_path / "store"))
    (tmp_path / "store" / "images" / "0" / "first.png").unlink()

    with pytest.raises(JobError) as raised:
        dataset_folder(ref, tmp_path / "cache")

    assert raised.value.reason == DATASET_NOT_FOUND
    assert "dataset file images/0/first.png of ds-1 version a1b2c3 is missing" in (
        raised.value.message
    )
    assert not (tmp_path / "cache" / "ds-1" / "a1b2c3").exists()


def test_a_file_list_that_does_not_match_the_manifest_hash_is_refused(tmp_path: Path) -> None:
    files = local_files(tmp_path / "store")
    ref = ref_of(files)
    tampered = replace(ref, files=(*files, replace(files[0], name="extra.csv")))

    with pytest.raises(JobError, match="does not match its manifest hash"):
        dataset_folder(tampered, tmp_path / "cache")


@pytest.mark.parametrize("name", ["../escape.csv", "/etc/passwd", "a//b", "a/./b"])
def test_file_names_outside_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    files = [replace(local_files(tmp_path / "store")[0], name=name)]

    with pytest.raises(JobError) as raised:
        dataset_folder(ref_of(files), tmp_path / "cache")

    assert raised.value.reason == "invalid job config"
    assert not (tmp_path / "escape.csv").exists()


def test_a_name_that_is_both_a_file_and_a_folder_is_refused(tmp_path: Path) -> None:
    first = local_files(tmp_path / "store")[0]
    files = [replace(first, name="images"), replace(first, name="images/1.png")]

    with pytest.raises(JobError, match="dataset file images is also a folder of others"):
        dataset_folder(ref_of(files), tmp_path / "cache")


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on loopback serving `<tmp>/served`, standing in for presigned S3 GETs."""
    root = tmp_path / "served"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def test_downloads_files_from_urls(tmp_path: Path, file_server: tuple[str, Path]) -> None:
    base, served = file_server
    files = [
        replace(f, path=None, url=f"{base}/{f.name}?X-Amz-Signature=secret")
        for f in local_files(served)
    ]

    folder = dataset_folder(ref_of(files), tmp_path / "cache")

    assert folder_content(folder) == CONTENT


def test_a_url_that_answers_404_is_a_missing_file_without_the_url(
    tmp_path: Path, file_server: tuple[str, Path]
) -> None:
    base, served = file_server
    files = [
        replace(f, path=None, url=f"{base}/{f.name}?X-Amz-Signature=secret")
        for f in local_files(served)
    ]
    (served / "train.csv").unlink()

    with pytest.raises(JobError) as raised:
        dataset_folder(ref_of(files), tmp_path / "cache")

    assert raised.value.reason == DATASET_NOT_FOUND
    assert "dataset file train.csv" in raised.value.message
    assert "secret" not in str(raised.value)


def test_the_cache_root_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLOPS_DATASET_CACHE", str(tmp_path / "env-cache"))

    folder = dataset_folder(ref_of(local_files(tmp_path / "store")))

    assert folder == tmp_path / "env-cache" / f"uid-{os.getuid()}" / "ds-1" / "a1b2c3"


def test_each_account_caches_in_a_private_folder_of_a_shared_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portal runs each Ray cluster as an account of its own, all with one cache root: the
    root lets each make its folder without listing or removing the others' (like /tmp), and each
    account's copies are its own."""
    shared = tmp_path / "training" / "dataset-cache"
    monkeypatch.setenv("MLOPS_DATASET_CACHE", str(shared))

    folder = dataset_folder(ref_of(local_files(tmp_path / "store")))

    own = shared / f"uid-{os.getuid()}"
    assert folder.parent.parent == own
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1733
    assert stat.S_IMODE((tmp_path / "training").stat().st_mode) == 0o1733
    assert stat.S_IMODE(own.stat().st_mode) == 0o700


def test_a_cache_root_the_account_cannot_use_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "cache"
    shared.write_text("a file where the cache root should be")
    monkeypatch.setenv("MLOPS_DATASET_CACHE", str(shared))

    with pytest.raises(JobError) as raised:
        dataset_folder(ref_of(local_files(tmp_path / "store")))

    assert raised.value.reason == "dataset unreachable"
    assert raised.value.message == (
        f"the dataset cache {shared} cannot be used by this account (uid {os.getuid()}): "
        "Not a directory"
    )
