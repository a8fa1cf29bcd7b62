"""Provenance rows for a command's change set: who changed what, how, and when.

Commands do not write history themselves: `Command.do`/`undo` call `record_changes` in the
command's own transaction, so no command (nor an undo or redo of one) can forget it. What
changed comes from the change set; how it changed comes from the (before, after) pairs the
command kept for its undo (`history_pairs()` where a command defines it, else its `before` /
`after` attributes), found anywhere in a compound.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from annotator.domain.changes import ChangeSet
from annotator.domain.ids import new_uuid, now
from annotator.domain.model import DocumentStatus, Entity, Link, Span
from annotator.domain.provenance import HistoryEntry

if TYPE_CHECKING:
    from annotator.store.project_store import WriteSession

Phase = Literal["do", "redo", "undo"]
Pair = tuple[Any, Any]

#: Fields whose change a summary names, in the order it names them.
_SPAN_FIELDS = ("tag", "fragments", "attributes", "note", "entity")
_LINK_FIELDS = ("type", "source", "target", "attributes", "note")
_ENTITY_FIELDS = ("name", "kind", "aliases", "external_ids", "note")


def record_changes(
    session: WriteSession, command: object, changes: ChangeSet, phase: Phase, annotator: str
) -> list[HistoryEntry]:
    """Write the history rows of one command's change set; returns them."""
    entries = list(entries_for(session, command, changes, phase, annotator, now()))
    if entries:
        session.record_history_many(entries)
    return entries


def entries_for(
    session: WriteSession,
    command: object,
    changes: ChangeSet,
    phase: Phase,
    annotator: str,
    at: str,
) -> Iterator[HistoryEntry]:
    """The rows for a change set (spans, links, entities, documents, statuses in that order)."""
    pairs = _pairs_by_uuid(command, phase)
    tail = "" if phase == "do" else f" ({phase})"

    def row(kind: str, uuid: str, action: str, summary: str, detail: dict) -> HistoryEntry:
        return HistoryEntry(new_uuid(), uuid, kind, action, summary + tail, detail, annotator, at)

    added = "created" if phase == "do" else "restored"
    for kind, gained, edited, lost in (
        ("span", changes.spans_added, changes.spans_changed, changes.spans_removed),
        ("link", changes.links_added, changes.links_changed, changes.links_removed),
    ):
        for uuid in sorted(gained):
            yield row(kind, uuid, "create" if phase == "do" else "restore", added, {})
        for uuid in sorted(edited):
            summary, detail = describe(*pairs[uuid]) if uuid in pairs else ("changed", {})
            yield row(kind, uuid, "update", summary, detail)
        for uuid in sorted(lost):
            yield row(kind, uuid, "delete", "deleted", {})
    for uuid in sorted(changes.entities):
        if not session.object_exists("entity", uuid):
            yield row("entity", uuid, "delete", "deleted", {})
        elif uuid in pairs:
            yield row("entity", uuid, "update", *describe(*pairs[uuid]))
        else:
            yield row("entity", uuid, "create" if phase == "do" else "restore", added, {})
    for uuid in sorted(changes.documents_added):
        yield row("document", uuid, "create" if phase == "do" else "restore", added, {})
    for uuid in sorted(changes.documents - changes.documents_added - changes.documents_removed):
        if uuid in pairs:  # a metadata edit (other documents only had annotations change)
            yield row("document", uuid, "update", *describe(*pairs[uuid]))
    for uuid in sorted(changes.documents_removed):
        yield row("document", uuid, "delete", "deleted", {})
    statuses = {p[1].document: p for p in pairs.values() if isinstance(p[1], DocumentStatus)}
    statuses |= {p[0].document: p for p in pairs.values() if isinstance(p[0], DocumentStatus)}
    for document in sorted(changes.statuses):
        before, after = statuses.get(document, (None, None))
        if after is None and before is None:
            yield row("document_status", document, "update", "status changed", {})
            continue
        target = after or before
        detail = {
            "document": document,
            "before": before.status if before else None,
            "after": after.status if after else None,
        }
        action = "delete" if after is None else "create" if before is None else "update"
        old = before.status if before else "none"
        new = after.status if after else "none"
        yield row("document_status", target.uuid, action, f"status {old} → {new}", detail)


