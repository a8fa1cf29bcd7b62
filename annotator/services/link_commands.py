"""Undoable link actions: create (schema endpoints enforced), delete, edit."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from annotator.domain.attributes import check_attributes
from annotator.domain.changes import ChangeSet
from annotator.domain.ids import new_uuid, now
from annotator.domain.model import Link
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.services.command import Command
from annotator.services.project import Project
from annotator.store.project_store import WriteSession

_UNSET: Any = object()


def check_link(project: Project, session: WriteSession, link: Link) -> None:
    """Refuse a link the schema does not allow (endpoints, same document, no self-link)."""
    if link.source == link.target:
        raise ValidationError("a span cannot be linked to itself")
    source_doc, source_tag = session.span_document_and_tag(link.source)
    target_doc, target_tag = session.span_document_and_tag(link.target)
    if source_doc != target_doc or source_doc != link.document:
        raise ValidationError("links join spans of the same document")
    link_type = project.link_type(link.type)
    if not link_type.allows(source_tag, target_tag):
        raise ValidationError(
            f"{quoted(link_type.label)} links do not go from "
            f"{quoted(project.tag(source_tag).label)} to {quoted(project.tag(target_tag).label)}"
        )
    check_attributes(link_type.attributes, link.attributes)
    for other in session.links_of_spans([link.source]):
        if other.uuid == link.uuid or other.type != link.type:
            continue
        same = (other.source, other.target) == (link.source, link.target)
        mirrored = (other.source, other.target) == (link.target, link.source)
        if same or (mirrored and not link_type.directed):
            raise ValidationError(f"these spans are already linked by {quoted(link_type.label)}")


class CreateLink(Command):
    def __init__(
        self,
        source: str,
        target: str,
        link_type: str,
        *,
        attributes: Mapping[str, Any] | None = None,
        note: str = "",
        uuid: str | None = None,
    ) -> None:
        self.source, self.target, self.type = source, target, link_type
        self.attributes, self.note = dict(attributes or {}), note
        self.uuid = uuid or new_uuid()
        self.link: Link | None = None
        self.label = f"Link ({link_type})"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.link is None:
            document, _ = session.span_document_and_tag(self.source)
            link_type = project.link_type(self.type)
            values = {a.key: a.default for a in link_type.attributes if a.default is not None}
            values.update(self.attributes)
            when = now()
            self.link = Link(
                uuid=self.uuid,
                document=document,
                type=self.type,
                source=self.source,
                target=self.target,
                annotator=project.annotator.uuid,
                attributes=check_attributes(link_type.attributes, values),
                note=self.note,
                created=when,
                modified=when,
            )
            check_link(project, session, self.link)
        session.remove_tombstone(self.uuid)
        session.insert_link(self.link)
        return ChangeSet(
            links_added=frozenset({self.uuid}), documents=frozenset({self.link.document})
        )

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.link is not None
        session.delete_link(self.uuid)
        session.add_tombstone(self.uuid, "link", now(), project.annotator.uuid)
        return ChangeSet(
            links_removed=frozenset({self.uuid}), documents=frozenset({self.link.document})
        )


class DeleteLinks(Command):
    def __init__(self, uuids: Iterable[str]) -> None:
        self.uuids = list(dict.fromkeys(uuids))
        self.links: list[Link] = []
        self.label = "Delete link" if len(self.uuids) == 1 else f"Delete {len(self.uuids)} links"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        when = now()
        self.links = session.links_by_uuid(self.uuids)
        if len(self.links) != len(self.uuids):
            raise ValidationError("a link to delete no longer exists")
        for link in self.links:
            session.delete_link(link.uuid)
            session.add_tombstone(link.uuid, "link", when, project.annotator.uuid)
        return ChangeSet(
            links_removed=frozenset(self.uuids),
            documents=frozenset(link.document for link in self.links),
        )

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        for link in self.links:
            session.remove_tombstone(link.uuid)
            session.insert_link(link)
        return ChangeSet(
            links_added=frozenset(self.uuids),
            documents=frozenset(link.document for link in self.links),
        )


class EditLink(Command):
    """Change a link's type, direction (swap), attributes or note."""

    def __init__(
        self,
        uuid: str,
        *,
        link_type: str = _UNSET,
        attributes: Mapping[str, Any] = _UNSET,
        note: str = _UNSET,
        reverse: bool = False,
    ) -> None:
        self.uuid = uuid
        self.changes = {
            k: v
            for k, v in dict(type=link_type, attributes=attributes, note=note).items()
            if v is not _UNSET
        }
        self.reverse = reverse
        self.before: Link | None = None
        self.after: Link | None = None
        self.label = "Reverse link" if reverse and not self.changes else "Edit link"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.after is None:
            found = session.links_by_uuid([self.uuid])
            if not found:
                raise ValidationError("the link no longer exists")
            self.before = found[0]
            changes = dict(self.changes)
            attributes = {**self.before.attributes, **changes.pop("attributes", {})}
            after = dataclasses.replace(
                self.before, attributes=attributes, modified=now(), **changes
            )
            if "type" in changes and changes["type"] != self.before.type:
                new_type = project.link_type(changes["type"])
                after = dataclasses.replace(
                    after, attributes={k: v for k, v in attributes.items() if new_type.attribute(k)}
                )
            if self.reverse:
                after = dataclasses.replace(after, source=after.target, target=after.source)
            attributes_checked = check_attributes(
                project.link_type(after.type).attributes, after.attributes
            )
            self.after = dataclasses.replace(after, attributes=attributes_checked)
            check_link(project, session, self.after)
        session.update_link(self.after)
        return ChangeSet(
            links_changed=frozenset({self.uuid}), documents=frozenset({self.after.document})
        )

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.before is not None
        session.update_link(self.before)
        return ChangeSet(
            links_changed=frozenset({self.uuid}), documents=frozenset({self.before.document})
        )
