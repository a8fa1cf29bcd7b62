"""Format version 2: the search index follows the documents, version 1 files are upgraded, and a
damaged index is rebuilt on open without touching anything else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fixtures_hostile import as_version_1, version_zero

from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.errors import CorruptProjectError
from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments, DeleteDocument
from annotator.services.project import Project
from annotator.services.sample import sample_document
from annotator.store.ddl import schema_version
from annotator.store.engine import make_engine
from annotator.store.migrations import backup_path, migrate
from annotator.store.project_store import ProjectStore


def _matches(path: Path, query: str) -> list[int]:
    connection = sqlite3.connect(path)
    try:
        return [
            rowid
            for (rowid,) in connection.execute(
                "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid",
                (query,),
            )
        ]
    finally:
        connection.close()


def _index_matches_documents(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:  # rank 1: compare the index with the documents' text, token by token
        connection.execute(
            "INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 1)"
        )
    finally:
        connection.rollback()
        connection.close()


def test_index_follows_added_retitled_and_deleted_documents(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    project = Project.create(path)
    add = AddDocuments([sample_document()])
    project.run(add)
    uuid = add.report.added[0]
    with project.store.write() as session:
        session.update_document_metadata(uuid, {"title": "Zebrafish quarterly"})
    project.close()
    assert _matches(path, "zebrafish") == [1]
    assert _matches(path, "RUSSIA") == [1]  # case folded
    _index_matches_documents(path)

    project = Project.open(path)
    project.run(DeleteDocument(uuid))
    project.close()
    assert _matches(path, "russia") == []
    _index_matches_documents(path)


def test_diacritics_are_folded(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    project = Project.create(path)
    text = "Der Präsident sprach in Zürich über café."
    project.run(AddDocuments([import_text(text, "t.txt", "utf-8")]))
    project.close()
    assert _matches(path, "zurich") == _matches(path, "praesident OR prasident") == [1]
    assert _matches(path, "cafe") == [1]


def test_version_1_file_is_upgraded_with_its_documents_indexed(tmp_path: Path) -> None:
    path = version_zero(tmp_path / "old.annotator")
    engine = make_engine(path)
    migrate(engine, path, target=1)
    engine.dispose()
    with sqlite3.connect(path) as connection:
        tables = {n for (n,) in connection.execute("SELECT name FROM sqlite_schema")}
    assert "documents_fts" not in tables and "history" not in tables

    # Version 1 content, written with the same statements version 1 used.
    store = ProjectStore.open(path)  # opening upgrades: fill it first through a v1 writer
    store.close()
    project = Project.open(path)
    project.run(AddDocuments([sample_document()]))
    project.close()
    as_version_1(path)

    project = Project.open(path)
    assert project.store.user_version() == schema_version()  # and on through later versions
    project.close()
    assert backup_path(path, 1).exists()
    assert _matches(path, "russia") == [1]
    _index_matches_documents(path)


def test_damaged_index_is_rebuilt_on_open_and_nothing_else_changes(
    tmp_path: Path, monkeypatch
) -> None:
    import annotator.store.search_index as search_index

    rebuilt: list[bool] = []
    rebuild = search_index.rebuild_index
    monkeypatch.setattr(search_index, "rebuild_index", lambda c: (rebuilt.append(True), rebuild(c)))
    path = tmp_path / "p.annotator"
    project = Project.create(path)
    project.run(AddDocuments([sample_document()]))
    project.close()
    connection = sqlite3.connect(path)
    texts = connection.execute("SELECT uuid, text FROM documents").fetchall()
    connection.execute("UPDATE documents_fts_data SET block = zeroblob(40) WHERE id > 10")
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()

    project = Project.open(path)
    project.close()
    assert rebuilt == [True]
    assert _matches(path, "russia") == [1]
    _index_matches_documents(path)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT uuid, text FROM documents").fetchall() == texts


def test_gold_uuid_is_a_canonical_uuid() -> None:
    from annotator.domain.ids import is_uuid

    assert is_uuid(GOLD_ANNOTATOR_UUID)


def test_index_that_cannot_even_be_rebuilt_refuses_the_file_unchanged(tmp_path: Path) -> None:
    """A damaged FTS5 config row makes the index's constructor fail, rebuild included: the file
    is refused with the project's own one-line error (found by the flipped-bytes fuzz test)."""
    path = tmp_path / "p.annotator"
    project = Project.create(path)
    project.run(AddDocuments([sample_document()]))
    project.close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE documents_fts_config SET v = 99 WHERE k = 'version'")
    connection.commit()
    connection.close()  # folds the WAL into the file
    before = path.read_bytes()
    with pytest.raises(CorruptProjectError) as caught:
        ProjectStore.open(path)
    message = str(caught.value)
    assert "\n" not in message and path.name in message and "search index" in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
