"""Undoable actions on the entity registry and on per-annotator document status."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from annotator.domain.changes import ChangeSet
from annotator.domain.ids import new_uuid, now
from annotator.domain.model import STATUSES, DocumentStatus, Entity, Span
from annotator.domain.wording import one_of, quoted
from annotator.errors import ValidationError
from annotator.services.command import Command
from annotator.services.project import Project
from annotator.store.project_store import WriteSession

_UNSET: Any = object()


def _clean_aliases(aliases: Iterable[str], name: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for alias in aliases:
        alias = alias.strip()
        if alias and alias != name:
            seen.setdefault(alias)
    return tuple(seen)


class CreateEntity(Command):
    def __init__(
        self,
        name: str,
        *,
        kind: str = "",
        aliases: Iterable[str] = (),
        external_ids: Mapping[str, str] | None = None,
        note: str = "",
        uuid: str | None = None,
    ) -> None:
        name = name.strip()
        if not name:
            raise ValidationError("an entity needs a name")
        self.uuid = uuid or new_uuid()
        self.fields = dict(
            name=name,
            kind=kind,
            aliases=_clean_aliases(aliases, name),
            external_ids=dict(external_ids or {}),
            note=note,
        )
        self.entity: Entity | None = None
        self.label = f"New entity {name}"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.entity is None:
            when = now()
            self.entity = Entity(
                uuid=self.uuid,
                created=when,
                modified=when,
                author=project.annotator.uuid,
                **self.fields,
            )
        session.remove_tombstone(self.uuid)
        session.insert_entity(self.entity)
        return ChangeSet(entities=frozenset({self.uuid}))

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        session.delete_entity(self.uuid)
        session.add_tombstone(self.uuid, "entity", now(), project.annotator.uuid)
        return ChangeSet(entities=frozenset({self.uuid}))


class EditEntity(Command):
    def __init__(self, uuid: str, **fields: Any) -> None:
        unknown = set(fields) - {"name", "kind", "aliases", "external_ids", "note"}
        if unknown:
            raise ValidationError(f"entities have no field {quoted(sorted(unknown)[0])}")
        if "name" in fields and not str(fields["name"]).strip():
            raise ValidationError("an entity needs a name")
        self.uuid, self.fields = uuid, fields
        self.before: Entity | None = None
        self.after: Entity | None = None
        self.label = "Edit entity"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.after is None:
            self.before = session.entity(self.uuid)
            fields = dict(self.fields)
            name = fields.get("name", self.before.name).strip()
            fields["name"] = name
            fields["aliases"] = _clean_aliases(fields.get("aliases", self.before.aliases), name)
            self.after = dataclasses.replace(self.before, modified=now(), **fields)
        session.update_entity(self.after)
        return ChangeSet(entities=frozenset({self.uuid}))

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.before is not None
        session.update_entity(self.before)
        return ChangeSet(entities=frozenset({self.uuid}))


class DeleteEntity(Command):
    """Delete an entity; spans that referred to it keep their tag and lose the reference."""

    def __init__(self, uuid: str) -> None:
        self.uuid = uuid
        self.entity: Entity | None = None
        self.spans: list[Span] = []
        self.when: str | None = None  # fixed at the first apply: a redo gives the same rows
        self.label = "Delete entity"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        self.entity = session.entity(self.uuid)
        self.spans = session.spans_with_entity(self.uuid)
        self.when = self.when or now()
        session.delete_entity(self.uuid)  # the spans' reference is cleared by the database
        # ... so their modified time is bumped here: merges keep the newer version by it.
        session.touch_spans([s.uuid for s in self.spans], self.when)
        session.add_tombstone(self.uuid, "entity", self.when, project.annotator.uuid)
        return self._changes()

    def history_pairs(self) -> list[tuple[Span, Span]]:
        """Each span that lost the reference, before and after (for the history rows)."""
        when = self.when or ""
        return [(s, dataclasses.replace(s, entity=None, modified=when)) for s in self.spans]

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.entity is not None
        session.remove_tombstone(self.uuid)
        session.insert_entity(self.entity)
        for span in self.spans:
            session.update_span(span)
        return self._changes()

    def _changes(self) -> ChangeSet:
        return ChangeSet(
            entities=frozenset({self.uuid}),
            spans_changed=frozenset(s.uuid for s in self.spans),
            documents=frozenset(s.document for s in self.spans),
        )


class SetStatus(Command):
    """Mark a document new / in progress / done for the current annotator."""

    def __init__(self, document: str, status: str) -> None:
        if status not in STATUSES:
            raise ValidationError(f"status must be one of {one_of(STATUSES)}")
        self.document, self.status = document, status
        self.before: DocumentStatus | None = None
        self.after: DocumentStatus | None = None
        self.label = f"Mark {status.replace('_', ' ')}"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.after is None:
            self.before = session.status(self.document, project.annotator.uuid)
            uuid = self.before.uuid if self.before else new_uuid()
            self.after = DocumentStatus(
                uuid, self.document, project.annotator.uuid, self.status, now()
            )
        session.put_status(self.after)
        return ChangeSet(statuses=frozenset({self.document}))

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.after is not None
        if self.before is None:
            session.delete_status(self.document, self.after.annotator)
        else:
            session.put_status(self.before)
        return ChangeSet(statuses=frozenset({self.document}))
