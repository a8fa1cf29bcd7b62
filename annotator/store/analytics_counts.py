"""Counts for the analytics views in SQL: spans per document and tag, attribute values and
links per type under one SpanScope (the analytics filter as a WHERE clause), and the span
uuids behind one figure when a user asks for them. Aggregated rows, never a row per span."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import orjson

from annotator.store.project_store import ReadSession

#: (tag or link type key, attributes JSON) -> kept: the filter's attribute test, run in SQL.
AttributeTest = Callable[[str, str], bool]


def _uuids_by_id(raw: sqlite3.Connection, table: str) -> dict[int, str]:
    """id → uuid of every row of `table` (documents, entities): the folds key rows by id."""
    return dict(raw.execute(f"SELECT id, uuid FROM {table}").fetchall())


def _tag_keys_by_id(raw: sqlite3.Connection) -> dict[int, str]:
    return dict(raw.execute("SELECT id, key FROM tag_types").fetchall())


@dataclass(frozen=True)
class SpanScope:
    """Which spans a view counts. None narrows nothing; `keeps` is the attribute filter (a
    Python test SQLite calls per span: only set when the filter names attribute values)."""

    documents: tuple[str, ...] | None = None  # uuids
    annotators: frozenset[str] | None = None  # uuids
    tags: frozenset[str] | None = None  # keys
    keeps: AttributeTest | None = None


@dataclass(frozen=True)
class LinkScope:
    """Which links a view counts: both ends in `spans`, of `types`, passing `keeps`."""

    spans: SpanScope
    types: frozenset[str] | None = None
    keeps: AttributeTest | None = None


def _raw(session: ReadSession):
    return session.connection.connection.driver_connection


def _json(values: Collection[str]) -> str:
    return orjson.dumps(sorted(values)).decode()


def _link_terms(raw: sqlite3.Connection, scope: LinkScope, params: list) -> list[str]:
    """The WHERE terms (on links `l`) of the scope's link types and attribute test; their
    parameters are appended to `params`."""
    terms = []
    if scope.types is not None:
        terms.append(
            "l.link_type_id IN (SELECT id FROM link_types "
            "WHERE key IN (SELECT value FROM json_each(?)))"
        )
        params.append(_json(scope.types))
    if scope.keeps is not None:
        _register(raw, "analytics_link_keeps", scope.keeps, "link_types")
        terms.append("analytics_link_keeps(l.link_type_id, l.attributes)")
    return terms


def _span_where(raw, scope: SpanScope, alias: str, params: list[Any]) -> list[str]:
    """The WHERE terms of `scope` on spans `alias` (parameters appended to `params`)."""
    terms = []
    if scope.documents is not None:
        terms.append(
            f"{alias}.document_id IN (SELECT id FROM documents "
            "WHERE uuid IN (SELECT value FROM json_each(?)))"
        )
        params.append(_json(scope.documents))
    if scope.annotators is not None:
        terms.append(
            f"{alias}.annotator_id IN (SELECT id FROM annotators "
            "WHERE uuid IN (SELECT value FROM json_each(?)))"
        )
        params.append(_json(scope.annotators))
    if scope.tags is not None:
        terms.append(
            f"{alias}.tag_type_id IN (SELECT id FROM tag_types "
            "WHERE key IN (SELECT value FROM json_each(?)))"
        )
        params.append(_json(scope.tags))
    if scope.keeps is not None:
        _register(raw, "analytics_span_keeps", scope.keeps, "tag_types")
        terms.append(f"analytics_span_keeps({alias}.tag_type_id, {alias}.attributes)")
    return terms


def _register(raw, name: str, keeps: AttributeTest, types_table: str) -> None:
    """`name(type id, attributes)` on this connection: `keeps` by the type's key."""
    keys = dict(raw.execute(f"SELECT id, key FROM {types_table}").fetchall())

    def test(type_id: int, attributes: str) -> int:
        return int(keeps(keys.get(type_id, ""), attributes))

    raw.create_function(name, 2, test, deterministic=True)


