"""Schema edits (tag types, link types, attribute definitions) and their refusals, each edit
checked do → undo → redo → reopen with `Workspace.round_trip` (see service_helpers)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import service_helpers as h

from annotator.domain.ids import new_uuid
from annotator.domain.model import AttributeDef
from annotator.errors import ValidationError
from annotator.services.link_commands import DeleteLinks
from annotator.services.schema_commands import (
    AddAttribute,
    AddLinkType,
    AddTagType,
    DeleteAttribute,
    DeleteLinkType,
    DeleteTagType,
    EditAttribute,
    EditLinkType,
    EditTagType,
)
from annotator.services.span_commands import DeleteSpans


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[h.Workspace]:
    workspace = h.Workspace(tmp_path / "p.annotator")
    yield workspace
    workspace.close()


def keys(items) -> list[str]:
    return [item.key for item in items]


# -- tag types ---------------------------------------------------------------------------------
def test_add_tag_type(ws: h.Workspace) -> None:
    stance = AttributeDef(new_uuid(), "stance", "Stance", "choice", ("pro", "contra"))
    command = AddTagType(
        "place", "Place", "custom", "#123456", hotkey="p", guideline="towns", attributes=(stance,)
    )
    before, after = ws.round_trip(command)
    assert keys(after.schema.tag_types) == [*keys(before.schema.tag_types), "place"]
    tag = after.schema.tag("place")
    assert tag is not None
    assert (tag.label, tag.kind, tag.color, tag.hotkey, tag.guideline) == (
        "Place",
        "custom",
        "#123456",
        "p",
        "towns",
    )
    assert tag.author == ws.project.annotator.uuid and tag.created
    assert [a.key for a in tag.attributes] == ["stance"]
    # The new tag is usable at once.
    span = ws.span("place", "Springfield")
    assert ws.get_span(span).tag == "place"


@pytest.mark.parametrize(
    ("key", "kind", "color", "fields", "match"),
    [
        ("actor", "custom", "#123456", {}, "already exists"),
        ("1bad", "custom", "#123456", {}, "not a valid key"),
        ("bad key", "custom", "#123456", {}, "not a valid key"),
        ("place", "person", "#123456", {}, "kind"),
        ("place", "custom", "red", {}, "colour"),
        ("place", "custom", "#12345", {}, "colour"),
        ("place", "custom", "#123456", {"hotkey": "a"}, "already belongs"),
        ("place", "custom", "#123456", {"hotkey": "pq"}, "one character"),
        ("place", "custom", "#123456", {"hotkey": " "}, "one character"),
    ],
)
def test_add_tag_type_refusals(
    ws: h.Workspace, key: str, kind: str, color: str, fields: dict, match: str
) -> None:
    ws.refused(AddTagType(key, "Label", kind, color, **fields), ValidationError, match)


def bad_attributes() -> list[tuple[tuple[AttributeDef, ...], str]]:
    def attr(key: str, value_type: str, *choices: str, **more: object) -> AttributeDef:
        return AttributeDef(new_uuid(), key, key.title(), value_type, choices, **more)  # type: ignore[arg-type]

    return [
        ((attr("x", "colour"),), "unknown attribute type"),
        ((attr("9x", "text"),), "valid key"),
        ((attr("x", "choice"),), "at least one choice"),
        ((attr("x", "choice", "a", default="b"),), "not one of"),
        ((attr("x", "text"), attr("x", "number")), "same key"),
    ]


@pytest.mark.parametrize(("attributes", "match"), bad_attributes())
def test_new_tag_or_link_type_with_bad_attributes_refused(
    ws: h.Workspace, attributes: tuple[AttributeDef, ...], match: str
) -> None:
    """Refused with a message, not an SQLite constraint error."""
    ws.refused(
        AddTagType("place", "Place", "custom", "#123456", attributes=attributes),
        ValidationError,
        match,
    )
    ws.refused(
        AddLinkType("near", "near", "#123456", attributes=attributes), ValidationError, match
    )


def test_edit_tag_type(ws: h.Workspace) -> None:
    uuid = ws.span("actor", "Jane Doe")
    command = EditTagType(
        "actor", label="Person", color="#000000", hotkey="x", kind="custom", guideline="who"
    )
    before, after = ws.round_trip(command)
    tag = after.schema.tag("actor")
    assert tag is not None and tag.uuid == before.schema.tag("actor").uuid
    assert (tag.label, tag.color, tag.hotkey, tag.kind, tag.guideline) == (
        "Person",
        "#000000",
        "x",
        "custom",
        "who",
    )
    assert tag.attributes == before.schema.tag("actor").attributes
    assert after.spans[uuid] == before.spans[uuid]
    _, after = ws.round_trip(EditTagType("actor", hotkey=None))
    assert after.schema.tag("actor").hotkey is None


def test_edit_tag_type_refusals(ws: h.Workspace) -> None:
    ws.refused(EditTagType("actor", hotkey="e"), ValidationError, "already belongs")
    ws.refused(EditTagType("actor", color="blue"), ValidationError, "colour")
    ws.refused(EditTagType("actor", kind="nobody"), ValidationError, "kind")
    ws.refused(EditTagType("nope", label="x"), ValidationError, "no tag type")
    with pytest.raises(ValidationError):
        EditTagType("actor", attributes=())  # attributes have their own commands


def test_delete_unused_tag_type(ws: h.Workspace) -> None:
    before, after = ws.round_trip(DeleteTagType("topic"))
    assert keys(after.schema.tag_types) == ["actor", "event", "claim"]
    topic = before.schema.tag("topic")
    assert after.tombstones == {topic.uuid: ("tag_type", ws.project.annotator.uuid)}


def test_delete_first_tag_type_undo_restores_order(ws: h.Workspace) -> None:
    ws.run(DeleteLinkType("asserts"))
    ws.run(DeleteLinkType("participates"))
    ws.run(DeleteLinkType("same_as"))
    ws.run(DeleteLinkType("involved_in"))
    before, _ = ws.round_trip(DeleteTagType("actor"))
    assert keys(before.schema.tag_types) == ["actor", "event", "claim", "topic"]


def test_delete_used_tag_type_refused(ws: h.Workspace) -> None:
    uuid = ws.span("topic", "Springfield")
    ws.refused(DeleteTagType("topic"), ValidationError, "1 span")
    ws.run(DeleteSpans([uuid]))
    ws.round_trip(DeleteTagType("topic"))


def test_delete_tag_type_named_by_a_link_type_refused(ws: h.Workspace) -> None:
    """Deleting `event` would leave `participates` with no target: an empty endpoint list
    means "any tag type", so the link type would silently start allowing everything."""
    ws.refused(DeleteTagType("event"), ValidationError, "takes part in")
    ws.run(EditLinkType("participates", targets=("event", "claim")))
    ws.run(EditLinkType("involved_in", targets=("event", "topic")))
    before = ws.snapshot()
    ws.run(DeleteTagType("event"))
    after = ws.snapshot()
    assert after.schema.link_type("participates").targets == ("claim",)
    assert after.schema.link_type("involved_in").targets == ("topic",)
    ws.project.undo()
    undone = ws.snapshot()
    h.assert_restored(with_endpoint_sets(undone), with_endpoint_sets(before), after)
    ws.project.redo()
    h.assert_redone(ws.snapshot(), after)


def with_endpoint_sets(snapshot: h.Snapshot) -> h.Snapshot:
    """The snapshot with every link type's endpoints sorted (compared as sets)."""
    link_types = tuple(
        dataclasses.replace(
            lt, sources=tuple(sorted(lt.sources)), targets=tuple(sorted(lt.targets))
        )
        for lt in snapshot.schema.link_types
    )
    schema = dataclasses.replace(snapshot.schema, link_types=link_types)
    return dataclasses.replace(snapshot, schema=schema)


