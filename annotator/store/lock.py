"""A per-project lock so a second process is told the project is already open.

Two locks, both released by the OS when the process dies:
* an OS lock on a hidden file beside the project (`.NAME.lock`), which also tells whoever finds
  it taken who holds it;
* on Linux, an open-file-description lock (`F_OFD_SETLK`) on one byte of the project file
  itself, far past SQLite's own lock bytes and past any real file's end. Deleting the lock file
  beside the project therefore does not let a second writer in: the file itself stays locked.
  OFD locks belong to our descriptor, so SQLite closing its descriptors does not drop ours (a
  classic fcntl lock would be dropped by any close of the file in the process), and they do not
  touch SQLite's byte-range locks. Writers lock it exclusively, read-only commands shared.

On macOS and the BSDs (no OFD locks) the project file itself is locked whole with flock():
there flock locks are independent of the fcntl byte-range locks SQLite takes, so neither
disturbs the other, and like OFD locks they belong to our descriptor (SQLite closing its own
does not drop ours). On Linux flock is independent of fcntl locks too, which lets the tests
force this path. On Windows a lock file held open cannot be deleted, so it alone is the lock.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
import sys
from contextlib import suppress
from pathlib import Path
from typing import IO

from annotator.errors import ProjectLockedError


def lock_path(project: Path) -> Path:
    return project.with_name(f".{project.name}.lock")


class ProjectLock:
    """An OS lock on a hidden file beside the project; released when the process dies."""

    def __init__(self, project: Path, *, holder: str = "", shared: bool = False) -> None:
        """`holder` says who holds it to whoever finds it taken (e.g. a read-only command,
        which lets go when it finishes), before the process id. `shared`: a reader's lock on
        the project file (other readers may hold it too; no writer may)."""
        self.project = project
        self.holder = holder
        self.shared = shared
        self._file_lock: FileLock | None = None
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
        file_lock = FileLock(Path(self.project).resolve(), shared=self.shared)
        if not file_lock.acquire():
            # The lock file was deleted under its holder, who still has the project itself.
            with suppress(OSError):
                self.path.unlink()
            _unlock(handle)
            handle.close()
            raise ProjectLockedError(
                f"{self.project.name} is already open in another Annotator window or command"
            )
        self._file_lock = file_lock
        handle.seek(0)
        handle.truncate()
        who = f"{self.holder}, " if self.holder else ""
        handle.write(f"{who}pid {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Call only once every SQLite connection of this process to the project is closed."""
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None
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


#: The byte of the project file that FileLock locks: past SQLite's lock bytes (at 1 GiB) and
#: past the end of any real project file (a lock may lie beyond a file's end).
LOCK_BYTE = 1 << 40


class FileLock:
    """A lock on the project file itself: an OFD lock on one byte (Linux), flock() on the
    whole file (macOS, BSDs); on Windows it holds nothing."""

    def __init__(self, project: Path, *, shared: bool) -> None:
        self.project, self.shared = project, shared
        self._descriptor: int | None = None

    def acquire(self) -> bool:
        """Take the lock; False if another holder has it. Where the platform or the file
        system offers no such lock, True without holding one."""
        if sys.platform == "win32":
            return True
        try:
            descriptor = os.open(self.project, os.O_RDONLY if self.shared else os.O_RDWR)
        except OSError:
            try:  # a file we may not write: a writer's open fails later with its own message
                descriptor, self.shared = os.open(self.project, os.O_RDONLY), True
            except OSError:
                return True
        try:
            if _OFD_SETLK is not None:
                kind = fcntl.F_RDLCK if self.shared else fcntl.F_WRLCK
                fcntl.fcntl(descriptor, _OFD_SETLK, _flock(kind))
            else:
                kind = fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX
                fcntl.flock(descriptor, kind | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            # Taken: EACCES, EAGAIN or EWOULDBLOCK. Anything else: no such locks on this file
            # system (some network mounts), where the lock file beside the project is the lock.
            return error.errno not in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK)
        self._descriptor = descriptor
        return True

    def release(self) -> None:
        if self._descriptor is not None:
            with suppress(OSError):  # closing the descriptor releases its OFD or flock lock
                os.close(self._descriptor)
            self._descriptor = None


def _flock(kind: int) -> bytes:
    """A `struct flock` for one byte at LOCK_BYTE (l_pid 0, as OFD locks require)."""
    return struct.pack("hhqqi4x", kind, os.SEEK_SET, LOCK_BYTE, 1, 0)


def _is_current(handle: IO[str], path: Path) -> bool:
    """Whether handle is still the file at path (not one unlinked since it was opened)."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    _OFD_SETLK: int | None = None

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    #: None (macOS, BSDs): FileLock uses flock() on the project file instead.
    _OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", None)

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
