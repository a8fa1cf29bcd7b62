"""Retag keeps what fits (issue 13): attributes the new tag defines with a valid value stay,
the rest are dropped or moved to the span's note, in one undoable step with one history row."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from annotator.domain.attributes import fit_attributes
from annotator.services.project import Project
from annotator.services.sample import create_sample_project
from annotator.services.span_commands import CreateSpan, EditSpan


@pytest.fixture
def project(tmp_path: Path):
    project = create_sample_project(tmp_path / "p.annotator", "Dana", annotate=False)
    yield project
    project.close()


def _document(project: Project) -> str:
    with project.store.read() as read:
        return read.documents()[0].uuid


def _actor(project: Project, kind: str, note: str = "") -> CreateSpan:
    create = CreateSpan(_document(project), "actor", [(0, 6)], attributes={"kind": kind}, note=note)
    project.run(create)
    return create


def _span(project: Project, uuid: str):
    with project.store.read() as read:
        return read.span(uuid)


def test_a_value_the_new_tag_refuses_is_dropped_and_said(project: Project) -> None:
    create = _actor(project, "state")
    retag = EditSpan(create.uuid, tag="place")
    project.run(retag)
    span = _span(project, create.uuid)
    assert span.tag == "place" and span.attributes == {} and span.note == ""
    assert retag.dropped == {"Kind": "state"}
    said = "as Place; dropped Kind \u201cstate\u201d (no such value for Place)"
    assert retag.summary().endswith(said)


def test_a_value_that_fits_the_new_tag_is_kept(project: Project) -> None:
    create = _actor(project, "other")  # "other" is an actor kind and a place kind
    retag = EditSpan(create.uuid, tag="place")
    project.run(retag)
    assert _span(project, create.uuid).attributes == {"kind": "other"}
    assert retag.dropped == {} and "dropped" not in retag.summary()


def test_dropped_values_can_go_to_the_note_and_undo_is_one_step(project: Project) -> None:
    create = _actor(project, "state", note="capital as a government")
    before = _span(project, create.uuid)
    with project.store.read() as read:
        rows = len(read.history_of(create.uuid))
    retag = EditSpan(create.uuid, tag="place", dropped_to_note=True)
    project.run(retag)
    span = _span(project, create.uuid)
    assert span.note == "capital as a government\nKind: state" and span.attributes == {}
    assert "moved Kind \u201cstate\u201d to the note" in retag.summary()
    assert project.undo()
    undone = _span(project, create.uuid)  # the undo is a change of its own: a newer time
    assert undone.modified > span.modified
    assert dataclasses.replace(undone, modified=before.modified) == before
    assert project.redo()
    redone = _span(project, create.uuid)
    assert redone.modified > undone.modified
    assert dataclasses.replace(redone, modified=span.modified) == span
    with project.store.read() as read:
        assert len(read.history_of(create.uuid)) == rows + 3  # retag, its undo, its redo


def test_fit_attributes_splits_kept_and_dropped(project: Project) -> None:
    place = project.tag("place")
    kept, dropped = fit_attributes(place.attributes, {"kind": "city", "stance": "critical"})
    assert kept == {"kind": "city"} and dropped == {"stance": "critical"}
