"""The chosen annotators' spans and links in a few documents, as agreement units.

`agreement_reads.read_layers` reads whole layers (the agreement report wants them all); the
curation window refreshes after every decision, and then only the documents that changed are
read again, through the (document, start) index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import orjson

from annotator.domain.agreement.units import UnitLink, UnitSpan
from annotator.store.agreement_reads import LayerRows


def _marks(count: int) -> str:
    return ",".join("?" * count)


def read_document_layers(
    session, annotators: Collection[str], documents: Collection[str]
) -> LayerRows:
    """The spans and links of `annotators` (uuids) in `documents` (uuids; a few hundred at
    most: each is a bound parameter)."""
    raw = session.connection.connection.driver_connection
    rows = LayerRows()
    who = dict(
        raw.execute(
            f"SELECT id, uuid FROM annotators WHERE uuid IN ({_marks(len(annotators))})",
            list(annotators),
        ).fetchall()
    )
    docs = dict(
        raw.execute(
            f"SELECT id, uuid FROM documents WHERE uuid IN ({_marks(len(documents))})",
            list(documents),
        ).fetchall()
    )
    if not who or not docs:
        return rows
    tags = dict(raw.execute("SELECT id, key FROM tag_types").fetchall())
    link_types = dict(raw.execute("SELECT id, key FROM link_types").fetchall())
    where = f"document_id IN ({_marks(len(docs))}) AND annotator_id IN ({_marks(len(who))})"
    params = [*docs, *who]
    found = raw.execute(
        'SELECT id, uuid, document_id, annotator_id, tag_type_id, start, "end", attributes '
        f'FROM spans WHERE {where} ORDER BY document_id, start, "end", uuid',
        params,
    ).fetchall()
    fragments: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for span_id, start, end in raw.execute(
        'SELECT span_id, start, "end" FROM span_fragments WHERE span_id IN '
        f"(SELECT id FROM spans WHERE {where}) AND span_id IN "
        "(SELECT span_id FROM span_fragments WHERE ordinal = 1) ORDER BY span_id, ordinal",
        params,
    ):
        fragments[span_id].append((start, end))
    for span_id, uuid, doc_id, annotator_id, tag_id, start, end, attributes in found:
        extent = tuple(fragments[span_id]) if span_id in fragments else ((start, end),)
        parsed = orjson.loads(attributes) if attributes != "{}" else {}
        rows.spans[(docs[doc_id], who[annotator_id])].append(
            UnitSpan(uuid, tags[tag_id], extent, parsed)
        )
    for doc_id, uuid, type_id, source, target, annotator_id, attributes in raw.execute(
        "SELECT l.document_id, l.uuid, l.link_type_id, a.uuid, b.uuid, l.annotator_id, "
        "l.attributes FROM links l JOIN spans a ON a.id = l.source_span_id "
        "JOIN spans b ON b.id = l.target_span_id "
        f"WHERE l.document_id IN ({_marks(len(docs))}) "
        f"AND l.annotator_id IN ({_marks(len(who))}) ORDER BY l.document_id, l.uuid",
        params,
    ):
        parsed = orjson.loads(attributes) if attributes != "{}" else {}
        rows.links[(docs[doc_id], who[annotator_id])].append(
            UnitLink(uuid, link_types[type_id], source, target, parsed)
        )
    return rows
