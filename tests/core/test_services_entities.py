"""Entity registry and per-annotator document status through the services, each command
checked do → undo → redo → reopen with `Workspace.round_trip` (see service_helpers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import service_helpers as h

from annotator.errors import NotFoundError, ValidationError
from annotator.services.entity_commands import CreateEntity, DeleteEntity, EditEntity, SetStatus
from annotator.services.span_commands import DeleteSpans, EditSpan


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[h.Workspace]:
    workspace = h.Workspace(tmp_path / "p.annotator")
    yield workspace
    workspace.close()


def test_create_entity(ws: h.Workspace) -> None:
    command = CreateEntity(
        "  Jane Doe ",
        kind="person",
        aliases=["J. Doe", " Jane Doe", "", "J. Doe", "Mayor Doe"],
        external_ids={"wikidata": "Q1"},
        note="mayor 😀",
    )
    _, after = ws.round_trip(command)
    entity = after.entities[command.uuid]
    assert entity.name == "Jane Doe"
    assert entity.aliases == ("J. Doe", "Mayor Doe")
    assert (entity.kind, entity.external_ids, entity.note) == (
        "person",
        {"wikidata": "Q1"},
        "mayor 😀",
    )
    assert entity.author == ws.project.annotator.uuid
    assert entity.created == entity.modified != ""


def test_entity_needs_a_name() -> None:
    with pytest.raises(ValidationError):
        CreateEntity("   ")
    with pytest.raises(ValidationError):
        EditEntity("any", name=" ")
    with pytest.raises(ValidationError):
        EditEntity("any", colour="red")


def test_edit_entity(ws: h.Workspace) -> None:
    create = CreateEntity("Acme", aliases=["ACME"])
    ws.run(create)
    command = EditEntity(create.uuid, name="Acme Ltd", aliases=["Acme", "ACME"], note="firm")
    before, after = ws.round_trip(command)
    entity = after.entities[create.uuid]
    assert (entity.name, entity.aliases, entity.note) == ("Acme Ltd", ("Acme", "ACME"), "firm")
    assert entity.created == before.entities[create.uuid].created
    ws.refused(EditEntity("no-such-entity", note="x"), NotFoundError)


def test_delete_entity_spans_lose_the_reference(ws: h.Workspace) -> None:
    create = CreateEntity("Jane Doe")
    other = CreateEntity("Acme")
    ws.run(create)
    ws.run(other)
    jane = ws.span("actor", "Jane Doe", entity=create.uuid)
    mayor = ws.span("actor", "Mayor Jane Doe", entity=create.uuid)
    acme = ws.span("actor", "𝐀cme Ltd", entity=other.uuid)
    command = DeleteEntity(create.uuid)
    before, after = ws.round_trip(command)
    assert set(after.entities) == {other.uuid}
    assert after.spans[jane].entity is None and after.spans[mayor].entity is None
    assert after.spans[acme].entity == other.uuid
    assert after.spans[jane].tag == "actor"
    assert after.tombstones == {create.uuid: ("entity", ws.project.annotator.uuid)}
    assert before.spans[jane].entity == create.uuid  # and undo restored it (round_trip)


def test_delete_missing_entity_refused(ws: h.Workspace) -> None:
    ws.refused(DeleteEntity("no-such-entity"), NotFoundError)


def test_entity_undo_and_redo_follow_history_order(ws: h.Workspace) -> None:
    """Undo is linear: the span edit that used the entity is undone before the entity goes."""
    create = CreateEntity("Jane")
    ws.run(create)
    uuid = ws.span("actor", "Jane Doe")
    ws.run(EditSpan(uuid, entity=create.uuid))
    ws.project.undo()
    ws.project.undo()
    ws.project.undo()
    assert not ws.snapshot().entities
    for _ in range(3):
        ws.project.redo()
    assert ws.get_span(uuid).entity == create.uuid


# -- status ------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["new", "in_progress", "done"])
def test_set_status(ws: h.Workspace, status: str) -> None:
    before, after = ws.round_trip(SetStatus(ws.doc, status))
    assert before.statuses == {}
    (row,) = after.statuses.values()
    assert (row.document, row.annotator, row.status) == (ws.doc, ws.project.annotator.uuid, status)


def test_status_changes_and_undo_restores_the_previous_one(ws: h.Workspace) -> None:
    ws.run(SetStatus(ws.doc, "in_progress"))
    before, after = ws.round_trip(SetStatus(ws.doc, "done"))
    (old,) = before.statuses.values()
    (new,) = after.statuses.values()
    assert old.uuid == new.uuid  # one row per document and annotator, kept across changes
    assert (old.status, new.status) == ("in_progress", "done")


def test_invalid_status_refused() -> None:
    with pytest.raises(ValidationError):
        SetStatus("any", "finished")


def test_status_of_missing_document_refused(ws: h.Workspace) -> None:
    ws.refused(SetStatus("no-such-document", "done"), NotFoundError)


def test_two_annotators_have_independent_statuses(ws: h.Workspace) -> None:
    ada = ws.project.annotator
    ws.run(SetStatus(ws.doc, "done"))
    bob = ws.project.switch_annotator("Bob")
    assert bob.uuid != ada.uuid
    ws.project.ensure_annotator_saved()
    _, after = ws.round_trip(SetStatus(ws.doc, "in_progress"), reopen=False)
    by_annotator = {s.annotator: s.status for s in after.statuses.values()}
    assert by_annotator == {ada.uuid: "done", bob.uuid: "in_progress"}
    ws.run(SetStatus(ws.doc, "new"))
    ws.project.switch_annotator("Ada")
    _, after = ws.round_trip(SetStatus(ws.doc, "in_progress"))
    by_annotator = {s.annotator: s.status for s in after.statuses.values()}
    assert by_annotator == {ada.uuid: "in_progress", bob.uuid: "new"}
    # Undo after switching undoes the command of whoever did it, for that annotator only.
    ws.project.switch_annotator("Bob")  # the reopened project has no history; build one
    ws.run(SetStatus(ws.doc, "done"))
    ws.project.switch_annotator("Ada")
    ws.project.undo()
    by_annotator = {s.annotator: s.status for s in ws.snapshot().statuses.values()}
    assert by_annotator == {ada.uuid: "in_progress", bob.uuid: "new"}


def test_annotator_is_saved_with_their_first_change(ws: h.Workspace) -> None:
    ws.project.switch_annotator("Cleo")
    names = lambda: {a.name for a in ws.snapshot().annotators.values()}  # noqa: E731
    assert names() == {"Ada"}  # looking is not a change
    ws.run(SetStatus(ws.doc, "in_progress"))
    assert names() == {"Ada", "Cleo"}


def test_undo_and_redo_right_after_switching_to_a_new_annotator(ws: h.Workspace) -> None:
    """Undoing a create writes a tombstone by the current annotator, who must be in the file
    (it failed with "no annotator ..." before their first change)."""
    uuid = ws.span("actor", "Jane Doe")
    cleo = ws.project.switch_annotator("Cleo")
    ws.project.undo()
    snap = ws.snapshot()
    assert snap.spans == {} and snap.tombstones == {uuid: ("span", cleo.uuid)}
    assert cleo.uuid in snap.annotators
    dan = ws.project.switch_annotator("Dan")
    ws.project.redo()
    ws.run(DeleteSpans([uuid]))
    assert ws.snapshot().tombstones == {uuid: ("span", dan.uuid)}


def test_refused_first_change_of_a_new_annotator_leaves_the_file_untouched(
    ws: h.Workspace,
) -> None:
    ws.project.switch_annotator("Eve")
    ws.refused(SetStatus("no-such-document", "done"), NotFoundError)
    ws.refused(DeleteEntity("no-such-entity"), NotFoundError)
    assert {a.name for a in ws.snapshot().annotators.values()} == {"Ada"}
    ws.run(SetStatus(ws.doc, "done"))
    assert {a.name for a in ws.snapshot().annotators.values()} == {"Ada", "Eve"}
