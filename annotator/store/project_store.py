"""ProjectStore: one open project file, its lock, and its read and write sessions."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.exc import DatabaseError

from annotator.errors import CorruptProjectError, ProjectFileError, ProjectLockedError
from annotator.store import span_keys
from annotator.store.batch_writes import BatchWrites
from annotator.store.bulk import BulkReads, BulkWrites
from annotator.store.check_watch import Steps
from annotator.store.checks import (
    Progress,
    has_pending_log,
    one_line,
    run_checklist,
    sound_at_close,
)
from annotator.store.close_record import record_clean_close
from annotator.store.ddl import schema_version
from annotator.store.document_reads import DocumentReads
from annotator.store.engine import checkpoint, make_engine
from annotator.store.history import HistoryReads, HistoryWrites
from annotator.store.large_blocks import release_large_blocks
from annotator.store.lock import ProjectLock
from annotator.store.migrations import migrate
from annotator.store.reads import Reads
from annotator.store.schema_writes import SchemaWrites
from annotator.store.search import SearchReads
from annotator.store.search_index import ensure_sound_index, index_is_sound_read_only
from annotator.store.texts import DocumentTexts
from annotator.store.writes import Writes


class ReadSession(Reads, BulkReads, SearchReads, HistoryReads, DocumentReads):
    """Queries inside one read transaction (a consistent snapshot)."""

    def __init__(
        self,
        connection: Connection,
        index_check: Callable[[sqlite3.Connection], None] | None = None,
        texts: DocumentTexts | None = None,
    ) -> None:
        self.connection = connection
        self._index_check = index_check
        self._texts = texts

    def _check_index(self) -> None:
        if self._index_check is not None:
            self._index_check(self._driver())


class WriteSession(
    Reads, Writes, BatchWrites, SchemaWrites, BulkWrites, SearchReads, HistoryWrites, DocumentReads
):
    """Queries and writes inside one `BEGIN IMMEDIATE` transaction."""

    def __init__(self, connection: Connection, texts: DocumentTexts | None = None) -> None:
        self.connection = connection
        self._texts = texts

    def lowering_push_mark(self) -> AbstractContextManager[None]:
        """Rows this block writes with times older than the team's push mark move the mark
        back, so the next push sends them (store/team/push_floor.py)."""
        from annotator.store.team.push_floor import lowering_push_mark

        return lowering_push_mark(self.connection.connection.driver_connection)


def _track_span_keys(connection: Connection) -> span_keys.Pending:
    """The span keys this connection's next transaction writes (see store/span_keys.py)."""
    fairy = connection.connection
    return span_keys.track_writes(fairy.driver_connection, fairy.info)


def _fill_span_keys(store: ProjectStore) -> None:
    """Add the keys of spans another tool wrote (a team snapshot, a script): checked by two
    counts, so an ordinary open pays a few milliseconds."""
    with store.write() as session:
        raw = session.connection.connection.driver_connection
        if not span_keys.keys_complete(raw):
            span_keys.fill_missing(raw)


def _is_file(path: Path) -> bool:
    """Whether path is a regular file; False for what cannot even be looked at (a symlink
    loop, a name too long, a folder we may not enter)."""
    try:
        return path.is_file()
    except (OSError, RuntimeError):
        return False


