"""Undoable span actions: create, delete, retag, and edit (fragments, attributes, note, entity)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from annotator.domain.attributes import check_attributes, fit_attributes
from annotator.domain.changes import ChangeSet
from annotator.domain.ids import new_uuid, now
from annotator.domain.model import Link, Span, TagType
from annotator.domain.offsets import context_of, normalize_fragments, quote_of
from annotator.domain.wording import quoted, value_text
from annotator.errors import NotFoundError, ValidationError
from annotator.services.command import Command, Compound
from annotator.services.history_log import describe
from annotator.services.project import Project
from annotator.store.project_store import WriteSession
from annotator.store.reads import Reads

_UNSET: Any = object()


def tag_type(project: Project, session: WriteSession, key: str) -> TagType:
    """`project.tag(key)` read through the command's session alone: the same tag type (and the
    same error when there is none) without reading the whole schema, which costs about 1 ms per
    command (tests/perf/bench_store_edit.py)."""
    return session.tag_type(key) or project.tag(key)


def anchored(span: Span, text: str, fragments: Sequence[Sequence[int]]) -> Span:
    """The span with new fragments, and its quote and context recomputed from the text."""
    normalized = normalize_fragments(fragments, len(text))
    prefix, suffix = context_of(text, normalized)
    return dataclasses.replace(
        span, fragments=normalized, quote=quote_of(text, normalized), prefix=prefix, suffix=suffix
    )


def restore_spans(session: WriteSession, spans: Iterable[Span], links: Iterable[Link]) -> None:
    """Put back deleted spans and their links (undo of a delete), lifting their tombstones."""
    for span in spans:
        session.remove_tombstone(span.uuid)
        session.insert_span(span)
    for link in links:
        session.remove_tombstone(link.uuid)
        session.insert_link(link)


def remove_spans(
    session: WriteSession, spans: Iterable[Span], links: Iterable[Link], author: str
) -> None:
    """Delete spans and the links touching them, leaving tombstones for merges."""
    when = now()
    for link in links:
        session.delete_link(link.uuid)
        session.add_tombstone(link.uuid, "link", when, author)
    for span in spans:
        session.delete_span(span.uuid)
        session.add_tombstone(span.uuid, "span", when, author)


class CreateSpan(Command):
    """Tag fragments of a document (one fragment, or several for a discontinuous span)."""

    def __init__(
        self,
        document: str,
        tag: str,
        fragments: Sequence[Sequence[int]],
        *,
        attributes: Mapping[str, Any] | None = None,
        note: str = "",
        entity: str | None = None,
        uuid: str | None = None,
    ) -> None:
        self.document, self.tag, self.fragments = document, tag, fragments
        self.attributes, self.note, self.entity = attributes, note, entity
        self.uuid = uuid or new_uuid()
        self.span: Span | None = None
        self.label = f"Tag as {tag}"

    def build(self, project: Project, text: str, tag: TagType | None = None) -> Span:
        tag = project.tag(self.tag) if tag is None else tag
        self.label = f"Tag as {tag.label}"
        values = {a.key: a.default for a in tag.attributes if a.default is not None}
        values.update(self.attributes or {})
        when = now()
        span = Span(
            uuid=self.uuid,
            document=self.document,
            annotator=project.annotator.uuid,
            tag=tag.key,
            fragments=(),
            quote="",
            note=self.note,
            attributes=check_attributes(tag.attributes, values),
            entity=self.entity,
            created=when,
            modified=when,
        )
        return anchored(span, text, self.fragments)

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.span is None:
            text = session.text_of(self.document)
            self.span = self.build(project, text, tag_type(project, session, self.tag))
        session.remove_tombstone(self.uuid)
        session.insert_span(self.span)
        return ChangeSet(spans_added=frozenset({self.uuid}), documents=frozenset({self.document}))

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.span is not None
        remove_spans(session, [self.span], [], project.annotator.uuid)
        return ChangeSet(spans_removed=frozenset({self.uuid}), documents=frozenset({self.document}))


class CreateSpans(Compound):
    """Many `CreateSpan`s as one step (accept all occurrences): one transaction whose
    statements do not grow with the number of spans (store/batch_writes), each document's
    text read once (from memory when the store has it: store/texts), each tag type once."""

    def __init__(self, label: str, commands: Sequence[CreateSpan]) -> None:
        super().__init__(label, list(commands))
        self.creates: list[CreateSpan] = list(commands)

    def _build(self, project: Project, session: WriteSession) -> list[Span]:
        pending: dict[str, list[CreateSpan]] = {}
        for command in self.creates:
            if command.span is None:
                pending.setdefault(command.document, []).append(command)
        tags: dict[str, TagType] = {}
        for command in self.creates:
            if command.span is None and command.tag not in tags:
                tags[command.tag] = tag_type(project, session, command.tag)
        if len(pending) == 1:  # the usual case: the document on screen, likely in memory
            document = next(iter(pending))
            texts = iter([(document, "", session.text_of(document))])
        else:
            texts = session.iter_texts(list(pending))
        for document, _, text in texts:
            for command in pending.pop(document):
                command.span = command.build(project, text, tags[command.tag])
        if pending:
            raise NotFoundError(f"no document {next(iter(pending))}")
        return [command.span for command in self.creates if command.span is not None]

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        spans = self._build(project, session)
        uuids = [span.uuid for span in spans]
        session.remove_tombstones(uuids)
        session.insert_spans(spans)
        return ChangeSet(
            spans_added=frozenset(uuids), documents=frozenset(s.document for s in spans)
        )

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        spans = [command.span for command in self.creates if command.span is not None]
        uuids = [span.uuid for span in spans]
        session.delete_spans(uuids)
        session.add_tombstones(uuids, "span", now(), project.annotator.uuid)
        return ChangeSet(
            spans_removed=frozenset(uuids), documents=frozenset(s.document for s in spans)
        )


class DeleteSpans(Command):
    """Delete spans and every link that touches them."""

    def __init__(self, uuids: Iterable[str]) -> None:
        self.uuids = list(dict.fromkeys(uuids))
        self.spans: list[Span] = []
        self.links: list[Link] = []
        self.label = "Delete span" if len(self.uuids) == 1 else f"Delete {len(self.uuids)} spans"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        self.spans = session.spans_by_uuid(self.uuids)
        if len(self.spans) != len(self.uuids):
            raise ValidationError("a span to delete no longer exists")
        self.links = session.links_of_spans(self.uuids)
        remove_spans(session, self.spans, self.links, project.annotator.uuid)
        return ChangeSet(
            spans_removed=frozenset(self.uuids),
            links_removed=frozenset(link.uuid for link in self.links),
            documents=frozenset(span.document for span in self.spans),
        )

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        restore_spans(session, self.spans, self.links)
        return ChangeSet(
            spans_added=frozenset(self.uuids),
            links_added=frozenset(link.uuid for link in self.links),
            documents=frozenset(span.document for span in self.spans),
        )


def link_refusal(project: Project, session: Reads, uuid: str, new_tag: str) -> str:
    """Why span `uuid` cannot take the tag `new_tag` (a link of it would no longer be allowed
    by the schema), in words for the user; "" when it can. The GUI asks before a retag that
    drops values, and asks nothing when the retag would be refused anyway."""
    for link in session.links_of_spans([uuid]):
        other = link.target if link.source == uuid else link.source
        _, other_tag = session.span_document_and_tag(other)
        source, target = (new_tag, other_tag) if link.source == uuid else (other_tag, new_tag)
        link_type = project.link_type(link.type)
        if not link_type.allows(source, target):
            return (
                f"A {quoted(link_type.label)} link of this span does not allow the tag "
                f"{quoted(project.tag(new_tag).label)}; delete the link first"
            )
    return ""


class EditSpan(Command):
    """Change a span's tag, fragments (resize, add or drop a fragment), attributes, note or
    entity. Retagging keeps the attributes the new tag defines with a valid value and drops
    the rest, or with `dropped_to_note` writes them at the end of the span's note ("Kind:
    state"), all in the one step; `dropped` names what went (attribute label: value) and
    `summary()` says it in words. It refuses when a link of the span would no longer be
    allowed by the schema."""

    def __init__(
        self,
        uuid: str,
        *,
        tag: str = _UNSET,
        fragments: Sequence[Sequence[int]] = _UNSET,
        attributes: Mapping[str, Any] = _UNSET,
        note: str = _UNSET,
        entity: str | None = _UNSET,
        label: str | None = None,
        dropped_to_note: bool = False,
    ) -> None:
        self.uuid = uuid
        self.dropped_to_note = dropped_to_note
        self.dropped: dict[str, Any] = {}
        self.tag_label = ""
        self.changes = {
            k: v
            for k, v in dict(
                tag=tag, fragments=fragments, attributes=attributes, note=note, entity=entity
            ).items()
            if v is not _UNSET
        }
        if not self.changes:
            raise ValidationError("nothing to change")
        self.label = label or _edit_label(self.changes)
        self.before: Span | None = None
        self.after: Span | None = None

    def _edited(self, project: Project, session: WriteSession, span: Span) -> Span:
        changes = dict(self.changes)
        tag = tag_type(project, session, changes.pop("tag", span.tag))
        updated = span
        if "fragments" in changes:
            text = session.text_of(span.document)
            updated = anchored(updated, text, changes.pop("fragments"))
        attributes = dict(span.attributes)
        self.tag_label = tag.label
        if tag.key != span.tag:
            self._check_links(project, session, tag.key)
            if self.label == "Retag span":
                self.label = f"Retag as {tag.label}"
            attributes, dropped = fit_attributes(tag.attributes, attributes)
            old = session.tag_type(span.tag)
            self.dropped = {
                (definition.label if (definition := old and old.attribute(k)) else k): v
                for k, v in dropped.items()
            }
            if self.dropped and self.dropped_to_note:
                moved = "\n".join(f"{k}: {value_text(v)}" for k, v in self.dropped.items())
                note = changes.get("note", span.note)
                changes["note"] = f"{note}\n{moved}" if note else moved
        if "attributes" in changes:
            attributes.update(changes.pop("attributes"))
        return dataclasses.replace(
            updated,
            tag=tag.key,
            attributes=check_attributes(tag.attributes, attributes),
            modified=now(),
            **changes,
        )

    def _check_links(self, project: Project, session: WriteSession, new_tag: str) -> None:
        refusal = link_refusal(project, session, self.uuid, new_tag)
        if refusal:
            raise ValidationError(refusal)

    def summary(self) -> str:
        """What the edit did, in words for the status bar ("Retagged “Russia” as Place;
        moved Kind “state” to the note"); the label for edits other than a retag."""
        if self.before is None or self.after is None or self.before.tag == self.after.tag:
            return self.label
        quote = self.before.quote if len(self.before.quote) <= 40 else self.before.quote[:39]
        text = f"Retagged {quoted(quote + ('…' if quote != self.before.quote else ''))}"
        text += f" as {self.tag_label}"
        if not self.dropped:
            return text
        what = ", ".join(f"{k} {quoted(v)}" for k, v in self.dropped.items())
        if self.dropped_to_note:
            return f"{text}; moved {what} to the note"
        return f"{text}; dropped {what} (no such value for {self.tag_label})"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.after is None:
            self.before = session.span(self.uuid)
            self.after = self._edited(project, session, self.before)
        session.update_span(self.after)
        return self._changed()

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.before is not None
        session.update_span(self.before)
        return self._changed()

    def _changed(self) -> ChangeSet:
        assert self.before is not None
        return ChangeSet(
            spans_changed=frozenset({self.uuid}), documents=frozenset({self.before.document})
        )


class ResizeSpan(EditSpan):
    """Move a span's edges (keyboard resize). Consecutive resizes of the same span fold into
    the first: one undo step and one history row from the first "before" to the last "after"
    (`absorb`, called by `History.push` and by the GUI's undo stack)."""

    def __init__(self, uuid: str, fragments: Sequence[Sequence[int]]) -> None:
        super().__init__(uuid, fragments=fragments, label="Resize span")

    def absorb(self, project: Project, later: object) -> bool:
        """Fold ``later`` (already done, the very next command) into this one; False if it
        does not continue this resize (another span, or an edit in between)."""
        if (
            not isinstance(later, ResizeSpan)
            or later.uuid != self.uuid
            or self.after is None
            or later.before != self.after
            or len(self.history_rows) != 1
            or len(later.history_rows) != 1
        ):
            return False
        assert self.before is not None and later.after is not None
        summary, detail = describe(self.before, later.after)
        with project.writing() as session:
            session.fold_history_rows(self.history_rows[0], later.history_rows, summary, detail)
        self.after = later.after
        self.changes = {"fragments": later.after.fragments}
        return True


def _edit_label(changes: Mapping[str, Any]) -> str:
    names = {
        "tag": "Retag span",
        "fragments": "Resize span",
        "attributes": "Edit attributes",
        "note": "Edit note",
        "entity": "Set entity",
    }
    return names[next(iter(changes))] if len(changes) == 1 else "Edit span"
