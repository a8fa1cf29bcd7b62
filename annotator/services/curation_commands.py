"""Undoable adjudication: accept or edit one annotator's version into gold, reject all, or
accept every agreed unit at once. Each decision writes a decisions row (who decided, when,
from whose version) and an 'adjudicate' history row; undo removes the gold item and the row."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from annotator.domain.attributes import check_attributes
from annotator.domain.changes import ChangeSet
from annotator.domain.curation import Decision, Unit
from annotator.domain.ids import new_uuid, now
from annotator.domain.layers import GOLD_ANNOTATOR_NAME, GOLD_ANNOTATOR_UUID
from annotator.domain.model import Annotator, Link, Span
from annotator.domain.provenance import HistoryEntry
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.services.command import Command
from annotator.services.curation import read_queue
from annotator.services.link_commands import EditLink, check_link
from annotator.services.project import Project
from annotator.services.span_commands import EditSpan, remove_spans, tag_type
from annotator.store.decisions import delete_decision, insert_decision
from annotator.store.project_store import WriteSession

#: progress(done, total, text) while accepting agreed units; returning False cancels.
Progress = Callable[[int, int, str], bool]
REPORT_EVERY = 100  # units between progress reports (the GUI throttles further)


class CurationCancelled(Exception):
    """The user cancelled a bulk accept: raised inside its transaction, so nothing is written."""


def combine(changes: list[ChangeSet]) -> ChangeSet:
    """One change set for many (merging them pairwise would copy growing sets each time)."""
    values: dict[str, Any] = {}
    for item in dataclasses.fields(ChangeSet):
        parts = [getattr(c, item.name) for c in changes]
        values[item.name] = any(parts) if item.type == "bool" else frozenset().union(*parts)
    return ChangeSet(**values)


def ensure_gold_annotator(session: WriteSession) -> None:
    """The gold layer's reserved annotator is written with the first gold item."""
    if GOLD_ANNOTATOR_UUID not in session.annotator_uuids().values():
        when = now()
        session.insert_annotator(
            Annotator(GOLD_ANNOTATOR_UUID, GOLD_ANNOTATOR_NAME, "", when, when)
        )


class Batch:
    """What the decisions of one transaction share: the annotators' names, the source spans and
    links (read at once for a bulk accept), the gold annotator check, and the history rows
    (written at once by `flush`)."""

    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.names = {a.uuid: a.name for a in session.annotators()}
        self.spans: dict[str, Span] = {}
        self.links: dict[str, Link] = {}
        self.history: list[HistoryEntry] = []
        self._gold_ready = False

    def prefetch(self, spans: list[str], links: list[str]) -> None:
        for start in range(0, len(spans), 500):  # bound parameters per statement
            found = self.session.spans_by_uuid(spans[start : start + 500])
            self.spans.update((span.uuid, span) for span in found)
        for start in range(0, len(links), 500):
            found_links = self.session.links_by_uuid(links[start : start + 500])
            self.links.update((link.uuid, link) for link in found_links)

    def span(self, uuid: str) -> Span | None:
        if uuid not in self.spans:
            self.prefetch([uuid], [])
        return self.spans.get(uuid)

    def link(self, uuid: str) -> Link | None:
        if uuid not in self.links:
            self.prefetch([], [uuid])
        return self.links.get(uuid)

    def ensure_gold(self) -> None:
        if not self._gold_ready:
            ensure_gold_annotator(self.session)
            self._gold_ready = True

    def flush(self) -> None:
        if self.history:
            self.session.record_history_many(self.history)
            self.history = []


