"""schema.sql as data: its statements, its version, and the objects it creates."""

from __future__ import annotations

import re
import sqlite3
from functools import cache

from annotator.resources import schema_sql_path

APPLICATION_ID = 0x414E4E4F  # "ANNO"


@cache
def schema_sql() -> str:
    return schema_sql_path().read_text(encoding="utf-8")


def split_statements(sql: str) -> list[str]:
    """Split an SQL script into complete statements (no executescript: it commits first)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError("schema.sql ends with an incomplete statement")
    return statements


@cache
def schema_version() -> int:
    """The user_version that schema.sql sets: the version this build writes and understands."""
    match = re.search(r"PRAGMA\s+user_version\s*=\s*(\d+)", schema_sql(), re.IGNORECASE)
    if not match:
        raise ValueError("schema.sql does not set user_version")
    return int(match.group(1))


def normalize_sql(sql: str | None) -> str:
    """Collapse whitespace and case so DDL compares by meaning, not layout."""
    if sql is None:
        return ""
    sql = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"\s+", " ", sql).strip().lower()


#: The full-text index and its shadow tables: derived from documents, not mapped by the ORM.
FTS_TABLES: frozenset[str] = frozenset(
    ("documents_fts", "documents_fts_data", "documents_fts_idx", "documents_fts_docsize",
     "documents_fts_config")
)  # fmt: skip

#: The tables and counting triggers of format version 4 (schema.sql's marked block).
CHANGE_COUNTED: tuple[str, ...] = (
    "annotators", "tag_types", "link_types", "attribute_defs", "documents", "entities",
    "spans", "links", "document_status", "tombstones", "history", "decisions",
)  # fmt: skip

#: Tables (with their indexes, triggers and rows) and triggers each format version added, by
#: name: a file of an older version is checked against the allow-list without them.
ADDED_IN_VERSION: dict[int, frozenset[str]] = {
    2: FTS_TABLES | {"history", "merge_reports", "decisions"},
    4: frozenset(
        {"change_counters"}
        | {f"{t}_counted_{e}" for t in CHANGE_COUNTED for e in ("insert", "update")}
    ),
    5: frozenset({"span_keys", "span_keys_stale", "span_keys_gone"}),
}


#: Objects a version re-created in another form: version -> {name: the statement that created
#: it before that version}. A file of an older version is checked against the older form.
CHANGED_IN_VERSION: dict[int, dict[str, str]] = {
    3: {
        "documents_fts": "CREATE VIRTUAL TABLE documents_fts USING fts5(\n"
        "    title, text,\n"
        "    content = 'documents', content_rowid = 'id',\n"
        "    tokenize = 'unicode61 remove_diacritics 2',\n"
        "    prefix = '2 3'\n"
        ")",
    },
}


def form_at(version: int, name: str, statement: str) -> str:
    """The statement that created object `name` in a file of `version`: `statement` (this
    build's) unless a later version changed it."""
    for changed in sorted(v for v in CHANGED_IN_VERSION if v > version):
        if name in CHANGED_IN_VERSION[changed]:
            return CHANGED_IN_VERSION[changed][name]
    return statement


@cache
def expected_objects_of(version: int) -> frozenset[tuple[str, str, str, str]]:
    """The allow-list of a file at `version` (this build's, minus what later versions added,
    with the older form of what later versions changed)."""
    newer = set().union(*(t for v, t in ADDED_IN_VERSION.items() if v > version))
    return frozenset(
        (kind, name, table, normalize_sql(form_at(version, name, sql)))
        for kind, name, table, sql in expected_objects()
        if not {name, table} & newer
    )


def statements_adding(version: int) -> list[str]:
    """The statements of schema.sql that create (or fill) what `version` added, in file
    order: its tables, their indexes and rows, and its triggers."""
    added = ADDED_IN_VERSION.get(version, frozenset())
    found = []
    for statement in split_statements(schema_sql()):
        match = re.match(
            r"CREATE\s+(?:VIRTUAL\s+)?(?:TABLE|INDEX|TRIGGER)\s+(\w+)(?:\s+ON\s+(\w+))?"
            r"|INSERT\s+INTO\s+(\w+)",
            statement,
            re.IGNORECASE,
        )
        if match and (match.group(2) or match.group(1) or match.group(3)) in added:
            found.append(statement)
    return found


@cache
def expected_objects() -> frozenset[tuple[str, str, str, str]]:
    """(type, name, tbl_name, normalised sql) of every object schema.sql creates.

    This is the allow-list an opened file is compared against.
    """
    connection = sqlite3.connect(":memory:")
    try:
        for statement in split_statements(schema_sql()):
            connection.execute(statement)
        rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema").fetchall()
    finally:
        connection.close()
    return frozenset((t, n, tb, normalize_sql(s)) for t, n, tb, s in rows)
