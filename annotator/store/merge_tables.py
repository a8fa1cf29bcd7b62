"""Merging another file's document statuses, tombstones, history, decisions and past merge
reports into ours (the rows that are not annotations or schema)."""

from __future__ import annotations

import sqlite3

from annotator.domain.merge_report import MergeReport
from annotator.store.merge_annotations import Maps, rank
from annotator.store.writes import _UNINDEX_DOCUMENT


def merge_statuses(
    ours: sqlite3.Connection, theirs: sqlite3.Connection, maps: Maps, report: MergeReport
) -> None:
    """One status per document and annotator: the later one wins, with its uuid."""
    here = {(d, a): (i, u, s, m) for i, u, d, a, s, m in ours.execute(
        "SELECT id, uuid, document_id, annotator_id, status, modified "
        "FROM document_status")}  # fmt: skip
    used = {row[1] for row in here.values()}
    new, changed = [], []
    for uuid, doc, annotator, status, modified in theirs.execute(
        "SELECT uuid, document_id, annotator_id, status, modified FROM document_status ORDER BY id"
    ):
        document = maps.documents.get(doc)
        if document is None:
            report.count("skipped", "statuses: their document was not merged", example=uuid)
            continue
        slot = (document, maps.annotators[annotator])
        mine = here.get(slot)
        if mine is None:
            if uuid in used:
                report.count("skipped", "statuses: another document's here", example=uuid)
                report.conflict(
                    f"status {uuid} is another document's or annotator's here; not merged"
                )
                continue
            new.append((uuid, *slot, status, modified))
            used.add(uuid)
        elif rank((modified, status, uuid)) > rank((mine[3], mine[2], mine[1])):
            keep = mine[1] if uuid != mine[1] and uuid in used else uuid
            changed.append((keep, status, modified, mine[0]))
            used.add(keep)
        else:
            report.count("skipped", "statuses: unchanged or older", example=uuid)
            continue
        maps.touched.add(document)
    ours.executemany(
        "INSERT INTO document_status (uuid, document_id, annotator_id, status, modified) "
        "VALUES (?, ?, ?, ?, ?)",
        new,
    )
    ours.executemany(
        "UPDATE document_status SET uuid = ?, status = ?, modified = ? WHERE id = ?", changed
    )
    report.count("added", "statuses", len(new), example=new[0][0] if new else None)
    report.count("updated", "statuses", len(changed), example=changed[0][0] if changed else None)


#: Rows a tombstone deletes, by kind. Schema items go only while nothing uses them.
_DELETES = {
    "span": "DELETE FROM spans WHERE uuid = ?",
    "link": "DELETE FROM links WHERE uuid = ?",
    "entity": "DELETE FROM entities WHERE uuid = ?",
    "document": "DELETE FROM documents WHERE uuid = ?",
    "tag_type": "DELETE FROM tag_types WHERE uuid = ? "
    "AND id NOT IN (SELECT tag_type_id FROM spans)",
    "link_type": "DELETE FROM link_types WHERE uuid = ? "
    "AND id NOT IN (SELECT link_type_id FROM links)",
    "attribute_def": "DELETE FROM attribute_defs WHERE uuid = ?",
}
_PLURAL = {
    "span": "spans",
    "link": "links",
    "entity": "entities",
    "document": "documents",
    "tag_type": "tag types",
    "link_type": "link types",
    "attribute_def": "attributes",
    "annotator": "annotators",
}


def merge_tombstones(
    ours: sqlite3.Connection, theirs: sqlite3.Connection, maps: Maps, report: MergeReport
) -> None:
    """Their tombstones delete our rows and are kept; of two tombstones for one row the
    earlier deletion is kept (the same whichever way the files are merged)."""
    here = {
        u: (d, a) for u, d, a in ours.execute("SELECT uuid, deleted, author_id FROM tombstones")
    }
    for uuid, kind, deleted, author in theirs.execute(
        "SELECT uuid, kind, deleted, author_id FROM tombstones ORDER BY uuid"
    ).fetchall():
        author_id = maps.annotators.get(author) if author is not None else None
        mine = here.get(uuid)
        if mine is not None:
            if rank((deleted, maps.annotator_uuids.get(author_id))) < rank(
                (mine[0], maps.annotator_uuids.get(mine[1]))
            ):
                ours.execute(
                    "UPDATE tombstones SET deleted = ?, author_id = ? WHERE uuid = ?",
                    (deleted, author_id, uuid),
                )
            continue
        ours.execute(
            "INSERT INTO tombstones (uuid, kind, deleted, author_id) VALUES (?, ?, ?, ?)",
            (uuid, kind, deleted, author_id),
        )
        report.count("added", "tombstones")
        delete = _DELETES.get(kind)
        if delete is None:
            continue  # annotators stay: their spans and history name them
        document = _document_of(ours, kind, uuid)
        if kind == "document":
            ours.execute(_UNINDEX_DOCUMENT, (uuid,))
        if ours.execute(delete, (uuid,)).rowcount:
            report.count("deleted", _PLURAL[kind], example=uuid)
            if document is not None:
                maps.touched.add(document)
        elif kind in ("tag_type", "link_type") and _exists(ours, kind, uuid):
            report.conflict(
                f"{_PLURAL[kind][:-1]} {uuid} was deleted in the merged file but is used here; kept"
            )
            report.count("skipped", f"{_PLURAL[kind]}: deleted there, used here", example=uuid)