class Decide(Command):
    """One decision on one unit: `verdict` accept or edit (of `version`, an index into the
    unit's versions) or reject (no version). An edit writes the same gold item as an accept
    and is recorded as an edit; `EditIntoGold` then changes that copy in the same step."""

    def __init__(self, unit: Unit, verdict: str, version: int | None = None) -> None:
        if verdict not in ("accept", "edit", "reject"):
            raise ValidationError(f"unknown verdict {quoted(verdict)}")
        source = None
        if verdict != "reject":
            if version is None or not 0 <= version < len(unit.versions):
                raise ValidationError("choose the version to accept")
            source = unit.versions[version]
            if source is None:
                raise ValidationError("that annotator has no version of this unit")
        self.unit, self.verdict, self.version, self.source = unit, verdict, version, source
        self.source_annotator = unit.annotators[version] if version is not None else None
        self.decision: Decision | None = None
        self.gold: Span | Link | None = None
        self.before: Span | None = None  # an attribute unit's gold span before and after
        self.after: Span | None = None
        names = {"span": "span", "attribute": "attributes", "link": "link"}
        what = names[unit.kind]
        self.label = f"Reject {what}" if verdict == "reject" else f"Accept {what} into gold"

    @property
    def gold_uuid(self) -> str | None:
        if self.unit.kind == "attribute":
            return self.unit.gold
        return self.gold.uuid if self.gold is not None else None

    def history_pairs(self) -> Iterator[tuple[Any, Any]]:
        if self.before is not None:
            yield self.before, self.after

    # -- do ----------------------------------------------------------------------------------
    def apply(
        self, project: Project, session: WriteSession, batch: Batch | None = None
    ) -> ChangeSet:
        own = batch is None
        batch = Batch(session) if batch is None else batch
        first = self.decision is None
        when = now() if first else self.decision.decided
        changes = ChangeSet(documents=frozenset({self.unit.document}))
        if self.verdict != "reject":
            batch.ensure_gold()
            changes = self._write_gold(project, session, batch, when, first)
        if first:
            self.decision = Decision(
                new_uuid(),
                self.unit.document,
                self.unit.kind,
                self.unit.key,
                self.verdict,
                self.gold_uuid,
                self.source.uuid if self.source is not None else None,
                self.source_annotator,
                project.annotator.uuid,
                when,
            )
        insert_decision(session, self.decision)
        self._record(batch, project.annotator.uuid, "")
        if own:
            batch.flush()
        return changes

    def _write_gold(self, project, session, batch: Batch, when: str, first: bool) -> ChangeSet:
        documents = frozenset({self.unit.document})
        if self.unit.kind == "span":
            if first:
                found = batch.span(self.source.uuid)
                if found is None:
                    raise ValidationError("that version no longer exists; refresh the queue")
                self.gold = dataclasses.replace(
                    found, uuid=new_uuid(), annotator=GOLD_ANNOTATOR_UUID, created=when,
                    modified=when,
                )  # fmt: skip
            session.remove_tombstone(self.gold.uuid)
            session.insert_span(self.gold)
            return ChangeSet(spans_added=frozenset({self.gold.uuid}), documents=documents)
        if self.unit.kind == "attribute":
            if first:
                self.before = session.span(self.unit.gold)
                tag = tag_type(project, session, self.before.tag)
                attributes = check_attributes(tag.attributes, dict(self.source.attributes))
                self.after = dataclasses.replace(self.before, attributes=attributes, modified=when)
            session.update_span(self.after)
            return ChangeSet(spans_changed=frozenset({self.unit.gold}), documents=documents)
        if first:
            found = batch.link(self.source.uuid)
            if found is None or self.unit.endpoints is None:
                raise ValidationError("that version no longer exists; refresh the queue")
            source, target = self.unit.endpoints
            self.gold = Link(
                new_uuid(), self.unit.document, found.type, source, target,
                GOLD_ANNOTATOR_UUID, dict(found.attributes), found.note, when, when,
            )  # fmt: skip
            check_link(project, session, self.gold)
        session.remove_tombstone(self.gold.uuid)
        session.insert_link(self.gold)
        return ChangeSet(links_added=frozenset({self.gold.uuid}), documents=documents)

    # -- undo --------------------------------------------------------------------------------
    def revert(
        self, project: Project, session: WriteSession, batch: Batch | None = None
    ) -> ChangeSet:
        assert self.decision is not None
        own = batch is None
        batch = Batch(session) if batch is None else batch
        delete_decision(session, self.decision.uuid)
        self._record(batch, project.annotator.uuid, " (undo)")
        if own:
            batch.flush()
        documents = frozenset({self.unit.document})
        author = project.annotator.uuid
        if self.verdict == "reject":
            return ChangeSet(documents=documents)
        if self.unit.kind == "span":
            remove_spans(session, [self.gold], [], author)
            return ChangeSet(spans_removed=frozenset({self.gold.uuid}), documents=documents)
        if self.unit.kind == "attribute":
            session.update_span(self.before)
            return ChangeSet(spans_changed=frozenset({self.unit.gold}), documents=documents)
        session.delete_link(self.gold.uuid)
        session.add_tombstone(self.gold.uuid, "link", now(), author)
        return ChangeSet(links_removed=frozenset({self.gold.uuid}), documents=documents)

    def _record(self, batch: Batch, author: str, tail: str) -> None:
        assert self.decision is not None
        kind = "link" if self.unit.kind == "link" else "span"
        subject = self.gold_uuid or self.unit.members[0]
        whose = f"{batch.names.get(self.source_annotator or '', 'an annotator')}'s"
        verb = {"accept": "accepted", "edit": "accepted for editing", "reject": "rejected"}
        summary = (
            f"{self.unit.kind} unit: every version rejected"
            if self.verdict == "reject"
            else f"{self.unit.kind} unit: {verb[self.verdict]} {whose} version"
        )
        detail = {
            "decision": self.decision.uuid,
            "unit_kind": self.unit.kind,
            "unit_key": self.unit.key,
            "verdict": self.verdict,
            "source": self.decision.source_uuid,
            "source_annotator": self.source_annotator,
        }
        batch.history.append(
            HistoryEntry(new_uuid(), subject, kind, "adjudicate", summary + tail, detail, author,
                         now())
        )  # fmt: skip