def test_undo_of_tag_type_delete_keeps_endpoint_order(ws: h.Workspace) -> None:
    # The deleted tag type comes back with a new row id; the order must not follow ids.
    ws.run(AddTagType("org", "Organisation", "actor", "#336699"))
    ws.run(AddTagType("unit", "Unit", "actor", "#663399"))
    targets = (*ws.project.schema.link_type("participates").targets, "org", "unit")
    ws.run(EditLinkType("participates", targets=targets))
    before, _ = ws.round_trip(DeleteTagType("org"))
    assert before.schema.link_type("participates").targets == targets


# -- link types --------------------------------------------------------------------------------
def test_add_link_type(ws: h.Workspace) -> None:
    command = AddLinkType(
        "opposes", "opposes", "#abcdef", directed=False, sources=("actor",), targets=("actor",)
    )
    before, after = ws.round_trip(command)
    link_type = after.schema.link_type("opposes")
    assert keys(after.schema.link_types) == [*keys(before.schema.link_types), "opposes"]
    assert (link_type.directed, link_type.sources, link_type.targets) == (
        False,
        ("actor",),
        ("actor",),
    )
    assert link_type.author == ws.project.annotator.uuid
    ws.link(ws.span("actor", "Jane Doe"), ws.span("actor", "Engineers"), "opposes")


def test_add_link_type_with_attributes(ws: h.Workspace) -> None:
    weight = AttributeDef(new_uuid(), "weight", "Weight", "number", default=1)
    _, after = ws.round_trip(AddLinkType("near", "near", "#123456", attributes=(weight,)))
    (attribute,) = after.schema.link_type("near").attributes
    assert (attribute.key, attribute.default, attribute.author) == (
        "weight",
        1,
        ws.project.annotator.uuid,
    )
    link = ws.link(ws.span("actor", "Jane Doe"), ws.span("event", "the council met"), "near")
    assert ws.snapshot().links[link].attributes == {"weight": 1}


