"""A file this installation closed cleanly: its page checks run at the close, not the next open
(issue 11: the open's first frame), and a close whose checks fail records nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_read_only_open import _new_project

from annotator.services.project import Project
from annotator.store import checks, close_record, project_store
from annotator.store.ddl import schema_version


def _pragmas_of_open(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The PRAGMA checks the open checklist's connection runs."""
    seen: list[str] = []
    original = checks.open_read_only

    def traced(path: Path, **kwargs) -> sqlite3.Connection:
        connection = original(path, **kwargs)
        connection.set_trace_callback(
            lambda sql: seen.append(sql) if sql.lstrip().upper().startswith("PRAGMA") else None
        )
        return connection

    monkeypatch.setattr(checks, "open_read_only", traced)
    return seen


def _checks_in(statements: list[str]) -> set[str]:
    names = ("quick_check", "integrity_check", "foreign_key_check")
    return {name for name in names for sql in statements if name in sql}


def test_a_clean_close_checks_the_pages_and_the_next_open_does_not(tmp_path, monkeypatch) -> None:
    made = _new_project(tmp_path / "made.annotator")
    path = tmp_path / "p.annotator"
    path.write_bytes(made.read_bytes())  # a file from elsewhere: no record
    seen = _pragmas_of_open(monkeypatch)
    Project.open(path).close()
    assert _checks_in(seen) == {"integrity_check", "foreign_key_check"}
    assert close_record.closed_cleanly_here(path, schema_version())
    seen.clear()
    project = Project.open(path)  # closed here, byte for byte: checked at that close
    assert _checks_in(seen) == set()
    project.close()
    assert close_record.closed_cleanly_here(path, schema_version())


def test_a_close_whose_page_check_fails_records_nothing(tmp_path, monkeypatch) -> None:
    made = _new_project(tmp_path / "made.annotator")
    path = tmp_path / "p.annotator"
    path.write_bytes(made.read_bytes())  # a file from elsewhere: no record
    monkeypatch.setattr(project_store, "sound_at_close", lambda connection: False)
    Project.open(path).close()
    assert not close_record.closed_cleanly_here(path, schema_version())
    seen = _pragmas_of_open(monkeypatch)
    Project.open(path).close()
    assert "integrity_check" in _checks_in(seen)


def test_sound_at_close_reports_damage(tmp_path) -> None:
    path = _new_project(tmp_path / "p.annotator")
    connection = sqlite3.connect(path)
    try:
        assert checks.sound_at_close(connection)
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(
            "INSERT INTO document_status (uuid, document_id, annotator_id, status, "
            "modified) VALUES ('x', 999, 999, 'new', '2025-01-01T00:00:00Z')"
        )
        assert not checks.sound_at_close(connection)
    finally:
        connection.close()


def test_sound_at_close_reports_a_damaged_search_index(tmp_path) -> None:
    from annotator.services.document_commands import AddDocuments
    from annotator.services.sample import sample_document

    path = tmp_path / "p.annotator"
    project = Project.create(path)
    project.run(AddDocuments([sample_document()]))
    project.close()
    connection = sqlite3.connect(path)
    try:
        assert checks.sound_at_close(connection)
        connection.execute("UPDATE documents_fts_data SET block = zeroblob(40) WHERE id > 10")
        connection.commit()
        assert not checks.sound_at_close(connection)
    finally:
        connection.close()


def test_a_trusted_open_leaves_the_search_index_to_the_close(tmp_path, monkeypatch) -> None:
    from annotator.store.project_store import ProjectStore

    path = _new_project(tmp_path / "p.annotator")
    ProjectStore.open(path).close()  # recorded as closed cleanly
    called: list[bool] = []
    monkeypatch.setattr(project_store, "ensure_sound_index", lambda c: called.append(True))
    ProjectStore.open(path).close()
    assert called == []
    ProjectStore.open(path, full=True).close()  # a full check checks the index too
    assert called == [True]
