"""Undoable schema edits: tag types, link types and attribute definitions.

What happens to existing annotations is defined per edit and stated in each refusal:
  * keys are stable identifiers (merges match schema items by key); labels, colours, hotkeys,
    kinds and guidelines change freely and apply at once;
  * a tag type used by spans, or a link type used by links, cannot be deleted;
  * link endpoints cannot be narrowed below the links that exist;
  * an attribute's type cannot change, and a choice cannot be removed, while values use it;
  * deleting an attribute definition removes its values from spans or links (undo restores).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from annotator.domain.attributes import check_value
from annotator.domain.changes import ChangeSet
from annotator.domain.ids import new_uuid, now
from annotator.domain.model import (
    TAG_KINDS,
    VALUE_TYPES,
    AttributeDef,
    Link,
    LinkType,
    Span,
    TagType,
)
from annotator.domain.wording import one_of, quoted
from annotator.errors import ValidationError
from annotator.io.schema_file import COLOR, KEY
from annotator.services.command import Command
from annotator.services.project import Project
from annotator.store.project_store import WriteSession

SCHEMA_CHANGED = ChangeSet(schema=True)
TAG_FIELDS = {"label", "kind", "color", "hotkey", "guideline"}
LINK_FIELDS = {"label", "directed", "color", "guideline", "sources", "targets"}
ATTRIBUTE_FIELDS = {"label", "choices", "required", "default", "guideline"}


def _check_tag(project: Project, tag: TagType) -> None:
    if not KEY.match(tag.key):
        raise ValidationError(
            f"{quoted(tag.key)} is not a valid key (a letter, then letters/digits/_-)"
        )
    if tag.kind not in TAG_KINDS:
        raise ValidationError(f"kind must be one of {one_of(TAG_KINDS)}")
    if not COLOR.match(tag.color):
        raise ValidationError(f"{quoted(tag.color)} is not a colour #rrggbb")
    if tag.hotkey is not None:
        if len(tag.hotkey) != 1 or tag.hotkey.isspace():
            raise ValidationError("a hotkey is one character")
        other = project.schema.tag_for_hotkey(tag.hotkey)
        if other is not None and other.uuid != tag.uuid:
            raise ValidationError(
                f"hotkey {quoted(tag.hotkey)} already belongs to {quoted(other.label)}"
            )


def _check_attribute(attribute: AttributeDef) -> None:
    if not KEY.match(attribute.key):
        raise ValidationError(f"{quoted(attribute.key)} is not a valid key")
    if attribute.value_type not in VALUE_TYPES:
        raise ValidationError(
            f"{attribute.key}: unknown attribute type {quoted(attribute.value_type)}"
        )
    if attribute.value_type in ("choice", "multi_choice") and not attribute.choices:
        raise ValidationError("a choice attribute needs at least one choice")
    check_value(attribute, attribute.default)


def _check_attributes(attributes: tuple[AttributeDef, ...]) -> None:
    keys = [a.key for a in attributes]
    if len(set(keys)) != len(keys):
        raise ValidationError("two attributes have the same key")
    for attribute in attributes:
        _check_attribute(attribute)


def _stamp(item: Any, project: Project) -> Any:
    when = now()
    return dataclasses.replace(item, created=when, modified=when, author=project.annotator.uuid)


class AddTagType(Command):
    def __init__(self, key: str, label: str, kind: str, color: str, **fields: Any) -> None:
        self.tag = TagType(uuid=new_uuid(), key=key, label=label, kind=kind, color=color, **fields)
        self.stamped: TagType | None = None
        self.label = f"Add tag type {label}"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.stamped is None:
            if project.schema.tag(self.tag.key):
                raise ValidationError(f"a tag type {quoted(self.tag.key)} already exists")
            _check_tag(project, self.tag)
            _check_attributes(self.tag.attributes)
            self.stamped = _stamp(self.tag, project)
            self.stamped = dataclasses.replace(
                self.stamped,
                attributes=tuple(_stamp(a, project) for a in self.stamped.attributes),
            )
        session.remove_tombstone(self.tag.uuid)
        session.insert_tag_type(self.stamped)
        project.invalidate_schema()
        return SCHEMA_CHANGED

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        if session.count_spans(tag=self.tag.key):
            raise ValidationError(f"spans use {quoted(self.tag.label)} now; delete them first")
        session.delete_tag_type(self.tag.key)
        session.add_tombstone(self.tag.uuid, "tag_type", now(), project.annotator.uuid)
        project.invalidate_schema()
        return SCHEMA_CHANGED


class EditTagType(Command):
    """Rename (label), recolour, re-key (hotkey), change kind or guideline of a tag type."""

    def __init__(self, key: str, **fields: Any) -> None:
        unknown = set(fields) - TAG_FIELDS
        if unknown:
            raise ValidationError(f"tag types have no editable field {quoted(sorted(unknown)[0])}")
        self.key, self.fields = key, fields
        self.before: TagType | None = None
        self.after: TagType | None = None
        self.label = "Edit tag type"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.after is None:
            self.before = project.tag(self.key)
            self.after = dataclasses.replace(self.before, modified=now(), **self.fields)
            _check_tag(project, self.after)
        session.update_tag_type(self.after)
        project.invalidate_schema()
        return SCHEMA_CHANGED

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.before is not None
        session.update_tag_type(self.before)
        project.invalidate_schema()
        return SCHEMA_CHANGED


class DeleteTagType(Command):
    def __init__(self, key: str) -> None:
        self.key = key
        self.tag: TagType | None = None
        self.position = 0
        self.link_types: list[LinkType] = []
        self.label = f"Delete tag type {key}"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        self.tag = project.tag(self.key)
        used = session.count_spans(tag=self.key)
        if used:
            raise ValidationError(
                f"{used} span(s) are tagged {quoted(self.tag.label)}; retag or delete them first"
            )
        self.position = session.tag_type_position(self.key)
        self.link_types = [
            lt for lt in project.schema.link_types if self.key in lt.sources + lt.targets
        ]
        for lt in self.link_types:
            # An empty endpoint list means "any tag type": never widen a link type silently.
            if (self.key,) in (lt.sources, lt.targets):
                role = "source" if lt.sources == (self.key,) else "target"
                raise ValidationError(
                    f"{quoted(lt.label)} links need {quoted(self.tag.label)} as their {role}; "
                    "change that link type first"
                )
        session.delete_tag_type(self.key)
        session.add_tombstone(self.tag.uuid, "tag_type", now(), project.annotator.uuid)
        project.invalidate_schema()
        return SCHEMA_CHANGED

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.tag is not None
        session.remove_tombstone(self.tag.uuid)
        session.insert_tag_type(self.tag, self.position)
        for link_type in self.link_types:
            session.update_link_type(link_type)
        project.invalidate_schema()
        return SCHEMA_CHANGED


def _links_breaking(session: WriteSession, project: Project, link_type: LinkType) -> int:
    """How many existing links of link_type would break its (new) endpoint rules."""
    broken = 0
    for document in session.documents():
        for link in session.links(document.uuid):
            if link.type != link_type.key:
                continue
            _, source_tag = session.span_document_and_tag(link.source)
            _, target_tag = session.span_document_and_tag(link.target)
            if not link_type.allows(source_tag, target_tag):
                broken += 1
    return broken


def _links_both_ways(session: WriteSession, key: str) -> int:
    """How many pairs of spans are linked by `key` in both directions."""
    pairs: set[tuple[str, str]] = set()
    for document in session.documents():
        pairs |= {(k.source, k.target) for k in session.links(document.uuid) if k.type == key}
    return sum(1 for source, target in pairs if (target, source) in pairs) // 2


class AddLinkType(Command):
    def __init__(self, key: str, label: str, color: str, **fields: Any) -> None:
        fields.setdefault("directed", True)
        self.link_type = LinkType(uuid=new_uuid(), key=key, label=label, color=color, **fields)
        self.stamped: LinkType | None = None
        self.label = f"Add link type {label}"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.stamped is None:
            lt = self.link_type
            if project.schema.link_type(lt.key):
                raise ValidationError(f"a link type {quoted(lt.key)} already exists")
            if not KEY.match(lt.key) or not COLOR.match(lt.color):
                raise ValidationError("a link type needs a valid key and a colour #rrggbb")
            for key in lt.sources + lt.targets:
                project.tag(key)
            _check_attributes(lt.attributes)
            self.stamped = _stamp(lt, project)
            self.stamped = dataclasses.replace(
                self.stamped, attributes=tuple(_stamp(a, project) for a in lt.attributes)
            )
        session.remove_tombstone(self.link_type.uuid)
        session.insert_link_type(self.stamped)
        project.invalidate_schema()
        return SCHEMA_CHANGED

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        if session.count_links_of_type(self.link_type.key):
            raise ValidationError(f"links of type {quoted(self.link_type.label)} exist now")
        session.delete_link_type(self.link_type.key)
        session.add_tombstone(self.link_type.uuid, "link_type", now(), project.annotator.uuid)
        project.invalidate_schema()
        return SCHEMA_CHANGED


class EditLinkType(Command):
    """Rename, recolour, change direction, guideline or allowed endpoints of a link type."""

    def __init__(self, key: str, **fields: Any) -> None:
        unknown = set(fields) - LINK_FIELDS
        if unknown:
            raise ValidationError(f"link types have no editable field {quoted(sorted(unknown)[0])}")
        for role in ("sources", "targets"):
            if role in fields:
                fields[role] = tuple(fields[role])
        self.key, self.fields = key, fields
        self.before: LinkType | None = None
        self.after: LinkType | None = None
        self.label = "Edit link type"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.after is None:
            self.before = project.link_type(self.key)
            self.after = dataclasses.replace(self.before, modified=now(), **self.fields)
            if not COLOR.match(self.after.color):
                raise ValidationError(f"{quoted(self.after.color)} is not a colour #rrggbb")
            for key in self.after.sources + self.after.targets:
                project.tag(key)
            broken = _links_breaking(session, project, self.after)
            if broken:
                raise ValidationError(
                    f"{broken} existing link(s) would no longer be allowed; delete them first"
                )
            if self.before.directed and not self.after.directed:
                both_ways = _links_both_ways(session, self.key)
                if both_ways:
                    raise ValidationError(
                        f"{both_ways} pair(s) of spans are linked both ways; undirected, "
                        "each pair would be linked twice. Delete one link of each pair first"
                    )
        session.update_link_type(self.after)
        project.invalidate_schema()
        return SCHEMA_CHANGED

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.before is not None
        session.update_link_type(self.before)
        project.invalidate_schema()
        return SCHEMA_CHANGED


class DeleteLinkType(Command):
    def __init__(self, key: str) -> None:
        self.key = key
        self.link_type: LinkType | None = None
        self.position = 0
        self.label = f"Delete link type {key}"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        self.link_type = project.link_type(self.key)
        used = session.count_links_of_type(self.key)
        if used:
            raise ValidationError(f"{used} link(s) have type {quoted(self.link_type.label)}")
        self.position = session.link_type_position(self.key)
        session.delete_link_type(self.key)
        session.add_tombstone(self.link_type.uuid, "link_type", now(), project.annotator.uuid)
        project.invalidate_schema()
        return SCHEMA_CHANGED

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.link_type is not None
        session.remove_tombstone(self.link_type.uuid)
        session.insert_link_type(self.link_type, self.position)
        project.invalidate_schema()
        return SCHEMA_CHANGED


def _owner(project: Project, owner: str, key: str) -> TagType | LinkType:
    if owner == "tag":
        return project.tag(key)
    if owner == "link":
        return project.link_type(key)
    raise ValidationError("an attribute belongs to a tag type or a link type")


def _annotations_of(session: WriteSession, owner: str, key: str) -> list[Span] | list[Link]:
    found: list = []
    for document in session.documents():
        items = session.spans(document.uuid) if owner == "tag" else session.links(document.uuid)
        found += [i for i in items if (i.tag if owner == "tag" else i.type) == key]
    return found


def _save(session: WriteSession, owner: str, item: Span | Link) -> None:
    if owner == "tag":
        session.update_span(item)  # type: ignore[arg-type]
    else:
        session.update_link(item)  # type: ignore[arg-type]


class AddAttribute(Command):
    def __init__(
        self, owner: str, owner_key: str, key: str, label: str, value_type: str, **fields: Any
    ) -> None:
        fields["choices"] = tuple(fields.get("choices", ()))
        self.owner, self.owner_key = owner, owner_key
        self.attribute = AttributeDef(new_uuid(), key, label, value_type, **fields)
        self.stamped: AttributeDef | None = None
        self.label = f"Add attribute {label}"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.stamped is None:
            owner = _owner(project, self.owner, self.owner_key)
            a = self.attribute
            if owner.attribute(a.key):
                raise ValidationError(
                    f"{quoted(owner.label)} already has an attribute {quoted(a.key)}"
                )
            _check_attribute(a)
            self.stamped = _stamp(a, project)
        session.remove_tombstone(self.attribute.uuid)
        session.insert_attribute_def(self.owner, self.owner_key, self.stamped)
        project.invalidate_schema()
        return SCHEMA_CHANGED

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        session.delete_attribute_def(self.attribute.uuid)
        session.add_tombstone(self.attribute.uuid, "attribute_def", now(), project.annotator.uuid)
        project.invalidate_schema()
        return SCHEMA_CHANGED


class EditAttribute(Command):
    def __init__(self, owner: str, owner_key: str, key: str, **fields: Any) -> None:
        unknown = set(fields) - ATTRIBUTE_FIELDS
        if unknown:
            raise ValidationError(f"attributes have no editable field {quoted(sorted(unknown)[0])}")
        if "choices" in fields:
            fields["choices"] = tuple(fields["choices"])
        self.owner, self.owner_key, self.key, self.fields = owner, owner_key, key, fields
        self.before: AttributeDef | None = None
        self.after: AttributeDef | None = None
        self.label = "Edit attribute"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.after is None:
            owner = _owner(project, self.owner, self.owner_key)
            self.before = owner.attribute(self.key)
            if self.before is None:
                raise ValidationError(f"{quoted(owner.label)} has no attribute {quoted(self.key)}")
            self.after = dataclasses.replace(self.before, modified=now(), **self.fields)
            check_value(self.after, self.after.default)
            for item in _annotations_of(session, self.owner, self.owner_key):
                value = item.attributes.get(self.key)
                try:
                    check_value(self.after, value)
                except ValidationError:
                    raise ValidationError(
                        f"existing value {quoted(value)} would no longer be valid; change it first"
                    ) from None
        session.update_attribute_def(self.after)
        project.invalidate_schema()
        return SCHEMA_CHANGED

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.before is not None
        session.update_attribute_def(self.before)
        project.invalidate_schema()
        return SCHEMA_CHANGED


class DeleteAttribute(Command):
    """Delete an attribute definition and its values on existing spans or links."""

    def __init__(self, owner: str, owner_key: str, key: str) -> None:
        self.owner, self.owner_key, self.key = owner, owner_key, key
        self.attribute: AttributeDef | None = None
        self.position = 0
        self.touched: list[Span] | list[Link] = []
        self.when: str | None = None  # fixed at the first apply: a redo gives the same rows
        self.label = f"Delete attribute {key}"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        owner = _owner(project, self.owner, self.owner_key)
        self.attribute = owner.attribute(self.key)
        if self.attribute is None:
            raise ValidationError(f"{quoted(owner.label)} has no attribute {quoted(self.key)}")
        self.position = session.attribute_def_position(self.attribute.uuid)
        items = _annotations_of(session, self.owner, self.owner_key)
        self.touched = [i for i in items if self.key in i.attributes]
        self.when = self.when or now()
        for _, stripped in self.history_pairs():
            _save(session, self.owner, stripped)
        session.delete_attribute_def(self.attribute.uuid)
        session.add_tombstone(
            self.attribute.uuid, "attribute_def", self.when, project.annotator.uuid
        )
        project.invalidate_schema()
        return self._changes()

    def history_pairs(self) -> list[tuple[Span | Link, Span | Link]]:
        """Each span or link that lost the value, before and after. The modified time moves
        on: merges keep the newer version of an annotation by it."""
        return [
            (
                item,
                dataclasses.replace(
                    item,
                    attributes={k: v for k, v in item.attributes.items() if k != self.key},
                    modified=self.when or "",
                ),
            )
            for item in self.touched
        ]

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.attribute is not None
        session.remove_tombstone(self.attribute.uuid)
        session.insert_attribute_def(self.owner, self.owner_key, self.attribute, self.position)
        for item in self.touched:
            _save(session, self.owner, item)
        project.invalidate_schema()
        return self._changes()

    def _changes(self) -> ChangeSet:
        uuids = frozenset(i.uuid for i in self.touched)
        documents = frozenset(i.document for i in self.touched)
        if self.owner == "tag":
            return ChangeSet(schema=True, spans_changed=uuids, documents=documents)
        return ChangeSet(schema=True, links_changed=uuids, documents=documents)
