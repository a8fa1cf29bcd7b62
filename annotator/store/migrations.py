"""Numbered schema migrations keyed on PRAGMA user_version, run in one transaction."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy import Connection, Engine

from annotator.errors import MigrationError, NewerVersionError
from annotator.store.ddl import (
    form_at,
    schema_sql,
    schema_version,
    split_statements,
    statements_adding,
)
from annotator.store.span_keys import fill_missing

Migration = Callable[[Connection], None]


def _create_version_1(connection: Connection) -> None:
    """0 → 1: an empty file (new, or never initialised) gets schema.sql as it was at version 1."""
    later = {statement for version in range(2, schema_version() + 1)
             for statement in statements_adding(version)}  # fmt: skip
    for statement in split_statements(schema_sql()):
        if not statement.upper().startswith("PRAGMA USER_VERSION") and statement not in later:
            connection.exec_driver_sql(statement)


def _add_version_2(connection: Connection) -> None:
    """1 → 2: project search (documents_fts, filled from the documents), provenance (history),
    merge reports and adjudication decisions."""
    for statement in statements_adding(2):
        connection.exec_driver_sql(version_2_form(statement))
    connection.exec_driver_sql("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")


def version_2_form(statement: str) -> str:
    """The statement as version 2 had it (version 3 re-created the search index)."""
    match = re.match(r"CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(\w+)", statement, re.IGNORECASE)
    return form_at(2, match.group(1), statement) if match else statement


def _add_version_3(connection: Connection) -> None:
    """2 → 3: the search index gets one-letter prefix indexes (`prefix = '1 2 3'`): dropped,
    created as schema.sql says and rebuilt from the documents (it holds nothing else)."""
    connection.exec_driver_sql("DROP TABLE documents_fts")
    connection.exec_driver_sql(_search_index_statement())
    connection.exec_driver_sql("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")


def _search_index_statement() -> str:
    return next(
        statement
        for statement in split_statements(schema_sql())
        if re.match(r"CREATE\s+VIRTUAL\s+TABLE\s+documents_fts\b", statement, re.IGNORECASE)
    )


def _add_version_4(connection: Connection) -> None:
    """3 → 4: team sync's change counters (a table, its rows at 0 and the triggers that count
    inserts and updates), so a sync with nothing to push reads no table. A synced file's
    first sync after the upgrade still reads every table once, and records the counts."""
    for statement in statements_adding(4):
        connection.exec_driver_sql(statement)


def _add_version_5(connection: Connection) -> None:
    """4 → 5: the analytics node key of every span (span_keys, its index and the triggers
    that keep it from going stale), computed in Python for every existing span in chunks."""
    for statement in statements_adding(5):
        connection.exec_driver_sql(statement)
    fill_missing(connection.connection.driver_connection)


#: MIGRATIONS[n] takes a file from version n to n + 1. A fresh file takes 0 → 1 → … → 5:
#: version 1 is schema.sql without what later versions added (those statements are skipped,
#: then added; version 2's in their version 2 form); version 3 re-creates the search index,
#: empty then.
MIGRATIONS: Mapping[int, Migration] = {
    0: _create_version_1,
    1: _add_version_2,
    2: _add_version_3,
    3: _add_version_4,
    4: _add_version_5,
}


def read_user_version(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA user_version").scalar_one())


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.v{version}.backup")


def migrate(
    engine: Engine,
    path: Path,
    *,
    migrations: Mapping[int, Migration] = MIGRATIONS,
    target: int | None = None,
) -> int:
    """Bring the file to `target` (default: this build's version); return the old version.

    A file that already holds data is copied first with SQLite's backup API. All steps and the
    new user_version commit together or not at all.
    """
    target = schema_version() if target is None else target
    current = read_user_version(engine)
    if current > target:
        raise NewerVersionError(
            f"{path.name} is format version {current}; this Annotator reads up to version "
            f"{target}. Update Annotator to open it."
        )
    if current == target:
        return current
    missing = [v for v in range(current, target) if v not in migrations]
    if missing:
        raise MigrationError(f"no upgrade from format version {missing[0]}")
    if current > 0:
        _backup(engine, backup_path(path, current))
    try:
        with engine.connect().execution_options(immediate=True) as connection:
            with connection.begin():
                for version in range(current, target):
                    migrations[version](connection)
                connection.exec_driver_sql(f"PRAGMA user_version = {int(target)}")
    except Exception as error:
        raise MigrationError(
            f"upgrading {path.name} from version {current} to {target} failed "
            f"({error.__class__.__name__}: {str(error).splitlines()[0]}); the file is unchanged"
        ) from error
    return current


def _backup(engine: Engine, destination: Path) -> None:
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(destination)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        raw.close()
