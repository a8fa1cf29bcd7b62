"""Shared helpers for the service-layer tests: a test schema, a hostile text, whole-project
snapshots, and a do → undo → redo → reopen round trip that compares snapshots at every step.

Snapshots compare everything a command can touch, timestamps included (`created`,
`modified`): undo must restore the very rows it found, and redo must give back the rows the
first `do` wrote. The only thing not compared is *when* a tombstone was written (`deleted`): a
redo of a delete is a new deletion, so its tombstone carries the redo's time. Which uuids have
tombstones, of which kind and by whom, is compared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from dataclasses import replace as dataclass_replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from annotator.domain.ids import new_uuid
from annotator.domain.model import (
    Annotator,
    AttributeDef,
    DocumentInfo,
    DocumentStatus,
    Entity,
    Link,
    LinkType,
    Schema,
    Span,
    TagType,
)
from annotator.io.documents.registry import ImportedDocument
from annotator.services.command import Command
from annotator.services.document_commands import AddDocuments
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan
from annotator.store import tables as t
from annotator.store.engine import make_engine
from annotator.store.project_store import ReadSession

#: A text that breaks every byte / UTF-16 / grapheme mix-up before the first span: an emoji
#: (one code point, two UTF-16 units), a ZWJ family (five code points, one grapheme), a
#: combining acute (two code points, one grapheme) and an astral letter 𝐀.
TEXT = (
    "😀 👩\u200d👩\u200d👧 Cafe\u0301 news. Mayor Jane Doe said on Monday that the bridge was "
    "safe. Engineers from 𝐀cme Ltd disagreed, and the council met on 2024-03-01 in Springfield."
)
OTHER_TEXT = "A second article 🙂 about Springfield: the Mayor resigned."


def between(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """(start, end) in code points of the occurrence-th `needle` in text."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def _attr(key: str, value_type: str, *choices: str, **more: Any) -> AttributeDef:
    return AttributeDef(
        uuid=new_uuid(),
        key=key,
        label=key.replace("_", " ").title(),
        value_type=value_type,
        choices=choices,
        **more,
    )


def make_schema() -> Schema:
    """actor, event, claim (every attribute type) and topic (custom; shares `stance` with
    claim); links asserts (actor → claim, directed, one attribute), participates (actor →
    event), same_as (actor ↔ actor, symmetric), involved_in (actor ↔ event, symmetric: either
    direction fits) and mentions (any → any, directed)."""
    actor = TagType(
        uuid=new_uuid(),
        key="actor",
        label="Actor",
        kind="actor",
        color="#1f77b4",
        hotkey="a",
        attributes=(
            _attr("actor_kind", "choice", "person", "organisation", "group"),
            _attr("role", "text"),
        ),
    )
    event = TagType(
        uuid=new_uuid(),
        key="event",
        label="Event",
        kind="event",
        color="#ff7f0e",
        hotkey="e",
        attributes=(_attr("date", "date"), _attr("place", "text")),
    )
    claim = TagType(
        uuid=new_uuid(),
        key="claim",
        label="Claim",
        kind="claim",
        color="#d62728",
        hotkey="c",
        attributes=(
            _attr("stance", "choice", "support", "oppose", "neutral", default="neutral"),
            _attr("topics", "multi_choice", "economy", "health", "safety"),
            _attr("confidence", "number"),
            _attr("verified", "boolean"),
            _attr("said_on", "date"),
            _attr("summary", "text"),
        ),
    )
    topic = TagType(
        uuid=new_uuid(),
        key="topic",
        label="Topic",
        kind="custom",
        color="#9467bd",
        attributes=(_attr("stance", "choice", "support", "oppose", "neutral"),),
    )
    asserts = LinkType(
        uuid=new_uuid(),
        key="asserts",
        label="asserts",
        directed=True,
        color="#2ca02c",
        sources=("actor",),
        targets=("claim",),
        attributes=(_attr("certainty", "choice", "low", "high"),),
    )
    participates = LinkType(
        uuid=new_uuid(),
        key="participates",
        label="takes part in",
        directed=True,
        color="#8c564b",
        sources=("actor",),
        targets=("event",),
    )
    same_as = LinkType(
        uuid=new_uuid(),
        key="same_as",
        label="same as",
        directed=False,
        color="#7f7f7f",
        sources=("actor",),
        targets=("actor",),
    )
    involved_in = LinkType(
        uuid=new_uuid(),
        key="involved_in",
        label="involved in",
        directed=False,
        color="#bcbd22",
        sources=("actor",),
        targets=("event",),
    )
    mentions = LinkType(
        uuid=new_uuid(),
        key="mentions",
        label="mentions",
        directed=True,
        color="#17becf",
    )
    return Schema(
        (actor, event, claim, topic), (asserts, participates, same_as, involved_in, mentions)
    )


