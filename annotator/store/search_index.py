"""Upkeep of the full-text index (documents_fts): check it on open, rebuild it when damaged.

The index is derived from the documents table, so a damaged one loses nothing: it is rebuilt.
A file from someone else may carry an index that does not match its documents; the open
checklist has already compared the schema, and this check makes FTS5 verify its own structures
before any search reads them."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.exc import DatabaseError


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
