"""The open checklist for any project file: header, hardened read-only open, quick_check,
schema allow-list and content validation. Nothing here ever writes to the file.

When the full checklist runs: always for a file from elsewhere (and always for `annotator
check`). A file that this installation last closed cleanly, and that is byte for byte what it
closed (size, modification time and a SHA-256 over the whole file, recorded outside the file by
`close_record`), skips the content validation and the page check: the close ran `quick_check`
and `foreign_key_check` on exactly these bytes before it recorded them (`sound_at_close`), so
the open does not repeat them while the user waits for the first frame. Its header and schema
are still checked. Anything else (an edited, swapped or damaged file, a -wal left beside it)
is fully checked.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Callable
from pathlib import Path

from annotator.domain.wording import quoted
from annotator.errors import (
    CorruptProjectError,
    HostileSchemaError,
    InvalidContentError,
    NewerVersionError,
    NotAProjectError,
)
from annotator.store.check_watch import CheckWatch, Steps
from annotator.store.close_record import closed_cleanly_here
from annotator.store.content_checks import validate_content
from annotator.store.ddl import APPLICATION_ID, expected_objects_of, normalize_sql, schema_version
from annotator.store.engine import harden, read_only_query

__all__ = ["Progress", "Steps", "open_read_only", "run_checklist", "validate_content"]

SQLITE_MAGIC = b"SQLite format 3\x00"
#: `progress(text)`: the stage the checklist is at.
Progress = Callable[[str], None]


def one_line(value: object, limit: int = 160) -> str:
    """Text from a file (or SQLite's report on it) made fit for a one-line message."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_header(path: Path) -> tuple[int, int]:
    """Return (user_version, application_id) from the 100-byte header, without SQLite."""
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise NotAProjectError(f"{name}: cannot be read ({error.strerror})") from error
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotAProjectError(f"{name} is not an Annotator project (not an SQLite database)")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1) or size % page_size:
        raise CorruptProjectError(f"{name} is damaged (its size does not fit its page size)")
    user_version = struct.unpack(">I", header[60:64])[0]
    application_id = struct.unpack(">I", header[68:72])[0]
    if application_id != APPLICATION_ID:
        raise NotAProjectError(
            f"{name} is an SQLite database but not an Annotator project "
            f"(application id {application_id:#010x})"
        )
    refuse_newer(name, user_version)
    return user_version, application_id


def refuse_newer(name: str, version: int) -> None:
    if version > schema_version():
        raise NewerVersionError(
            f"{name} is format version {version}; this Annotator reads up to version "
            f"{schema_version()}. Update Annotator to open it."
        )


def has_pending_log(path: Path) -> bool:
    """Whether the file's last writer left changes outside the main file: a -wal holding
    frames, or a rollback journal. Then only a connection that reads them sees the file."""
    path = Path(path).resolve()  # SQLite names the -wal after the target of a symlink
    wal = Path(f"{path}-wal")
    return (wal.exists() and wal.stat().st_size > 0) or Path(f"{path}-journal").exists()


def open_read_only(path: Path, *, shared: bool = False) -> sqlite3.Connection:
    """A hardened read-only connection.

    `shared`: another process may be writing the file (through its WAL) meanwhile, so read it
    through the WAL and its -shm (SQLite creates both if missing). Otherwise nobody writes it
    while we read (a copy of our own, or a project whose lock we hold): when nothing waits in a
    WAL or journal, the main file alone is read (immutable), which creates no -wal/-shm that
    a concurrent reader could come to share before we removed them.
    """
    immutable = not shared and not has_pending_log(path)
    query = "&".join(
        f"{key}={value}" for key, value in read_only_query(immutable=immutable).items()
    )
    # as_uri() percent-encodes "#", "?" and "%" in the name; a bare "file:" + path does not.
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True)
    harden(connection, read_only=True)
    return connection


