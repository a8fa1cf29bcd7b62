"""A per-project lock so a second process is told the project is already open."""

from __future__ import annotations

import os
import socket
import sys
from contextlib import suppress
from pathlib import Path
from typing import IO

from annotator.errors import ProjectLockedError


def lock_path(project: Path) -> Path:
    return project.with_name(f".{project.name}.lock")


class ProjectLock:
    """An OS lock on a hidden file beside the project; released when the process dies."""

    def __init__(self, project: Path, *, holder: str = "") -> None:
        """`holder` says who holds it to whoever finds it taken (e.g. a read-only command,
        which lets go when it finishes), before the process id."""
        self.project = project
        self.holder = holder
        # The target's lock: opened through a symlink, the project is still the one file (a
        # read-only open taking another lock would read it alone while the holder writes).
        self.path = lock_path(Path(project).resolve())
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        for _attempt in range(5):
            handle = self.path.open("a+", encoding="utf-8")
            try:
                _lock(handle)
            except OSError:
                handle.seek(0)
                owner = " ".join(handle.read(200).split()) or "another process"
                handle.close()
                raise ProjectLockedError(
                    f"{self.project.name} is already open in another Annotator window or "
                    f"command ({owner})"
                ) from None
            if _is_current(handle, self.path):
                break
            # The holder removed the lock file between our open and our lock: we hold a lock on
            # a deleted file that the next process will not see. Try again on the new one.
            _unlock(handle)
            handle.close()
        else:
            raise ProjectLockedError(f"{self.project.name} could not be locked; try again")
        handle.seek(0)
        handle.truncate()
        who = f"{self.holder}, " if self.holder else ""
        handle.write(f"{who}pid {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            with suppress(OSError):  # unlink while still holding the lock
                self.path.unlink()
            _unlock(self._handle)
        finally:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> ProjectLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _is_current(handle: IO[str], path: Path) -> bool:
    """Whether handle is still the file at path (not one unlinked since it was opened)."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
