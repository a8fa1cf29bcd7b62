"""The `history` section of JSON v1: provenance rows written, checked and imported by uuid.

An export streams every history row in the order written (a filtered export only the rows
about the objects it carries). An import keeps the file's rows as they are (a row whose uuid
is already here is left alone) and adds one `import` row, by the person importing, for each
object it adds, updates or deletes that the file carries no history for: where the file tells
who made an object and when, its own rows say so; where it does not (foreign formats, files
written before provenance), the import row is the earliest thing known about the object.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import IO, Any

import orjson

from annotator.domain.ids import now
from annotator.domain.provenance import ACTIONS, OBJECT_KINDS, HistoryEntry

#: The import's own rows: (kind, uuid, what happened) → summary.
IMPORT_SUMMARIES = {
    "added": "imported",
    "updated": "updated by import",
    "deleted": "deleted by import",
}


def entry_to_dict(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "id": entry.uuid,
        "object": entry.object_uuid,
        "kind": entry.object_kind,
        "action": entry.action,
        "summary": entry.summary,
        "detail": entry.detail,
        "annotator": entry.annotator,
        "at": entry.at,
    }


def write_history(
    out: IO[bytes], entries: Iterable[HistoryEntry], wanted: Collection[str] | None = None
) -> set[str | None]:
    """Stream `"history":[...]` (only rows about `wanted` objects when it is given); return
    the annotators of the rows written (None: unknown), whom the file must list."""
    out.write(b'"history":[')
    first = True
    authors: set[str | None] = set()
    for entry in entries:
        if wanted is not None and entry.object_uuid not in wanted:
            continue
        out.write((b"" if first else b",") + orjson.dumps(entry_to_dict(entry)))
        authors.add(entry.annotator)
        first = False
    out.write(b"]")
    return authors


def check_history(c: Any, top: dict, annotators: Collection[str]) -> list[HistoryEntry]:
    """The file's history rows as entries; every problem goes to the checker `c` by path.

    An `annotator` must be null (unknown or removed) or an annotator of the file or project."""
    seen: set[str] = set()
    return [
        history_row(c, raw, f"$.history[{i}]", annotators, seen)
        for i, raw in enumerate(c.items(top, "history", "$"))
    ]


def history_row(c: Any, raw: Any, p: str, annotators: Collection[str], seen: Any) -> HistoryEntry:
    """One history row at JSON path `p`; `seen` holds the history ids met before it (a set,
    or what stands for one: membership and add)."""
    h = c.obj(raw, p)
    uuid = c.uuid(h, "id", p)
    if uuid and uuid in seen:
        c.fail(f"{p}.id", f"history id {uuid} is used twice")
    seen.add(uuid)
    kind, action = h.get("kind"), h.get("action")
    if kind not in OBJECT_KINDS:
        c.fail(f"{p}.kind", f"expected one of {list(OBJECT_KINDS)}")
    if action not in ACTIONS:
        c.fail(f"{p}.action", f"expected one of {list(ACTIONS)}")
    detail = h.get("detail", {})
    if not isinstance(detail, dict):
        c.fail(f"{p}.detail", "expected an object")
        detail = {}
    annotator = h.get("annotator")
    if annotator is not None and (not isinstance(annotator, str) or annotator not in annotators):
        c.fail(
            f"{p}.annotator",
            "no such annotator in the file or the project (null for an unknown author)",
        )
        annotator = None
    return HistoryEntry(
        uuid,
        c.uuid(h, "object", p),
        str(kind),
        str(action),
        c.text(h, "summary", p, ""),
        detail,
        annotator,
        c.time(h, "at", p),
    )


def import_history(
    session: Any,
    entries: list[HistoryEntry],
    rename: dict[str, str],
    touched: list[tuple[str, str, str]],
    importer: str,
    insert_importer: Callable[[], None],
) -> int:
    """Write the file's rows (by uuid, idempotently) and the import's own rows; return how many
    rows of the file were new here.

    `rename` maps the file's document uuids to this project's copies of the same texts;
    `touched` lists (kind, uuid, "added"/"updated"/"deleted") of what the import changed;
    `insert_importer` saves the person importing first when their own rows name them."""
    kept = [_renamed(entry, rename) for entry in entries]
    before = session.history_count()
    session.record_history_many(kept, keep=True)
    added = session.history_count() - before
    described = {entry.object_uuid for entry in kept}
    own = [(kind, uuid, IMPORT_SUMMARIES[what]) for kind, uuid, what in touched]
    own = [row for row in own if row[1] not in described]
    if own:
        insert_importer()
        session.record_import_rows(own, importer, now())
    return added


def _renamed(entry: HistoryEntry, rename: dict[str, str]) -> HistoryEntry:
    """A document's rows follow the text to this project's copy of it."""
    mine = rename.get(entry.object_uuid)
    if mine is None or entry.object_kind not in ("document", "document_status"):
        return entry
    return HistoryEntry(
        entry.uuid,
        mine,
        entry.object_kind,
        entry.action,
        entry.summary,
        entry.detail,
        entry.annotator,
        entry.at,
    )
