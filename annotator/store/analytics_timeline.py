"""The timeline read in SQL: events counted per document and placed date (their first date
attribute given, else their document's publication date), the participates_in links that put
events in actor lanes, and the events placed on one date — never a row per event of the
project."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from annotator.store.analytics_counts import (
    LinkScope,
    SpanScope,
    _clause,
    _json,
    _link_terms,
    _raw,
    _span_where,
    _spans_from,
    _tag_keys_by_id,
    _uuids_by_id,
)
from annotator.store.project_store import ReadSession

#: (tag type id, attributes JSON, not "{}") -> the event's own date as the timeline shows it
#: (its first date attribute given), or "" when it has none.
DateOf = Callable[[int, str], str]

_GIVEN = "analytics_event_date"


def _placed(raw, date_of: DateOf, alias: str) -> tuple[str, str]:
    """SQL for the date an event span `alias` is placed on and whether it is estimated (its
    document's publication date, from a `documents` row `d`, stands in). The date attribute is
    read by `date_of` (the fold's own Python test: values of any JSON type, as given), called
    only for spans with attributes."""
    raw.create_function(_GIVEN, 2, date_of, deterministic=True)
    given = (
        f"CASE WHEN {alias}.attributes = '{{}}' THEN '' "
        f"ELSE {_GIVEN}({alias}.tag_type_id, {alias}.attributes) END"
    )
    return given, "substr(d.published, 1, 10)"


def _tag_terms(tags: Collection[str], alias: str, params: list) -> str:
    params.append(_json(tags))
    return (
        f"{alias}.tag_type_id IN (SELECT id FROM tag_types WHERE key IN "
        "(SELECT value FROM json_each(?)))"
    )


def event_places(
    session: ReadSession,
    scope: SpanScope,
    event_tags: Collection[str],
    date_of: DateOf,
    by_document: bool,
) -> list[tuple[int | None, str, int, int]]:
    """(document id — None unless `by_document` —, date placed on, estimated 0/1, events) of
    the event spans in scope: a row per date (and document), not per event."""
    raw, params = _raw(session), []
    given, published = _placed(raw, date_of, "s")
    terms = [_tag_terms(event_tags, "s", params), *_span_where(raw, scope, "s", params)]
    # Grouped by document and own date first: the outer query reads the own date per group,
    # where a flattened subquery called `date_of` three times per span.
    document = "e.document_id" if by_document else "NULL"
    return raw.execute(
        f"SELECT {document}, CASE WHEN e.given = '' THEN {published} ELSE e.given END AS placed, "
        "e.given = '' AS guessed, sum(e.n) FROM (SELECT s.document_id, "
        f"{given} AS given, count(*) AS n FROM {_spans_from(scope)} {_clause(terms)} "
        "GROUP BY 1, 2) e JOIN documents d ON d.id = e.document_id GROUP BY 1, 2, 3",
        params,
    ).fetchall()


def participations(
    session: ReadSession,
    scope: LinkScope,
    event_tags: Collection[str],
    date_of: DateOf,
    link_type: str,
) -> list[tuple]:
    """The `link_type` (participates_in) links in scope, by id: (source tag type id, source
    quote, source entity id, target span id, then — when the target is an event — the date it
    is placed on and whether that is estimated, else NULL, NULL). A row per link: the actor
    lanes' few thousand links, not the events."""
    raw, params = _raw(session), []
    given, published = _placed(raw, date_of, "b")
    events = _tag_terms(event_tags, "b", params)
    terms = _span_where(raw, scope.spans, "a", params) + _span_where(raw, scope.spans, "b", params)
    terms.append("l.link_type_id = (SELECT id FROM link_types WHERE key = ?)")
    params.append(link_type)
    terms += _link_terms(raw, scope, params)
    return raw.execute(
        "SELECT a_tag, a_quote, a_entity, b_id, CASE WHEN NOT is_event THEN NULL "
        f"WHEN given = '' THEN {published} ELSE given END, "
        "CASE WHEN is_event THEN given = '' END FROM (SELECT l.id AS id, a.tag_type_id AS a_tag, "
        "a.quote AS a_quote, a.entity_id AS a_entity, b.id AS b_id, b.document_id AS b_doc, "
        f"{events} AS is_event, {given} AS given FROM links l "
        "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
        f"{_clause(terms)}) e JOIN documents d ON d.id = e.b_doc ORDER BY e.id",
        params,
    ).fetchall()


def events_on(
    session: ReadSession,
    scope: SpanScope,
    event_tags: Collection[str],
    date_of: DateOf,
    date: str,
    estimated: bool,
) -> list[tuple[int, str, int, str, int | None, int]]:
    """(span id, uuid, document id, quote, entity id, tag type id) of the event spans in scope
    placed on `date` (by their own date, or `estimated`: by their document's), by id: the
    events behind one point of the chart."""
    raw, params = _raw(session), []
    given, _ = _placed(raw, date_of, "s")
    terms = [_tag_terms(event_tags, "s", params), *_span_where(raw, scope, "s", params)]
    if estimated:  # only the documents of that day, through the (document, start) index
        terms += [
            "s.document_id IN (SELECT id FROM documents WHERE substr(published, 1, 10) = ?)",
            f"({given}) = ''",
        ]
        table = "spans s"
    else:
        terms += ["s.attributes <> '{}'", f"({given}) = ?"]
        table = _spans_from(scope)
    params.append(date)
    return raw.execute(
        "SELECT s.id, s.uuid, s.document_id, s.quote, s.entity_id, s.tag_type_id "
        f"FROM {table} {_clause(terms)} ORDER BY s.id",
        params,
    ).fetchall()


@dataclass
class IdMaps:
    """The maps from row ids to what the views name: tag type keys, entity and document
    uuids."""

    tags: dict[int, str]
    entities: dict[int, str]
    documents: dict[int, str]


def id_maps(session: ReadSession) -> IdMaps:
    raw = _raw(session)
    return IdMaps(
        _tag_keys_by_id(raw), _uuids_by_id(raw, "entities"), _uuids_by_id(raw, "documents")
    )


def document_places(session: ReadSession) -> dict[int, tuple[str, str]]:
    """Per document id: (publication day — its first ten characters —, outlet)."""
    return {
        i: (published[:10], outlet or "")
        for i, published, outlet in _raw(session).execute(
            "SELECT id, published, outlet FROM documents"
        )
    }
