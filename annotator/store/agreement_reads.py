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
    # without a Python frame per span (this loop runs for every span of every layer).
    unit = tuple.__new__
    # rows come grouped by annotator, then document: the list of one (document, annotator) is
    # looked up once per group, not per row (ordered by document first, the two layers'
    # rows alternated and nearly every row started a group)
    place_document = place_annotator = None
    add = None
    for span_id, uuid, doc_id, annotator_id, tag_id, start, end, attributes in raw.execute(
        'SELECT id, uuid, document_id, annotator_id, tag_type_id, start, "end", attributes '
        f"FROM spans WHERE annotator_id IN ({who}) "
        'ORDER BY annotator_id, document_id, start, "end", uuid',
        list(annotator_ids),
    ):
        if doc_id != place_document or annotator_id != place_annotator:
            place_document, place_annotator = doc_id, annotator_id
            document = document_ids.get(doc_id)
            add = (
                None
                if document is None
                else rows.spans[(document, annotator_ids[annotator_id])].append
            )
        if add is None:
            continue
        extent = multiple(span_id)
        add(
            unit(
                UnitSpan,
                (
                    uuid,
                    tags[tag_id],
                    ((start, end),) if extent is None else tuple(extent),
                    loads(attributes) if attributes != "{}" else {},
                ),
            )
        )
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