def _fsync_path(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return  # directories cannot be opened for fsync on Windows
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


class ProjectStore:
    """An open project file. Create with `create` or `open`; always `close` it."""

    def __init__(
        self, path: Path, lock: ProjectLock | None, *, read_only: bool = False, shared: bool = False
    ) -> None:
        self.path = path
        self._lock = lock
        self._closed = False
        #: Opened with `open(read_only=True)`: every write is refused, nothing is written.
        self.read_only = read_only
        # Read-only and not shared (we hold the lock, so nobody writes): the main file alone,
        # unless a crashed writer left changes in a WAL or journal (see checks.open_read_only).
        immutable = read_only and not shared and not has_pending_log(path)
        self.engine = make_engine(path, read_only=read_only, immutable=immutable)
        # Interactive edits keep one connection checked out (see `edit`); one thread at a time.
        self._edit_connection: Connection | None = None
        self._edit_lock = threading.Lock()
        self._index_sound: bool | None = None  # read-only: checked at the first search
        #: The texts of the documents being worked on, shared by every session (store/texts).
        self.texts = DocumentTexts()
        #: Passed every check of `open`: only then may a clean close be recorded.
        self._checked = False

    # -- life cycle --------------------------------------------------------------------------
    @classmethod
    def create(
        cls, path: Path, initialize: Callable[[WriteSession], None] | None = None
    ) -> ProjectStore:
        """Write a new project file atomically (temp file, fsync, rename), then open it."""
        path = Path(path)
        if path.exists():
            raise ProjectFileError(f"{path.name} already exists; choose another name")
        if not path.parent.is_dir():
            raise ProjectFileError(f"folder {path.parent} does not exist")
        temp = path.with_name(f".{path.name}.creating")
        leftovers = (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm"))
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        engine = make_engine(temp)
        try:
            migrate(engine, temp)
            if initialize is not None:
                with engine.connect().execution_options(immediate=True) as connection:
                    pending = _track_span_keys(connection)
                    with connection.begin():
                        initialize(WriteSession(connection))
                        span_keys.flush(connection.connection.driver_connection, pending)
            checkpoint(engine)
        except BaseException:
            engine.dispose()
            for leftover in leftovers:  # a failed create leaves nothing behind
                with suppress(OSError):
                    leftover.unlink(missing_ok=True)
            raise
        finally:
            engine.dispose()
        _fsync_path(temp)
        os.replace(temp, path)
        _fsync_path(path.parent)
        return cls.open(path)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        progress: Progress | None = None,
        read_only: bool = False,
        steps: Steps | None = None,
        deadline_s: float | None = None,
        full: bool = False,
    ) -> ProjectStore:
        """Open a project file after the open checklist (see `checks` for when its long
        parts are skipped); migrate older files.

        `read_only`: never write to the file, and open it even while another process (the
        app) has it open, reading the snapshot its last commit left. See `_open_read_only`.
        `steps`, `deadline_s`, `full`: progress with cancel, a time limit, and no skipping of
        the content validation (see `run_checklist`)."""
        path = Path(path)
        if not _is_file(path):
            raise ProjectFileError(f"{path.name} does not exist or is not a file")
        release_large_blocks()  # the texts read from here on: see large_blocks
        check = {"progress": progress, "steps": steps, "deadline_s": deadline_s, "full": full}
        if read_only:
            return cls._open_read_only(path, check)
        lock = ProjectLock(path)
        lock.acquire()
        trusted: list[bool] = []
        try:
            version = run_checklist(path, trusted_out=trusted, **check)
            store = cls(path, lock)
        except BaseException:
            lock.release()
            raise
        try:
            migrate(store.engine, path)
            _fill_span_keys(store)
            if version != store.user_version():
                # The checklist reads the header from the file: fold the migration into it first.
                checkpoint(store.engine)
                run_checklist(path, **check)
            if progress is not None:
                progress("Checking the search index")
            try:
                if not (trusted and trusted[0]):  # a trusted file's close checked its index
                    with store.write() as session:
                        ensure_sound_index(session.connection)
            except (DatabaseError, sqlite3.DatabaseError) as error:
                # Damage the checklist's page checks cannot see (e.g. the index's config row)
                # can make FTS5 fail even to rebuild: refuse the file like any other damage.
                raise CorruptProjectError(
                    f"{path.name} is damaged: its search index cannot be read or rebuilt "
                    f"({one_line(getattr(error, 'orig', None) or error)})"
                ) from None
        except BaseException:
            store.close()
            raise
        store._checked = True
        return store

    @classmethod
    def _open_read_only(cls, path: Path, check: dict) -> ProjectStore:
        """The open checklist, then read-only connections; no migration, checkpoint or index
        rebuild. When no other process has the project open, take its lock for the session
        (as every open did before) so nobody writes while the main file is read alone;
        otherwise read through the holder's WAL, which SQLite lets readers share."""
        lock: ProjectLock | None = ProjectLock(
            path, holder="a read-only command, until it finishes", shared=True
        )
        try:
            lock.acquire()
        except ProjectLockedError:
            lock = None
        try:
            version = run_checklist(path, shared=lock is None, **check)
            if version != schema_version():
                raise ProjectFileError(
                    f"{path.name} is format version {version} and must first be upgraded to "
                    f"version {schema_version()}, which a read-only command does not do: open "
                    "it in the Annotator app (close any older Annotator that has it open first)"
                )
            return cls(path, lock, read_only=True, shared=lock is None)
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    def close(self) -> None:
        """Checkpoint the WAL into the file, close every connection, release the lock.

        A second call does nothing: it must not reconnect, which would create an empty file
        if the project was moved or deleted after the first close.
        """
        if self._closed:
            return
        self._closed = True
        try:
            with self._edit_lock:
                if self._edit_connection is not None:
                    self._edit_connection.close()
                    self._edit_connection = None
            complete = False
            if not self.read_only:  # a read-only connection may not checkpoint
                with suppress(sqlite3.Error):
                    checkpoint(self.engine)
                    # Checked now, so that the next open of these bytes need not (checks).
                    with self.raw() as connection:
                        complete = self._checked and sound_at_close(connection)
            self.engine.dispose()
            if complete and not has_pending_log(self.path):
                # Every connection is closed (hashing the file closes a descriptor of it, which
                # would drop their locks) and the lock is still ours: nobody wrote meanwhile.
                record_clean_close(self.path, schema_version())
        finally:
            if self._lock is not None:
                self._lock.release()

    # -- sessions ----------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[ReadSession]:
        check = self._require_sound_index if self.read_only else None
        with self.engine.connect() as connection, connection.begin():
            yield ReadSession(connection, check, self.texts)

    @contextmanager
    def write(self) -> Iterator[WriteSession]:
        """One transaction; committed (one fsync) when the block ends, rolled back on error."""
        self._refuse_if_read_only()
        with self.engine.connect().execution_options(immediate=True) as connection:
            pending = _track_span_keys(connection)
            with connection.begin():
                yield WriteSession(connection, self.texts)
                span_keys.flush(connection.connection.driver_connection, pending)

    @contextmanager
    def edit(self) -> Iterator[WriteSession]:
        """`write` for interactive edits: the same transaction (BEGIN IMMEDIATE, one fsync at
        COMMIT), on a connection kept checked out between edits, which saves the pool's
        checkout and reset (about 0.05 ms of an edit's 0.5 ms budget). Another thread editing
        meanwhile gets an ordinary `write` (its own connection; SQLite's write lock orders
        the two)."""
        self._refuse_if_read_only()
        if self._closed or not self._edit_lock.acquire(blocking=False):
            with self.write() as session:
                yield session
            return
        try:
            if self._edit_connection is None:
                self._edit_connection = self.engine.connect().execution_options(immediate=True)
            pending = _track_span_keys(self._edit_connection)
            with self._edit_connection.begin():
                yield WriteSession(self._edit_connection, self.texts)
                span_keys.flush(self._edit_connection.connection.driver_connection, pending)
        finally:
            self._edit_lock.release()

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ProjectFileError(f"{self.path.name} was opened read-only; nothing was changed")

    def _require_sound_index(self, connection: sqlite3.Connection) -> None:
        """Before a read-only search: a damaged index is reported, not rebuilt (a rebuild
        writes). Checked once, at the first search, so other commands do not pay for it."""
        if self._index_sound is None:  # connection: the searching session's (its snapshot)
            self._index_sound = index_is_sound_read_only(connection)
        if not self._index_sound:
            raise CorruptProjectError(
                f"{self.path.name}'s search index is damaged and must be rebuilt, which a "
                "read-only search does not do: open the project in the Annotator app (it "
                "rebuilds the index), then search again"
            )

    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        """The DBAPI connection, for the store's own bulk paths (import/export)."""
        fairy = self.engine.raw_connection()
        try:
            yield fairy.driver_connection
        finally:
            fairy.close()

    # -- whole-file operations ---------------------------------------------------------------
    def user_version(self) -> int:
        with self.raw() as connection:
            return int(connection.execute("PRAGMA user_version").fetchone()[0])

    def pragma(self, name: str) -> object:
        """Read back a connection setting (tests assert the hardening through the engine)."""
        with self.engine.connect() as connection:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

    def integrity_check(self) -> list[str]:
        with self.raw() as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            problems += [
                f"broken reference in {row[0]}"
                for row in connection.execute("PRAGMA foreign_key_check")
            ]
        problems = [] if problems == ["ok"] else [p for p in problems if p != "ok"]
        # A writing open rebuilds a damaged search index; a read-only one can only report it.
        if self.read_only and not self._index_is_sound():
            problems.append("its search index is damaged (opening it in the app rebuilds it)")
        return problems

    def _index_is_sound(self) -> bool:
        with self.read() as session:  # one snapshot: the index's tables must agree
            return index_is_sound_read_only(session.connection.connection.driver_connection)

    def save_copy(self, destination: Path) -> None:
        """Write one self-contained, compacted copy (VACUUM INTO temp, fsync, rename)."""
        destination = Path(destination)
        # Replacing the open file under its live connection and WAL would lose later edits.
        own = Path(self.path).resolve()
        if destination.resolve() in {own, *(own.with_name(own.name + s) for s in ("-wal", "-shm"))}:
            raise ProjectFileError(
                f"{destination.name} is this project itself; save the copy under another name"
            )
        temp = destination.with_name(f".{destination.name}.saving")
        temp.unlink(missing_ok=True)
        with self.raw() as connection:
            # VACUUM INTO attaches its destination; project connections otherwise allow none.
            connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 1)
            try:
                connection.execute("VACUUM INTO ?", (str(temp),))
            finally:
                connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        _fsync_path(temp)
        os.replace(temp, destination)
        _fsync_path(destination.parent)
