"""Records of the project files this installation closed cleanly, kept outside the files.

When the app closes a project it has checked and written, it notes the file's size,
modification time and SHA-256 over every byte in the user's state folder. The next open may
then skip the checklist's content validation (its longest part) if the file still matches all
three. A file from elsewhere has no record; a file edited, swapped or
damaged since (even with its size and mtime put back) fails the hash and is fully checked.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
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


def record_clean_close(path: Path, version: int) -> None:
    """Note that this installation closed the file at path cleanly, as it is now. Best effort:
    a record that cannot be written only means a full check next time."""
    try:
        size, mtime = _stat(path)
        entry = {"size": size, "mtime_ns": mtime, "sha256": file_digest(path), "version": version}
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
    """Whether the file is byte for byte what this installation last closed cleanly."""
    entry = _load().get(_key(path))
    if not isinstance(entry, dict) or entry.get("version") != version:
        return False
    try:
        if (entry.get("size"), entry.get("mtime_ns")) != _stat(path):
            return False
        return entry.get("sha256") == file_digest(path)
    except OSError:
        return False
