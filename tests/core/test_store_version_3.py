"""Format version 3: one-letter prefix indexes in the search index (a version 2 file is
upgraded and its index rebuilt), and a search matching very many documents lists them in
project order, scoring only the page."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fixtures_hostile import as_version_2, as_version_3, run_sql
from service_helpers import add_document, make_schema

from annotator.services import search
from annotator.services.project import Project
from annotator.store import search as store_search
from annotator.store.ddl import schema_version
from annotator.store.migrations import backup_path

WORDS = ("orange ocean", "otter", "olive oil", "tiger", "oak")


def _index_sql(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        (sql,) = connection.execute(
            "SELECT sql FROM sqlite_schema WHERE name = 'documents_fts'"
        ).fetchone()
    connection.close()
    return sql


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "p.annotator"
    with Project.create(path, annotator_name="Ann", schema=make_schema()) as project:
        for number, words in enumerate(WORDS):
            add_document(project, f"The {words} story, number {number}.", f"Doc {number}")
    return path


def test_new_files_have_one_letter_prefix_indexes(project_path: Path) -> None:
    assert schema_version() >= 3
    assert "prefix = '1 2 3'" in _index_sql(project_path)


def test_version_2_file_is_upgraded_and_its_index_rebuilt(project_path: Path) -> None:
    as_version_2(project_path)
    assert "prefix = '2 3'" in _index_sql(project_path)
    with Project.open(project_path) as project:  # the checklist accepts version 2's index
        assert project.store.user_version() == schema_version()
        page = search.search_documents(project, "o*")
    assert backup_path(project_path, 2).exists()
    assert "prefix = '1 2 3'" in _index_sql(project_path)
    assert sorted(r.title for r in page.results) == ["Doc 0", "Doc 1", "Doc 2", "Doc 4"]
    with sqlite3.connect(project_path) as connection:  # rank 1: the index holds every token
        connection.execute(
            "INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 1)"
        )
        # the one-letter prefix is answered from its own index: a single-term lookup
        rows = connection.execute(
            "SELECT rowid FROM documents_fts WHERE documents_fts MATCH 't*' ORDER BY rowid"
        ).fetchall()
    connection.close()
    assert len(rows) == len(WORDS)  # "The" in every document


def test_a_version_2_file_with_version_3_index_is_refused(project_path: Path) -> None:
    """The allow-list of version 2 holds version 2's index, not this build's."""
    as_version_3(project_path)
    run_sql(project_path, "PRAGMA user_version = 2")
    from annotator.errors import HostileSchemaError

    with pytest.raises(HostileSchemaError, match="documents_fts"):
        Project.open(project_path)


def test_many_matches_are_listed_in_project_order(project_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(search, "RANK_AT_MOST", 3)
    scored: list[int] = []
    original = store_search.SearchReads.documents_in_order

    def spy(self, match, limit, offset=0):
        found = original(self, match, limit, offset)
        scored.append(len(found))
        return found

    monkeypatch.setattr(store_search.SearchReads, "documents_in_order", spy)
    with Project.open(project_path) as project:
        many = search.search_documents(project, "o*", limit=2)
        rest = search.search_documents(project, "o*", limit=2, offset=2)
        few = search.search_documents(project, "olive OR tiger")
    assert not many.ranked and many.total == 4
    assert [r.title for r in many.results + rest.results] == ["Doc 0", "Doc 1", "Doc 2", "Doc 4"]
    assert all(r.score is not None for r in many.results)  # the page's rows are scored
    assert scored == [2, 2]  # only the pages, never every match
    assert few.ranked and few.total == 2


def test_a_version_2_file_is_merged_after_its_own_checks(tmp_path: Path) -> None:
    from merge_helpers import open_as, rich_pair

    from annotator.services.merge import merge
    from annotator.services.span_commands import EditSpan

    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="from a version 2 file"))
    as_version_2(b_path)
    with open_as(a_path, "Ada") as a:
        report = merge(a, b_path)
        with a.store.read() as session:
            assert session.span(rich.mayor).note == "from a version 2 file"
    assert report.updated == {"spans": 1}
    assert "prefix = '2 3'" in _index_sql(b_path)  # the other file is read, never upgraded


def test_the_cli_says_when_results_come_in_project_order(
    project_path: Path, monkeypatch, capsys
) -> None:
    import json

    from annotator.cli import main

    monkeypatch.setattr(search, "RANK_AT_MOST", 3)
    assert main(["search", str(project_path), "o*"]) == 0
    assert "4 document(s) match; showing 4 in project order (too many to rank)" in (
        capsys.readouterr().out
    )
    assert main(["search", str(project_path), "o*", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ranked"] is False and data["total"] == 4
    assert main(["search", str(project_path), "tiger", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ranked"] is True
