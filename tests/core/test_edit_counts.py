"""Regression guards by counts (not times): the SQL statements a tag key, a resize and an
accept-all run, and that none of them reads a document's whole text again once the reading
pane has read it (store/texts), however long the document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from service_helpers import add_document, make_schema

from annotator.services.occurrences import Template, accept, suggest
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan, EditSpan

#: A statement that reads `documents.text` (what the edits must no longer do).
_READS_TEXT = re.compile(r"\bSELECT\b[^;]*\btext\b[^;]*\bFROM documents\b", re.IGNORECASE | re.S)

#: Statements of one tag key (BEGIN, the text's sha256 check, the tag type, tombstone, the
#: span's ids, span and fragment inserts, one history row, the span's analytics key (format
#: version 5, store/span_keys.py), COMMIT), as of this writing: more means someone added work
#: to the edit that every key press pays for.
TAG_STATEMENTS = 10


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with Project.create(tmp_path / "c.annotator", annotator_name="Ann", schema=make_schema()) as p:
        yield p


def _text(needles: int) -> str:
    """About 60 KB of text with `needles` occurrences of "Springfield", and emoji."""
    filler = "The council 😀 met on Monday and the mayor said little. " * (
        1000 // max(needles, 1) + 1
    )
    return "".join(f"{filler}Springfield. " for _ in range(needles)) + filler


@contextmanager
def traced(project: Project) -> Iterator[list[str]]:
    """Every statement the project's edit connection runs inside the block, with its values
    (SQLite's trace: an executemany shows each of its rows). SQLite reports a statement again
    for each foreign-key action it runs per deleted row (the same text, back to back): those
    repeats are one statement from the application, so they are folded here."""
    with project.store.edit() as session:  # the connection edits keep checked out
        sql = session._sql
    seen: list[str] = []
    statements: list[str] = []

    def trace(statement: str) -> None:
        if not seen or seen[-1] != statement:
            statements.append(statement)
        seen.append(statement)

    sql.set_trace_callback(trace)
    try:
        yield statements
    finally:
        sql.set_trace_callback(None)


def _opened(project: Project, text: str) -> str:
    """A document added and then read the way the reading pane reads it."""
    document = add_document(project, text)
    project.run(CreateSpan(document, "actor", [(0, 3)]))  # the annotator's first change
    with project.store.read() as read:
        assert read.document_text(document) == text
    return document


def test_a_tag_key_runs_a_fixed_number_of_statements_and_reads_no_text(project: Project) -> None:
    for needles in (1, 50):  # a short and a longer document: the same statements
        document = _opened(project, _text(needles))
        reads = project.store.texts.reads
        with traced(project) as statements:
            project.run(CreateSpan(document, "actor", [(4, 11)]))
        assert len(statements) == TAG_STATEMENTS, statements
        assert not [s for s in statements if _READS_TEXT.search(s)]
        assert project.store.texts.reads == reads


def test_the_first_tag_after_the_window_loads_a_document_reads_no_text(project: Project) -> None:
    """The window loads a document through `document_content`/`document_head`: its text is the
    store's cached one, so the first edit after opening does not read the text again."""
    document = add_document(project, _text(50))
    reads = project.store.texts.reads
    with project.store.read() as read:
        shown = read.document_content(document).text
        assert read.document_head(document, below=10, limit=5)[0] is shown  # one copy
    assert project.store.texts.reads == reads + 1
    with traced(project) as statements:
        project.run(CreateSpan(document, "actor", [(4, 11)]))
    assert not [s for s in statements if _READS_TEXT.search(s)]
    assert project.store.texts.reads == reads + 1


def test_a_resize_reads_no_text(project: Project) -> None:
    document = _opened(project, _text(3))
    create = CreateSpan(document, "actor", [(4, 11)])
    project.run(create)
    reads = project.store.texts.reads
    with traced(project) as statements:
        project.run(EditSpan(create.uuid, fragments=[(4, 20)]))
        project.undo()
        project.redo()
    assert not [s for s in statements if _READS_TEXT.search(s)]
    assert project.store.texts.reads == reads


def _accept_all(project: Project, needles: int) -> tuple[int, list[str]]:
    document = _opened(project, _text(needles))
    template = Template("actor", ("Springfield",), {"role": "town"}, None, document, None)
    found = suggest(project, template, document=document)
    assert len(found) == needles
    with traced(project) as statements:
        project.run(accept(template, found))
        project.undo()
        project.redo()
    return len(found), statements


def test_accept_all_statements_do_not_grow_with_the_suggestions(project: Project) -> None:
    _, few = _accept_all(project, 5)
    reads = project.store.texts.reads
    _, many = _accept_all(project, 400)
    assert len(many) == len(few), (len(few), len(many))
    assert len(few) < 50
    assert not [s for s in many if _READS_TEXT.search(s)]
    assert project.store.texts.reads == reads + 1  # the new document, once, when it was opened


def test_a_text_is_read_afresh_when_its_document_was_replaced(project: Project) -> None:
    """The memory of a text is checked against the row's sha256: a document deleted and added
    again under the same uuid with another text (another process could) is read again."""
    document = _opened(project, _text(2))
    with project.store.write() as session:
        session._sql.execute(
            "UPDATE documents SET text = ?, sha256 = ? WHERE uuid = ?",
            ("Another text entirely", "0" * 64, document),
        )
    with project.store.read() as read:
        assert read.document_text(document) == "Another text entirely"
