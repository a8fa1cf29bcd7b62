"""Lean reads for agreement: the chosen annotators' spans and links as agreement units.

One query per table through the DBAPI connection (no ORM rows), so reading two layers
of 100,000 spans each stays well under a second; fragments are read only for the spans that
have more than one (a single-fragment span's extent is its fragment).

The reads also run on a plain read-only sqlite3 connection (`connect_read_only`), for the
second process that counts part of the documents (services/agreement_worker.py): this module
does not import SQLAlchemy (nor the session's module), so that process starts quickly."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from annotator.domain.agreement.units import UnitLink, UnitSpan
from annotator.store.engine import harden, read_only_query

if TYPE_CHECKING:
    from annotator.store.project_store import ReadSession


@dataclass
class LayerRows:
    """Spans and links by (document uuid, annotator uuid)."""

    spans: dict[tuple[str, str], list[UnitSpan]] = field(default_factory=lambda: defaultdict(list))
    links: dict[tuple[str, str], list[UnitLink]] = field(default_factory=lambda: defaultdict(list))


def _placeholders(count: int) -> str:
    return ",".join("?" * count)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A plain read-only connection to a project file, hardened like every other."""
    query = "&".join(f"{key}={value}" for key, value in read_only_query().items())
    raw = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True, check_same_thread=False)
    harden(raw, read_only=True)
    return raw


def _raw(session: ReadSession) -> sqlite3.Connection:
    return session.connection.connection.driver_connection


def read_layers(
    session: ReadSession, annotators: Collection[str], documents: Collection[str]
) -> LayerRows:
    """The spans and links of `annotators` (uuids) in `documents` (uuids)."""
    return read_layer_rows(_raw(session), annotators, documents)


def read_layer_rows(
    raw: sqlite3.Connection, annotators: Collection[str], documents: Collection[str]
) -> LayerRows:
    """`read_layers` on a plain connection."""
    wanted = list(annotators)
    annotator_ids = dict(
        raw.execute(
            f"SELECT id, uuid FROM annotators WHERE uuid IN ({_placeholders(len(wanted))})", wanted
        ).fetchall()
    )
    every_document = raw.execute("SELECT id, uuid FROM documents").fetchall()
    document_ids = {doc_id: uuid for doc_id, uuid in every_document if uuid in documents}
    tags = dict(raw.execute("SELECT id, key FROM tag_types").fetchall())
    link_types = dict(raw.execute("SELECT id, key FROM link_types").fetchall())
    rows = LayerRows()
    if not annotator_ids or not document_ids:
        return rows
    who = _placeholders(len(annotator_ids))
    # some of the documents only (a part of the report): SQLite skips the others' rows
    where, only = "", []
    if len(document_ids) < len(every_document):
        where, only = (
            " AND document_id IN (SELECT value FROM json_each(?))",
            [orjson.dumps(list(document_ids)).decode()],
        )
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
        f"FROM spans WHERE annotator_id IN ({who}){where} "
        'ORDER BY annotator_id, document_id, start, "end", uuid',
        [*annotator_ids, *only],
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
        f"JOIN spans b ON b.id = l.target_span_id WHERE l.annotator_id IN ({who})"
        f"{where.replace('document_id', 'l.document_id')} ORDER BY l.document_id, l.uuid",
        [*annotator_ids, *only],
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
    return document_texts_of(_raw(session), documents)


def document_texts_of(raw: sqlite3.Connection, documents: Collection[str]) -> dict[str, str]:
    """`document_texts` on a plain connection."""
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
    raw = _raw(session)
    return {
        uuid
        for (uuid,) in raw.execute(
            "SELECT uuid FROM annotators WHERE id IN (SELECT DISTINCT annotator_id FROM spans) "
            "OR id IN (SELECT DISTINCT annotator_id FROM links)"
        )
    }


def annotated_documents(session: ReadSession, annotators: Collection[str]) -> set[tuple[str, str]]:
    """(document uuid, annotator uuid) for each of `annotators` who has a span or a link in a
    document."""
    raw = _raw(session)
    wanted = list(annotators)
    who = _placeholders(len(wanted))
    return set(
        raw.execute(
            "SELECT d.uuid, a.uuid FROM (SELECT DISTINCT document_id, annotator_id FROM spans "
            "UNION SELECT DISTINCT document_id, annotator_id FROM links) AS w "
            "JOIN documents d ON d.id = w.document_id "
            f"JOIN annotators a ON a.id = w.annotator_id WHERE a.uuid IN ({who})",
            wanted,
        ).fetchall()
    )


def span_counts(session: ReadSession) -> dict[str, int]:
    """Spans (of anyone) by document uuid: what sharing the documents out by work follows
    (read from the document index alone: no table row is visited)."""
    raw = _raw(session)
    uuids = dict(raw.execute("SELECT id, uuid FROM documents").fetchall())
    return {
        uuids[doc_id]: count
        for doc_id, count in raw.execute(
            "SELECT document_id, count(*) FROM spans GROUP BY document_id"
        ).fetchall()
        if doc_id in uuids
    }


def span_id_bound(session: ReadSession) -> int:
    """The largest span id: at least the number of spans, found without counting them."""
    (bound,) = _raw(session).execute("SELECT coalesce(max(id), 0) FROM spans").fetchone()
    return bound