def imported(text: str, title: str = "Bridge story", filename: str = "x.txt") -> ImportedDocument:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return ImportedDocument(title, text, sha, {}, filename, "utf-8")


def add_document(project: Project, text: str = TEXT, title: str = "Bridge story") -> str:
    command = AddDocuments([imported(text, title)])
    project.run(command)
    (uuid,) = command.report.added
    return uuid


# -- snapshots ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=True)
class Snapshot:
    """Everything in a project file that commands change, keyed by uuid."""

    schema: Schema
    documents: dict[str, tuple[DocumentInfo, str]]
    spans: dict[str, Span]
    links: dict[str, Link]
    entities: dict[str, Entity]
    statuses: dict[str, DocumentStatus]
    tombstones: dict[str, tuple[str, str | None]]  # uuid → (kind, author uuid)
    annotators: dict[str, Annotator]

    def uuids(self) -> set[str]:
        """Every row uuid (documents, spans, links, entities, statuses, schema items)."""
        found = set(self.documents) | set(self.spans) | set(self.links) | set(self.entities)
        found |= set(self.statuses)
        for item in (*self.schema.tag_types, *self.schema.link_types):
            found.add(item.uuid)
            found |= {a.uuid for a in item.attributes}
        return found


def read_snapshot(session: ReadSession) -> Snapshot:
    documents = {d.uuid: (d, session.document_text(d.uuid)) for d in session.documents()}
    spans: dict[str, Span] = {}
    links: dict[str, Link] = {}
    for uuid in documents:
        spans.update((s.uuid, s) for s in session.spans(uuid))
        links.update((link.uuid, link) for link in session.links(uuid))
    authors = session.annotator_uuids()
    ts = t.tombstones.c
    tombstones = {
        uuid: (kind, authors.get(author_id))
        for uuid, kind, author_id in session.connection.execute(
            select(ts.uuid, ts.kind, ts.author_id)
        )
    }
    return Snapshot(
        schema=session.schema(),
        documents=documents,
        spans=spans,
        links=links,
        entities={e.uuid: e for e in session.entities()},
        statuses={s.uuid: s for s in session.statuses()},
        tombstones=tombstones,
        annotators={a.uuid: a for a in session.annotators()},
    )


def snapshot(project: Project) -> Snapshot:
    """The project as a fresh read session of its own store sees it."""
    with project.store.read() as session:
        return read_snapshot(session)


def disk_snapshot(path: Path) -> Snapshot:
    """The project file as a separate read-only connection sees it (what is committed)."""
    engine = make_engine(path, read_only=True)
    try:
        with engine.connect() as connection, connection.begin():
            return read_snapshot(ReadSession(connection))
    finally:
        engine.dispose()


def differences(actual: Snapshot, expected: Snapshot, skip: Iterable[str] = ()) -> list[str]:
    """Readable differences between two snapshots, field by field and row by row."""
    found = []
    for f in fields(Snapshot):
        if f.name in skip:
            continue
        a, e = getattr(actual, f.name), getattr(expected, f.name)
        if a == e:
            continue
        if isinstance(a, dict):
            for key in sorted(set(a) | set(e)):
                if a.get(key) != e.get(key):
                    found.append(f"{f.name}[{key}]: {a.get(key)!r} != expected {e.get(key)!r}")
        else:
            found.append(f"{f.name}: {a!r} != expected {e!r}")
    return found


def assert_same(actual: Snapshot, expected: Snapshot, skip: Iterable[str] = ()) -> None:
    problems = differences(actual, expected, skip)
    assert not problems, "\n".join(problems)


