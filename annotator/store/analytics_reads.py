"""Lean reads for the analytics views: documents, spans, links, entities and statuses of the
chosen layers as small rows, one query per table through the DBAPI connection.

No ORM rows and no fragments (a view places a span by its extent); a span's prefix and suffix
are read only for the passages a user lists (`span_contexts`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotator.store.project_store import ReadSession


@dataclass(slots=True)
class DocumentRow:
    uuid: str
    title: str
    author: str
    outlet: str
    url: str
    published: str


@dataclass(slots=True)
class SpanRow:
    """A span by its extent (first fragment start, last fragment end)."""

    uuid: str
    document: str
    annotator: str
    tag: str
    start: int
    end: int
    quote: str
    attributes: dict[str, Any]
    entity: str | None


@dataclass(slots=True)
class LinkRow:
    uuid: str
    document: str
    link_type: str
    source: str
    target: str
    annotator: str
    attributes: dict[str, Any]


@dataclass
class AnalyticsRows:
    """Everything the analytics views count, for the chosen documents and layers."""

    documents: dict[str, DocumentRow] = field(default_factory=dict)
    spans: dict[str, SpanRow] = field(default_factory=dict)  # by uuid
    links: list[LinkRow] = field(default_factory=list)
    entities: dict[str, str] = field(default_factory=dict)  # uuid -> name
    annotators: dict[str, str] = field(default_factory=dict)  # uuid -> name
    statuses: list[tuple[str, str, str]] = field(default_factory=list)  # document, annotator


def all_documents(session: ReadSession) -> list[DocumentRow]:
    """Every document's metadata, in project order."""
    raw = session.connection.connection.driver_connection
    return [
        DocumentRow(*row)
        for row in raw.execute(
            "SELECT uuid, title, author, outlet, url, published FROM documents ORDER BY id"
        )
    ]


def _ids(values: Collection[int]) -> str:
    return ",".join(str(int(v)) for v in values)


def read_analytics(
    session: ReadSession,
    documents: Collection[str] | None,
    annotators: Collection[str] | None,
    tags: Collection[str] | None = None,
    *,
    with_links: bool = True,
) -> AnalyticsRows:
    """The rows of `documents` (uuids; None: all) in the layers of `annotators` (uuids; None:
    all), spans of `tags` (keys; None: all) only. The choice is made in SQL, and rows come in
    table order (an ORDER BY walked the index and cost most of the read)."""
    raw = session.connection.connection.driver_connection
    rows = AnalyticsRows()
    rows.annotators = dict(raw.execute("SELECT uuid, name FROM annotators").fetchall())
    annotator_uuid = dict(raw.execute("SELECT id, uuid FROM annotators").fetchall())
    wanted = None if documents is None else set(documents)
    document_uuid: dict[int, str] = {}
    for doc_id, *values in raw.execute(
        "SELECT id, uuid, title, author, outlet, url, published FROM documents ORDER BY id"
    ):
        if wanted is None or values[0] in wanted:
            document_uuid[doc_id] = values[0]
            rows.documents[values[0]] = DocumentRow(*values)
    tag_keys = dict(raw.execute("SELECT id, key FROM tag_types").fetchall())
    link_types = dict(raw.execute("SELECT id, key FROM link_types").fetchall())
    entity_uuid: dict[int, str] = {}
    for entity_id, uuid, name in raw.execute("SELECT id, uuid, name FROM entities"):
        entity_uuid[entity_id] = uuid
        rows.entities[uuid] = name
    where = []
    if annotators is not None:
        chosen = set(annotators)
        where.append(
            f"annotator_id IN ({_ids(i for i, u in annotator_uuid.items() if u in chosen)})"
        )
    if tags is not None:
        where.append(f"tag_type_id IN ({_ids(i for i, k in tag_keys.items() if k in tags)})")
    if wanted is not None:
        where.append(f"document_id IN ({_ids(document_uuid)})")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    loads = orjson.loads
    spans = rows.spans
    for uuid, doc_id, who, tag_id, start, end, quote, attributes, entity in raw.execute(
        'SELECT uuid, document_id, annotator_id, tag_type_id, start, "end", quote, '
        f"attributes, entity_id FROM spans {clause}"
    ):
        spans[uuid] = SpanRow(
            uuid,
            document_uuid[doc_id],
            annotator_uuid[who],
            tag_keys[tag_id],
            start,
            end,
            quote,
            loads(attributes) if attributes != "{}" else {},
            entity_uuid.get(entity) if entity is not None else None,
        )
    links = (
        raw.execute(
            "SELECT l.uuid, l.document_id, l.link_type_id, a.uuid, b.uuid, l.annotator_id, "
            "l.attributes FROM links l JOIN spans a ON a.id = l.source_span_id "
            "JOIN spans b ON b.id = l.target_span_id"
        )
        if with_links
        else ()
    )
    for uuid, doc_id, type_id, source, target, who, attributes in links:
        if source not in spans or target not in spans:
            continue  # an endpoint is outside the chosen documents, layers or tags
        rows.links.append(
            LinkRow(
                uuid,
                document_uuid[doc_id],
                link_types[type_id],
                source,
                target,
                annotator_uuid[who],
                loads(attributes) if attributes != "{}" else {},
            )
        )
    for doc_id, who, status in raw.execute(
        "SELECT document_id, annotator_id, status FROM document_status ORDER BY id"
    ):
        if doc_id in document_uuid:
            rows.statuses.append((document_uuid[doc_id], annotator_uuid[who], status))
    return rows


def analytics_entities(session: ReadSession) -> dict[str, str]:
    """Every entity's name by uuid."""
    raw = session.connection.connection.driver_connection
    return dict(raw.execute("SELECT uuid, name FROM entities").fetchall())


def analytics_statuses(session: ReadSession) -> list[tuple[str, str, str]]:
    """(document uuid, annotator uuid, status) of every status row, in table order."""
    raw = session.connection.connection.driver_connection
    return raw.execute(
        "SELECT d.uuid, a.uuid, s.status FROM document_status s "
        "JOIN documents d ON d.id = s.document_id JOIN annotators a ON a.id = s.annotator_id "
        "ORDER BY s.id"
    ).fetchall()


def span_contexts(session: ReadSession, uuids: Collection[str]) -> dict[str, tuple[str, str]]:
    """(prefix, suffix) of each span in `uuids` (the keyword-in-context lines)."""
    if not uuids:
        return {}
    raw = session.connection.connection.driver_connection
    return {
        uuid: (prefix, suffix)
        for uuid, prefix, suffix in raw.execute(
            "SELECT uuid, prefix, suffix FROM spans WHERE uuid IN (SELECT value FROM json_each(?))",
            (orjson.dumps(sorted(uuids)).decode(),),
        )
    }
