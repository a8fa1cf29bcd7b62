"""Builders of bad project files, for the open-checklist and migration tests.

Every builder takes a destination path (and, where it damages a real project, a closed and
checkpointed source project such as the `populated_file` fixture), writes the bad file with the
plain `sqlite3` module or raw bytes, and returns the destination. The source is never touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import struct
from pathlib import Path

from annotator.store.ddl import APPLICATION_ID

SQLITE_MAGIC = b"SQLite format 3\x00"


# -- helpers -----------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def copy_project(source: Path, destination: Path) -> Path:
    """Copy a closed project file alone (a project holds no data in companion files)."""
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{source}{suffix}").exists(), f"{source} is not checkpointed"
    shutil.copyfile(source, destination)
    return destination


def run_sql(path: Path, *statements: str, foreign_keys: bool = False) -> Path:
    """Run statements on path in one transaction with a plain connection, then checkpoint.

    Foreign keys are off by default, like any tool a hostile author would use.
    """
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")
        connection.execute("BEGIN")
        for statement in statements:
            connection.execute(statement)
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    _drop_empty_companions(path)
    return path


def _drop_empty_companions(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            assert suffix == "-shm" or companion.stat().st_size == 0, "WAL not checkpointed"
            companion.unlink()


def edit_copy(source: Path, destination: Path, *statements: str) -> Path:
    return run_sql(copy_project(source, destination), *statements)


def page_size(path: Path) -> int:
    size = struct.unpack(">H", Path(path).read_bytes()[16:18])[0]
    return 65536 if size == 1 else size


def root_page(path: Path, name: str) -> int:
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        (page,) = connection.execute(
            "SELECT rootpage FROM sqlite_schema WHERE name = ?", (name,)
        ).fetchone()
    finally:
        connection.close()
    _drop_empty_companions(path)
    return int(page)


def overwrite(path: Path, offset: int, data: bytes) -> Path:
    with Path(path).open("r+b") as handle:
        handle.seek(offset)
        handle.write(data)
    return path


# -- not a project at all ----------------------------------------------------------------------


def random_bytes(destination: Path, size: int = 8192, seed: int = 7) -> Path:
    destination.write_bytes(bytes((seed * 7919 + i * 104729) % 251 for i in range(size)))
    return destination


def text_file(destination: Path) -> Path:
    destination.write_text("Minutes of the meeting.\n" * 40, encoding="utf-8")
    return destination


def empty_file(destination: Path) -> Path:
    destination.write_bytes(b"")
    return destination


def plain_sqlite(destination: Path) -> Path:
    """A valid SQLite database from some other program (application_id 0)."""
    connection = sqlite3.connect(destination)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    connection.execute("INSERT INTO notes (body) VALUES ('hello')")
    connection.commit()
    connection.close()
    return destination


def other_application(destination: Path, application_id: int = 0x47504B47) -> Path:
    """An SQLite database with somebody else's application_id (here GeoPackage's)."""
    plain_sqlite(destination)
    return run_sql(destination, f"PRAGMA application_id = {application_id}")


# -- header and size damage --------------------------------------------------------------------


def bad_magic(source: Path, destination: Path) -> Path:
    return overwrite(copy_project(source, destination), 0, b"SQLite format 4")


def bad_page_size(source: Path, destination: Path) -> Path:
    """Page size 768 in the header: not a power of two."""
    return overwrite(copy_project(source, destination), 16, struct.pack(">H", 768))


def truncated_mid_page(source: Path, destination: Path) -> Path:
    copy_project(source, destination)
    size = destination.stat().st_size
    os.truncate(destination, size - page_size(destination) // 2 - 1)
    return destination


def truncated_pages(source: Path, destination: Path, pages: int = 8) -> Path:
    """Whole pages cut off the end: the size still fits the page size."""
    copy_project(source, destination)
    os.truncate(destination, destination.stat().st_size - pages * page_size(destination))
    return destination


def with_versions(
    source: Path, destination: Path, *, user_version: int, application_id: int = APPLICATION_ID
) -> Path:
    """A copy with other header values, written the way SQLite writes them."""
    copy_project(source, destination)
    return run_sql(
        destination,
        f"PRAGMA user_version = {int(user_version)}",
        f"PRAGMA application_id = {int(application_id)}",
    )


def version_zero(destination: Path) -> Path:
    """What a crash during creation leaves: our application_id, user_version 0, no tables."""
    connection = sqlite3.connect(destination)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.close()
    assert destination.stat().st_size > 0
    return destination


def as_version_4(path: Path) -> Path:
    """A closed current project file turned back into format version 4 (before the analytics
    node keys, their index and triggers), checkpointed so its header says so."""
    from annotator.store.ddl import ADDED_IN_VERSION

    triggers = sorted(ADDED_IN_VERSION[5] - {"span_keys"})
    drops = [*(f"DROP TRIGGER {t}" for t in triggers), "DROP TABLE span_keys"]
    return run_sql(path, "PRAGMA user_version = 4", *drops)


def as_version_3(path: Path) -> Path:
    """A closed current project file turned back into format version 3 (before the change
    counters and their triggers), checkpointed so its header says so."""
    from annotator.store.ddl import ADDED_IN_VERSION

    as_version_4(path)
    triggers = sorted(ADDED_IN_VERSION[4] - {"change_counters"})
    drops = [*(f"DROP TRIGGER {t}" for t in triggers), "DROP TABLE change_counters"]
    return run_sql(path, "PRAGMA user_version = 3", *drops)


def as_version_2(path: Path) -> Path:
    """A closed current project file turned back into format version 2: version 3's file with
    its search index as version 2 created it (prefix '2 3'), rebuilt."""
    from annotator.store.ddl import CHANGED_IN_VERSION

    as_version_3(path)
    return run_sql(
        path,
        "DROP TABLE documents_fts",
        CHANGED_IN_VERSION[3]["documents_fts"],
        "INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')",
        "PRAGMA user_version = 2",
    )


def as_version_1(path: Path) -> Path:
    """A closed current project file turned back into format version 1 (before search,
    history, merge reports and decisions), checkpointed so its header says so."""
    tables = ("documents_fts", "history", "merge_reports", "decisions")
    as_version_2(path)
    return run_sql(path, "PRAGMA user_version = 1", *(f"DROP TABLE {t}" for t in tables))


# -- damaged pages -----------------------------------------------------------------------------


def damaged_btree_page(source: Path, destination: Path, table: str = "spans") -> Path:
    """Overwrite 4 bytes of the first cell of table's root b-tree page with 0xFF.

    Cells live in the content area in the second half of the page; the bytes hit the cell's
    payload length, which then points past the page: structure damage that ordinary SELECTs may
    not notice but quick_check reports.
    """
    copy_project(source, destination)
    size = page_size(destination)
    page = root_page(destination, table)
    base = (page - 1) * size
    data = destination.read_bytes()[base : base + size]
    header = 100 if page == 1 else 0
    assert data[header] == 13, f"{table}'s root page is not a leaf table page"
    (cells,) = struct.unpack(">H", data[header + 3 : header + 5])
    assert cells > 0, f"{table} has no rows to damage"
    (first_cell,) = struct.unpack(">H", data[header + 8 : header + 10])
    return overwrite(destination, base + first_cell, b"\xff" * 4)


# -- hostile schema ----------------------------------------------------------------------------


TROJAN_TRIGGER = (
    "CREATE TRIGGER retag AFTER INSERT ON spans BEGIN UPDATE spans SET tag_type_id = 1; END"
)


def trojan_trigger(source: Path, destination: Path) -> Path:
    return edit_copy(source, destination, TROJAN_TRIGGER)


def extra_view(source: Path, destination: Path) -> Path:
    return edit_copy(source, destination, "CREATE VIEW spans_view AS SELECT * FROM spans")


def extra_table(source: Path, destination: Path) -> Path:
    return edit_copy(source, destination, "CREATE TABLE payload (x TEXT) STRICT")


def extra_index(source: Path, destination: Path) -> Path:
    return edit_copy(source, destination, "CREATE INDEX spans_quote ON spans (quote)")


def rewritten_table_sql(source: Path, destination: Path, table: str, old: str, new: str) -> Path:
    """Change a table's CREATE statement in sqlite_schema (PRAGMA writable_schema)."""
    copy_project(source, destination)
    connection = sqlite3.connect(destination, isolation_level=None)
    try:
        (sql,) = connection.execute(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        assert old in sql, f"{old!r} is not in {table}'s definition"
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute(
            "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?",
            (sql.replace(old, new), table),
        )
        connection.execute("PRAGMA writable_schema = OFF")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    _drop_empty_companions(destination)
    return destination


def loosened_check(source: Path, destination: Path) -> Path:
    """tag_types.kind accepts one more value than schema.sql allows."""
    return rewritten_table_sql(
        source, destination, "tag_types", "'claim', 'custom')", "'claim', 'custom', 'evil')"
    )


def dropped_check(source: Path, destination: Path) -> Path:
    """spans loses its CHECK ("end" > start), rebuilt the way ALTER-less tools do it."""
    copy_project(source, destination)
    connection = sqlite3.connect(destination, isolation_level=None)
    try:
        (sql,) = connection.execute(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'spans'"
        ).fetchone()
        indexes = [
            row[0]
            for row in connection.execute(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'spans' "
                "AND sql IS NOT NULL"
            )
        ]
        new_sql = sql.replace(' CHECK ("end" > start)', "")
        assert new_sql != sql
        # SQLite's recipe for changing a table: build, copy, drop, rename (foreign keys off, so
        # the references in span_fragments and links keep naming "spans").
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("BEGIN")
        connection.execute(new_sql.replace("CREATE TABLE spans", "CREATE TABLE spans_new", 1))
        connection.execute("INSERT INTO spans_new SELECT * FROM spans")
        connection.execute("DROP TABLE spans")
        connection.execute("ALTER TABLE spans_new RENAME TO spans")
        for index in indexes:
            connection.execute(index)
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    _drop_empty_companions(destination)
    return destination


# -- invalid content ---------------------------------------------------------------------------


def _span_id(path: Path, uuid: str) -> int:
    connection = sqlite3.connect(path)
    try:
        (span_id,) = connection.execute("SELECT id FROM spans WHERE uuid = ?", (uuid,)).fetchone()
    finally:
        connection.close()
    _drop_empty_companions(path)
    return int(span_id)


def offsets_past_text(source: Path, destination: Path, span_uuid: str) -> Path:
    """The span's last fragment (and its extent) end 5 code points after the text."""
    copy_project(source, destination)
    span_id = _span_id(destination, span_uuid)
    return run_sql(
        destination,
        f'UPDATE span_fragments SET "end" = (SELECT length(d.text) + 5 FROM documents d '
        f"JOIN spans s ON s.document_id = d.id WHERE s.id = {span_id}) WHERE span_id = {span_id} "
        f"AND ordinal = (SELECT max(ordinal) FROM span_fragments WHERE span_id = {span_id})",
        f'UPDATE spans SET "end" = (SELECT max("end") FROM span_fragments '
        f"WHERE span_id = {span_id}) WHERE id = {span_id}",
    )


def quote_changed(source: Path, destination: Path, span_uuid: str) -> Path:
    return edit_copy(
        source,
        destination,
        f"UPDATE spans SET quote = 'Mayor John Roe' WHERE uuid = '{span_uuid}'",
    )


def link_across_documents(source: Path, destination: Path, link_uuid: str) -> Path:
    """A second document with one span; the link's target moves to that span."""
    text = "A second story about a tunnel."
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    stamp = "2026-01-01T00:00:00.000Z"
    return edit_copy(
        source,
        destination,
        "INSERT INTO documents (uuid, title, text, sha256, imported, created, modified) VALUES "
        f"('00000000-0000-7000-8000-00000000d002', 'Other', '{text}', '{sha}', "
        f"'{stamp}', '{stamp}', '{stamp}')",
        'INSERT INTO spans (uuid, document_id, annotator_id, tag_type_id, start, "end", quote,'
        " created, modified) SELECT '00000000-0000-7000-8000-00000000a002', d.id, "
        "(SELECT min(id) FROM annotators), (SELECT id FROM tag_types WHERE key = 'claim'), "
        f"2, 8, 'second', '{stamp}', '{stamp}' FROM documents d WHERE d.title = 'Other'",
        'INSERT INTO span_fragments (span_id, ordinal, start, "end") SELECT id, 0, 2, 8 '
        "FROM spans WHERE uuid = '00000000-0000-7000-8000-00000000a002'",
        "UPDATE links SET target_span_id = (SELECT id FROM spans WHERE uuid = "
        f"'00000000-0000-7000-8000-00000000a002') WHERE uuid = '{link_uuid}'",
    )


def malformed_attributes(
    source: Path, destination: Path, table: str, uuid: str, value: str = '{"stance": '
) -> Path:
    escaped = value.replace("'", "''")
    return edit_copy(
        source, destination, f"UPDATE {table} SET attributes = '{escaped}' WHERE uuid = '{uuid}'"
    )


def text_changed(source: Path, destination: Path, document_uuid: str) -> Path:
    """One letter after every span changes: quotes still match, the sha256 does not."""
    return edit_copy(
        source,
        destination,
        "UPDATE documents SET text = replace(text, 'Engineers', 'Engineerz') "
        f"WHERE uuid = '{document_uuid}'",
    )


def dangling_reference(source: Path, destination: Path, span_uuid: str) -> Path:
    """A span whose annotator does not exist (written with foreign keys off)."""
    return edit_copy(
        source, destination, f"UPDATE spans SET annotator_id = 999 WHERE uuid = '{span_uuid}'"
    )


# -- damage the checklist does not see (yet) -----------------------------------------------------


def invalid_utf8(source: Path, destination: Path, span_uuid: str) -> Path:
    """A span's note holds bytes that are not UTF-8 (STRICT accepts any TEXT value)."""
    return edit_copy(
        source,
        destination,
        f"UPDATE spans SET note = CAST(X'6865646765ff' AS TEXT) WHERE uuid = '{span_uuid}'",
    )


def stale_uuid_index(source: Path, destination: Path, document_uuid: str) -> Path:
    """The documents.uuid index names another uuid than the row does (one hex digit changed
    inside the index page): the b-tree is well formed, only index and table disagree."""
    copy_project(source, destination)
    size = page_size(destination)
    page = root_page(destination, "sqlite_autoindex_documents_1")
    data = destination.read_bytes()
    old = document_uuid.encode("ascii")
    at = data.find(old, (page - 1) * size, page * size)
    assert at > 0, "the uuid is not in the index page"
    last = old[-1:]
    return overwrite(destination, at + len(old) - 1, b"0" if last != b"0" else b"1")
