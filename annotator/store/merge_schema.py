"""Merging another file's schema into ours: items match by key; a differing definition is a
conflict, resolved per item as "mine" (keep this project's) or "theirs" (take the file's)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from annotator.domain.ids import new_uuid
from annotator.domain.merge_report import MergeReport
from annotator.domain.model import AttributeDef, LinkType, Schema, TagType
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.store.rows import dumps

RESOLUTIONS = ("mine", "theirs")
#: "mine" / "theirs" for every conflict, or a choice per conflict (SchemaConflict.ident).
Policy = str | Mapping[str, str]


@dataclass(frozen=True)
class SchemaConflict:
    """A tag or link type both files define differently under the same key."""

    kind: str  # "tag type" or "link type"
    key: str
    fields: tuple[str, ...]  # what differs, e.g. ("color", "attributes")

    @property
    def ident(self) -> str:
        return f"{self.kind}:{self.key}"

    def describe(self) -> str:
        return f"{self.kind} {quoted(self.key)} differs in {', '.join(self.fields)}"


def resolution(policy: Policy, conflict: SchemaConflict) -> str:
    choice = policy if isinstance(policy, str) else policy.get(conflict.ident, "mine")
    if choice not in RESOLUTIONS:
        raise ValidationError(
            f"a schema conflict is resolved as 'mine' or 'theirs', not {quoted(choice)}"
        )
    return choice


def _attributes(attributes: tuple[AttributeDef, ...]) -> tuple:
    return tuple(
        sorted(
            (
                a.key,
                a.label,
                a.value_type,
                tuple(a.choices),
                a.required,
                dumps(a.default),
                a.guideline,
            )
            for a in attributes
        )
    )


def definition(item: TagType | LinkType) -> dict[str, Any]:
    """What counts when comparing two schema items (not their ids, order or provenance)."""
    if isinstance(item, TagType):
        fields = {
            "label": item.label,
            "kind": item.kind,
            "color": item.color,
            "hotkey": item.hotkey,
            "guideline": item.guideline,
        }
    else:
        fields = {
            "label": item.label,
            "directed": item.directed,
            "color": item.color,
            "guideline": item.guideline,
            "endpoints": (tuple(sorted(item.sources)), tuple(sorted(item.targets))),
        }
    return fields | {"attributes": _attributes(item.attributes)}


def _differing(mine: TagType | LinkType, theirs: TagType | LinkType) -> tuple[str, ...]:
    a, b = definition(mine), definition(theirs)
    return tuple(name for name in a if a[name] != b[name])


def find_conflicts(mine: Schema, theirs: Schema) -> list[SchemaConflict]:
    """Every item both schemas have under one key with another definition."""
    found = []
    for kind, items, lookup in (
        ("tag type", theirs.tag_types, mine.tag),
        ("link type", theirs.link_types, mine.link_type),
    ):
        for item in items:
            existing = lookup(item.key)
            if existing is not None and (fields := _differing(existing, item)):
                found.append(SchemaConflict(kind, item.key, fields))
    return found


def merge_schema(
    session: Any,
    mine: Schema,
    theirs: Schema,
    deleted: set[str],
    policy: Policy,
    report: MergeReport,
) -> None:
    """Add the file's new items and apply the chosen side of every conflict (session: our
    WriteSession; deleted: tombstoned uuids of both files)."""
    hotkeys = {tag.hotkey: tag.key for tag in mine.tag_types if tag.hotkey is not None}
    uuids = {item.uuid for item in (*mine.tag_types, *mine.link_types)}
    attribute_uuids = {
        a.uuid for item in (*mine.tag_types, *mine.link_types) for a in item.attributes
    }
    for tag in theirs.tag_types:
        existing = mine.tag(tag.key)
        if existing is None:
            if _refused(tag, "tag type", deleted, uuids, report):
                continue
            tag = _free_hotkey(tag, None, hotkeys, report)
            session.insert_tag_type(_fresh_attributes(tag, attribute_uuids))
            report.count("added", "tag types", example=tag.key)
            continue
        _resolve(session, "tag", existing, tag, policy, hotkeys, report, attribute_uuids)
    tag_keys = {tag.key for tag in session.schema().tag_types}
    for link_type in theirs.link_types:
        # An endpoint tag type that is not here (deleted here) cannot be named.
        link_type = dataclasses.replace(
            link_type,
            sources=tuple(k for k in link_type.sources if k in tag_keys),
            targets=tuple(k for k in link_type.targets if k in tag_keys),
        )
        existing = mine.link_type(link_type.key)
        if existing is None:
            if not _refused(link_type, "link type", deleted, uuids, report):
                session.insert_link_type(_fresh_attributes(link_type, attribute_uuids))
                report.count("added", "link types", example=link_type.key)
            continue
        _resolve(session, "link", existing, link_type, policy, hotkeys, report, attribute_uuids)


def _refused(item: Any, kind: str, deleted: set[str], uuids: set[str], report: MergeReport) -> bool:
    if item.uuid in deleted:
        report.count("skipped", f"{kind}s: deleted in one of the files", example=item.key)
        return True
    if item.uuid in uuids:  # renamed here: the key differs, the identity is the same
        report.conflict(f"{kind} {quoted(item.key)} has another key here; not added")
        report.count("skipped", f"{kind}s: another key here", example=item.key)
        return True
    return False


def _free_hotkey(
    tag: TagType, owner: str | None, hotkeys: dict[str, str], report: MergeReport
) -> TagType:
    """The tag type without its hotkey when another tag type here has it."""
    if tag.hotkey is None or hotkeys.get(tag.hotkey, owner) == owner:
        if tag.hotkey is not None:
            hotkeys[tag.hotkey] = tag.key
        return tag
    report.conflict(
        f"tag type {quoted(tag.key)}: hotkey {quoted(tag.hotkey)} is taken here; merged without it"
    )
    return dataclasses.replace(tag, hotkey=None)


def _resolve(
    session: Any,
    owner: str,
    existing: Any,
    theirs: Any,
    policy: Policy,
    hotkeys: dict[str, str],
    report: MergeReport,
    attribute_uuids: set[str],
) -> None:
    kind = "tag type" if owner == "tag" else "link type"
    fields = _differing(existing, theirs)
    if not fields:
        report.count("skipped", f"{kind}s: the same here")
        return
    conflict = SchemaConflict(kind, existing.key, fields)
    choice = resolution(policy, conflict)
    if choice == "mine":
        report.conflict(f"{conflict.describe()}; this project's definition kept")
        report.count("skipped", f"{kind}s: this project's definition kept", example=existing.key)
        return
    report.conflict(f"{conflict.describe()}; the merged file's definition taken")
    taken = dataclasses.replace(theirs, uuid=existing.uuid, created=existing.created)
    if owner == "tag":
        if existing.hotkey is not None:
            hotkeys.pop(existing.hotkey, None)
        taken = _free_hotkey(taken, existing.key, hotkeys, report)
        session.update_tag_type(taken)
    else:
        session.update_link_type(taken)
    # Attributes: theirs replace ours of the same key; ours they lack stay (spans use them).
    here = {a.key: a for a in existing.attributes}
    for attribute in theirs.attributes:
        mine = here.get(attribute.key)
        if mine is None:
            (attribute,) = _fresh_attributes(theirs, attribute_uuids, (attribute,)).attributes
            session.insert_attribute_def(owner, existing.key, attribute)
        elif _attributes((mine,)) != _attributes((attribute,)):
            session.update_attribute_def(dataclasses.replace(attribute, uuid=mine.uuid))
    report.count("updated", f"{kind}s", example=existing.key)


def _fresh_attributes(item: Any, taken: set[str], attributes: tuple | None = None) -> Any:
    """The item with `attributes` (default: its own) given new uuids where this project
    already has an attribute of that uuid (under another key or owner)."""
    fresh = tuple(
        dataclasses.replace(a, uuid=new_uuid()) if a.uuid in taken else a
        for a in (item.attributes if attributes is None else attributes)
    )
    taken.update(a.uuid for a in fresh)
    return dataclasses.replace(item, attributes=fresh)
