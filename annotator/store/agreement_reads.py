"""Lean reads for agreement: the chosen annotators' spans and links as agreement units.

One query per table through the DBAPI connection (no ORM rows), so reading two layers
of 100,000 spans each stays well under a second; fragments are read only for the spans that
have more than one (a single-fragment span's extent is its fragment)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

import orjson

from annotator.domain.agreement.units import UnitLink, UnitSpan
from annotator.store.project_store import ReadSession


@dataclass
class LayerRows:
    """Spans and links by (document uuid, annotator uuid)."""

    spans: dict[tuple[str, str], list[UnitSpan]] = field(default_factory=lambda: defaultdict(list))
    links: dict[tuple[str, str], list[UnitLink]] = field(default_factory=lambda: defaultdict(list))


def _placeholders(count: int) -> str:
    return ",".join("?" * count)


def read_layers(
    session: ReadSession, annotators: Collection[str], documents: Collection[str]
) -> LayerRows:
    """The spans and links of `annotators` (uuids) in `documents` (uuids)."""
    raw = session.connection.connection.driver_connection
    wanted = list(annotators)
    annotator_ids = dict(
        raw.execute(
            f"SELECT id, uuid FROM annotators WHERE uuid IN ({_placeholders(len(wanted))})", wanted
        ).fetchall()
    )
    document_ids = {
        doc_id: uuid
        for doc_id, uuid in raw.execute("SELECT id, uuid FROM documents").fetchall()
        if uuid in documents
    }
    tags = dict(raw.execute("SELECT id, key FROM tag_types").fetchall())
    link_types = dict(raw.execute("SELECT id, key FROM link_types").fetchall())
    rows = LayerRows()
    if not annotator_ids or not document_ids:
        return rows
    who = _placeholders(len(annotator_ids))
    fragments: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for span_id, start, end in raw.execute(
        'SELECT f.span_id, f.start, f."end" FROM span_fragments f JOIN spans s ON s.id = f.span_id '
        f"WHERE s.annotator_id IN ({who}) AND f.span_id IN "
        "(SELECT span_id FROM span_fragments WHERE ordinal = 1) ORDER BY f.span_id, f.ordinal",
        list(annotator_ids),
    ):
        fragments[span_id].append((start, end))
    loads = orjson.loads
    multiple = fragments.get
    # UnitSpan's own __new__ is a Python function; tuple.__new__ builds the same named tuple
    # without a Python frame per span (this runs for every span of every layer).
    unit = tuple.__new__
    # The rows come unsorted (SQLite's sorter over 200,000 rows cost more than Python's:
    # measured) and are grouped by (document, annotator) as they come; rows of one group are
    # mostly consecutive (in the order they were written), so a group's list is looked up
    # once per stretch. Each group is then sorted in Python: the selected columns start with
    # (start, end, uuid), so the rows' own tuple order is the report's span order (uuids are
    # unique: no tie; str order is UTF-8's byte order, SQLite's BINARY collation).
    groups: dict[tuple[int, int], list[tuple]] = {}
    place_document = place_annotator = None
    add = None
    for row in raw.execute(
        'SELECT start, "end", uuid, tag_type_id, attributes, id, document_id, annotator_id '
        f"FROM spans WHERE annotator_id IN ({who})",
        list(annotator_ids),
    ):
        if row[6] != place_document or row[7] != place_annotator:
            place_document, place_annotator = row[6], row[7]
            group = groups.get((place_document, place_annotator))
            if group is None:
                group = groups[(place_document, place_annotator)] = []
            add = group.append
        add(row)
    for (doc_id, annotator_id), group in groups.items():
        document = document_ids.get(doc_id)
        if document is None:
            continue
        group.sort()
        rows.spans[(document, annotator_ids[annotator_id])] = [
            unit(
                UnitSpan,
                (
                    uuid,
                    tags[tag_id],
                    ((start, end),) if (extent := multiple(span_id)) is None else tuple(extent),
                    loads(attributes) if attributes != "{}" else {},
                ),
            )
            for start, end, uuid, tag_id, attributes, span_id, _, _ in group
        ]
    for doc_id, uuid, type_id, source, target, annotator_id, attributes in raw.execute(
        "SELECT l.document_id, l.uuid, l.link_type_id, a.uuid, b.uuid, l.annotator_id, "
        "l.attributes FROM links l JOIN spans a ON a.id = l.source_span_id "
        f"JOIN spans b ON b.id = l.target_span_id WHERE l.annotator_id IN ({who}) "
        "ORDER BY l.document_id, l.uuid",
        list(annotator_ids),
    ):
        document = document_ids.get(doc_id)
        if document is None:
            continue
        parsed = loads(attributes) if attributes != "{}" else {}
        rows.links[(document, annotator_ids[annotator_id])].append(
            unit(UnitLink, (uuid, link_types[type_id], source, target, parsed))
        )
    return rows


def document_texts(session: ReadSession, documents: Collection[str]) -> dict[str, str]:
    raw = session.connection.connection.driver_connection
    wanted = list(documents)
    texts: dict[str, str] = {}
    for start in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
        chunk = wanted[start : start + 900]
        texts.update(
            raw.execute(
                f"SELECT uuid, text FROM documents WHERE uuid IN ({_placeholders(len(chunk))})",
                chunk,
            ).fetchall()
        )
    return texts


def annotators_with_annotations(session: ReadSession) -> set[str]:
    """Uuids of the annotators who have at least one span or link in the project."""
    raw = session.connection.connection.driver_connection
    return {
        uuid
        for (uuid,) in raw.execute(
            "SELECT uuid FROM annotators WHERE id IN (SELECT DISTINCT annotator_id FROM spans) "
            "OR id IN (SELECT DISTINCT annotator_id FROM links)"
        )
    }
