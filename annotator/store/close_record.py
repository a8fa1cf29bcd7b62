"""Records of the project files this installation closed cleanly, kept outside the files.

When the app closes a project it has checked and written, it notes in the user's state folder
what the file is now, and the next open may skip the checklist's content validation (its
longest part) if the file still is exactly that. A file from elsewhere has no record; a file
edited, swapped or damaged since (even with its size and mtime put back) is fully checked.

What is noted. Where the file system keeps change times finer than a millisecond (POSIX), the
file's identity: device, inode, size, modification and *change* time (the kernel sets the
change time on every write, rename or metadata change, and no tool can set it back), plus a
hash of its first 64 KiB. Checking that costs a stat, not a read of the whole file: 13–60 ms
of every open and about a second of every close for a 500 MB project before. Elsewhere
(Windows, where `st_ctime` is the creation time; file systems with coarse times) it is the
SHA-256 over every byte, as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import orjson
import platformdirs

#: Tests and portable setups point this at another folder (the same variable as the identity
#: file, services/identity).
CONFIG_DIR_VARIABLE = "ANNOTATOR_CONFIG_DIR"
RECORD_FILE = "closed-projects.json"
#: Records kept (the most recently closed files).
KEEP = 64
_CHUNK = 1024 * 1024
#: The head hashed beside the identity: the header and the schema's pages.
_HEAD = 64 * 1024
#: Longer than a kernel's coarse timestamp tick (1–10 ms): a write after the record must
#: fall in a later tick than the one the record holds.
_TICK_NS = 20_000_000


def records_path() -> Path:
    override = os.environ.get(CONFIG_DIR_VARIABLE, "").strip()
    folder = Path(override) if override else Path(platformdirs.user_state_dir("Annotator", False))
    return folder / RECORD_FILE


def file_digest(path: Path) -> str:
    """SHA-256 of every byte of the file (the header alone can be faked: in WAL mode SQLite
    does not reliably bump the header's change counter)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def _load() -> dict[str, dict]:
    try:
        data = orjson.loads(records_path().read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _stat(path: Path) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


def _identity(status: os.stat_result) -> list[int] | None:
    """Device, inode, size, mtime and ctime, where ctime is a change time finer than a
    millisecond (else None: the hash of every byte stands in)."""
    if os.name == "nt" or status.st_ctime_ns % 1_000_000 == 0:
        return None
    return [
        status.st_dev,
        status.st_ino,
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
    ]


def _head_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read(_HEAD)).hexdigest()


def _settled_status(path: Path) -> os.stat_result:
    """The file's status once the coarse clock has left the tick of its last change, so that
    any later write gets a change time the record does not hold."""
    status = os.stat(path)
    wait = status.st_ctime_ns + _TICK_NS - time.time_ns()
    if 0 < wait <= _TICK_NS:
        time.sleep(wait / 1e9)
        status = os.stat(path)
    return status


def record_clean_close(path: Path, version: int) -> None:
    """Note that this installation closed the file at path cleanly, as it is now. Best effort:
    a record that cannot be written only means a full check next time."""
    try:
        status = _settled_status(path)
        identity = _identity(status)
        if identity is not None:
            entry = {"identity": identity, "head": _head_digest(path), "version": version}
        else:
            entry = {
                "size": status.st_size,
                "mtime_ns": status.st_mtime_ns,
                "sha256": file_digest(path),
                "version": version,
            }
        records = _load()
        records.pop(_key(path), None)
        records[_key(path)] = entry
        records = dict(list(records.items())[-KEEP:])
        target = records_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".closed-", dir=target.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(orjson.dumps(records))
        os.replace(temp, target)
    except (OSError, ValueError):
        return


def closed_cleanly_here(path: Path, version: int) -> bool:
    """Whether the file is what this installation last closed cleanly: the same identity
    (inode, size, times) and head, or byte for byte the same where no identity was noted."""
    entry = _load().get(_key(path))
    if not isinstance(entry, dict) or entry.get("version") != version:
        return False
    try:
        if "identity" in entry:
            identity = _identity(os.stat(path))
            return (
                identity is not None
                and entry["identity"] == identity
                and (entry.get("head") == _head_digest(path))
            )
        if (entry.get("size"), entry.get("mtime_ns")) != _stat(path):
            return False
        return entry.get("sha256") == file_digest(path)
    except OSError:
        return False
