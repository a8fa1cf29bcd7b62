"""Who "I" am across project files: my annotator name and a stable uuid per name, kept per user.

The app (first start, Help ▸ Change annotator…) and the CLI (`annotator whoami --set`) read and
write the same file, so both annotate under one name; `--annotator` overrides it per command."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import platformdirs

from annotator.domain.ids import is_uuid, new_uuid

#: Points the identity folder elsewhere (tests, portable installs); empty means the default.
CONFIG_DIR_VARIABLE = "ANNOTATOR_CONFIG_DIR"
IDENTITY_FILE = "identity.json"
_VERSION = 1

# Uuids handed out while the identity file could not be written (read-only folder, full disk):
# kept for the rest of the session so switching projects or annotators does not make the same
# person a new annotator every time. Keyed by file so a changed folder starts afresh.
_unsaved: dict[tuple[str, str], str] = {}


def config_dir() -> Path:
    """The per-user folder the identity file lives in."""
    override = os.environ.get(CONFIG_DIR_VARIABLE, "").strip()
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("Annotator", appauthor=False))


def identity_path() -> Path:
    return config_dir() / IDENTITY_FILE


def login_name() -> str:
    """The operating system's user name: the name offered before one was chosen."""
    try:
        return getpass.getuser() or "analyst"
    except (OSError, KeyError):
        return "analyst"


def saved_name(path: Path | None = None) -> str | None:
    """The annotator name this user chose (in the app or with `annotator whoami --set`)."""
    return _read(identity_path() if path is None else path)[1]


def current_name() -> str:
    """Who annotates when nobody says otherwise: the chosen name, else the login name."""
    return saved_name() or login_name()


def set_current_name(name: str) -> str:
    """Make `name` (whitespace tidied) this user's annotator name everywhere; returns it. An
    empty name forgets the choice (the app asks again at its next start). Raises OSError when
    the identity file cannot be written (the caller says so)."""
    name = " ".join(name.split())
    path = identity_path()
    with _exclusive(path):
        names, _ = _read(path)
        if not _write(path, names, name or None):
            raise OSError(f"cannot write {path}")
    return name


def identity_uuid(name: str) -> str:
    """The uuid this user annotates under as `name`, created (and saved) on first use.

    Never raises for a missing, unreadable or corrupt file: the mapping starts afresh, and if
    it cannot be saved the uuid lives in memory for this session only."""
    name = name.strip()
    path = identity_path()
    known = read_identities(path)
    if name in known:
        return known[name]
    key = (str(path), name)
    uuid = _unsaved.get(key) or new_uuid()
    # Read again and write under a lock: another Annotator process (the CLI while the app
    # runs) may add a name at the same moment, and its entry must not be lost.
    with _exclusive(path):
        latest, current = _read(path)
        if name in latest:
            return latest[name]
        saved = _write(path, {**latest, name: uuid}, current)
    if saved:
        _unsaved.pop(key, None)
    else:
        _unsaved[key] = uuid
    return uuid


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an OS lock on a file beside the identity file while it is read and rewritten;
    where none can be taken (a read-only folder) go on without it: the write fails anyway."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.with_name(path.name + ".lock").open("a+b")
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            _lock(handle)
        yield
    finally:
        handle.close()  # closing the handle releases the lock


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # retries for about 10 s

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # waits: the holder needs milliseconds


def read_identities(path: Path | None = None) -> dict[str, str]:
    """Name → uuid from the identity file; entries that are not a name and a uuid are left
    out, and a file that cannot be read or parsed counts as empty (and is set aside)."""
    return _read(identity_path() if path is None else path)[0]


def _read(path: Path) -> tuple[dict[str, str], str | None]:
    """The file's name → uuid mapping and the chosen name (None when none was chosen)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError, ValueError):
        _set_aside(path)
        return {}, None
    names = data.get("annotators") if isinstance(data, dict) else None
    if not isinstance(names, dict):
        _set_aside(path)
        return {}, None
    current = data.get("current")
    current = " ".join(current.split()) if isinstance(current, str) else ""
    mapping = {
        name.strip(): uuid
        for name, uuid in names.items()
        if isinstance(name, str) and name.strip() and is_uuid(uuid)
    }
    return mapping, current or None


def _set_aside(path: Path) -> None:
    """Keep a damaged identity file next to the new one (the uuids in it may still be read
    by hand) instead of silently overwriting it."""
    with contextlib.suppress(OSError):
        os.replace(path, path.with_name(path.name + ".damaged"))


def _write(path: Path, names: dict[str, str], current: str | None) -> bool:
    """Write the mapping and the chosen name atomically (temp file, fsync, rename); False
    when that fails."""
    data: dict[str, object] = {"version": _VERSION, "annotators": names}
    if current:
        data["current"] = current
    text = json.dumps(data, ensure_ascii=False, indent=2)
    temp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".identity-", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except OSError:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        return False
    return True
