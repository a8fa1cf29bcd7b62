"""The open checklist for any project file: header, hardened read-only open, quick_check,
schema allow-list and content validation. Nothing here ever writes to the file."""

from __future__ import annotations

import hashlib
import sqlite3
import struct
import time
from collections.abc import Callable
from pathlib import Path

from annotator.domain.offsets import quote_of
from annotator.errors import (
    CorruptProjectError,
    HostileSchemaError,
    InvalidContentError,
    NewerVersionError,
    NotAProjectError,
)
from annotator.store.ddl import APPLICATION_ID, expected_objects_of, normalize_sql, schema_version
from annotator.store.engine import harden, read_only_query

SQLITE_MAGIC = b"SQLite format 3\x00"
#: Seconds any single validation query may run before the file is declared hostile.
QUERY_DEADLINE_S = 120.0

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
    """A hardened read-only connection with a deadline on every statement.

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
    deadline = [time.monotonic() + QUERY_DEADLINE_S]

    def _watchdog() -> int:
        return 1 if time.monotonic() > deadline[0] else 0

    connection.set_progress_handler(_watchdog, 10_000)
    return connection


def run_checklist(path: Path, *, progress: Progress | None = None, shared: bool = False) -> int:
    """Run every check on the file at path; return its format version or raise a typed error.

    `shared`: the project is open in another process (see `open_read_only`); the -wal/-shm
    this check may create are then left in place, as that process or another reader may be
    using them."""
    say = progress or (lambda _message: None)
    say("Reading the file header")
    version, _ = read_header(path)
    resolved = path.resolve()
    sidecars = [Path(f"{resolved}-wal"), Path(f"{resolved}-shm")]
    # Only a connection that reads through the WAL creates -wal/-shm; an immutable one (our
    # own file, nothing pending) creates none, so there is nothing of ours to remove, and what
    # appears meanwhile is a concurrent reader's (one that found the project locked).
    private = not shared and has_pending_log(path)
    created = [sidecar for sidecar in sidecars if not sidecar.exists()] if private else []
    try:
        # The one-argument call for a private file: tests wrap open_read_only(path) to trace it.
        connection = open_read_only(path, shared=True) if shared else open_read_only(path)
    except sqlite3.Error as error:
        _remove_empty_sidecars(created)
        raise NotAProjectError(f"{path.name} cannot be opened: {one_line(error)}") from error
    try:
        if shared:
            # A writer's committed changes may still be in its WAL, user_version included.
            version = _checked_version(connection, path.name)
        say("Checking the file for damage")
        _damage_check(connection, path.name, path.stat().st_size)
        say("Checking the file's structure")
        _check_schema(connection, path.name, version)
        if version == schema_version():
            say("Checking the annotations")
            validate_content(connection, path.name)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        # UnicodeDecodeError: SQLite's own error message quoted damaged bytes.
        raise CorruptProjectError(f"{path.name} is damaged: {one_line(error)}") from error
    finally:
        connection.close()
        _remove_empty_sidecars(created)
    return version


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


def _damage_check(connection: sqlite3.Connection, name: str, size: int) -> None:
    pragma = "integrity_check" if size <= INTEGRITY_CHECK_MAX_BYTES else "quick_check"
    rows = connection.execute(f"PRAGMA {pragma}").fetchall()
    if rows != [("ok",)]:
        # Rows may span lines ("*** in database main ***\nOn tree page 25 ..."): keep one.
        lines = [line for row in rows for line in str(row[0]).splitlines()]
        detail = next((line for line in lines if line and not line.startswith("***")), "")
        raise CorruptProjectError(f"{name} is damaged: {one_line(detail or pragma)}")
    if connection.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise InvalidContentError(f"{name} has references to rows that do not exist")


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
            f"{name} contains a {kind} {obj!r} that Annotator did not create; "
            "it was not opened, to protect your data"
        )
    missing = sorted(expected - found)
    if missing:
        kind, obj, _, _ = missing[0]
        raise HostileSchemaError(f"{name} has a changed or missing {kind} {obj!r}")


_CONTENT_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "SELECT s.uuid FROM span_fragments f JOIN spans s ON s.id = f.span_id "
        'JOIN documents d ON d.id = s.document_id WHERE f."end" > length(d.text) LIMIT 1',
        "span {} has an offset outside its document's text",
    ),
    (
        "SELECT s.uuid FROM spans s JOIN documents d ON d.id = s.document_id "
        'WHERE s."end" > length(d.text) LIMIT 1',
        "span {} has an offset outside its document's text",
    ),
    (
        'SELECT s.uuid FROM spans s LEFT JOIN (SELECT span_id, min(start) AS lo, max("end") AS hi,'
        " count(*) AS n, max(ordinal) AS top FROM span_fragments GROUP BY span_id) f"
        ' ON f.span_id = s.id WHERE f.span_id IS NULL OR f.lo <> s.start OR f.hi <> s."end"'
        " OR f.top <> f.n - 1 LIMIT 1",
        "span {} has fragments that do not match its extent",
    ),
    (
        "SELECT s.uuid FROM span_fragments a JOIN span_fragments b ON b.span_id = a.span_id "
        'AND b.ordinal = a.ordinal + 1 JOIN spans s ON s.id = a.span_id WHERE b.start < a."end" '
        "LIMIT 1",
        "span {} has overlapping or unordered fragments",
    ),
    (
        "SELECT s.uuid FROM spans s JOIN documents d ON d.id = s.document_id WHERE "
        "(SELECT count(*) FROM span_fragments f WHERE f.span_id = s.id) = 1 AND "
        's.quote <> substr(d.text, s.start + 1, s."end" - s.start) LIMIT 1',
        "span {}'s quote differs from the text it points at",
    ),
    (
        "SELECT l.uuid FROM links l JOIN spans a ON a.id = l.source_span_id "
        "JOIN spans b ON b.id = l.target_span_id "
        "WHERE a.document_id <> l.document_id OR b.document_id <> l.document_id LIMIT 1",
        "link {} joins spans of different documents",
    ),
    (
        "SELECT uuid FROM spans WHERE NOT json_valid(attributes) "
        "OR json_type(attributes) <> 'object' LIMIT 1",
        "span {} has malformed attributes",
    ),
    (
        "SELECT uuid FROM links WHERE NOT json_valid(attributes) "
        "OR json_type(attributes) <> 'object' LIMIT 1",
        "link {} has malformed attributes",
    ),
    (
        "SELECT uuid FROM entities WHERE NOT json_valid(aliases) OR NOT json_valid(external_ids)"
        " LIMIT 1",
        "entity {} has malformed aliases or identifiers",
    ),
    (
        "SELECT uuid FROM attribute_defs WHERE NOT json_valid(choices) LIMIT 1",
        "attribute definition {} has malformed choices",
    ),
    (
        "SELECT uuid FROM documents WHERE NOT json_valid(extra) LIMIT 1",
        "document {} has malformed metadata",
    ),
)


def validate_content(connection: sqlite3.Connection, name: str) -> None:
    """Rows must obey the model: offsets in range, quotes equal to the text, sane references."""
    for query, message in _CONTENT_QUERIES:
        row = connection.execute(query).fetchone()
        if row is not None:
            raise InvalidContentError(f"{name}: " + message.format(one_line(row[0], 40)))
    _check_multi_fragment_quotes(connection, name)
    _check_utf8(connection, name)
    for uuid, text, sha in connection.execute("SELECT uuid, text, sha256 FROM documents"):
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha:
            raise InvalidContentError(
                f"{name}: document {one_line(uuid, 40)}'s text does not match its hash"
            )


#: Every text column a reader decodes; SQLite stores whatever bytes a file holds.
_TEXT_COLUMNS = {
    "project_info": ("key", "value"),
    "annotators": ("uuid", "name", "identifier", "created", "modified"),
    "tag_types": (
        "uuid",
        "key",
        "label",
        "kind",
        "color",
        "hotkey",
        "guideline",
        "created",
        "modified",
    ),
    "link_types": ("uuid", "key", "label", "color", "guideline", "created", "modified"),
    "attribute_defs": (
        "uuid",
        "key",
        "label",
        "value_type",
        "choices",
        "default_value",
        "guideline",
        "created",
        "modified",
    ),
    "documents": (
        "uuid",
        "title",
        "sha256",
        "author",
        "outlet",
        "url",
        "published",
        "language",
        "source_filename",
        "source_encoding",
        "extra",
        "imported",
        "created",
        "modified",
    ),
    "entities": ("uuid", "name", "kind", "aliases", "external_ids", "note", "created", "modified"),
    "spans": ("uuid", "quote", "prefix", "suffix", "attributes", "note", "created", "modified"),
    "links": ("uuid", "attributes", "note", "created", "modified"),
    "document_status": ("uuid", "status", "modified"),
    "tombstones": ("uuid", "kind", "deleted"),
}


def _check_utf8(connection: sqlite3.Connection, name: str) -> None:
    """Decode every text value once (documents.text is decoded by the hash check)."""
    for table, columns in _TEXT_COLUMNS.items():
        cursor = connection.execute(f"SELECT {', '.join(columns)} FROM {table}")
        try:
            while cursor.fetchmany(10_000):
                pass
        except sqlite3.OperationalError as error:
            if "decode" not in str(error).lower():
                raise
            raise InvalidContentError(
                f"{name}: {table} holds text that is not valid UTF-8"
            ) from None


def _check_multi_fragment_quotes(connection: sqlite3.Connection, name: str) -> None:
    rows = connection.execute(
        "SELECT s.id, s.uuid, s.quote, d.text FROM spans s JOIN documents d "
        "ON d.id = s.document_id WHERE s.id IN "
        "(SELECT span_id FROM span_fragments GROUP BY span_id HAVING count(*) > 1)"
    )
    for span_id, uuid, quote, text in rows:
        fragments = connection.execute(
            'SELECT start, "end" FROM span_fragments WHERE span_id = ? ORDER BY ordinal',
            (span_id,),
        ).fetchall()
        if quote_of(text, fragments) != quote:
            raise InvalidContentError(
                f"{name}: span {one_line(uuid, 40)}'s quote differs from its text"
            )