def test_add_link_type_refusals(ws: h.Workspace) -> None:
    ws.refused(AddLinkType("asserts", "x", "#abcdef"), ValidationError, "already exists")
    ws.refused(AddLinkType("x y", "x", "#abcdef"), ValidationError, "valid key")
    ws.refused(AddLinkType("xy", "x", "green"), ValidationError, "colour")
    ws.refused(AddLinkType("xy", "x", "#abcdef", sources=("nope",)), ValidationError, "no tag type")


def test_edit_link_type(ws: h.Workspace) -> None:
    command = EditLinkType(
        "asserts", label="claims", color="#000001", guideline="g", sources=["actor", "topic"]
    )
    before, after = ws.round_trip(command)
    link_type = after.schema.link_type("asserts")
    assert (link_type.label, link_type.color, link_type.guideline) == ("claims", "#000001", "g")
    assert link_type.sources == ("actor", "topic") and link_type.targets == ("claim",)
    assert link_type.attributes == before.schema.link_type("asserts").attributes


def test_narrow_link_endpoints_below_existing_links_refused(ws: h.Workspace) -> None:
    actor, claim = ws.span("actor", "Jane Doe"), ws.span("claim", "the bridge")
    topic = ws.span("topic", "Springfield")
    ws.link(topic, claim, "mentions")
    ws.link(actor, claim, "asserts")
    ws.refused(EditLinkType("mentions", sources=["actor"]), ValidationError, "1 existing link")
    ws.refused(EditLinkType("mentions", targets=["event"]), ValidationError, "1 existing link")
    ws.refused(EditLinkType("asserts", sources=["topic"]), ValidationError, "1 existing link")
    # Narrowing that keeps every existing link is fine.
    _, after = ws.round_trip(EditLinkType("mentions", sources=["topic", "event"]))
    assert after.schema.link_type("mentions").sources == ("event", "topic")


def test_direction_change_checked_against_links(ws: h.Workspace) -> None:
    actor, event = ws.span("actor", "Jane Doe"), ws.span("event", "the council met")
    ws.link(event, actor, "involved_in")  # only allowed because the type is symmetric
    ws.refused(EditLinkType("involved_in", directed=True), ValidationError, "existing link")
    _, after = ws.round_trip(EditLinkType("participates", directed=False))
    assert after.schema.link_type("participates").directed is False


def test_undirected_refused_while_spans_are_linked_both_ways(ws: h.Workspace) -> None:
    """A symmetric type allows one link per pair of spans; making a directed type symmetric
    would leave the pair linked twice."""
    topic, claim, other = (
        ws.span(t, n) for t, n in [("topic", "Jane"), ("claim", "bridge"), ("topic", "safe")]
    )
    ws.link(topic, claim, "mentions")
    back = ws.link(claim, topic, "mentions")
    ws.link(other, claim, "mentions")
    ws.refused(EditLinkType("mentions", directed=False), ValidationError, "1 pair")
    ws.run(DeleteLinks([back]))
    _, after = ws.round_trip(EditLinkType("mentions", directed=False))
    assert after.schema.link_type("mentions").directed is False


def test_delete_link_type(ws: h.Workspace) -> None:
    before, after = ws.round_trip(DeleteLinkType("participates"))
    assert keys(after.schema.link_types) == ["asserts", "same_as", "involved_in", "mentions"]
    uuid = before.schema.link_type("participates").uuid
    assert after.tombstones == {uuid: ("link_type", ws.project.annotator.uuid)}


def test_delete_used_link_type_refused(ws: h.Workspace) -> None:
    ws.link(ws.span("actor", "Jane Doe"), ws.span("claim", "the bridge"), "asserts")
    ws.refused(DeleteLinkType("asserts"), ValidationError, "1 link")
    ws.refused(DeleteLinkType("nope"), ValidationError, "no link type")


# -- attribute definitions ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value_type", "fields"),
    [
        ("choice", {"choices": ["a", "b"], "default": "a", "required": True}),
        ("multi_choice", {"choices": ["a", "b"], "default": ["b"]}),
        ("text", {"guideline": "free text"}),
        ("number", {"default": 1.5}),
        ("date", {"default": "2024-01-31"}),
        ("boolean", {"default": False}),
    ],
)
def test_add_attribute(ws: h.Workspace, value_type: str, fields: dict) -> None:
    command = AddAttribute("tag", "actor", "extra", "Extra", value_type, **fields)
    _, after = ws.round_trip(command)
    attribute = after.schema.tag("actor").attribute("extra")
    assert attribute is not None and attribute.value_type == value_type
    assert keys(after.schema.tag("actor").attributes) == ["actor_kind", "role", "extra"]
    assert attribute.default == fields.get("default")
    assert list(attribute.choices) == fields.get("choices", [])
    # New spans get the default.
    span = ws.span("actor", "Jane Doe")
    expected = {} if "default" not in fields else {"extra": fields["default"]}
    assert ws.get_span(span).attributes == expected