class AcceptAgreed(Command):
    """Accept every agreed unit of the documents in one step: agreed spans first, then the
    agreed links their gold copies make possible (read again inside the same transaction)."""

    def __init__(
        self,
        annotators: Sequence[str],
        documents: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.annotators, self.documents = list(annotators), documents
        self.progress = progress  # set for the first do only (a redo reads no queue)
        self.commands: list[Decide] = []
        self.skipped: list[Unit] = []  # agreed links the schema refuses between their gold ends
        self.label = "Accept agreed units"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        batch = Batch(session)
        if self.commands:  # redo: the same decisions, same uuids
            changes = [command.apply(project, session, batch) for command in self.commands]
            batch.flush()
            return combine(changes)
        found: list[ChangeSet] = []
        directed = {t.key: t.directed for t in project.schema.link_types}
        self.skipped = []
        refused: set[tuple[str, str]] = set()
        done = 0
        try:
            while True:
                self._report(done, 0, "Reading the curation queue")
                queues = read_queue(session, self.annotators, self.documents, directed)
                agreed = [
                    u
                    for q in queues
                    for u in q.open_units
                    if u.agreed and (u.document, u.key) not in refused
                ]
                if not agreed:
                    break
                done = self._accept(project, session, batch, agreed, done, refused, found)
            self._report(done, 0, "Saving the decisions")
            if self.commands:
                batch.flush()
                self._report(done, 0, "Saving the decisions")
        except CurationCancelled:
            self.commands, self.skipped = [], []  # a later do starts afresh
            raise
        if not self.commands:
            raise ValidationError("no agreed unit is waiting for a decision")
        count = len(self.commands)
        self.label = f"Accept {count} agreed unit" + ("s" if count != 1 else "")
        return combine(found)

    def _accept(
        self,
        project: Project,
        session: WriteSession,
        batch: Batch,
        agreed: list[Unit],
        done: int,
        refused: set[tuple[str, str]],
        found: list[ChangeSet],
    ) -> int:
        """Accept one round of agreed units (spans, or the links gold spans made possible);
        return the count done so far."""
        sources = [(u.kind, u.versions[0].uuid) for u in agreed]
        batch.prefetch(
            [uuid for kind, uuid in sources if kind != "link"],
            [uuid for kind, uuid in sources if kind == "link"],
        )
        total = done + len(agreed)
        for unit in agreed:
            if done % REPORT_EVERY == 0:
                self._report(done, total, f"Accepting agreed units: {done:,} of {total:,}")
            done += 1
            command = Decide(unit, "accept", 0)
            try:
                found.append(command.apply(project, session, batch))
            except ValidationError:
                # A link the schema no longer allows between its gold ends (a gold span
                # was retagged): nothing was written for it; it stays in the queue.
                if unit.kind != "link":
                    raise
                refused.add((unit.document, unit.key))
                self.skipped.append(unit)
                continue
            self.commands.append(command)
        self._report(done, total, f"Accepting agreed units: {done:,} of {total:,}")
        return done

    def _report(self, done: int, total: int, text: str) -> None:
        if self.progress is not None and self.progress(done, total, text) is False:
            raise CurationCancelled("accepting agreed units was cancelled; nothing was written")

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        batch = Batch(session)
        changes = [command.revert(project, session, batch) for command in reversed(self.commands)]
        batch.flush()
        return combine(changes)


class EditIntoGold(Command):
    """The edit verdict with its edit: the chosen version copied into gold, then changed (a
    span's tag, fragments, attributes or note; a link's attributes or note), as one undo step.
    Not a layer edit of the shown layer: curation writes the gold layer whatever is shown."""

    def __init__(self, unit: Unit, version: int, **changes: Any) -> None:
        self.decide = Decide(unit, "edit", version)
        self.changes = changes
        self.commands: list[Command] = [self.decide]
        self.label = "Edit into gold"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        changes = self.decide.apply(project, session)
        if len(self.commands) == 1 and self.changes:  # the gold uuid is known from here on
            gold = self.decide.gold_uuid
            assert gold is not None
            if self.decide.unit.kind == "link":
                self.commands.append(EditLink(gold, **self.changes))
            else:
                self.commands.append(EditSpan(gold, **self.changes, label="Edit gold span"))
        for command in self.commands[1:]:
            changes = changes.merge(command.apply(project, session))
        return changes

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        changes = ChangeSet()
        for command in reversed(self.commands):
            changes = changes.merge(command.revert(project, session))
        return changes
