"""schema.sql is canonical: the SQLAlchemy mapping must create exactly the same database."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from annotator.store.ddl import (
    APPLICATION_ID,
    FTS_TABLES,
    expected_objects,
    normalize_sql,
    schema_sql,
    schema_version,
    split_statements,
)
from annotator.store.project_store import ProjectStore
from annotator.store.tables import metadata


def _from_schema_sql(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    for statement in split_statements(schema_sql()):
        connection.execute(statement)
    connection.commit()
    return connection


def _from_mapping(path: Path) -> sqlite3.Connection:
    engine = create_engine(f"sqlite:///{path}")
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    return sqlite3.connect(path)


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    folder = tmp_path_factory.mktemp("schema")
    canonical = _from_schema_sql(folder / "schema_sql.db")
    mapped = _from_mapping(folder / "mapping.db")
    try:
        yield canonical, mapped
    finally:
        canonical.close()
        mapped.close()


def _tables(connection: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        if name not in FTS_TABLES  # the derived search index is not mapped
    ]


CANONICAL_TABLES = sorted(
    name for kind, name, _, _ in expected_objects() if kind == "table" and name not in FTS_TABLES
)  # fmt: skip


def test_schema_sql_defines_the_tables_the_mapping_maps() -> None:
    assert CANONICAL_TABLES, "schema.sql creates no tables"
    assert sorted(metadata.tables) == CANONICAL_TABLES


def test_both_databases_have_the_same_tables(databases) -> None:
    canonical, mapped = databases
    assert _tables(canonical) == _tables(mapped) == CANONICAL_TABLES


# -- per table ---------------------------------------------------------------------------------


def _columns(connection: sqlite3.Connection, table: str) -> list[tuple]:
    # table_xinfo: cid, name, type, notnull, dflt_value, pk, hidden
    return [row[1:7] for row in connection.execute(f"PRAGMA table_xinfo('{table}')")]


@pytest.mark.parametrize("table", CANONICAL_TABLES)
def test_columns_match(databases, table: str) -> None:
    """Name, declared type, NOT NULL, default expression and primary-key position, in order."""
    canonical, mapped = databases
    assert _columns(mapped, table) == _columns(canonical, table)


def _indexes(connection: sqlite3.Connection, table: str) -> Counter:
    """Every index of table as (name or origin, unique, origin, partial, key columns).

    Indexes that back UNIQUE and PRIMARY KEY constraints are named sqlite_autoindex_<table>_<n>,
    where n follows the order the constraints are written in; that order is layout, not meaning,
    so those are compared by their origin and columns only. Named indexes keep their names.
    """
    found: Counter = Counter()
    for _, name, unique, origin, partial in connection.execute(f"PRAGMA index_list('{table}')"):
        # index_xinfo: seqno, cid, name, desc, coll, key — key columns only (not the rowid)
        keys = tuple(
            (column, desc, collation)
            for _, _, column, desc, collation, key in connection.execute(
                f"PRAGMA index_xinfo('{name}')"
            )
            if key
        )
        label = "<auto>" if name.startswith("sqlite_autoindex_") else name
        found[(label, unique, origin, partial, keys)] += 1
    return found


@pytest.mark.parametrize("table", CANONICAL_TABLES)
def test_indexes_match(databases, table: str) -> None:
    canonical, mapped = databases
    assert _indexes(mapped, table) == _indexes(canonical, table)


def test_index_comparison_sees_uniqueness_and_columns(databases) -> None:
    """The auto-index normalisation must not hide what matters: a UNIQUE on other columns, or
    a unique index where the canonical one is plain, compares unequal."""
    canonical, _ = databases
    other = sqlite3.connect(":memory:")
    for statement in split_statements(schema_sql()):
        other.execute(statement)
    assert _indexes(other, "tag_types") == _indexes(canonical, "tag_types")
    other.execute("DROP TABLE tag_types")
    other.execute(
        "CREATE TABLE tag_types (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, "
        "key TEXT NOT NULL, label TEXT NOT NULL, UNIQUE (key, label)) STRICT"
    )
    assert _indexes(other, "tag_types") != _indexes(canonical, "tag_types")
    other.execute("DROP INDEX spans_tag_type")
    other.execute("CREATE UNIQUE INDEX spans_tag_type ON spans (tag_type_id)")
    assert _indexes(other, "spans") != _indexes(canonical, "spans")
    other.close()


def _foreign_keys(connection: sqlite3.Connection, table: str) -> list[tuple]:
    # foreign_key_list: id, seq, table, from, to, on_update, on_delete, match
    return sorted(
        (row[2], row[3], row[4], row[5], row[6], row[7])
        for row in connection.execute(f"PRAGMA foreign_key_list('{table}')")
    )


@pytest.mark.parametrize("table", CANONICAL_TABLES)
def test_foreign_keys_match(databases, table: str) -> None:
    canonical, mapped = databases
    assert _foreign_keys(mapped, table) == _foreign_keys(canonical, table)


def _strictness(connection: sqlite3.Connection) -> dict[str, int]:
    # table_list: schema, name, type, ncol, wr (WITHOUT ROWID), strict
    return {
        name: (ncol, without_rowid, strict)
        for schema, name, kind, ncol, without_rowid, strict in connection.execute(
            "PRAGMA table_list"
        )
        if schema == "main" and kind == "table" and not name.startswith("sqlite_")
    }


def test_every_table_is_strict_in_both(databases) -> None:
    canonical, mapped = databases
    expected = _strictness(canonical)
    assert set(expected) == set(CANONICAL_TABLES)
    assert all(strict == 1 for _, _, strict in expected.values())
    assert _strictness(mapped) == expected


def _check_clauses(sql: str) -> list[str]:
    """The expressions of every CHECK in a CREATE TABLE statement, normalised."""
    sql = re.sub(r"--[^\n]*", "", sql)
    found = []
    for match in re.finditer(r"\bCHECK\s*\(", sql, re.IGNORECASE):
        depth, start = 1, match.end()
        index = start
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[index], 0)
            index += 1
        expression = re.sub(r"\s+", " ", sql[start : index - 1]).strip().lower()
        found.append(re.sub(r"\( ", "(", re.sub(r" \)", ")", expression)))
    return sorted(found)


@pytest.mark.parametrize("table", CANONICAL_TABLES)
def test_check_constraints_match(databases, table: str) -> None:
    canonical, mapped = databases
    query = "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?"
    (canonical_sql,) = canonical.execute(query, (table,)).fetchone()
    (mapped_sql,) = mapped.execute(query, (table,)).fetchone()
    assert _check_clauses(mapped_sql) == _check_clauses(canonical_sql)


def test_check_extraction_finds_nested_parentheses() -> None:
    sql = "CREATE TABLE t (a INT CHECK (a IN (0, 1)), b INT, CHECK ((a IS NULL) <> (b IS NULL)))"
    assert _check_clauses(sql) == ["(a is null) <> (b is null)", "a in (0, 1)"]


# -- the file header -----------------------------------------------------------------------------


def test_schema_version_constant_is_schema_sql_user_version(tmp_path: Path) -> None:
    connection = _from_schema_sql(tmp_path / "v.db")
    try:
        (user_version,) = connection.execute("PRAGMA user_version").fetchone()
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    finally:
        connection.close()
    assert user_version >= 1
    assert schema_version() == user_version
    assert application_id == APPLICATION_ID == 0x414E4E4F


def test_created_project_has_our_application_id_and_version(store: ProjectStore) -> None:
    assert store.pragma("application_id") == 0x414E4E4F
    assert store.pragma("user_version") == schema_version()
    assert store.user_version() == schema_version()


def test_created_project_file_header(store: ProjectStore, project_path: Path) -> None:
    """The same values are in the 100-byte header (read without SQLite)."""
    store.close()
    header = project_path.read_bytes()[:100]
    assert header.startswith(b"SQLite format 3\x00")
    assert int.from_bytes(header[60:64], "big") == schema_version()
    assert int.from_bytes(header[68:72], "big") == APPLICATION_ID


def test_created_project_holds_exactly_schema_sql(store: ProjectStore) -> None:
    with store.raw() as connection:
        rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema").fetchall()
    assert {(t, n, tb, normalize_sql(s)) for t, n, tb, s in rows} == set(expected_objects())
