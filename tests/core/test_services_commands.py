"""Span commands and the one-transaction rule, through the services and back from the file.

Every command is checked with `Workspace.round_trip`: do → the file (read through the
project's store and through a separate connection, then after close + reopen) shows the
change; undo → the file is exactly as before (timestamps included); redo → exactly as after do.
Links, entities and status, documents and schema edits have their own test_services_* files.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import service_helpers as h
from service_helpers import TEXT, between

from annotator.domain.changes import ChangeSet
from annotator.domain.offsets import CONTEXT_LENGTH, FRAGMENT_JOINER
from annotator.errors import NotFoundError, ValidationError
from annotator.services.command import Command, Compound
from annotator.services.entity_commands import CreateEntity, SetStatus
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.schema_commands import AddTagType, DeleteTagType
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan
from annotator.store.project_store import WriteSession


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[h.Workspace]:
    workspace = h.Workspace(tmp_path / "p.annotator")
    yield workspace
    workspace.close()


def only_new_span(before: h.Snapshot, after: h.Snapshot):
    (uuid,) = set(after.spans) - set(before.spans)
    return after.spans[uuid]


# -- create ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "needle",
    ["Jane Doe", "😀", "👩\u200d👩\u200d👧", "Cafe\u0301", "e\u0301", "𝐀cme", "Springfield."],
)
def test_create_span_offsets_are_code_points(ws: h.Workspace, needle: str) -> None:
    start, end = between(TEXT, needle)
    command = CreateSpan(ws.doc, "actor", [(start, end)])
    before, after = ws.round_trip(command)
    span = only_new_span(before, after)
    assert span.uuid == command.uuid
    assert span.fragments == ((start, end),)
    assert span.quote == TEXT[start:end] == needle
    assert span.prefix == TEXT[max(0, start - CONTEXT_LENGTH) : start]
    assert span.suffix == TEXT[end : end + CONTEXT_LENGTH]
    assert (span.tag, span.document, span.annotator) == ("actor", ws.doc, ws.project.annotator.uuid)
    assert span.created == span.modified != ""


def test_emoji_zwj_and_combining_marks_precede_the_spans() -> None:
    """The test text really has the traps: offsets in code points differ from UTF-16 units
    and from grapheme counts before "Jane Doe"."""
    start, _ = between(TEXT, "Jane Doe")
    assert len(TEXT[:start].encode("utf-16-le")) // 2 > start
    assert "👩\u200d👩\u200d👧" in TEXT[:start] and "e\u0301" in TEXT[:start]


def test_create_discontinuous_span_sorted_and_quoted(ws: h.Workspace) -> None:
    second, first = between(TEXT, "was safe"), between(TEXT, "the bridge")
    command = CreateSpan(ws.doc, "claim", [second, first], note="hedged")
    before, after = ws.round_trip(command)
    span = only_new_span(before, after)
    assert span.fragments == (first, second)
    assert span.quote == FRAGMENT_JOINER.join(TEXT[s:e] for s, e in (first, second))
    assert span.attributes == {"stance": "neutral"}  # the default
    assert span.note == "hedged"


def test_touching_fragments_are_kept_apart(ws: h.Workspace) -> None:
    start, end = between(TEXT, "Jane Doe")
    before, after = ws.round_trip(
        CreateSpan(ws.doc, "actor", [(start, start + 4), (start + 4, end)])
    )
    assert only_new_span(before, after).fragments == ((start, start + 4), (start + 4, end))


def test_overlapping_and_nested_spans_coexist(ws: h.Workspace) -> None:
    outer = ws.span("actor", "Mayor Jane Doe")
    nested = CreateSpan(ws.doc, "actor", [between(TEXT, "Jane Doe")])
    ws.round_trip(nested, reopen=False)
    overlap = CreateSpan(ws.doc, "claim", [between(TEXT, "Doe said on Monday")])
    ws.round_trip(overlap, reopen=False)
    same = CreateSpan(ws.doc, "topic", [between(TEXT, "Mayor Jane Doe")])
    _, after = ws.round_trip(same)
    quotes = {after.spans[u].quote for u in (outer, nested.uuid, overlap.uuid, same.uuid)}
    assert quotes == {"Mayor Jane Doe", "Jane Doe", "Doe said on Monday"}
    assert len(after.spans) == 4


@pytest.mark.parametrize(
    "fragments",
    [
        [],
        [(5, 5)],
        [(7, 3)],
        [(-1, 3)],
        [(0, len(TEXT) + 1)],
        [(0, 10), (5, 12)],
        [(0, 10), (0, 10)],
        [(0.0, 3)],
        [(True, 3)],
        [(1, 2, 3)],
    ],
)
def test_invalid_fragments_refused(ws: h.Workspace, fragments: Any) -> None:
    ws.refused(CreateSpan(ws.doc, "actor", fragments), ValidationError)


def test_create_span_refusals(ws: h.Workspace) -> None:
    fragment = [between(TEXT, "Jane")]
    ws.refused(CreateSpan(ws.doc, "nope", fragment), ValidationError, "no tag type")
    ws.refused(CreateSpan(ws.doc, "claim", fragment, attributes={"x": 1}), ValidationError)
    ws.refused(CreateSpan("no-such-doc", "actor", fragment), NotFoundError)
    ws.refused(CreateSpan(ws.doc, "actor", fragment, entity="no-such-entity"), NotFoundError)


def test_create_span_with_every_attribute_type(ws: h.Workspace) -> None:
    values = {
        "stance": "oppose",
        "topics": ["safety", "economy"],
        "confidence": 0.75,
        "verified": False,
        "said_on": "2024-03-01",
        "summary": "Bridge «safe» 😀",
    }
    command = CreateSpan(ws.doc, "claim", [between(TEXT, "was safe")], attributes=values)
    before, after = ws.round_trip(command)
    assert only_new_span(before, after).attributes == values


# -- attributes --------------------------------------------------------------------------------
VALID_VALUES = [
    ("stance", "support"),
    ("topics", []),
    ("topics", ["health"]),
    ("confidence", 3),
    ("confidence", -2.5),
    ("confidence", 0),
    ("confidence", 2**63 - 1),
    ("confidence", -(2**63) + 1),
    ("confidence", 1e300),
    ("verified", True),
    ("verified", False),
    ("said_on", "2024-02-29"),
    ("summary", ""),
    ("summary", "e\u0301 👩\u200d👩\u200d👧"),
]
INVALID_VALUES = [
    ("stance", "maybe"),
    ("stance", 1),
    ("stance", ["support"]),
    ("topics", "health"),
    ("topics", ["wealth"]),
    ("topics", ["health", "health"]),
    ("topics", [1]),
    ("confidence", "3"),
    ("confidence", True),
    ("confidence", math.nan),
    ("confidence", math.inf),
    ("confidence", 2**63),
    ("confidence", -(2**64)),
    ("verified", "yes"),
    ("verified", 1),
    ("said_on", "2023-02-29"),
    ("said_on", "2024-3-1"),
    ("said_on", "01/03/2024"),
    ("said_on", 20240301),
    ("said_on", "2024-03-01T10:00"),
    ("summary", 5),
    ("unknown", "x"),
]


@pytest.mark.parametrize(("key", "value"), VALID_VALUES)
def test_edit_attribute_every_type(ws: h.Workspace, key: str, value: Any) -> None:
    uuid = ws.span("claim", "the bridge", attributes={"summary": "old", "topics": ["safety"]})
    before, after = ws.round_trip(EditSpan(uuid, attributes={key: value}), reopen=False)
    expected = {"stance": "neutral", "summary": "old", "topics": ["safety"], key: value}
    assert after.spans[uuid].attributes == expected
    assert after.spans[uuid].created == before.spans[uuid].created
    assert after.spans[uuid].modified >= before.spans[uuid].modified


@pytest.mark.parametrize(("key", "value"), INVALID_VALUES)
def test_invalid_attribute_values_refused(ws: h.Workspace, key: str, value: Any) -> None:
    uuid = ws.span("claim", "the bridge")
    ws.refused(EditSpan(uuid, attributes={key: value}), ValidationError)
    fragment = [between(TEXT, "was safe")]
    ws.refused(CreateSpan(ws.doc, "claim", fragment, attributes={key: value}), ValidationError)


def test_clear_attribute_with_none(ws: h.Workspace) -> None:
    uuid = ws.span("claim", "the bridge", attributes={"summary": "x", "verified": True})
    _, after = ws.round_trip(EditSpan(uuid, attributes={"summary": None, "stance": None}))
    assert after.spans[uuid].attributes == {"verified": True}


def test_edit_note(ws: h.Workspace) -> None:
    uuid = ws.span("actor", "Jane Doe", note="first")
    _, after = ws.round_trip(EditSpan(uuid, note="second line\nwith 😀"))
    assert after.spans[uuid].note == "second line\nwith 😀"


def test_nothing_to_change_refused_at_construction() -> None:
    with pytest.raises(ValidationError):
        EditSpan("any")


# -- retag -------------------------------------------------------------------------------------
def test_retag_keeps_only_attributes_the_new_tag_defines(ws: h.Workspace) -> None:
    uuid = ws.span(
        "claim", "the bridge", attributes={"stance": "oppose", "summary": "s", "verified": True}
    )
    before, after = ws.round_trip(EditSpan(uuid, tag="topic"))
    span = after.spans[uuid]
    assert span.tag == "topic"
    assert span.attributes == {"stance": "oppose"}
    assert (span.fragments, span.quote) == (before.spans[uuid].fragments, "the bridge")


def test_retag_with_attributes_for_the_new_tag(ws: h.Workspace) -> None:
    uuid = ws.span("claim", "the bridge", attributes={"summary": "s"})
    _, after = ws.round_trip(EditSpan(uuid, tag="event", attributes={"place": "Springfield"}))
    assert after.spans[uuid].attributes == {"place": "Springfield"}
    ws.refused(EditSpan(uuid, tag="actor", attributes={"place": "x"}), ValidationError)


def test_retag_refused_when_a_link_would_become_disallowed(ws: h.Workspace) -> None:
    actor = ws.span("actor", "Jane Doe")
    claim = ws.span("claim", "the bridge")
    ws.link(actor, claim, "asserts")
    ws.refused(EditSpan(actor, tag="event"), ValidationError, "delete the link first")
    ws.refused(EditSpan(claim, tag="topic"), ValidationError, "delete the link first")
    # A link type that allows any endpoints does not stand in the way.
    other = ws.span("topic", "Engineers")
    ws.link(other, claim, "mentions")
    _, after = ws.round_trip(EditSpan(other, tag="event"))
    assert after.spans[other].tag == "event"


def test_retag_checks_a_reversed_symmetric_link(ws: h.Workspace) -> None:
    actor = ws.span("actor", "Jane Doe")
    event = ws.span("event", "the council met")
    ws.link(event, actor, "involved_in")  # symmetric actor ↔ event, stored event → actor
    ws.refused(EditSpan(actor, tag="claim"), ValidationError, "delete the link first")
    ws.refused(EditSpan(event, tag="actor"), ValidationError, "delete the link first")
    _, after = ws.round_trip(EditSpan(event, tag="event", attributes={"place": "Springfield"}))
    assert after.spans[event].attributes == {"place": "Springfield"}


# -- resize and fragments ------------------------------------------------------------------------
def test_resize_recomputes_quote_and_context(ws: h.Workspace) -> None:
    uuid = ws.span("actor", "Jane Doe")
    start, end = between(TEXT, "Mayor Jane Doe")
    before, after = ws.round_trip(EditSpan(uuid, fragments=[(start, end)]))
    span = after.spans[uuid]
    assert span.quote == "Mayor Jane Doe"
    assert span.prefix == TEXT[max(0, start - CONTEXT_LENGTH) : start]
    assert span.prefix != before.spans[uuid].prefix
    assert span.created == before.spans[uuid].created
    assert span.modified >= before.spans[uuid].modified


def test_add_and_drop_a_fragment(ws: h.Workspace) -> None:
    uuid = ws.span("claim", "the bridge")
    one, two = between(TEXT, "the bridge"), between(TEXT, "was safe")
    _, after = ws.round_trip(EditSpan(uuid, fragments=[one, two]), reopen=False)
    assert after.spans[uuid].fragments == (one, two)
    assert after.spans[uuid].quote == f"the bridge{FRAGMENT_JOINER}was safe"
    _, after = ws.round_trip(EditSpan(uuid, fragments=[two]))
    assert after.spans[uuid].quote == "was safe"


def test_bad_resize_refused(ws: h.Workspace) -> None:
    uuid = ws.span("actor", "Jane Doe")
    ws.refused(EditSpan(uuid, fragments=[(3, 3)]), ValidationError)
    ws.refused(EditSpan(uuid, fragments=[(0, 5), (4, 9)]), ValidationError)
    ws.refused(EditSpan(uuid, fragments=[(0, len(TEXT) + 1)]), ValidationError)
    ws.refused(EditSpan("no-such-span", note="x"), NotFoundError)


# -- entity ------------------------------------------------------------------------------------
def test_set_and_clear_entity(ws: h.Workspace) -> None:
    entity = CreateEntity("Jane Doe", kind="person")
    ws.run(entity)
    uuid = ws.span("actor", "Jane Doe")
    _, after = ws.round_trip(EditSpan(uuid, entity=entity.uuid), reopen=False)
    assert after.spans[uuid].entity == entity.uuid
    _, after = ws.round_trip(EditSpan(uuid, entity=None))
    assert after.spans[uuid].entity is None
    ws.refused(EditSpan(uuid, entity="no-such-entity"), NotFoundError)


def test_create_span_with_entity(ws: h.Workspace) -> None:
    entity = CreateEntity("Acme Ltd")
    ws.run(entity)
    command = CreateSpan(ws.doc, "actor", [between(TEXT, "𝐀cme Ltd")], entity=entity.uuid)
    before, after = ws.round_trip(command)
    assert only_new_span(before, after).entity == entity.uuid


# -- delete ------------------------------------------------------------------------------------
def test_delete_span_deletes_its_links_with_tombstones(ws: h.Workspace) -> None:
    actor, claim = ws.span("actor", "Jane Doe"), ws.span("claim", "the bridge")
    event, other = ws.span("event", "the council met"), ws.span("actor", "Engineers")
    asserts = ws.link(actor, claim, "asserts")
    takes_part = ws.link(actor, event, "participates")
    kept = ws.link(other, event, "participates")
    command = DeleteSpans([actor])
    before, after = ws.round_trip(command)
    assert set(before.spans) - set(after.spans) == {actor}
    assert set(before.links) - set(after.links) == {asserts, takes_part}
    assert kept in after.links
    author = ws.project.annotator.uuid
    assert after.tombstones == {
        actor: ("span", author),
        asserts: ("link", author),
        takes_part: ("link", author),
    }
    assert before.tombstones == {}  # undo (checked by round_trip) lifted all three


def test_delete_several_spans_linked_to_each_other(ws: h.Workspace) -> None:
    actor, claim = ws.span("actor", "Jane Doe"), ws.span("claim", "the bridge")
    link = ws.link(actor, claim, "asserts")
    command = DeleteSpans([actor, claim, actor])
    _, after = ws.round_trip(command)
    assert not after.spans and not after.links
    assert set(after.tombstones) == {actor, claim, link}


def test_delete_missing_span_refused(ws: h.Workspace) -> None:
    actor = ws.span("actor", "Jane Doe")
    ws.refused(DeleteSpans([actor, "no-such-span"]), ValidationError)


def test_undo_of_create_leaves_a_tombstone_and_redo_lifts_it(ws: h.Workspace) -> None:
    """Undoing a create is a deletion: a merge must not bring the span back."""
    uuid = ws.span("actor", "Jane Doe")
    ws.project.undo()
    assert ws.snapshot().tombstones == {uuid: ("span", ws.project.annotator.uuid)}
    ws.project.redo()
    assert ws.snapshot().tombstones == {}


def test_change_sets(ws: h.Workspace) -> None:
    create = CreateSpan(ws.doc, "actor", [between(TEXT, "Jane Doe")])
    assert ws.run(create) == ChangeSet(
        spans_added=frozenset({create.uuid}), documents=frozenset({ws.doc})
    )
    claim = ws.span("claim", "the bridge")
    link = ws.link(create.uuid, claim, "asserts")
    changes = ws.run(DeleteSpans([create.uuid]))
    assert changes.spans_removed == {create.uuid} and changes.links_removed == {link}
    undone = ws.project.undo()
    assert undone.spans_added == {create.uuid} and undone.links_added == {link}


# -- one transaction per command -----------------------------------------------------------------
class Exploding(Command):
    """Applies its inner command, then fails (a bug or a full disk half-way through)."""

    def __init__(self, inner: Command) -> None:
        self.inner = inner

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        self.inner.apply(project, session)
        raise RuntimeError("boom")

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        raise AssertionError("never applied")


def test_compound_failing_half_way_leaves_nothing(ws: h.Workspace) -> None:
    actor = ws.span("actor", "Jane Doe")
    first = CreateSpan(ws.doc, "claim", [between(TEXT, "the bridge")])
    ws.refused(Compound("Two", [first, CreateLink(actor, actor, "asserts")]), ValidationError)
    ws.refused(
        Compound("Tag", [EditSpan(actor, note="x"), EditSpan(actor, attributes={"q": 1})]),
        ValidationError,
    )
    ws.refused(
        Compound("Delete", [DeleteSpans([actor]), CreateSpan(ws.doc, "actor", [(4, 2)])]),
        ValidationError,
    )
    ws.refused(
        Compound("Status", [SetStatus(ws.doc, "done"), DeleteTagType("actor")]), ValidationError
    )


def test_schema_edit_rolled_back_with_its_compound(ws: h.Workspace) -> None:
    schema = ws.project.schema
    add = AddTagType("place", "Place", "custom", "#123456")
    bad = CreateSpan(ws.doc, "place", [(3, 1)])
    ws.refused(Compound("Add and use", [add, bad]), ValidationError)
    assert ws.project.schema == schema
    assert ws.project.schema.tag("place") is None


def test_exception_after_writes_rolls_back(ws: h.Workspace) -> None:
    actor = ws.span("actor", "Jane Doe")
    ws.refused(Exploding(DeleteSpans([actor])), RuntimeError)
    ws.refused(Exploding(CreateSpan(ws.doc, "actor", [(0, 1)])), RuntimeError)
    ws.refused(Exploding(EditSpan(actor, tag="event", note="n")), RuntimeError)


def test_compound_round_trip(ws: h.Workspace) -> None:
    actor = CreateSpan(ws.doc, "actor", [between(TEXT, "Jane Doe")])
    claim = CreateSpan(ws.doc, "claim", [between(TEXT, "the bridge"), between(TEXT, "was safe")])
    link = CreateLink(actor.uuid, claim.uuid, "asserts", attributes={"certainty": "high"})
    entity = CreateEntity("Jane Doe")
    command = Compound("Annotate", [entity, actor, claim, link, SetStatus(ws.doc, "in_progress")])
    _, after = ws.round_trip(command)
    assert set(after.spans) == {actor.uuid, claim.uuid}
    assert after.links[link.uuid].attributes == {"certainty": "high"}


def test_failed_undo_keeps_the_history(ws: h.Workspace) -> None:
    """An undo that cannot run (here: a tag type added, then used outside the history) raises,
    changes nothing, and can be retried once the obstacle is gone."""
    ws.run(AddTagType("place", "Place", "custom", "#123456"))
    span = CreateSpan(ws.doc, "place", [between(TEXT, "Springfield")])
    span.do(ws.project)  # not through the history
    before = ws.snapshot()
    with pytest.raises(ValidationError, match="spans use"):
        ws.project.undo()
    h.assert_same(ws.snapshot(), before)
    assert ws.project.history.undo_label == "Add tag type Place"
    DeleteSpans([span.uuid]).do(ws.project)
    ws.project.undo()
    assert ws.project.schema.tag("place") is None
