"""Link commands (create, delete, edit) through the services and back from the file; each one
checked do → undo → redo → reopen with `Workspace.round_trip` (see service_helpers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import service_helpers as h
from service_helpers import OTHER_TEXT, between

from annotator.errors import NotFoundError, ValidationError
from annotator.services.link_commands import CreateLink, DeleteLinks, EditLink
from annotator.services.span_commands import CreateSpan


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[h.Workspace]:
    workspace = h.Workspace(tmp_path / "p.annotator")
    yield workspace
    workspace.close()


@pytest.fixture
def spans(ws: h.Workspace) -> dict[str, str]:
    """Two actors, a claim, an event and a topic span: name → uuid."""
    return {
        "jane": ws.span("actor", "Jane Doe"),
        "acme": ws.span("actor", "𝐀cme Ltd"),
        "claim": ws.span("claim", "the bridge", "was safe"),
        "event": ws.span("event", "the council met"),
        "topic": ws.span("topic", "Springfield"),
    }


def test_create_allowed_link(ws: h.Workspace, spans: dict[str, str]) -> None:
    command = CreateLink(spans["jane"], spans["claim"], "asserts", note="on Monday")
    before, after = ws.round_trip(command)
    assert set(after.links) - set(before.links) == {command.uuid}
    link = after.links[command.uuid]
    assert (link.source, link.target, link.type) == (spans["jane"], spans["claim"], "asserts")
    assert (link.document, link.annotator, link.note) == (
        ws.doc,
        ws.project.annotator.uuid,
        "on Monday",
    )
    assert link.attributes == {}
    assert link.created == link.modified != ""


def test_create_link_with_attributes(ws: h.Workspace, spans: dict[str, str]) -> None:
    command = CreateLink(spans["jane"], spans["claim"], "asserts", attributes={"certainty": "low"})
    _, after = ws.round_trip(command)
    assert after.links[command.uuid].attributes == {"certainty": "low"}
    for bad in ({"certainty": "medium"}, {"certainty": 1}, {"unknown": "x"}):
        ws.refused(
            CreateLink(spans["acme"], spans["claim"], "asserts", attributes=bad), ValidationError
        )


@pytest.mark.parametrize(
    ("source", "target", "link_type"),
    [
        ("claim", "jane", "asserts"),  # directed: the wrong way round
        ("jane", "event", "asserts"),
        ("event", "jane", "participates"),
        ("claim", "event", "participates"),
        ("jane", "claim", "same_as"),
        ("claim", "event", "involved_in"),
        ("jane", "acme", "involved_in"),
    ],
)
def test_disallowed_link_refused(
    ws: h.Workspace, spans: dict[str, str], source: str, target: str, link_type: str
) -> None:
    ws.refused(CreateLink(spans[source], spans[target], link_type), ValidationError, "do not go")


def test_unknown_link_type_or_span_refused(ws: h.Workspace, spans: dict[str, str]) -> None:
    ws.refused(CreateLink(spans["jane"], spans["claim"], "nope"), ValidationError, "no link type")
    ws.refused(CreateLink(spans["jane"], "no-such-span", "mentions"), NotFoundError)
    ws.refused(CreateLink("no-such-span", spans["jane"], "mentions"), NotFoundError)


@pytest.mark.parametrize("link_type", ["mentions", "same_as", "asserts"])
def test_self_link_refused(ws: h.Workspace, spans: dict[str, str], link_type: str) -> None:
    ws.refused(CreateLink(spans["jane"], spans["jane"], link_type), ValidationError, "itself")


def test_duplicate_link_refused(ws: h.Workspace, spans: dict[str, str]) -> None:
    ws.link(spans["jane"], spans["claim"], "asserts")
    ws.refused(CreateLink(spans["jane"], spans["claim"], "asserts"), ValidationError, "already")
    # Another type between the same spans, or the opposite direction of a directed type, is new.
    ws.round_trip(CreateLink(spans["jane"], spans["claim"], "mentions"), reopen=False)
    ws.round_trip(CreateLink(spans["claim"], spans["jane"], "mentions"))
    ws.refused(CreateLink(spans["claim"], spans["jane"], "mentions"), ValidationError, "already")


def test_symmetric_type_accepts_either_direction(ws: h.Workspace, spans: dict[str, str]) -> None:
    forward = CreateLink(spans["jane"], spans["event"], "involved_in")
    ws.round_trip(forward, reopen=False)
    ws.run(DeleteLinks([forward.uuid]))
    backward = CreateLink(spans["event"], spans["jane"], "involved_in")  # event → actor
    _, after = ws.round_trip(backward)
    assert (after.links[backward.uuid].source, after.links[backward.uuid].target) == (
        spans["event"],
        spans["jane"],
    )
    # ... and a mirrored duplicate of a symmetric link is a duplicate.
    ws.refused(CreateLink(spans["jane"], spans["event"], "involved_in"), ValidationError, "already")
    ws.link(spans["jane"], spans["acme"], "same_as")
    ws.refused(CreateLink(spans["acme"], spans["jane"], "same_as"), ValidationError, "already")


def test_link_across_documents_refused(ws: h.Workspace, spans: dict[str, str]) -> None:
    other = h.add_document(ws.project, OTHER_TEXT, "Other")
    elsewhere = CreateSpan(other, "actor", [between(OTHER_TEXT, "Mayor")])
    ws.run(elsewhere)
    ws.refused(
        CreateLink(spans["jane"], elsewhere.uuid, "same_as"), ValidationError, "same document"
    )
    ws.refused(
        CreateLink(elsewhere.uuid, spans["jane"], "same_as"), ValidationError, "same document"
    )


def test_delete_link(ws: h.Workspace, spans: dict[str, str]) -> None:
    keep = ws.link(spans["jane"], spans["claim"], "asserts")
    gone = ws.link(spans["jane"], spans["event"], "participates", note="n")
    before, after = ws.round_trip(DeleteLinks([gone]))
    assert set(after.links) == {keep}
    assert after.tombstones == {gone: ("link", ws.project.annotator.uuid)}
    assert after.spans == before.spans


def test_delete_several_links_and_missing_link(ws: h.Workspace, spans: dict[str, str]) -> None:
    one = ws.link(spans["jane"], spans["claim"], "asserts")
    two = ws.link(spans["topic"], spans["claim"], "mentions")
    ws.refused(DeleteLinks([one, "no-such-link"]), ValidationError)
    _, after = ws.round_trip(DeleteLinks([one, two, one]))
    assert not after.links and set(after.tombstones) == {one, two}


def test_edit_link_note_and_attributes(ws: h.Workspace, spans: dict[str, str]) -> None:
    uuid = ws.link(spans["jane"], spans["claim"], "asserts", attributes={"certainty": "low"})
    _, after = ws.round_trip(EditLink(uuid, note="checked"), reopen=False)
    assert after.links[uuid].note == "checked"
    assert after.links[uuid].attributes == {"certainty": "low"}
    before, after = ws.round_trip(EditLink(uuid, attributes={"certainty": "high"}))
    assert after.links[uuid].attributes == {"certainty": "high"}
    assert after.links[uuid].created == before.links[uuid].created
    ws.refused(EditLink(uuid, attributes={"certainty": "maybe"}), ValidationError)
    _, after = ws.round_trip(EditLink(uuid, attributes={"certainty": None}))
    assert after.links[uuid].attributes == {}


def test_reverse_link(ws: h.Workspace, spans: dict[str, str]) -> None:
    uuid = ws.link(spans["topic"], spans["claim"], "mentions")
    _, after = ws.round_trip(EditLink(uuid, reverse=True))
    assert (after.links[uuid].source, after.links[uuid].target) == (spans["claim"], spans["topic"])
    directed = ws.link(spans["jane"], spans["claim"], "asserts")
    ws.refused(EditLink(directed, reverse=True), ValidationError, "do not go")


def test_reverse_into_a_duplicate_refused(ws: h.Workspace, spans: dict[str, str]) -> None:
    ws.link(spans["topic"], spans["claim"], "mentions")
    back = ws.link(spans["claim"], spans["topic"], "mentions")
    ws.refused(EditLink(back, reverse=True), ValidationError, "already")


def test_change_link_type(ws: h.Workspace, spans: dict[str, str]) -> None:
    uuid = ws.link(spans["jane"], spans["claim"], "asserts", attributes={"certainty": "high"})
    _, after = ws.round_trip(EditLink(uuid, link_type="mentions"))
    assert after.links[uuid].type == "mentions"
    assert after.links[uuid].attributes == {}  # mentions defines no certainty
    ws.refused(EditLink(uuid, link_type="same_as"), ValidationError, "do not go")
    ws.refused(EditLink(uuid, link_type="nope"), ValidationError, "no link type")
    ws.link(spans["jane"], spans["claim"], "asserts")
    ws.refused(EditLink(uuid, link_type="asserts"), ValidationError, "already")


def test_edit_missing_link_refused(ws: h.Workspace) -> None:
    ws.refused(EditLink("no-such-link", note="x"), ValidationError, "no longer exists")