def restamps_folded(actual: Snapshot, expected: Snapshot) -> Snapshot:
    """`actual` with the modified times an undo or a redo gave its spans, links and
    entities put back to `expected`'s (services/command.restamp: the rows it wrote back are a
    new change). Asserts that each such time moved forward, never back."""
    folded = {}
    for name in ("spans", "links", "entities"):
        rows = dict(getattr(actual, name))
        for uuid, row in rows.items():
            old = getattr(expected, name).get(uuid)
            if old is not None and row.modified != old.modified:
                assert row.modified > old.modified, f"{name}[{uuid}]: modified moved back"
                rows[uuid] = dataclass_replace(row, modified=old.modified)
        folded[name] = rows
    return dataclass_replace(actual, **folded)


def assert_redone(redone: Snapshot, after: Snapshot, skip: Iterable[str] = ()) -> None:
    """A redo gives `after` again (but for the new modified times of the rows it wrote)."""
    assert_same(restamps_folded(redone, after), after, skip)


def assert_restored(undone: Snapshot, before: Snapshot, after: Snapshot) -> None:
    """`undone` equals `before` (but for the new modified times of the rows the undo wrote
    back), except that rows the command created may have left a tombstone (undoing a create
    is a deletion a merge must respect). Every tombstone that existed before is still there,
    and every tombstone the command wrote is gone."""
    assert_same(restamps_folded(undone, before), before, skip=("tombstones",))
    created = after.uuids() - before.uuids()
    for uuid, value in before.tombstones.items():
        assert undone.tombstones.get(uuid) == value, f"tombstone {uuid} changed by undo"
    extra = set(undone.tombstones) - set(before.tombstones)
    assert extra <= created, f"undo left tombstones of rows it did not create: {extra - created}"


class Workspace:
    """A project file in a test folder with the test schema and one document (TEXT).

    `project` is swapped by `reopen`; `close` closes whatever is open."""

    def __init__(self, path: Path, annotator: str = "Ada", *, document: bool = True) -> None:
        self.path = path
        self.project = Project.create(path, annotator_name=annotator, schema=make_schema())
        self.doc = add_document(self.project) if document else ""
        self.project.history.clear()

    @property
    def text(self) -> str:
        return TEXT

    def reopen(self) -> Project:
        name = self.project.annotator.name
        self.project.close()
        self.project = Project.open(self.path, annotator_name=name)
        return self.project

    def close(self) -> None:
        self.project.close()

    def snapshot(self) -> Snapshot:
        """The project through its own store and through a separate connection: the same."""
        mine = snapshot(self.project)
        assert_same(disk_snapshot(self.path), mine)
        return mine

    def run(self, command: Command) -> Any:
        return self.project.run(command)

    def span(self, tag: str, *needles: str, **fields: Any) -> str:
        """Create a span over the first occurrence of each needle in TEXT; return its uuid."""
        command = CreateSpan(self.doc, tag, [between(TEXT, n) for n in needles], **fields)
        self.project.run(command)
        return command.uuid

    def link(self, source: str, target: str, link_type: str, **fields: Any) -> str:
        command = CreateLink(source, target, link_type, **fields)
        self.project.run(command)
        return command.uuid

    def get_span(self, uuid: str) -> Span:
        with self.project.store.read() as session:
            return session.span(uuid)

    def round_trip(self, command: Command, *, reopen: bool = True) -> tuple[Snapshot, Snapshot]:
        """Do, undo, redo (and close + reopen): the file holds the change after do and redo,
        and the state before after undo (the rows it wrote back newer: `restamps_folded`).
        Returns (before, after) snapshots."""
        before = self.snapshot()
        self.project.run(command)
        after = self.snapshot()
        assert after != before, "the command changed nothing"
        self.project.undo()
        assert_restored(self.snapshot(), before, after)
        self.project.redo()
        redone = self.snapshot()
        assert_redone(redone, after)
        if reopen:
            self.reopen()
            assert_same(self.snapshot(), redone)
        return before, after

    def refused(self, command: Command, error: type[Exception], match: str | None = None) -> None:
        """The command raises `error` and the file and the history are unchanged."""
        before = self.snapshot()
        history = (self.project.history.undo_label, self.project.history.redo_label)
        with pytest.raises(error, match=match):
            self.project.run(command)
        assert_same(self.snapshot(), before)
        assert (self.project.history.undo_label, self.project.history.redo_label) == history
