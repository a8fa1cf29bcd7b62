"""Merging another file's spans and links into ours by uuid, newer `modified` first, with bulk
executemany writes on our transaction's DBAPI connection."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from annotator.domain.merge_report import MergeReport
from annotator.domain.wording import quoted


def chunks(items: list, size: int = 900) -> Iterator[list]:
    """Slices small enough for one statement's variables."""
    for index in range(0, len(items), size):
        yield items[index : index + size]


def rank(values: tuple) -> tuple:
    """A total order over a row's values (None first): `modified` then the content decide which
    of two versions of a row wins, the same way whichever file is merged into which."""
    return tuple((0, "") if v is None else (1, v) for v in values)


@dataclass
class Maps:
    """Their ids and ours, as each merge step needs them."""

    annotators: dict[int, int] = field(default_factory=dict)  # their id → our id
    annotator_uuids: dict[int, str] = field(default_factory=dict)  # our id → uuid
    documents: dict[int, int] = field(default_factory=dict)  # their id → our id
    shas: dict[int, str] = field(default_factory=dict)  # our document id → sha256
    entities: dict[int, int] = field(default_factory=dict)  # their id → our id
    entity_uuids: dict[int, str] = field(default_factory=dict)  # our id → uuid
    deleted: set[str] = field(default_factory=set)  # tombstoned in either file
    touched: set[int] = field(default_factory=set)  # our document ids with changes


_THEIR_SPANS = (
    'SELECT s.id, s.uuid, s.document_id, s.annotator_id, t.key, s.start, s."end", s.quote, '
    "s.prefix, s.suffix, s.attributes, s.note, s.entity_id, s.created, s.modified "
    "FROM spans s JOIN tag_types t ON t.id = s.tag_type_id ORDER BY s.id"
)
_OUR_SPAN = (
    'SELECT s.uuid, s.document_id, s.annotator_id, t.key, s.start, s."end", s.quote, s.prefix, '
    "s.suffix, s.attributes, s.note, s.entity_id, s.created, s.modified "
    "FROM spans s JOIN tag_types t ON t.id = s.tag_type_id WHERE s.uuid IN ({})"
)
_SPAN_SET = (
    'document_id = ?, annotator_id = ?, tag_type_id = ?, start = ?, "end" = ?, quote = ?, '
    "prefix = ?, suffix = ?, attributes = ?, note = ?, entity_id = ?, created = ?, modified = ?"
)


def multi_fragments(connection: sqlite3.Connection) -> dict[int, tuple]:
    """span id → its fragments, for the spans that have more than one."""
    found: dict[int, list] = defaultdict(list)
    for span_id, start, end in connection.execute(
        'SELECT span_id, start, "end" FROM span_fragments WHERE span_id IN '
        "(SELECT span_id FROM span_fragments WHERE ordinal = 1) ORDER BY span_id, ordinal"
    ):
        found[span_id].append((start, end))
    return {k: tuple(v) for k, v in found.items()}


def merge_spans(
    ours: sqlite3.Connection, theirs: sqlite3.Connection, maps: Maps, report: MergeReport
) -> None:
    their_fragments = multi_fragments(theirs)
    their_ann = {i: u for i, u in theirs.execute("SELECT id, uuid FROM annotators")}
    their_ent = {i: u for i, u in theirs.execute("SELECT id, uuid FROM entities")}
    their_sha = {i: s for i, s in theirs.execute("SELECT id, sha256 FROM documents")}
    tags = dict(ours.execute("SELECT key, id FROM tag_types").fetchall())
    here = {
        u: (i, d, m)
        for u, i, d, m in ours.execute("SELECT uuid, id, document_id, modified FROM spans")
    }
    new_rows, new_fragments, updates, ties = [], [], [], {}
    next_id = int(ours.execute("SELECT coalesce(max(id), 0) + 1 FROM spans").fetchone()[0])
    for row in theirs.execute(_THEIR_SPANS):
        their_id, uuid, doc, annotator, tag, start, end = row[:7]
        document = maps.documents.get(doc)
        if uuid in maps.deleted:
            report.count("skipped", "spans: deleted in one of the files", example=uuid)
            continue
        if document is None:
            report.count("skipped", "spans: their document was not merged", example=uuid)
            continue
        if tag not in tags:
            report.count("skipped", "spans: their tag type is not here", example=uuid)
            report.conflict(
                f"span {uuid}: tag type {quoted(tag)} is not in this project; not merged"
            )
            continue
        fragments = their_fragments.get(their_id) or ((start, end),)
        entity = maps.entities.get(row[12]) if row[12] is not None else None
        values = (
            document,
            maps.annotators[annotator],
            tags[tag],
            start,
            end,
            *row[7:12],
            entity,
            row[13],
            row[14],
        )
        mine = here.get(uuid)
        if mine is None:
            new_rows.append((next_id, uuid, *values))
            new_fragments += [(next_id, n, a, b) for n, (a, b) in enumerate(fragments)]
            here[uuid] = (next_id, document, row[14])
            next_id += 1
            maps.touched.add(document)
            continue
        if mine[1] != document:
            report.count("skipped", "spans: in another document here", example=uuid)
            report.conflict(f"span {uuid} is in another document here; not changed")
            continue
        key = (row[14], their_sha[doc], their_ann[annotator], tag, fragments, *row[7:12],
               their_ent.get(row[12]), row[13])  # fmt: skip
        if row[14] > mine[2]:
            updates.append((values, fragments, mine[0], uuid))
        elif row[14] == mine[2]:
            ties[uuid] = (rank(key), (values, fragments, mine[0], uuid))
        else:
            report.count("skipped", "spans: unchanged or older", example=uuid)
    updates += _tie_winners(ours, ties, maps, report)
    _write_spans(ours, new_rows, new_fragments, updates, maps, report)