def _clause(terms: list[str]) -> str:
    return f"WHERE {' AND '.join(terms)}" if terms else ""


def _spans_from(scope: SpanScope) -> str:
    """The spans table for a count: read in table order unless a document filter can use the
    (document, start) index (walking an index for every span cost 0.5 s of CPU against 0.36
    for the plain scan on 1M spans)."""
    return "spans s" if scope.documents is not None else "spans s NOT INDEXED"


def spans_per_document_tag(session: ReadSession, scope: SpanScope) -> list[tuple[str, str, int]]:
    """(document uuid, tag key, spans) for every pair with a span in scope."""
    raw, params = _raw(session), []
    clause = _clause(_span_where(raw, scope, "s", params))
    counts = raw.execute(
        f"SELECT document_id, tag_type_id, count(*) FROM {_spans_from(scope)} "
        f"{clause} GROUP BY document_id, tag_type_id",
        params,
    ).fetchall()
    documents = _uuids_by_id(raw, "documents")
    tags = _tag_keys_by_id(raw)
    return [(documents[d], tags[t], n) for d, t, n in counts]


def attribute_sets(
    session: ReadSession, scope: SpanScope, tags: Collection[str]
) -> list[tuple[str, str, int]]:
    """(tag key, attributes JSON, spans) of the spans in scope of `tags` with any attribute:
    spans share few distinct attribute objects (8.6k among 1M spans), so the caller parses
    each once instead of SQLite parsing every span's."""
    raw, params = _raw(session), [_json(tags)]
    terms = [
        "s.attributes <> '{}'",
        "s.tag_type_id IN (SELECT id FROM tag_types WHERE key IN (SELECT value FROM json_each(?)))",
        *_span_where(raw, scope, "s", params),
    ]
    keys = _tag_keys_by_id(raw)
    return [
        (keys[tag], attributes, count)
        for tag, attributes, count in raw.execute(
            f"SELECT s.tag_type_id, s.attributes, count(*) FROM {_spans_from(scope)} "
            f"{_clause(terms)} GROUP BY 1, 2",
            params,
        )
    ]


@dataclass
class SpanPlaces:
    """Spans as raw rows (span id, document id, start, quote, entity id or None, tag type id)
    and the maps from those ids to uuids and keys (one lookup per row costs more than the
    row: the caller maps what it uses)."""

    rows: list[tuple[int, int, int, str, int | None, int]]
    documents: dict[int, str]
    entities: dict[int, str]
    tags: dict[int, str]


def span_places(
    session: ReadSession, scope: SpanScope, tags: Collection[str], rows: list | None = None
) -> SpanPlaces:
    """The spans in scope of `tags`, in table order: what places a mention (co-occurrence)
    without its uuid, attributes or contexts. `rows`: those already read (only the maps are)."""
    raw, params = _raw(session), [_json(tags)]
    terms = [
        "s.tag_type_id IN (SELECT id FROM tag_types WHERE key IN (SELECT value FROM json_each(?)))",
        *_span_where(raw, scope, "s", params),
    ]
    if rows is None:
        rows = raw.execute(
            "SELECT s.id, s.document_id, s.start, s.quote, s.entity_id, s.tag_type_id "
            f"FROM {_spans_from(scope)} {_clause(terms)} ORDER BY s.id",
            params,
        ).fetchall()
    return SpanPlaces(
        rows,
        _uuids_by_id(raw, "documents"),
        _uuids_by_id(raw, "entities"),
        _tag_keys_by_id(raw),
    )


@dataclass
class SpanFacts:
    """Spans as raw rows (uuid, document id, quote, entity id or None, tag type id,
    attributes JSON) with the maps from ids to uuids and keys."""

    rows: list[tuple[str, int, str, int | None, int, str]]
    documents: dict[int, str]
    entities: dict[int, str]
    tags: dict[int, str]


