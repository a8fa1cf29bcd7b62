"""Random operation sequences against a pure-Python model of the project.

A hypothesis state machine creates, deletes, retags, resizes and edits spans (discontinuous
ones too, anywhere in a text full of emoji, ZWJ sequences and combining marks), links them,
edits the entity registry and document status as two annotators, and undoes and redoes at
random. After every step the project file must equal the model (which predicts refusals as
well as changes). At the end, undoing everything must give back the initial project and redoing
everything the final one (whole-project snapshots, timestamps included).
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import service_helpers as h
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from service_helpers import OTHER_TEXT, TEXT

from annotator.domain.offsets import CONTEXT_LENGTH, FRAGMENT_JOINER
from annotator.errors import ValidationError
from annotator.services.command import Command
from annotator.services.entity_commands import CreateEntity, DeleteEntity, EditEntity, SetStatus
from annotator.services.link_commands import CreateLink, DeleteLinks, EditLink
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan

SCHEMA = h.make_schema()
TAGS = [tag.key for tag in SCHEMA.tag_types]
#: tag → attribute key → (value type, choices)
ATTRIBUTES = {
    tag.key: {a.key: (a.value_type, a.choices) for a in tag.attributes} for tag in SCHEMA.tag_types
}
DEFAULTS = {
    tag.key: {a.key: a.default for a in tag.attributes if a.default is not None}
    for tag in SCHEMA.tag_types
}
#: link type → (sources or None for any, targets or None for any, directed)
LINK_RULES = {
    lt.key: (set(lt.sources) or None, set(lt.targets) or None, lt.directed)
    for lt in SCHEMA.link_types
}
CERTAINTY = ("low", "high")
ANNOTATORS = ("Ada", "Bob", "Cleo")  # Cleo is written to the file with her first change
NAMES = st.text(min_size=1, max_size=10).filter(str.strip)
MAX_INT = 2**63 - 1


def allowed(link_type: str, source_tag: str, target_tag: str) -> bool:
    sources, targets, directed = LINK_RULES[link_type]

    def fits(src: str, dst: str) -> bool:
        return (sources is None or src in sources) and (targets is None or dst in targets)

    return fits(source_tag, target_tag) or (not directed and fits(target_tag, source_tag))


@st.composite
def fragments(draw: st.DrawFn, length: int) -> list[tuple[int, int]]:
    """1-3 ordered, non-empty, non-overlapping fragments (touching allowed) inside length."""
    result, position = [], 0
    for gap, size in draw(
        st.lists(st.tuples(st.integers(0, 70), st.integers(1, 40)), min_size=1, max_size=3)
    ):
        start = position + gap if result else min(gap * 2, length - 1)
        end = min(start + size, length)
        if start >= length or end <= start:
            break
        result.append((start, end))
        position = end
    return result or [(0, 1)]


BAD_FRAGMENTS = st.sampled_from(
    [[], [(3, 3)], [(5, 2)], [(-1, 2)], [(0, 10_000)], [(0, 10), (9, 12)], [(4, 8), (4, 8)]]
)


def value_for(value_type: str, choices: tuple[str, ...]) -> st.SearchStrategy[Any]:
    if value_type == "choice":
        return st.sampled_from(choices)
    if value_type == "multi_choice":
        return st.lists(st.sampled_from(choices), unique=True)
    if value_type == "number":
        return st.integers(-MAX_INT, MAX_INT) | st.floats(allow_nan=False, allow_infinity=False)
    if value_type == "date":
        return st.dates(min_value=date(1000, 1, 1)).map(date.isoformat)
    if value_type == "boolean":
        return st.booleans()
    return st.text(max_size=12)


BAD_VALUES = {
    "choice": ["nope", 3, ["support"]],
    "multi_choice": ["health", ["nope"], ["health", "health"]],
    "number": ["3", True, float("nan"), float("inf"), 2**70],
    "date": ["2023-02-29", "2024-1-1", 20240101],
    "boolean": ["true", 1, 0],
    "text": [5, ["x"]],
}


@dataclass
class Model:
    """What the project should hold, without timestamps or row ids."""

    spans: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    entities: dict[str, str] = field(default_factory=dict)  # uuid → name
    statuses: dict[tuple[str, str], str] = field(default_factory=dict)  # (doc, annotator) → status


def expected_span(text: str, frags: list[tuple[int, int]], **fields: Any) -> dict[str, Any]:
    start, end = frags[0][0], frags[-1][1]
    return {
        "fragments": tuple(frags),
        "quote": FRAGMENT_JOINER.join(text[s:e] for s, e in frags),
        "prefix": text[max(0, start - CONTEXT_LENGTH) : start],
        "suffix": text[end : end + CONTEXT_LENGTH],
        **fields,
    }


class UndoMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="undo-machine-"))
        self.ws = h.Workspace(self.folder / "p.annotator")
        self.project = self.ws.project
        self.other = h.add_document(self.project, OTHER_TEXT, "Other")
        self.texts = {self.ws.doc: TEXT, self.other: OTHER_TEXT}
        self.project.switch_annotator("Bob")  # Ada and Bob are in the file from the start
        self.project.ensure_annotator_saved()
        self.project.switch_annotator("Ada")
        self.project.history.clear()
        self.model = Model()
        self.done: list[Model] = []
        self.undone: list[Model] = []
        self.initial = h.snapshot(self.project)
        self.seen: set[str] = set()

    # -- running commands against the model ----------------------------------------------------
    def attempt(self, command: Command, expected: Model | None) -> None:
        """Run command; expected None means the model predicts a refusal."""
        if expected is None:
            with pytest.raises(ValidationError):
                self.project.run(command)
            return
        self.project.run(command)
        self.done.append(self.model)
        self.undone.clear()
        self.model = expected

    def next_model(self) -> Model:
        return copy.deepcopy(self.model)

    @property
    def annotator(self) -> str:
        return self.project.annotator.name

    def draw_span(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(sorted(self.model.spans)), label="span")

    def draw_attributes(self, data: st.DataObject, tag: str) -> dict[str, Any]:
        keys = data.draw(st.lists(st.sampled_from(sorted(ATTRIBUTES[tag])), unique=True))
        values = {}
        for key in keys:
            value_type, choices = ATTRIBUTES[tag][key]
            values[key] = data.draw(st.none() | value_for(value_type, choices), label=key)
        return values

    def links_allowed_after_retag(self, span: str, tag: str) -> bool:
        for link in self.model.links.values():
            if span not in (link["source"], link["target"]):
                continue
            source_tag = tag if link["source"] == span else self.model.spans[link["source"]]["tag"]
            target_tag = tag if link["target"] == span else self.model.spans[link["target"]]["tag"]
            if not allowed(link["type"], source_tag, target_tag):
                return False
        return True

    def link_refused(self, uuid: str | None, source: str, target: str, link_type: str) -> bool:
        spans = self.model.spans
        if source == target or spans[source]["document"] != spans[target]["document"]:
            return True
        if not allowed(link_type, spans[source]["tag"], spans[target]["tag"]):
            return True
        directed = LINK_RULES[link_type][2]
        for other_uuid, other in self.model.links.items():
            if other_uuid == uuid or other["type"] != link_type:
                continue
            pair = (other["source"], other["target"])
            if pair == (source, target) or (not directed and pair == (target, source)):
                return True
        return False

    # -- spans ---------------------------------------------------------------------------------
    @initialize(
        data=st.data(),
        names=st.lists(NAMES, max_size=2),
        tags=st.lists(st.sampled_from(TAGS), min_size=2, max_size=5),
    )
    def some_spans(self, data: st.DataObject, names: list[str], tags: list[str]) -> None:
        """Start from a few entities and spans, so edits have something to work on."""
        for name in names:
            self.create_entity(name)
        for tag in tags:
            self.create_span(data, tag, "")

    @rule(data=st.data(), tag=st.sampled_from(TAGS), note=st.text(max_size=8))
    def create_span(self, data: st.DataObject, tag: str, note: str) -> None:
        document = data.draw(st.sampled_from([self.ws.doc] * 3 + [self.other]), label="document")
        text = self.texts[document]
        frags = data.draw(fragments(len(text)), label="fragments")
        attributes = self.draw_attributes(data, tag)
        entity = data.draw(st.none() | st.sampled_from(sorted(self.model.entities) or [None]))
        command = CreateSpan(document, tag, frags, attributes=attributes, note=note, entity=entity)
        values = {**DEFAULTS[tag], **attributes}
        expected = self.next_model()
        expected.spans[command.uuid] = expected_span(
            text,
            frags,
            document=document,
            annotator=self.annotator,
            tag=tag,
            attributes={k: v for k, v in values.items() if v is not None},
            note=note,
            entity=entity,
        )
        self.attempt(command, expected)

    @rule(tag=st.sampled_from(TAGS), bad=BAD_FRAGMENTS)
    def create_invalid_span(self, tag: str, bad: list) -> None:
        self.attempt(CreateSpan(self.ws.doc, tag, bad), None)

    @precondition(lambda self: self.model.spans)
    @rule(data=st.data())
    def delete_spans(self, data: st.DataObject) -> None:
        uuids = data.draw(
            st.lists(st.sampled_from(sorted(self.model.spans)), min_size=1, max_size=2)
        )
        expected = self.next_model()
        for uuid in uuids:
            expected.spans.pop(uuid, None)
        expected.links = {
            k: v
            for k, v in expected.links.items()
            if v["source"] not in uuids and v["target"] not in uuids
        }
        self.attempt(DeleteSpans(uuids), expected)

    @precondition(lambda self: self.model.spans)
    @rule(data=st.data(), tag=st.sampled_from(TAGS))
    def retag(self, data: st.DataObject, tag: str) -> None:
        uuid = self.draw_span(data)
        span = self.model.spans[uuid]
        expected = None
        if span["tag"] == tag or self.links_allowed_after_retag(uuid, tag):
            expected = self.next_model()
            kept = {k: v for k, v in span["attributes"].items() if k in ATTRIBUTES[tag]}
            expected.spans[uuid] = {**span, "tag": tag, "attributes": kept}
        self.attempt(EditSpan(uuid, tag=tag), expected)

    @precondition(lambda self: self.model.spans)
    @rule(data=st.data())
    def resize(self, data: st.DataObject) -> None:
        uuid = self.draw_span(data)
        span = self.model.spans[uuid]
        text = self.texts[span["document"]]
        frags = data.draw(fragments(len(text)), label="fragments")
        expected = self.next_model()
        expected.spans[uuid] = {**span, **expected_span(text, frags)}
        self.attempt(EditSpan(uuid, fragments=frags), expected)

    @precondition(lambda self: self.model.spans)
    @rule(data=st.data())
    def edit_attributes(self, data: st.DataObject) -> None:
        uuid = self.draw_span(data)
        span = self.model.spans[uuid]
        values = self.draw_attributes(data, span["tag"])
        merged = {**span["attributes"], **values}
        expected = self.next_model()
        expected.spans[uuid]["attributes"] = {k: v for k, v in merged.items() if v is not None}
        self.attempt(EditSpan(uuid, attributes=values), expected)

    @precondition(lambda self: self.model.spans)
    @rule(data=st.data())
    def edit_invalid_attribute(self, data: st.DataObject) -> None:
        uuid = self.draw_span(data)
        tag = self.model.spans[uuid]["tag"]
        key = data.draw(st.sampled_from(sorted(ATTRIBUTES[tag])))
        bad = data.draw(st.sampled_from(BAD_VALUES[ATTRIBUTES[tag][key][0]]))
        self.attempt(EditSpan(uuid, attributes={key: bad}), None)

    @precondition(lambda self: self.model.spans)
    @rule(data=st.data(), note=st.text(max_size=12))
    def edit_note(self, data: st.DataObject, note: str) -> None:
        uuid = self.draw_span(data)
        expected = self.next_model()
        expected.spans[uuid]["note"] = note
        self.attempt(EditSpan(uuid, note=note), expected)

    @precondition(lambda self: self.model.spans)
    @rule(data=st.data())
    def set_entity(self, data: st.DataObject) -> None:
        uuid = self.draw_span(data)
        entity = data.draw(st.none() | st.sampled_from(sorted(self.model.entities) or [None]))
        expected = self.next_model()
        expected.spans[uuid]["entity"] = entity
        self.attempt(EditSpan(uuid, entity=entity), expected)

    # -- links ---------------------------------------------------------------------------------
    @precondition(lambda self: self.model.spans)
    @rule(data=st.data())
    def create_link(self, data: st.DataObject) -> None:
        spans = self.model.spans
        fitting = [
            (link_type, source, target)
            for link_type in sorted(LINK_RULES)
            for source in sorted(spans)
            for target in sorted(spans)
            if not self.link_refused(None, source, target, link_type)
        ]
        if fitting and data.draw(st.integers(0, 3), label="pick a fitting link") > 0:
            link_type, source, target = data.draw(st.sampled_from(fitting), label="link")
        else:
            link_type = data.draw(st.sampled_from(sorted(LINK_RULES)), label="link type")
            source, target = self.draw_span(data), self.draw_span(data)
        attributes = {}
        if link_type == "asserts":
            attributes = data.draw(
                st.fixed_dictionaries({}, optional={"certainty": st.sampled_from(CERTAINTY)})
            )
        command = CreateLink(source, target, link_type, attributes=attributes)
        expected = None
        if not self.link_refused(None, source, target, link_type):
            expected = self.next_model()
            expected.links[command.uuid] = {
                "document": self.model.spans[source]["document"],
                "type": link_type,
                "source": source,
                "target": target,
                "annotator": self.annotator,
                "attributes": attributes,
                "note": "",
            }
        self.attempt(command, expected)

    @precondition(lambda self: self.model.links)
    @rule(data=st.data())
    def delete_link(self, data: st.DataObject) -> None:
        uuid = data.draw(st.sampled_from(sorted(self.model.links)))
        expected = self.next_model()
        del expected.links[uuid]
        self.attempt(DeleteLinks([uuid]), expected)

    @precondition(lambda self: self.model.links)
    @rule(data=st.data(), reverse=st.booleans(), note=st.text(max_size=6))
    def edit_link(self, data: st.DataObject, reverse: bool, note: str) -> None:
        uuid = data.draw(st.sampled_from(sorted(self.model.links)))
        link = self.model.links[uuid]
        source, target = (
            (link["target"], link["source"]) if reverse else (link["source"], link["target"])
        )
        expected = None
        if not self.link_refused(uuid, source, target, link["type"]):
            expected = self.next_model()
            expected.links[uuid] = {**link, "source": source, "target": target, "note": note}
        self.attempt(EditLink(uuid, note=note, reverse=reverse), expected)

    # -- entities and status -------------------------------------------------------------------
    @rule(name=NAMES)
    def create_entity(self, name: str) -> None:
        command = CreateEntity(name)
        expected = self.next_model()
        expected.entities[command.uuid] = name.strip()
        self.attempt(command, expected)

    @precondition(lambda self: self.model.entities)
    @rule(data=st.data(), name=NAMES)
    def rename_entity(self, data: st.DataObject, name: str) -> None:
        uuid = data.draw(st.sampled_from(sorted(self.model.entities)))
        expected = self.next_model()
        expected.entities[uuid] = name.strip()
        self.attempt(EditEntity(uuid, name=name), expected)

    @precondition(lambda self: self.model.entities)
    @rule(data=st.data())
    def delete_entity(self, data: st.DataObject) -> None:
        uuid = data.draw(st.sampled_from(sorted(self.model.entities)))
        expected = self.next_model()
        del expected.entities[uuid]
        for span in expected.spans.values():
            if span["entity"] == uuid:
                span["entity"] = None
        self.attempt(DeleteEntity(uuid), expected)

    @rule(data=st.data(), status=st.sampled_from(["new", "in_progress", "done"]))
    def set_status(self, data: st.DataObject, status: str) -> None:
        document = data.draw(st.sampled_from(sorted(self.texts)))
        expected = self.next_model()
        expected.statuses[(document, self.annotator)] = status
        self.attempt(SetStatus(document, status), expected)

    @rule(name=st.sampled_from(ANNOTATORS))
    def switch_annotator(self, name: str) -> None:
        self.project.switch_annotator(name)

    # -- undo and redo -------------------------------------------------------------------------
    @rule()
    def undo(self) -> None:
        self.project.undo()
        if self.done:
            self.undone.append(self.model)
            self.model = self.done.pop()

    @rule()
    def redo(self) -> None:
        self.project.redo()
        if self.undone:
            self.done.append(self.model)
            self.model = self.undone.pop()

    # -- checks --------------------------------------------------------------------------------
    def observed(self, snap: h.Snapshot) -> Model:
        names = {uuid: a.name for uuid, a in snap.annotators.items()}
        spans = {
            uuid: expected_span(
                snap.documents[s.document][1],
                list(s.fragments),
                document=s.document,
                annotator=names[s.annotator],
                tag=s.tag,
                attributes=s.attributes,
                note=s.note,
                entity=s.entity,
            )
            | {"quote": s.quote, "prefix": s.prefix, "suffix": s.suffix}
            for uuid, s in snap.spans.items()
        }
        links = {
            uuid: {
                "document": k.document,
                "type": k.type,
                "source": k.source,
                "target": k.target,
                "annotator": names[k.annotator],
                "attributes": k.attributes,
                "note": k.note,
            }
            for uuid, k in snap.links.items()
        }
        return Model(
            spans=spans,
            links=links,
            entities={uuid: e.name for uuid, e in snap.entities.items()},
            statuses={(s.document, names[s.annotator]): s.status for s in snap.statuses.values()},
        )

    @invariant()
    def project_matches_model(self) -> None:
        snap = h.snapshot(self.project)
        self.seen |= snap.uuids()
        observed = self.observed(snap)
        for name in ("spans", "links", "entities", "statuses"):
            assert getattr(observed, name) == getattr(self.model, name), name
        assert snap.schema == self.initial.schema
        assert snap.documents == self.initial.documents

    def teardown(self) -> None:
        try:
            while self.project.history.redo_label is not None:
                self.project.redo()
            final = self.ws.snapshot()
            while self.project.history.undo_label is not None:
                self.project.undo()
            undone = self.ws.snapshot()
            folded = h.restamps_folded(undone, self.initial)
            h.assert_same(folded, self.initial, skip=("tombstones", "annotators"))
            assert set(undone.tombstones) <= self.seen  # undoing creates leaves tombstones
            assert undone.annotators.items() >= self.initial.annotators.items()
            while self.project.history.redo_label is not None:
                self.project.redo()
            redone = self.ws.snapshot()
            # Tombstones record who deleted: after a redo, whoever redid it. Undo and redo are
            # actions too: a current annotator not yet in the file is written with the first
            # one (Project.writing), so only they may appear beyond the final annotators.
            h.assert_redone(redone, final, skip=("tombstones", "annotators"))
            extra = redone.annotators.keys() - final.annotators.keys()
            assert redone.annotators.items() >= final.annotators.items()
            assert extra <= {self.project.annotator.uuid}
            kinds = {uuid: kind for uuid, (kind, _) in redone.tombstones.items()}
            assert kinds == {uuid: kind for uuid, (kind, _) in final.tombstones.items()}
            assert self.project.store.integrity_check() == []
        finally:
            self.ws.close()
            shutil.rmtree(self.folder, ignore_errors=True)


UndoMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_undo_properties = UndoMachine.TestCase
