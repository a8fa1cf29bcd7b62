"""Connections to a project file: hardening, real transactions, checkpoint on close, the lock."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from annotator.domain.ids import new_uuid, now
from annotator.domain.model import Annotator
from annotator.errors import ProjectFileError, ProjectLockedError
from annotator.store import lock as lock_module
from annotator.store import tables as t
from annotator.store.lock import ProjectLock, lock_path
from annotator.store.project_store import ProjectStore

TABLES_WITH_ROWS = ("annotators", "tag_types", "link_types", "link_type_endpoints",
                    "attribute_defs", "documents", "spans", "span_fragments", "links")  # fmt: skip


def _dump(connection: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    names = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
        )
    ]
    return {
        name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
        for name in names
    }


def _plain_dump(path: Path) -> dict[str, list[tuple]]:
    connection = sqlite3.connect(path)
    try:
        return _dump(connection)
    finally:
        connection.close()


def _annotator(name: str = "Grace") -> Annotator:
    stamp = now()
    return Annotator(uuid=new_uuid(), name=name, created=stamp, modified=stamp)


# -- hardening, read back through the engine ---------------------------------------------------


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("foreign_keys", 1),
        ("trusted_schema", 0),
        ("journal_mode", "wal"),
        ("synchronous", 2),  # FULL
        ("cell_size_check", 1),
        ("mmap_size", 0),
        ("secure_delete", 1),
        ("busy_timeout", 5000),
    ],
)
def test_connection_settings(store: ProjectStore, pragma: str, expected: object) -> None:
    assert store.pragma(pragma) == expected


def test_settings_hold_inside_a_write_session(store: ProjectStore) -> None:
    """The settings are applied before BEGIN (foreign_keys is a no-op inside a transaction)."""
    with store.write() as session:
        connection = session.connection
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA trusted_schema").scalar() == 0
        assert connection.in_transaction()


def test_settings_hold_on_a_reopened_project(store: ProjectStore, project_path: Path) -> None:
    store.close()
    reopened = ProjectStore.open(project_path)
    try:
        assert reopened.pragma("foreign_keys") == 1
        assert reopened.pragma("trusted_schema") == 0
        assert reopened.pragma("journal_mode") == "wal"
        assert reopened.pragma("synchronous") == 2
    finally:
        reopened.close()


def test_attached_databases_are_refused(store: ProjectStore, tmp_path: Path) -> None:
    with store.raw() as connection, pytest.raises(sqlite3.OperationalError):
        connection.execute("ATTACH DATABASE ? AS other", (str(tmp_path / "other.db"),))


@pytest.mark.skipif(
    sys.version_info < (3, 12),
    reason="sqlite3.Connection.getconfig/setconfig (DEFENSIVE) needs Python 3.12",
)
def test_defensive_mode_is_on(store: ProjectStore) -> None:  # pragma: no cover - py3.12+
    with store.raw() as connection:
        assert connection.getconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE) is True
        assert connection.getconfig(sqlite3.SQLITE_DBCONFIG_TRUSTED_SCHEMA) is False


# -- real transactions -------------------------------------------------------------------------


def test_failed_write_session_leaves_nothing_behind(small) -> None:
    store = small.store
    with store.raw() as connection:
        before = _dump(connection)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.write() as session:
        session.connection.exec_driver_sql("CREATE TABLE scratch (x INTEGER) STRICT")
        session.connection.exec_driver_sql("INSERT INTO scratch VALUES (1)")
        session.connection.exec_driver_sql("CREATE INDEX scratch_x ON scratch (x)")
        session.connection.exec_driver_sql("DROP INDEX spans_tag_type")
        session.insert_annotator(_annotator())
        session.delete_span(small.claim_span.uuid)
        session.set_project_info("title", "half-way")
        raise Boom

    with store.raw() as connection:
        assert _dump(connection) == before
        names = {n for (n,) in connection.execute("SELECT name FROM sqlite_schema")}
    assert "scratch" not in names
    assert {"scratch_x"} - names == {"scratch_x"}
    assert "spans_tag_type" in names
    with store.read() as session:
        assert [a.uuid for a in session.annotators()] == [small.annotator.uuid]
        assert len(session.spans(small.document.uuid)) == 2


def test_edit_sessions_reuse_one_hardened_connection_in_real_transactions(
    store: ProjectStore,
) -> None:
    """`edit` keeps one connection between edits (the edit budget), with the same settings and
    a real transaction."""
    seen = []
    for name in ("first", "second"):
        with store.edit() as session:
            sql = session.connection.connection.driver_connection
            assert sql.in_transaction
            assert sql.execute("PRAGMA foreign_keys").fetchone() == (1,)
            assert sql.execute("PRAGMA trusted_schema").fetchone() == (0,)
            session.insert_annotator(_annotator(name))
            seen.append(sql)
    assert seen[0] is seen[1]
    with store.read() as session:
        assert {a.name for a in session.annotators()} == {"first", "second"}


def test_failed_edit_session_leaves_nothing_and_the_next_edit_works(store: ProjectStore) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.edit() as session:
        session.insert_annotator(_annotator("lost"))
        raise Boom
    with store.edit() as session:
        session.insert_annotator(_annotator("kept"))
    with store.read() as session:
        assert [a.name for a in session.annotators()] == ["kept"]


def test_an_edit_from_another_thread_during_an_edit_waits_for_it(store: ProjectStore) -> None:
    """Another thread's edit gets its own connection, and SQLite's write lock serialises it."""
    import threading

    done = threading.Event()

    def other() -> None:
        with store.edit() as session:
            session.insert_annotator(_annotator("other"))
        done.set()

    with store.edit() as session:
        session.insert_annotator(_annotator("mine"))
        worker = threading.Thread(target=other)
        worker.start()
        assert not done.wait(0.2)  # blocked on the write lock, not writing beside us
    worker.join(10)
    assert done.is_set()
    with store.read() as session:
        assert {a.name for a in session.annotators()} == {"mine", "other"}


def test_committed_write_session_is_visible(store: ProjectStore) -> None:
    annotator = _annotator()
    with store.write() as session:
        session.insert_annotator(annotator)
    with store.read() as session:
        assert session.annotators() == [annotator]


def test_read_session_is_a_snapshot(store: ProjectStore) -> None:
    """A read session sees one state even when a write commits while it is open."""
    with store.write() as session:
        session.insert_annotator(_annotator("first"))
    with store.read() as reader:
        assert len(reader.annotators()) == 1
        with store.write() as writer:
            writer.insert_annotator(_annotator("second"))
        assert len(reader.annotators()) == 1
    with store.read() as reader:
        assert len(reader.annotators()) == 2


def test_foreign_keys_are_enforced(small) -> None:
    values = {
        "uuid": new_uuid(), "document_id": 9999, "annotator_id": 1, "tag_type_id": 1,
        "start": 0, "end": 1, "quote": "x", "created": now(), "modified": now(),
    }  # fmt: skip
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), small.store.write() as session:
        session.connection.execute(insert(t.spans).values(**values))
    with small.store.read() as session:
        assert len(session.spans(small.document.uuid)) == 2


def test_foreign_key_cascade_deletes_dependent_rows(small) -> None:
    with small.store.write() as session:
        session.delete_document(small.document.uuid)
    with small.store.raw() as connection:
        for table in ("spans", "span_fragments", "links"):
            assert connection.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


# -- close and copies --------------------------------------------------------------------------


def test_close_folds_the_wal_into_the_file(small, tmp_path: Path) -> None:
    store = small.store
    extra = _annotator("late")
    with store.write() as session:
        session.insert_annotator(extra)
    with store.raw() as connection:
        live = _dump(connection)
    store.close()
    assert not Path(f"{store.path}-wal").exists()
    assert not Path(f"{store.path}-shm").exists()
    # The project file alone, without any companion file, holds every committed row.
    alone = tmp_path / "alone" / "copy.annotator"
    alone.parent.mkdir()
    shutil.copyfile(store.path, alone)
    copy = _plain_dump(alone)
    assert copy == live
    assert all(copy[table] for table in TABLES_WITH_ROWS)
    assert any(row[1] == extra.uuid for row in copy["annotators"])


def test_close_twice_does_not_touch_the_file_again(store: ProjectStore, tmp_path: Path) -> None:
    store.close()
    moved = tmp_path / "moved.annotator"
    store.path.rename(moved)
    store.close()
    assert not store.path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["moved.annotator"]


def test_save_copy_is_self_contained(small, tmp_path: Path) -> None:
    store = small.store
    with store.write() as session:  # still in the WAL, not yet checkpointed
        session.insert_annotator(_annotator("in the wal"))
    with store.raw() as connection:
        live = _dump(connection)
    destination = tmp_path / "sent" / "copy.annotator"
    destination.parent.mkdir()
    store.save_copy(destination)
    assert sorted(p.name for p in destination.parent.iterdir()) == ["copy.annotator"]
    assert _plain_dump(destination) == live
    reopened = ProjectStore.open(destination)
    try:
        with reopened.read() as session:
            assert len(session.annotators()) == 2
            assert sorted(session.spans(small.document.uuid), key=lambda s: s.start) == list(
                small.spans
            )
            assert session.links(small.document.uuid) == [small.link]
            assert session.schema().tag("claim") == small.claim
        assert reopened.integrity_check() == []
    finally:
        reopened.close()


def test_save_copy_replaces_an_existing_file(small, tmp_path: Path) -> None:
    destination = tmp_path / "copy.annotator"
    destination.write_bytes(b"old contents")
    small.store.save_copy(destination)
    assert destination.read_bytes().startswith(b"SQLite format 3\x00")
    assert not (tmp_path / ".copy.annotator.saving").exists()
    # save_copy lifts the ATTACH limit for its VACUUM INTO only.
    with small.store.raw() as connection, pytest.raises(sqlite3.OperationalError):
        connection.execute("ATTACH DATABASE ? AS other", (str(tmp_path / "other.db"),))


def test_save_copy_onto_the_project_itself_is_refused(small) -> None:
    store = small.store
    before = store.path.read_bytes()
    with pytest.raises(ProjectFileError, match="this project itself"):
        store.save_copy(store.path)
    assert store.path.read_bytes() == before
    with store.write() as session:  # the project goes on working
        session.insert_annotator(_annotator("after"))
    with store.read() as session:
        assert "after" in {a.name for a in session.annotators()}


# -- the project lock --------------------------------------------------------------------------


def test_second_open_is_refused_with_one_line(store: ProjectStore, project_path: Path) -> None:
    with pytest.raises(ProjectLockedError) as caught:
        ProjectStore.open(project_path)
    message = str(caught.value)
    assert message and "\n" not in message
    assert project_path.name in message
    # The refused open did not disturb the open one.
    with store.write() as session:
        session.insert_annotator(_annotator())


def test_project_opens_again_after_close(store: ProjectStore, project_path: Path) -> None:
    store.close()
    again = ProjectStore.open(project_path)
    try:
        with pytest.raises(ProjectLockedError):
            ProjectStore.open(project_path)
    finally:
        again.close()
    ProjectStore.open(project_path).close()


# -- file names that are not URL-safe ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Bridge #2.annotator", "what?.annotator", "a%23b.annotator", "50% draft.annotator",
     "x&mode=rwc.annotator", "naïve 🗞️ notes.annotator"],
)  # fmt: skip
def test_any_file_name_creates_and_opens_that_file(tmp_path: Path, name: str) -> None:
    """SQLite URIs and SQLAlchemy URLs give "#", "?" and "%" meaning; a project name must not
    redirect the store (or the read-only checklist) to another file."""
    path = tmp_path / name
    created = ProjectStore.create(path)
    try:
        with created.write() as session:
            session.insert_annotator(_annotator())
    finally:
        created.close()
    reopened = ProjectStore.open(path)
    try:
        with reopened.read() as session:
            assert len(session.annotators()) == 1
    finally:
        reopened.close()
    assert [p.name for p in tmp_path.iterdir()] == [name]


# -- creating a project ------------------------------------------------------------------------


def test_create_is_atomic_and_leaves_nothing_when_it_fails(project_path: Path) -> None:
    class Boom(Exception):
        pass

    def initialize(session) -> None:
        session.set_project_info("title", "never")
        raise Boom

    with pytest.raises(Boom):
        ProjectStore.create(project_path, initialize=initialize)
    assert list(project_path.parent.iterdir()) == []
    created = ProjectStore.create(project_path, initialize=lambda s: s.set_project_info("a", "b"))
    try:
        with created.read() as session:
            assert session.project_info() == {"a": "b"}
    finally:
        created.close()
    assert [p.name for p in project_path.parent.iterdir()] == [project_path.name]


def test_create_refuses_an_existing_file(store: ProjectStore, project_path: Path) -> None:
    before = project_path.read_bytes()
    with pytest.raises(ProjectFileError, match="already exists"):
        ProjectStore.create(project_path)
    assert project_path.read_bytes() == before


def test_create_and_open_refuse_missing_places(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="does not exist"):
        ProjectStore.create(tmp_path / "missing" / "p.annotator")
    with pytest.raises(ProjectFileError, match="does not exist"):
        ProjectStore.open(tmp_path / "nothing.annotator")
    with pytest.raises(ProjectFileError):
        ProjectStore.open(tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot unlink an open lock file")
def test_lock_is_not_won_on_a_lock_file_being_removed(project_path: Path, monkeypatch) -> None:
    """Race: B opens the lock file, A releases (unlinks, unlocks), B locks the deleted file.
    B must notice, or C later locks a new file and both think they own the project."""
    project_path.write_bytes(b"")
    first = ProjectLock(project_path)
    first.acquire()
    real_lock = lock_module._lock

    def first_releases_in_between(handle) -> None:
        monkeypatch.setattr(lock_module, "_lock", real_lock)
        first.release()
        real_lock(handle)

    monkeypatch.setattr(lock_module, "_lock", first_releases_in_between)
    second = ProjectLock(project_path)
    second.acquire()
    try:
        with pytest.raises(ProjectLockedError):
            ProjectLock(project_path).acquire()
    finally:
        second.release()
    third = ProjectLock(project_path)
    third.acquire()
    third.release()
    assert not lock_path(project_path).exists()


def test_lock_message_stays_one_line(project_path: Path) -> None:
    project_path.write_bytes(b"")
    first = ProjectLock(project_path)
    first.acquire()
    try:
        lock_path(project_path).write_text("pid 1\non\nsomewhere\n", encoding="utf-8")
        with pytest.raises(ProjectLockedError) as caught:
            ProjectLock(project_path).acquire()
    finally:
        first.release()
    assert "\n" not in str(caught.value)
