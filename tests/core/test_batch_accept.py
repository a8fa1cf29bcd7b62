"""Accept all occurrences as one batched command (`CreateSpans`): the same rows, history and
undo as tagging each suggestion with its own `CreateSpan`, across documents, with attributes,
entities and texts full of emoji; refusals leave the file as it was."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from service_helpers import OTHER_TEXT, TEXT, Workspace, add_document, snapshot

from annotator.domain.ids import new_uuid
from annotator.errors import NotFoundError, ValidationError
from annotator.services.command import Compound
from annotator.services.entity_commands import CreateEntity
from annotator.services.occurrences import Template, accept, suggest
from annotator.services.span_commands import CreateSpan, CreateSpans


@pytest.fixture
def workspace(tmp_path: Path):
    space = Workspace(tmp_path / "batch.annotator")
    yield space
    space.close()


def _creates(space: Workspace, places: list[tuple[str, int, int]], entity: str | None):
    return [
        CreateSpan(
            document,
            "actor",
            [(start, end)],
            attributes={"role": "mayor"},
            entity=entity,
            uuid=new_uuid(),
        )
        for document, start, end in places
    ]


def _places(space: Workspace, other: str) -> list[tuple[str, int, int]]:
    found = []
    for document, text in ((space.doc, TEXT), (other, OTHER_TEXT)):
        for needle in ("Mayor", "Springfield", "the"):
            start = text.find(needle)
            while start >= 0:
                found.append((document, start, start + len(needle)))
                start = text.find(needle, start + 1)
    return found


def _timeless(project) -> dict:
    """Spans without their timestamps (each command stamps its own time)."""
    spans = snapshot(project).spans
    return {u: dataclasses.replace(s, created="", modified="") for u, s in spans.items()}


def test_batch_writes_what_one_command_per_span_writes(tmp_path: Path) -> None:
    batch_space = Workspace(tmp_path / "batch.annotator")
    single_space = Workspace(tmp_path / "single.annotator")
    try:
        spaces = (batch_space, single_space)
        entity = new_uuid()
        others = []
        for space in spaces:
            space.run(CreateEntity("Jane Doe", uuid=entity))
            others.append(add_document(space.project, OTHER_TEXT, "Other"))
        places = _places(batch_space, others[0])
        assert len(places) >= 6 and {p[0] for p in places} == {batch_space.doc, others[0]}
        batch = _creates(batch_space, places, entity)
        single = [
            CreateSpan(
                c.document if c.document != others[0] else others[1],
                c.tag,
                c.fragments,
                attributes=c.attributes,
                entity=c.entity,
                uuid=c.uuid,
            )
            for c in batch
        ]
        for c in single:  # the second workspace's first document has another uuid
            if c.document == batch_space.doc:
                c.document = single_space.doc
        batch_space.round_trip(CreateSpans("Annotate", batch))
        single_space.round_trip(Compound("Annotate", single))
        ours, theirs = _timeless(batch_space.project), _timeless(single_space.project)
        assert set(ours) == set(theirs) == {c.uuid for c in batch}
        swap = {batch_space.doc: single_space.doc, others[0]: others[1]}
        for uuid, span in ours.items():
            assert dataclasses.replace(span, document=swap[span.document]) == theirs[uuid]
        for space in spaces:  # the same history rows: created, deleted (undo), restored (redo)
            with space.project.store.read() as read:
                rows = [
                    (h.object_uuid, h.action) for h in read.history() if h.object_kind == "span"
                ]
            assert sorted(rows) == sorted(
                (c.uuid, action) for c in batch for action in ("create", "delete", "restore")
            )
    finally:
        batch_space.close()
        single_space.close()


def test_accept_returns_one_batched_command(workspace: Workspace) -> None:
    template = Template("actor", ("Mayor",), {"role": "mayor"}, None, workspace.doc, None)
    found = suggest(workspace.project, template, scope="project")
    command = accept(template, found)
    assert isinstance(command, CreateSpans) and len(command.creates) == len(found) >= 1
    before, after = workspace.round_trip(command)
    assert len(after.spans) - len(before.spans) == len(found)


def test_undo_leaves_tombstones_and_redo_lifts_them(workspace: Workspace) -> None:
    creates = _creates(workspace, _places(workspace, workspace.doc)[:3], None)
    workspace.run(CreateSpans("Annotate", creates))
    workspace.project.undo()
    tombstones = snapshot(workspace.project).tombstones
    author = workspace.project.annotator.uuid
    assert {c.uuid: tombstones[c.uuid] for c in creates} == {
        c.uuid: ("span", author) for c in creates
    }
    workspace.project.redo()
    assert not set(snapshot(workspace.project).tombstones) & {c.uuid for c in creates}


def test_refusals_change_nothing(workspace: Workspace) -> None:
    good = _creates(workspace, _places(workspace, workspace.doc)[:2], None)
    missing = CreateSpan("no-such-document", "actor", [(0, 1)])
    workspace.refused(CreateSpans("Annotate", [*good, missing]), NotFoundError)
    bad_tag = CreateSpan(workspace.doc, "no_such_tag", [(0, 1)])
    workspace.refused(
        CreateSpans("Annotate", [*_creates(workspace, [], None), bad_tag]), ValidationError
    )
    unknown_entity = _creates(workspace, _places(workspace, workspace.doc)[:2], new_uuid())
    workspace.refused(CreateSpans("Annotate", unknown_entity), NotFoundError)