def run_checklist(
    path: Path,
    *,
    progress: Progress | None = None,
    shared: bool = False,
    steps: Steps | None = None,
    deadline_s: float | None = None,
    full: bool = False,
    trusted_out: list[bool] | None = None,
) -> int:
    """Run every check on the file at path; return its format version or raise a typed error.

    `shared`: the project is open in another process (see `open_read_only`); the -wal/-shm
    this check may create are then left in place, as that process or another reader may be
    using them. `progress(text)` hears each stage; `steps(done, total, text)` also hears how
    far it is, and returning False cancels (`CheckCancelledError`). `deadline_s`: give up
    after so many seconds (`CheckTimeoutError`, never a verdict of damage). `full`: never skip
    the long checks for a file this installation closed (see the module docstring).
    `trusted_out` receives whether they were skipped (the caller may skip its own, such as
    the search index's, which the close checked too)."""
    watch = CheckWatch(path.name, steps, deadline_s)

    def say(message: str) -> None:
        if progress is not None:
            progress(message)
        watch.stage(message)

    say("Reading the file header")
    version, _ = read_header(path)
    resolved = path.resolve()
    sidecars = [Path(f"{resolved}-wal"), Path(f"{resolved}-shm")]
    # Only a connection that reads through the WAL creates -wal/-shm; an immutable one (our
    # own file, nothing pending) creates none, so there is nothing of ours to remove, and what
    # appears meanwhile is a concurrent reader's (one that found the project locked).
    pending = has_pending_log(path)
    private = not shared and pending
    # Hashed before any connection of ours is open (reading the file closes a descriptor of
    # it, which would drop this process's SQLite locks on it).
    trusted = (
        not full and not pending and version == schema_version()
        and closed_cleanly_here(path, version)
    )  # fmt: skip
    if trusted_out is not None:
        trusted_out.append(trusted)
    created = [sidecar for sidecar in sidecars if not sidecar.exists()] if private else []
    try:
        # The one-argument call for a private file: tests wrap open_read_only(path) to trace it.
        connection = open_read_only(path, shared=True) if shared else open_read_only(path)
    except sqlite3.Error as error:
        _remove_empty_sidecars(created)
        raise NotAProjectError(f"{path.name} cannot be opened: {one_line(error)}") from error
    watch.install(connection)
    try:
        if shared:
            # A writer's committed changes may still be in its WAL, user_version included.
            version = _checked_version(connection, path.name)
        say("Checking the file for damage")
        if not trusted:  # else checked when it was closed, byte for byte as it is now
            _damage_check(connection, path.name, path.stat().st_size)
        say("Checking the file's structure")
        _check_schema(connection, path.name, version)
        if version == schema_version() and not trusted:
            say("Checking the annotations")
            validate_content(connection, path.name, watch, second=_second(path, shared))
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        # Stopped by the watch (cancel, deadline): say so, never "damaged".
        if isinstance(error, sqlite3.Error):
            watch.translate(error)
        # UnicodeDecodeError: SQLite's own error message quoted damaged bytes.
        raise CorruptProjectError(f"{path.name} is damaged: {one_line(error)}") from error
    finally:
        connection.close()
        _remove_empty_sidecars(created)
    return version


#: Files from this size get their table checks on a second connection, in a thread, beside
#: the span pass (for smaller ones the thread costs more than it saves).
PARALLEL_FROM_BYTES = 16 * 1024 * 1024


def _second(path: Path, shared: bool) -> Callable[[], sqlite3.Connection] | None:
    if path.stat().st_size < PARALLEL_FROM_BYTES:
        return None
    return lambda: open_read_only(path, shared=True) if shared else open_read_only(path)


def _checked_version(connection: sqlite3.Connection, name: str) -> int:
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    refuse_newer(name, version)
    return version


def _remove_empty_sidecars(created: list[Path]) -> None:
    """Remove the -wal/-shm files a read-only connection to a WAL file leaves (it may not
    checkpoint, so SQLite keeps them): the checked file is left exactly as it was found.
    Only files this check created go, and only while the -wal holds nothing."""
    wal = next((p for p in created if p.name.endswith("-wal")), None)
    if wal is not None and wal.exists() and wal.stat().st_size > 0:
        return
    for sidecar in created:
        sidecar.unlink(missing_ok=True)


#: Files up to this size get integrity_check (which also compares every index with its table);
#: larger ones quick_check, which costs about a sixth (store research note 2d).
INTEGRITY_CHECK_MAX_BYTES = 128 * 1024 * 1024


def _damage_check(
    connection: sqlite3.Connection, name: str, size: int, *, thorough: bool = True
) -> None:
    small = size <= INTEGRITY_CHECK_MAX_BYTES
    pragma = "integrity_check" if thorough and small else "quick_check"
    rows = connection.execute(f"PRAGMA {pragma}").fetchall()
    if rows != [("ok",)]:
        # Rows may span lines ("*** in database main ***\nOn tree page 25 ..."): keep one.
        lines = [line for row in rows for line in str(row[0]).splitlines()]
        detail = next((line for line in lines if line and not line.startswith("***")), "")
        raise CorruptProjectError(f"{name} is damaged: {one_line(detail or pragma)}")
    if connection.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise InvalidContentError(f"{name} has references to rows that do not exist")


def sound_at_close(connection: sqlite3.Connection) -> bool:
    """`quick_check`, `foreign_key_check` and the search index's integrity-check pass: what
    a clean close checks before it records the file as trusted (the next open then skips
    them, see the module docstring)."""
    try:
        _damage_check(connection, "", 0, thorough=False)
        # FTS5's own integrity-check runs as an INSERT: in a transaction rolled back
        connection.execute("BEGIN")
        try:
            connection.execute(
                "INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 0)"
            )
        finally:
            connection.execute("ROLLBACK")
    except (CorruptProjectError, InvalidContentError, sqlite3.Error):
        return False
    return True


def _check_schema(connection: sqlite3.Connection, name: str, version: int) -> None:
    found = {
        (t, n, tb, normalize_sql(s))
        for t, n, tb, s in connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema")
    }
    expected = expected_objects_of(version) if 0 < version <= schema_version() else frozenset()
    extra = sorted(found - expected)
    if extra:
        kind, obj, _, _ = extra[0]
        raise HostileSchemaError(
            f"{name} contains a {kind} {quoted(obj)} that Annotator did not create; "
            "it was not opened, to protect your data"
        )
    missing = sorted(expected - found)
    if missing:
        kind, obj, _, _ = missing[0]
        raise HostileSchemaError(f"{name} has a changed or missing {kind} {quoted(obj)}")
