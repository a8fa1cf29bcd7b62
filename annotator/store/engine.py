"""Engines for project files: hardened per-connection settings and real transactions.

SQLAlchemy is imported by `make_engine` only: `harden` and `read_only_query` also serve the
open checklist's plain sqlite3 connections, and `annotator info` (store/summary.py) must not pay
SQLAlchemy's import (about half a second here) for them."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

BUSY_TIMEOUT_MS = 5000
#: Largest string or blob a connection accepts (a 50 MB article is already absurd).
MAX_VALUE_BYTES = 200 * 1024 * 1024


def harden(dbapi_connection: sqlite3.Connection, *, read_only: bool = False) -> None:
    """Apply the settings every connection to a project file gets (research note store.md §0).

    Must run before any transaction: foreign_keys is silently ignored inside one.
    """
    # Python 3.11's sqlite3 never emits BEGIN itself in this mode; SQLAlchemy's "begin" event
    # does (the documented pysqlite workaround), so DDL and migrations are really transactional.
    dbapi_connection.isolation_level = None
    if sys.version_info >= (3, 12):
        dbapi_connection.setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)
        dbapi_connection.setconfig(sqlite3.SQLITE_DBCONFIG_TRUSTED_SCHEMA, False)
    dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    for pragma in (
        "trusted_schema = OFF",
        "foreign_keys = ON",
        "cell_size_check = ON",
        "mmap_size = 0",
        "secure_delete = ON",
        f"busy_timeout = {BUSY_TIMEOUT_MS}",
    ):
        dbapi_connection.execute(f"PRAGMA {pragma}")
    if read_only:
        # mode=ro already refuses writes to the file; query_only also refuses TEMP objects
        # and any write a statement might try, so a read-only open cannot even start one.
        dbapi_connection.execute("PRAGMA query_only = ON")
    else:
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = FULL")
        if sys.platform == "darwin":
            dbapi_connection.execute("PRAGMA fullfsync = ON")


def read_only_query(*, immutable: bool = False) -> dict[str, str]:
    """URI parameters of a read-only connection. `immutable` reads the main file alone, with
    no locks and no -wal/-shm created: only for a file nobody can write meanwhile (we hold its
    project lock) and whose last writer left nothing in a WAL or journal."""
    return {"mode": "ro", **({"immutable": "1"} if immutable else {})}


def make_engine(path: Path, *, read_only: bool = False, immutable: bool = False) -> Engine:
    """An engine for one project file (read-only: see `read_only_query`).

    Writes go through `BEGIN IMMEDIATE` (see `begin_immediate`) so a second writer waits for the
    lock instead of failing half-way with SQLITE_BUSY on lock upgrade.
    """
    from sqlalchemy import URL, create_engine, event
    from sqlalchemy.pool import NullPool

    # URL.create, not a URL string: a file name may hold "?", "#" or "%" ("Bridge #2.annotator").
    path = Path(path).resolve()
    if read_only:
        query = {**read_only_query(immutable=immutable), "uri": "true"}
        url = URL.create("sqlite", database=path.as_uri(), query=query)
    else:
        url = URL.create("sqlite", database=str(path))
    engine = create_engine(
        url, poolclass=NullPool if read_only else None, connect_args={"check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        harden(dbapi_connection, read_only=read_only)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("immediate", False)
        # Straight to the DBAPI connection: through exec_driver_sql this costs about 35 µs of
        # an interactive edit's budget (tests/perf/bench_store_edit.py).
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def checkpoint(engine: Engine) -> None:
    """Fold the WAL into the main file so the project file alone is complete."""
    fairy = engine.raw_connection()
    try:
        busy, _, _ = fairy.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        fairy.close()
    if busy:
        raise sqlite3.OperationalError("the checkpoint could not finish: the project is busy")
