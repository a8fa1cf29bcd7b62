"""Document commands (add, delete with cascade, edit metadata) through the services, each one
checked do → undo → redo → reopen with `Workspace.round_trip` (see service_helpers)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import service_helpers as h
from service_helpers import OTHER_TEXT, TEXT, between

from annotator.errors import NotFoundError, ValidationError
from annotator.io.documents.registry import ImportedDocument
from annotator.services.document_commands import (
    AddDocuments,
    DeleteDocument,
    EditDocumentMetadata,
)
from annotator.services.entity_commands import CreateEntity, SetStatus
from annotator.services.span_commands import CreateSpan


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[h.Workspace]:
    workspace = h.Workspace(tmp_path / "p.annotator")
    yield workspace
    workspace.close()


def test_add_documents(ws: h.Workspace) -> None:
    meta = {
        "author": "Ann Writer",
        "outlet": "Gazette",
        "published": "2024-03-02",
        "language": "en",
    }
    third = "Third 👩\u200d👩\u200d👧 text\nwith two lines."
    items = [
        ImportedDocument(
            "Other",
            OTHER_TEXT,
            hashlib.sha256(OTHER_TEXT.encode()).hexdigest(),
            meta,
            "o.txt",
            "cp1252",
        ),
        h.imported(third, "Third", "third.txt"),
    ]
    command = AddDocuments(items)
    before, after = ws.round_trip(command)
    assert len(command.report.added) == 2 and command.report.duplicates == []
    added = {uuid: after.documents[uuid] for uuid in command.report.added}
    by_title = {info.title: (info, text) for info, text in added.values()}
    info, text = by_title["Other"]
    assert text == OTHER_TEXT and info.length == len(OTHER_TEXT)
    assert (info.author, info.outlet, info.published, info.language) == (
        "Ann Writer",
        "Gazette",
        "2024-03-02",
        "en",
    )
    assert (info.source_filename, info.source_encoding) == ("o.txt", "cp1252")
    assert info.sha256 == hashlib.sha256(OTHER_TEXT.encode("utf-8")).hexdigest()
    assert info.author_uuid == ws.project.annotator.uuid
    assert by_title["Third"][1] == third
    assert set(before.documents) == {ws.doc}


def test_duplicates_by_hash_reported_and_skipped(ws: h.Workspace) -> None:
    items = [
        h.imported(TEXT, "Same text, other title", "again.txt"),  # already in the project
        h.imported(OTHER_TEXT, "Other", "o.txt"),
        h.imported(OTHER_TEXT, "Other copy", "o2.txt"),  # twice in one batch
    ]
    command = AddDocuments(items)
    _, after = ws.round_trip(command)
    assert command.report.duplicates == [
        ("again.txt", "Same text, other title"),
        ("o2.txt", "Other copy"),
    ]
    assert len(command.report.added) == 1
    assert {info.title for info, _ in after.documents.values()} == {"Bridge story", "Other"}
    # A redo does not report the duplicates twice.
    assert len(command.report.duplicates) == 2


def test_only_duplicates_change_nothing(ws: h.Workspace) -> None:
    before = ws.snapshot()
    command = AddDocuments([h.imported(TEXT, "Again")])
    ws.run(command)
    assert command.report.added == [] and len(command.report.duplicates) == 1
    h.assert_same(ws.snapshot(), before)


@pytest.mark.parametrize(
    ("text", "sha256", "match"),
    [
        ("some text", "0" * 64, "SHA-256"),
        ("some text", hashlib.sha256(b"other text").hexdigest(), "SHA-256"),
        ("lone \ud800 surrogate", "0" * 64, "not valid Unicode"),
    ],
)
def test_document_whose_hash_does_not_match_refused(
    ws: h.Workspace, text: str, sha256: str, match: str
) -> None:
    """Stored, such a document made the open checklist refuse the whole project file."""
    good = h.imported(OTHER_TEXT, "Good")
    bad = ImportedDocument("Bad", text, sha256, {}, "bad.txt", "utf-8")
    ws.refused(AddDocuments([good, bad]), ValidationError, match)
    ws.reopen()


def test_delete_document_cascades_and_undo_restores_all(ws: h.Workspace) -> None:
    other = h.add_document(ws.project, OTHER_TEXT, "Other")
    entity = CreateEntity("Jane Doe")
    ws.run(entity)
    jane = ws.span("actor", "Jane Doe", entity=entity.uuid, attributes={"role": "mayor"})
    claim = ws.span("claim", "the bridge", "was safe", note="n")
    event = ws.span("event", "the council met")
    links = {ws.link(jane, claim, "asserts"), ws.link(event, jane, "involved_in")}
    ws.run(SetStatus(ws.doc, "done"))
    ws.project.switch_annotator("Bob")
    ws.run(SetStatus(ws.doc, "in_progress"))
    bob_span = ws.span("actor", "Engineers")
    elsewhere = CreateSpan(other, "actor", [between(OTHER_TEXT, "Mayor")])
    ws.run(elsewhere)
    ws.run(SetStatus(other, "new"))

    before, after = ws.round_trip(DeleteDocument(ws.doc))
    assert set(after.documents) == {other}
    assert set(after.spans) == {elsewhere.uuid}
    assert after.links == {}
    assert [s.document for s in after.statuses.values()] == [other]
    assert set(after.entities) == {entity.uuid}  # the registry is not per document
    bob = ws.project.annotator.uuid
    assert after.tombstones == {
        ws.doc: ("document", bob),
        jane: ("span", bob),
        claim: ("span", bob),
        event: ("span", bob),
        bob_span: ("span", bob),
        **{link: ("link", bob) for link in links},
    }
    assert len(before.statuses) == 3 and before.tombstones == {}


def test_delete_missing_document_refused(ws: h.Workspace) -> None:
    ws.refused(DeleteDocument("no-such-document"), NotFoundError)


def test_undo_of_add_refused_while_the_document_has_spans(ws: h.Workspace) -> None:
    """Outside the history (e.g. a bulk import) a span may land in a newly added document:
    undoing the add is refused rather than silently deleting annotations."""
    command = AddDocuments([h.imported(OTHER_TEXT, "Other")])
    ws.run(command)
    CreateSpan(command.report.added[0], "actor", [(0, 1)]).do(ws.project)
    before = ws.snapshot()
    with pytest.raises(ValidationError, match="has spans"):
        ws.project.undo()
    h.assert_same(ws.snapshot(), before)


def test_edit_metadata(ws: h.Workspace) -> None:
    command = EditDocumentMetadata(
        ws.doc,
        title="  New title ",
        author="Ann",
        outlet="Gazette",
        url="https://example.org/a",
        published="2024-03-01",
        language="en",
    )
    before, after = ws.round_trip(command)
    info, text = after.documents[ws.doc]
    assert (info.title, info.author, info.outlet, info.url, info.published, info.language) == (
        "New title",
        "Ann",
        "Gazette",
        "https://example.org/a",
        "2024-03-01",
        "en",
    )
    old, old_text = before.documents[ws.doc]
    assert text == old_text and info.sha256 == old.sha256  # the text never changes
    assert info.created == old.created and info.modified >= old.modified


def test_edit_metadata_twice_then_undo_both(ws: h.Workspace) -> None:
    before = ws.snapshot()
    ws.run(EditDocumentMetadata(ws.doc, title="One"))
    ws.run(EditDocumentMetadata(ws.doc, title="Two", author="Bea"))
    ws.project.undo()
    assert ws.snapshot().documents[ws.doc][0].title == "One"
    ws.project.undo()
    h.assert_same(ws.snapshot(), before)


def test_edit_metadata_refusals(ws: h.Workspace) -> None:
    with pytest.raises(ValidationError):
        EditDocumentMetadata(ws.doc, text="changed")
    with pytest.raises(ValidationError):
        EditDocumentMetadata(ws.doc, title="  ")
    ws.refused(EditDocumentMetadata("no-such-document", title="x"), NotFoundError)
