"""Migrations: numbered steps on user_version, after a backup, all or nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_hostile import run_sql, sha256_of, version_zero, with_versions
from sqlalchemy import Connection, Engine

from annotator.errors import HostileSchemaError, MigrationError, NewerVersionError
from annotator.store.ddl import APPLICATION_ID, expected_objects, normalize_sql, schema_version
from annotator.store.engine import make_engine
from annotator.store.migrations import backup_path, migrate
from annotator.store.project_store import ProjectStore

CURRENT = schema_version()


def _snapshot(path: Path) -> dict[str, object]:
    """user_version, application_id, schema and every row of a file, via a plain connection."""
    connection = sqlite3.connect(path)
    try:
        schema = sorted(connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema"))
        tables = [name for kind, name, _, _ in schema if kind == "table"]
        return {
            "user_version": connection.execute("PRAGMA user_version").fetchone()[0],
            "application_id": connection.execute("PRAGMA application_id").fetchone()[0],
            "schema": schema,
            "rows": {
                name: sorted(connection.execute(f'SELECT * FROM "{name}"'), key=repr)
                for name in tables
            },
        }
    finally:
        connection.close()


@pytest.fixture
def engine(populated_file: Path) -> Iterator[Engine]:
    made = make_engine(populated_file)
    try:
        yield made
    finally:
        made.dispose()


def _schema_objects(path: Path) -> set[tuple[str, str, str, str]]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema")
        return {(t, n, tb, normalize_sql(s)) for t, n, tb, s in rows}
    finally:
        connection.close()


# -- version 0: a file left by a crash during creation ------------------------------------------


def test_version_zero_file_is_migrated_on_open(tmp_path: Path) -> None:
    path = version_zero(tmp_path / "crashed.annotator")
    assert _snapshot(path)["user_version"] == 0
    assert _snapshot(path)["schema"] == []
    store = ProjectStore.open(path)
    try:
        assert store.user_version() == CURRENT
        assert store.pragma("application_id") == APPLICATION_ID
        with store.write() as session:
            session.set_project_info("title", "recovered")
        with store.read() as session:
            assert session.project_info() == {"title": "recovered"}
    finally:
        store.close()
    assert _schema_objects(path) == set(expected_objects())
    assert not backup_path(path, 0).exists()  # nothing to back up in an empty file


def test_version_zero_file_with_tables_is_refused(tmp_path: Path) -> None:
    path = version_zero(tmp_path / "odd.annotator")
    run_sql(path, "CREATE TABLE spans (x TEXT)")
    before = sha256_of(path)
    with pytest.raises(HostileSchemaError):
        ProjectStore.open(path)
    assert sha256_of(path) == before


# -- a failing migration leaves the file as it was ---------------------------------------------


def _creates_then_fails(connection: Connection) -> None:
    connection.exec_driver_sql("CREATE TABLE half_done (x INTEGER) STRICT")
    connection.exec_driver_sql("INSERT INTO half_done VALUES (1)")
    connection.exec_driver_sql("DELETE FROM links")
    connection.exec_driver_sql("UPDATE annotators SET name = 'changed'")
    raise RuntimeError("step 1 → 2 broke\nsecond line of detail")


def _adds_a_table(connection: Connection) -> None:
    connection.exec_driver_sql("CREATE TABLE added_in_v2 (x INTEGER) STRICT")


def test_failing_migration_changes_nothing_and_keeps_a_backup(
    populated_file: Path, engine: Engine
) -> None:
    before = _snapshot(populated_file)
    assert before["user_version"] == CURRENT
    with pytest.raises(MigrationError) as caught:
        migrate(
            engine, populated_file, migrations={CURRENT: _creates_then_fails}, target=CURRENT + 1
        )
    engine.dispose()
    message = str(caught.value)
    assert "\n" not in message
    assert (
        str(CURRENT) in message and str(CURRENT + 1) in message and populated_file.name in message
    )
    assert isinstance(caught.value.__cause__, RuntimeError)

    after = _snapshot(populated_file)
    assert after == before
    backup = backup_path(populated_file, CURRENT)
    assert backup.name == f"{populated_file.name}.v{CURRENT}.backup"
    assert backup.exists()
    assert _snapshot(backup) == before


def test_steps_commit_together(populated_file: Path, engine: Engine) -> None:
    """When the second step fails, the finished first step is rolled back as well."""
    before = _snapshot(populated_file)

    def fails(connection: Connection) -> None:
        raise ValueError("no")

    with pytest.raises(MigrationError):
        migrate(
            engine,
            populated_file,
            migrations={CURRENT: _adds_a_table, CURRENT + 1: fails},
            target=CURRENT + 2,
        )
    engine.dispose()
    assert _snapshot(populated_file) == before


def test_successful_migration_sets_the_version_after_a_backup(
    populated_file: Path, engine: Engine
) -> None:
    before = _snapshot(populated_file)
    old = migrate(engine, populated_file, migrations={CURRENT: _adds_a_table}, target=CURRENT + 1)
    engine.dispose()
    assert old == CURRENT
    after = _snapshot(populated_file)
    assert after["user_version"] == CURRENT + 1
    assert after["rows"] == {**before["rows"], "added_in_v2": []}
    assert _snapshot(backup_path(populated_file, CURRENT)) == before


def test_missing_step_is_refused_before_anything(populated_file: Path, engine: Engine) -> None:
    before = sha256_of(populated_file)
    with pytest.raises(MigrationError, match=f"version {CURRENT + 1}"):
        migrate(engine, populated_file, migrations={CURRENT: _adds_a_table}, target=CURRENT + 2)
    engine.dispose()
    assert sha256_of(populated_file) == before
    assert not backup_path(populated_file, CURRENT).exists()


def test_current_file_is_left_alone(populated_file: Path, engine: Engine) -> None:
    before = sha256_of(populated_file)
    assert migrate(engine, populated_file) == CURRENT
    engine.dispose()
    assert sha256_of(populated_file) == before
    assert not backup_path(populated_file, CURRENT).exists()


# -- a newer file is refused -------------------------------------------------------------------


def test_newer_file_is_refused_on_open(populated_file: Path, tmp_path: Path) -> None:
    newer = with_versions(populated_file, tmp_path / "newer.annotator", user_version=CURRENT + 1)
    before = sha256_of(newer)
    with pytest.raises(NewerVersionError) as caught:
        ProjectStore.open(newer)
    message = str(caught.value)
    assert "\n" not in message
    assert f"version {CURRENT + 1}" in message
    assert f"version {CURRENT}" in message
    assert sha256_of(newer) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.annotator", "populated.annotator"]


def test_newer_file_is_refused_by_migrate(populated_file: Path, tmp_path: Path) -> None:
    newer = with_versions(populated_file, tmp_path / "newer.annotator", user_version=CURRENT + 41)
    before = sha256_of(newer)
    made = make_engine(newer)
    try:
        with pytest.raises(NewerVersionError) as caught:
            migrate(made, newer)
    finally:
        made.dispose()
    assert str(CURRENT + 41) in str(caught.value)
    assert f"version {CURRENT}" in str(caught.value)
    assert sha256_of(newer) == before
    assert not backup_path(newer, CURRENT + 41).exists()
