"""The close record by file identity (inode, size, times, change time) and head hash: what
passes it and what does not, the whole-file hash where no fine change time exists, and
records written before (size, mtime, SHA-256) still honoured."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest
from test_read_only_open import _new_project

from annotator.services.project import Project
from annotator.store import close_record
from annotator.store.ddl import schema_version

posix = pytest.mark.skipif(os.name == "nt", reason="change times are POSIX")


def _closed(tmp_path: Path) -> Path:
    path = _new_project(tmp_path / "p.annotator")
    Project.open(path).close()
    assert close_record.closed_cleanly_here(path, schema_version())
    return path


def _entry(path: Path) -> dict:
    return orjson.loads(close_record.records_path().read_bytes())[str(path.resolve())]


@posix
def test_the_record_is_the_identity_and_reads_no_more_than_the_head(tmp_path, monkeypatch):
    path = _closed(tmp_path)
    entry = _entry(path)
    assert "identity" in entry and "sha256" not in entry
    monkeypatch.setattr(close_record, "file_digest", lambda p: pytest.fail("read every byte"))
    assert close_record.closed_cleanly_here(path, schema_version())


@posix
def test_a_byte_identical_file_swapped_in_with_its_times_put_back_is_not_trusted(tmp_path):
    path = _closed(tmp_path)
    status = os.stat(path)
    twin = tmp_path / "twin"
    shutil.copyfile(path, twin)
    os.replace(twin, path)  # another inode, the same bytes
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert not close_record.closed_cleanly_here(path, schema_version())


@posix
def test_any_write_right_after_the_close_is_seen(tmp_path):
    for attempt in range(20):  # right after the close: the record waited out the clock tick
        folder = tmp_path / str(attempt)
        folder.mkdir()
        path = _closed(folder)
        status = os.stat(path)
        with open(path, "r+b") as handle:
            handle.seek(status.st_size - 1)
            last = handle.read(1)
            handle.seek(status.st_size - 1)
            handle.write(last)  # the same byte: only the change time can tell
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
        assert not close_record.closed_cleanly_here(path, schema_version()), attempt


def test_without_a_fine_change_time_the_whole_file_is_hashed(tmp_path, monkeypatch):
    monkeypatch.setattr(close_record, "_identity", lambda status: None)
    path = _closed(tmp_path)
    assert "sha256" in _entry(path)
    status = os.stat(path)
    with open(path, "r+b") as handle:
        handle.seek(status.st_size - 1)
        last = handle.read(1)
        handle.seek(status.st_size - 1)
        handle.write(bytes([last[0] ^ 1]))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert not close_record.closed_cleanly_here(path, schema_version())


def test_a_record_written_before_is_still_honoured(tmp_path):
    path = _closed(tmp_path)
    records = orjson.loads(close_record.records_path().read_bytes())
    status = os.stat(path)
    records[str(path.resolve())] = {
        "size": status.st_size,
        "mtime_ns": status.st_mtime_ns,
        "sha256": close_record.file_digest(path),
        "version": schema_version(),
    }
    close_record.records_path().write_bytes(orjson.dumps(records))
    assert close_record.closed_cleanly_here(path, schema_version())