def _document_of(ours: sqlite3.Connection, kind: str, uuid: str) -> int | None:
    if kind not in ("span", "link", "document"):
        return None
    table = {"span": "spans", "link": "links"}.get(kind)
    if table is None:
        row = ours.execute("SELECT id FROM documents WHERE uuid = ?", (uuid,)).fetchone()
    else:
        row = ours.execute(f"SELECT document_id FROM {table} WHERE uuid = ?", (uuid,)).fetchone()
    return None if row is None else row[0]


def _exists(ours: sqlite3.Connection, kind: str, uuid: str) -> bool:
    table = "tag_types" if kind == "tag_type" else "link_types"
    return ours.execute(f"SELECT 1 FROM {table} WHERE uuid = ?", (uuid,)).fetchone() is not None


def copy_provenance(
    ours: sqlite3.Connection, theirs: sqlite3.Connection, maps: Maps, report: MergeReport
) -> None:
    """History rows, adjudication decisions and past merge reports travel by uuid."""

    def person(their_id: int | None) -> int | None:
        return None if their_id is None else maps.annotators.get(their_id)

    # A document matched by its text has our uuid here: its rows follow it.
    our_uuids = dict(ours.execute("SELECT id, uuid FROM documents"))
    renamed = {
        uuid: our_uuids[maps.documents[their_id]]
        for their_id, uuid in theirs.execute("SELECT id, uuid FROM documents")
        if their_id in maps.documents and our_uuids.get(maps.documents[their_id]) != uuid
    }

    def about(object_uuid: str, kind: str) -> str:
        if kind in ("document", "document_status"):
            return renamed.get(object_uuid, object_uuid)
        return object_uuid

    before = ours.total_changes
    ours.executemany(
        "INSERT INTO history (uuid, object_uuid, object_kind, action, summary, detail, "
        "annotator_id, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO NOTHING",
        (
            (row[0], about(row[1], row[2]), *row[2:6], person(row[6]), row[7])
            for row in theirs.execute(
                "SELECT uuid, object_uuid, object_kind, action, summary, detail, annotator_id, at "
                "FROM history ORDER BY id"
            )
        ),
    )
    report.count("added", "history entries", ours.total_changes - before)
    _merge_decisions(ours, theirs, maps, report, person)
    before = ours.total_changes
    ours.executemany(
        "INSERT INTO merge_reports (uuid, merged, source_name, source_uuid, author_id, report) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO NOTHING",
        (
            (*row[:4], person(row[4]), row[5])
            for row in theirs.execute(
                "SELECT uuid, merged, source_name, source_uuid, author_id, report "
                "FROM merge_reports WHERE json_valid(report) ORDER BY id"
            )
        ),
    )
    report.count("added", "merge reports", ours.total_changes - before)


def _merge_decisions(ours, theirs, maps: Maps, report: MergeReport, person) -> None:
    """One decision per unit: the later one wins (ties: the higher uuid)."""
    here = {(d, k, u): (i, uuid, at) for i, uuid, d, k, u, at in ours.execute(
        "SELECT id, uuid, document_id, unit_kind, unit_key, decided FROM decisions")}  # fmt: skip
    used = {row[1] for row in here.values()}
    columns = (
        "unit_kind, unit_key, verdict, gold_uuid, source_uuid, source_annotator_id, "
        "decided_by, decided"
    )
    new, changed = [], []
    for (
        uuid,
        doc,
        kind,
        key,
        verdict,
        gold,
        source,
        source_annotator,
        decided_by,
        decided,
    ) in theirs.execute(f"SELECT uuid, document_id, {columns} FROM decisions ORDER BY id"):
        document = maps.documents.get(doc)
        if document is None:
            report.count("skipped", "decisions: their document was not merged", example=uuid)
            continue
        values = (
            kind,
            key,
            verdict,
            gold,
            source,
            person(source_annotator),
            person(decided_by),
            decided,
        )
        mine = here.get((document, kind, key))
        if mine is None and uuid not in used:
            new.append((uuid, document, *values))
            used.add(uuid)
        elif (
            mine is not None
            and (decided, uuid) > (mine[2], mine[1])
            and (uuid == mine[1] or uuid not in used)
        ):
            changed.append((uuid, *values, mine[0]))
            used.add(uuid)
        else:
            report.count("skipped", "decisions: unchanged, older or taken here", example=uuid)
    ours.executemany(
        f"INSERT INTO decisions (uuid, document_id, {columns}) VALUES ({', '.join('?' * 10)})", new
    )
    assignments = ", ".join(f"{c.strip()} = ?" for c in columns.split(","))
    ours.executemany(f"UPDATE decisions SET uuid = ?, {assignments} WHERE id = ?", changed)
    report.count("added", "decisions", len(new))
    report.count("updated", "decisions", len(changed))