def span_facts(session: ReadSession, scope: SpanScope, tags: Collection[str] | None) -> SpanFacts:
    """The spans in scope (of `tags` too, unless None), in table order, as small rows (no
    context, no fragment): what the network, the timeline and the claims table fold."""
    raw, params = _raw(session), []
    terms = []
    if tags is not None:
        terms.append(
            "s.tag_type_id IN (SELECT id FROM tag_types "
            "WHERE key IN (SELECT value FROM json_each(?)))"
        )
        params.append(_json(tags))
    terms += _span_where(raw, scope, "s", params)
    return SpanFacts(
        raw.execute(
            "SELECT s.uuid, s.document_id, s.quote, s.entity_id, s.tag_type_id, s.attributes "
            f"FROM {_spans_from(scope)} {_clause(terms)} ORDER BY s.id",
            params,
        ).fetchall(),
        _uuids_by_id(raw, "documents"),
        _uuids_by_id(raw, "entities"),
        _tag_keys_by_id(raw),
    )


@dataclass
class LinkEnds:
    """Links as raw rows: (uuid, link type id, source uuid, source tag type id, source quote,
    source entity id, target uuid, target tag type id, target quote, target entity id)."""

    rows: list[tuple]
    entities: dict[int, str]
    tags: dict[int, str]
    types: dict[int, str]


def link_ends(
    session: ReadSession, scope: LinkScope, types: Collection[str] | None = None
) -> LinkEnds:
    """The links in scope (of `types` too, when given), in table order, each with what names
    its two ends' nodes."""
    raw, params = _raw(session), []
    terms = _span_where(raw, scope.spans, "a", params) + _span_where(raw, scope.spans, "b", params)
    for chosen in (scope.types, types):
        if chosen is not None:
            terms.append(
                "l.link_type_id IN (SELECT id FROM link_types "
                "WHERE key IN (SELECT value FROM json_each(?)))"
            )
            params.append(_json(chosen))
    if scope.keeps is not None:
        _register(raw, "analytics_link_keeps", scope.keeps, "link_types")
        terms.append("analytics_link_keeps(l.link_type_id, l.attributes)")
    return LinkEnds(
        raw.execute(
            "SELECT l.uuid, l.link_type_id, a.uuid, a.tag_type_id, a.quote, a.entity_id, "
            "b.uuid, b.tag_type_id, b.quote, b.entity_id FROM links l "
            "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
            f"{_clause(terms)} ORDER BY l.id",
            params,
        ).fetchall(),
        _uuids_by_id(raw, "entities"),
        _tag_keys_by_id(raw),
        dict(raw.execute("SELECT id, key FROM link_types").fetchall()),
    )


def kept_links(
    session: ReadSession, scope: LinkScope
) -> tuple[list[tuple[str, int, int, str, str]], dict[int, str], dict[int, str]]:
    """(uuid, document id, link type id, source uuid, target uuid) of the links in scope, in
    table order, with the document uuids and link type keys by id."""
    raw, params = _raw(session), []
    terms = _span_where(raw, scope.spans, "a", params) + _span_where(raw, scope.spans, "b", params)
    terms += _link_terms(raw, scope, params)
    rows = raw.execute(
        "SELECT l.uuid, l.document_id, l.link_type_id, a.uuid, b.uuid FROM links l "
        "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
        f"{_clause(terms)} ORDER BY l.id",
        params,
    ).fetchall()
    return (
        rows,
        _uuids_by_id(raw, "documents"),
        dict(raw.execute("SELECT id, key FROM link_types").fetchall()),
    )


def uuids_of_spans(session: ReadSession, ids: Collection[int]) -> dict[int, str]:
    """Span uuid by id."""
    raw = _raw(session)
    return dict(
        raw.execute(
            "SELECT id, uuid FROM spans WHERE id IN (SELECT value FROM json_each(?))",
            (orjson.dumps(sorted(ids)).decode(),),
        ).fetchall()
    )