def test_add_attribute_to_link_type(ws: h.Workspace) -> None:
    _, after = ws.round_trip(AddAttribute("link", "mentions", "weight", "Weight", "number"))
    assert after.schema.link_type("mentions").attribute("weight").value_type == "number"


def test_add_attribute_refusals(ws: h.Workspace) -> None:
    refusals = [
        (AddAttribute("tag", "actor", "role", "Role", "text"), "already has"),
        (AddAttribute("tag", "actor", "9x", "X", "text"), "valid key"),
        (AddAttribute("tag", "actor", "x", "X", "choice"), "at least one choice"),
        (AddAttribute("tag", "actor", "x", "X", "choice", choices=["a"], default="b"), "not one"),
        (AddAttribute("tag", "actor", "x", "X", "number", default="1"), "number"),
        (AddAttribute("tag", "actor", "x", "X", "colour"), "unknown attribute type"),
        (AddAttribute("tag", "nope", "x", "X", "text"), "no tag type"),
        (AddAttribute("thing", "actor", "x", "X", "text"), "belongs to"),
    ]
    for command, match in refusals:
        ws.refused(command, ValidationError, match)


def test_edit_attribute(ws: h.Workspace) -> None:
    ws.span("claim", "the bridge", attributes={"stance": "oppose"})
    command = EditAttribute(
        "tag",
        "claim",
        "stance",
        label="Position",
        choices=["support", "oppose", "neutral", "mixed"],
    )
    before, after = ws.round_trip(command)
    attribute = after.schema.tag("claim").attribute("stance")
    assert attribute.label == "Position" and attribute.choices[-1] == "mixed"
    assert attribute.uuid == before.schema.tag("claim").attribute("stance").uuid
    _, after = ws.round_trip(
        EditAttribute("tag", "claim", "stance", default="oppose", required=True)
    )
    assert after.schema.tag("claim").attribute("stance").required is True


def test_remove_a_used_choice_refused(ws: h.Workspace) -> None:
    ws.span("claim", "the bridge", attributes={"stance": "oppose", "topics": ["health"]})
    ws.refused(
        EditAttribute("tag", "claim", "stance", choices=["support", "neutral"]),
        ValidationError,
        "would no longer be valid",
    )
    ws.refused(EditAttribute("tag", "claim", "topics", choices=["economy"]), ValidationError)
    # Removing the default's choice is refused too; removing an unused choice is not.
    ws.refused(
        EditAttribute("tag", "claim", "stance", choices=["support", "oppose"]), ValidationError
    )
    _, after = ws.round_trip(EditAttribute("tag", "claim", "topics", choices=["health", "safety"]))
    assert after.schema.tag("claim").attribute("topics").choices == ("health", "safety")


def test_edit_attribute_refusals(ws: h.Workspace) -> None:
    with pytest.raises(ValidationError):
        EditAttribute("tag", "claim", "stance", value_type="text")
    ws.refused(EditAttribute("tag", "claim", "nope", label="x"), ValidationError, "no attribute")
    ws.refused(EditAttribute("tag", "claim", "confidence", default="high"), ValidationError)


def test_delete_attribute_removes_values_and_undo_restores_them(ws: h.Workspace) -> None:
    one = ws.span("claim", "the bridge", attributes={"stance": "oppose", "summary": "s"})
    two = ws.span("claim", "was safe", attributes={"summary": "t"})
    other = ws.span("topic", "Springfield", attributes={"stance": "support"})
    before, after = ws.round_trip(DeleteAttribute("tag", "claim", "stance"))
    assert after.schema.tag("claim").attribute("stance") is None
    assert after.spans[one].attributes == {"summary": "s"}
    assert after.spans[two].attributes == {"summary": "t"}
    assert after.spans[other].attributes == {"stance": "support"}  # topic's own stance stays
    assert before.spans[one].attributes == {"stance": "oppose", "summary": "s"}
    assert keys(before.schema.tag("claim").attributes)[0] == "stance"


def test_delete_link_attribute(ws: h.Workspace) -> None:
    actor, claim = ws.span("actor", "Jane Doe"), ws.span("claim", "the bridge")
    link = ws.link(actor, claim, "asserts", attributes={"certainty": "high"})
    _, after = ws.round_trip(DeleteAttribute("link", "asserts", "certainty"))
    assert after.links[link].attributes == {}
    assert after.schema.link_type("asserts").attributes == ()
    ws.refused(DeleteAttribute("link", "asserts", "certainty"), ValidationError, "no attribute")
