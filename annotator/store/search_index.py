"""Upkeep of the full-text index (documents_fts): check it on open, rebuild it when damaged.

The index is derived from the documents table, so a damaged one loses nothing: it is rebuilt.
A file from someone else may carry an index that does not match its documents; the open
checklist has already compared the schema, and this check makes FTS5 verify its own structures
before any search reads them."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Connection
from sqlalchemy.exc import DatabaseError

from annotator.store.ddl import schema_sql, split_statements


def index_is_sound(connection: Connection) -> bool:
    """FTS5's integrity-check: the index's b-trees and doclists are consistent (rank 0: not
    compared with the documents' text, which would re-tokenise every document)."""
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(
                "INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 0)"
            )
    except DatabaseError:
        return False
    return True


def rebuild_index(connection: Connection) -> None:
    """Re-create the whole index from the documents table."""
    connection.exec_driver_sql("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")


def ensure_sound_index(connection: Connection) -> bool:
    """Check the index and rebuild it if damaged; return True when it had to be rebuilt."""
    if index_is_sound(connection):
        return False
    rebuild_index(connection)
    return True


#: The index's own tables; with rank 0 its integrity-check reads these and not the documents.
_SHADOW_TABLES = ("documents_fts_data", "documents_fts_idx", "documents_fts_docsize",
                  "documents_fts_config")  # fmt: skip


def index_is_sound_read_only(project: sqlite3.Connection) -> bool:
    """`index_is_sound` for a connection that may not write: FTS5 runs its integrity-check
    only as an INSERT, so it runs on an in-memory copy of the index's tables (read inside the
    caller's transaction: the snapshot the search then reads)."""
    copy = sqlite3.connect(":memory:", isolation_level=None)
    try:
        copy.execute(_index_statement())
        for table in _SHADOW_TABLES:
            copy.execute(f"DELETE FROM {table}")  # the empty index's own rows
            rows = project.execute(f"SELECT * FROM {table}")
            while batch := rows.fetchmany(1000):
                marks = ",".join("?" * len(batch[0]))
                copy.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)
        copy.execute(
            "INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 0)"
        )
    except sqlite3.DatabaseError:
        return False
    finally:
        copy.close()
    return True


def _index_statement() -> str:
    return next(
        statement
        for statement in split_statements(schema_sql())
        if statement.upper().startswith("CREATE VIRTUAL TABLE DOCUMENTS_FTS")
    )