def links_per_type(session: ReadSession, scope: LinkScope) -> list[tuple[str, int]]:
    """(link type key, links) of the links in scope."""
    raw, params = _raw(session), []
    terms = _span_where(raw, scope.spans, "a", params) + _span_where(raw, scope.spans, "b", params)
    terms += _link_terms(raw, scope, params)
    types = dict(raw.execute("SELECT id, key FROM link_types").fetchall())
    return [
        (types[type_id], count)
        for type_id, count in raw.execute(
            "SELECT l.link_type_id, count(*) FROM links l "
            "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
            f"{_clause(terms)} GROUP BY l.link_type_id",
            params,
        )
    ]


def span_uuids(
    session: ReadSession, scope: SpanScope, documents: Collection[str], tag: str
) -> list[str]:
    """The uuids of the spans in scope of `tag` in `documents` (uuids), in table order: the
    spans behind one cell of a spans-per-tag table."""
    raw, params = _raw(session), []
    terms = _span_where(raw, scope, "s", params)
    terms.append(
        "s.document_id IN (SELECT id FROM documents WHERE uuid IN (SELECT value FROM json_each(?)))"
    )
    params.append(_json(documents))
    terms.append("s.tag_type_id = (SELECT id FROM tag_types WHERE key = ?)")
    params.append(tag)
    return [
        uuid
        for (uuid,) in raw.execute(f"SELECT uuid FROM spans s {_clause(terms)} ORDER BY id", params)
    ]


def span_attributes_with_key(
    session: ReadSession, scope: SpanScope, tag: str, key: str
) -> list[tuple[str, str]]:
    """(uuid, attributes JSON) of the spans in scope of `tag` whose attributes name `key`, in
    table order: the caller picks those of one value (the spans behind an attribute bar)."""
    raw, params = _raw(session), []
    terms = _span_where(raw, scope, "s", params)
    terms.append("s.tag_type_id = (SELECT id FROM tag_types WHERE key = ?)")
    params.append(tag)
    terms.append("EXISTS (SELECT 1 FROM json_each(s.attributes) j WHERE j.key = ?)")
    params.append(key)
    return raw.execute(
        f"SELECT uuid, attributes FROM spans s {_clause(terms)} ORDER BY id", params
    ).fetchall()


def span_passages(
    session: ReadSession, scope: SpanScope, uuids: Collection[str]
) -> list[tuple[str, str, int, int, str, str]]:
    """(uuid, document uuid, start, end, quote, annotator uuid) of the spans in `uuids` that
    are in scope: the passages a user lists, read when asked for."""
    raw, params = _raw(session), [_json(set(uuids))]
    terms = ["s.uuid IN (SELECT value FROM json_each(?))", *_span_where(raw, scope, "s", params)]
    return raw.execute(
        'SELECT s.uuid, d.uuid, s.start, s."end", s.quote, a.uuid FROM spans s '
        "JOIN documents d ON d.id = s.document_id JOIN annotators a ON a.id = s.annotator_id "
        f"{_clause(terms)}",
        params,
    ).fetchall()


def link_passages(session: ReadSession, scope: LinkScope, uuids: Collection[str]) -> list[tuple]:
    """(link type key, link annotator uuid, source uuid, source document uuid, source start,
    source end, source quote, target quote) of the links in `uuids` that are in scope, in
    table order."""
    raw, params = _raw(session), [_json(set(uuids))]
    terms = ["l.uuid IN (SELECT value FROM json_each(?))"]
    terms += _span_where(raw, scope.spans, "a", params) + _span_where(raw, scope.spans, "b", params)
    terms += _link_terms(raw, scope, params)
    return raw.execute(
        'SELECT t.key, w.uuid, a.uuid, d.uuid, a.start, a."end", a.quote, b.quote FROM links l '
        "JOIN link_types t ON t.id = l.link_type_id JOIN annotators w ON w.id = l.annotator_id "
        "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
        f"JOIN documents d ON d.id = a.document_id {_clause(terms)} ORDER BY l.id",
        params,
    ).fetchall()