def _tie_winners(ours: sqlite3.Connection, ties: dict, maps: Maps, report: MergeReport) -> list:
    """Of the spans both files changed at the same moment, theirs where their content ranks
    higher (so A into B and B into A keep the same version)."""
    if not ties:
        return []
    ours_fragments = multi_fragments(ours)
    ids = {uuid: entry[1][2] for uuid, entry in ties.items()}
    winners = []
    for chunk in chunks(sorted(ties)):
        for row in ours.execute(_OUR_SPAN.format(",".join("?" * len(chunk))), chunk):
            uuid = row[0]
            fragments = ours_fragments.get(ids[uuid]) or ((row[4], row[5]),)
            key = (row[13], maps.shas[row[1]], maps.annotator_uuids[row[2]], row[3], fragments,
                   *row[6:11], maps.entity_uuids.get(row[11]), row[12])  # fmt: skip
            their_rank, update = ties[uuid]
            if their_rank > rank(key):
                winners.append(update)
            else:
                report.count("skipped", "spans: unchanged or older", example=uuid)
    return winners


def _write_spans(ours, new_rows, new_fragments, updates, maps: Maps, report: MergeReport) -> None:
    ours.executemany(
        'INSERT INTO spans (id, uuid, document_id, annotator_id, tag_type_id, start, "end", quote, '
        "prefix, suffix, attributes, note, entity_id, created, modified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new_rows,
    )
    if new_rows:
        report.count("added", "spans", len(new_rows), example=new_rows[0][1])
    if updates:
        ours.executemany(
            f"UPDATE spans SET {_SPAN_SET} WHERE id = ?", [(*v, i) for v, _, i, _ in updates]
        )
        ours.executemany(
            "DELETE FROM span_fragments WHERE span_id = ?", [(i,) for _, _, i, _ in updates]
        )
        new_fragments += [(i, n, a, b) for _, f, i, _ in updates for n, (a, b) in enumerate(f)]
        report.count("updated", "spans", len(updates), example=updates[0][3])
        maps.touched.update(v[0] for v, _, _, _ in updates)
    ours.executemany(
        'INSERT INTO span_fragments (span_id, ordinal, start, "end") VALUES (?, ?, ?, ?)',
        new_fragments,
    )


_THEIR_LINKS = (
    "SELECT l.uuid, l.document_id, t.key, a.uuid, b.uuid, l.annotator_id, l.attributes, l.note, "
    "l.created, l.modified FROM links l JOIN link_types t ON t.id = l.link_type_id "
    "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id ORDER BY l.id"
)
_OUR_LINK = (
    "SELECT l.uuid, t.key, a.uuid, b.uuid, l.annotator_id, l.attributes, l.note, l.created, "
    "l.modified, l.document_id FROM links l JOIN link_types t ON t.id = l.link_type_id "
    "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
    "WHERE l.uuid IN ({})"
)