# -- finding what the command kept --------------------------------------------------------------
def _commands(command: object) -> Iterator[object]:
    """The command and every command inside it (compounds, wrappers)."""
    yield command
    for inner in getattr(command, "commands", None) or ():
        yield from _commands(inner)
    inner = getattr(command, "inner", None)
    if inner is not None:
        yield from _commands(inner)


def _pairs_by_uuid(command: object, phase: Phase) -> dict[str, Pair]:
    """(before, after) of every object the command edited, by uuid, as this phase saw it."""
    found: dict[str, Pair] = {}
    for part in _commands(command):
        method = getattr(part, "history_pairs", None)
        if method is not None:
            pairs = list(method())
        else:
            before, after = getattr(part, "before", None), getattr(part, "after", None)
            if isinstance(before, dict) and isinstance(after, dict):  # document metadata
                uuid = getattr(part, "uuid", None)
                pairs = [({"uuid": uuid, **before}, {"uuid": uuid, **after})] if after else []
            else:
                pairs = [(before, after)] if before is not None or after is not None else []
        for before, after in pairs:
            if phase == "undo":
                before, after = after, before
            uuid = _uuid_of(before if before is not None else after)
            if uuid is not None:
                found[uuid] = (before, after)
    return found


def _uuid_of(item: Any) -> str | None:
    if isinstance(item, DocumentStatus):
        return f"status:{item.document}"  # statuses are looked up by document
    if isinstance(item, dict):
        return item.get("uuid")
    return getattr(item, "uuid", None)


# -- summaries ------------------------------------------------------------------------------------
def describe(before: Any, after: Any) -> tuple[str, dict[str, Any]]:
    """A human-readable summary of an edit and its detail (changed fields before and after)."""
    if isinstance(before, Span):
        fields = _SPAN_FIELDS
    elif isinstance(before, Link):
        fields = _LINK_FIELDS
    elif isinstance(before, Entity):
        fields = _ENTITY_FIELDS
    elif isinstance(before, dict):
        fields = tuple(k for k in before if k not in ("uuid", "modified"))
    else:
        return "changed", {}
    old = before if isinstance(before, dict) else dataclasses.asdict(before)
    new = after if isinstance(after, dict) else dataclasses.asdict(after)
    changed = [f for f in fields if old.get(f) != new.get(f)]
    parts: list[str] = []
    swapped = (old.get("source"), old.get("target")) == (new.get("target"), new.get("source"))
    if isinstance(before, Link) and {"source", "target"} <= set(changed) and swapped:
        parts.append("reversed")
        changed = [f for f in changed if f not in ("source", "target")]
    for name in changed:
        parts += _field_summary(name, old.get(name), new.get(name))
    detail = {
        "before": {f: _plain(old.get(f)) for f in changed},
        "after": {f: _plain(new.get(f)) for f in changed},
    }
    return "; ".join(parts) or "touched", detail


def _field_summary(name: str, old: Any, new: Any) -> list[str]:
    if name in ("tag", "type"):
        return [f"retagged {old} → {new}" if name == "tag" else f"retyped {old} → {new}"]
    if name == "fragments":
        return [f"resized {_fragments(old)} → {_fragments(new)}"]
    if name == "attributes":
        old, new = old or {}, new or {}
        lines = []
        for key in sorted(set(old) | set(new)):
            if key not in new:
                lines.append(f"attribute {key} removed")
            elif key not in old:
                lines.append(f"attribute {key}: {_value(new[key])}")
            elif old[key] != new[key]:
                lines.append(f"attribute {key}: {_value(old[key])} → {_value(new[key])}")
        return lines
    if name == "entity":
        return [
            "entity cleared" if new is None else "entity set" if old is None else "entity changed"
        ]
    if name == "note":
        return ["note added" if not old else "note cleared" if not new else "note edited"]
    if name in ("aliases", "external_ids", "guideline"):
        return [f"{name.replace('_', ' ')} edited"]
    return [f"{name}: {_value(old)} → {_value(new)}"]


def _fragments(fragments: Any) -> str:
    return ", ".join(f"{start}–{end}" for start, end in fragments or ())


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return "—" if value is None or value == "" else str(value)


def _plain(value: Any) -> Any:
    """JSON-ready: tuples become lists (fragments, aliases)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