def _link_types(ours: sqlite3.Connection) -> dict[str, tuple[int, bool, set, set]]:
    """key → (id, directed, allowed source tag ids, allowed target tag ids; empty: any)."""
    found = {
        k: (i, bool(d), set(), set())
        for i, k, d in ours.execute("SELECT id, key, directed FROM link_types")
    }
    by_id = {v[0]: v for v in found.values()}
    for link_type_id, role, tag_id in ours.execute(
        "SELECT link_type_id, role, tag_type_id FROM link_type_endpoints"
    ):
        by_id[link_type_id][2 if role == "source" else 3].add(tag_id)
    return found


def _allows(link_type: tuple[int, bool, set, set], source: int, target: int) -> bool:
    _, directed, sources, targets = link_type

    def fits(a: int, b: int) -> bool:
        return (not sources or a in sources) and (not targets or b in targets)

    return fits(source, target) or (not directed and fits(target, source))


def merge_links(
    ours: sqlite3.Connection, theirs: sqlite3.Connection, maps: Maps, report: MergeReport
) -> None:
    types = _link_types(ours)
    their_ann = {i: u for i, u in theirs.execute("SELECT id, uuid FROM annotators")}
    here = dict(ours.execute("SELECT uuid, modified FROM links").fetchall())
    rows = theirs.execute(_THEIR_LINKS).fetchall()
    wanted = sorted({u for row in rows for u in (row[3], row[4])})
    spans: dict[str, tuple[int, int, int]] = {}  # uuid → (id, document id, tag type id)
    for chunk in chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for uuid, *rest in ours.execute(
            f"SELECT uuid, id, document_id, tag_type_id FROM spans WHERE uuid IN ({marks})", chunk
        ):
            spans[uuid] = tuple(rest)
    new, changed, ties = [], [], {}
    for uuid, doc, type_key, source, target, annotator, attributes, note, created, modified in rows:
        document, link_type = maps.documents.get(doc), types.get(type_key)
        if uuid in maps.deleted:
            report.count("skipped", "links: deleted in one of the files", example=uuid)
        elif document is None or source not in spans or target not in spans:
            report.count("skipped", "links: an endpoint is not here", example=uuid)
        elif link_type is None:
            report.count("skipped", "links: their link type is not here", example=uuid)
            report.conflict(
                f"link {uuid}: link type {quoted(type_key)} is not in this project; not merged"
            )
        elif spans[source][1] != document or spans[target][1] != document:
            report.count("skipped", "links: joins spans of other documents here", example=uuid)
            report.conflict(f"link {uuid} joins spans of other documents here; not merged")
        elif not _allows(link_type, spans[source][2], spans[target][2]):
            report.count("skipped", "links: not allowed between these tags here", example=uuid)
            report.conflict(
                f"link {uuid}: {quoted(type_key)} does not join these spans' tags here; not merged"
            )
        else:
            ends = (spans[source][0], spans[target][0])
            values = (document, link_type[0], *ends, maps.annotators[annotator],
                      attributes, note, created, modified)  # fmt: skip
            key = (
                modified,
                type_key,
                source,
                target,
                their_ann[annotator],
                attributes,
                note,
                created,
            )
            if uuid not in here:
                new.append((uuid, *values))
                maps.touched.add(document)
            elif modified > here[uuid]:
                changed.append((*values, uuid))
            elif modified == here[uuid]:
                ties[uuid] = (rank(key), (*values, uuid))
            else:
                report.count("skipped", "links: unchanged or older", example=uuid)
    changed += _link_tie_winners(ours, ties, maps, report)
    ours.executemany(
        "INSERT INTO links (uuid, document_id, link_type_id, source_span_id, target_span_id, "
        "annotator_id, attributes, note, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new,
    )
    ours.executemany(
        "UPDATE links SET document_id = ?, link_type_id = ?, source_span_id = ?, "
        "target_span_id = ?, annotator_id = ?, attributes = ?, note = ?, created = ?, "
        "modified = ? WHERE uuid = ?",
        changed,
    )
    maps.touched.update(row[0] for row in changed)
    if new:
        report.count("added", "links", len(new), example=new[0][0])
    if changed:
        report.count("updated", "links", len(changed), example=changed[0][-1])


def _link_tie_winners(
    ours: sqlite3.Connection, ties: dict, maps: Maps, report: MergeReport
) -> list:
    winners = []
    for chunk in chunks(sorted(ties)):
        for row in ours.execute(_OUR_LINK.format(",".join("?" * len(chunk))), chunk):
            key = (row[8], row[1], row[2], row[3], maps.annotator_uuids[row[4]], *row[5:8])
            their_rank, update = ties[row[0]]
            if their_rank > rank(key):
                winners.append(update)
            else:
                report.count("skipped", "links: unchanged or older", example=row[0])
    return winners
