"""The claims table read in SQL over span_keys (format version 5): one summary per claim node
(documents, outlets, first mention) for every claim, and the spans and links of only the claims
a page of the table shows — never a row per claim span of the project."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import orjson

from annotator.store.analytics_counts import (
    LinkScope,
    _clause,
    _raw,
    _span_where,
    _tag_keys_by_id,
    _uuids_by_id,
)
from annotator.store.analytics_nodes import Group, _json_keys, counted_in_sql, group_spans
from annotator.store.project_store import ReadSession

#: The link types the claims table reads (asserts, supports, contradicts).
CLAIM_LINK_TYPES = ("asserts", "supports", "contradicts")


@dataclass
class ClaimSummaries:
    """Per claim node: (tag type id, text hash — or None, entity id —, documents, outlets,
    first span id, first span's quote), in no particular order, with the maps from ids to
    entity uuids and tag keys."""

    rows: list[tuple[int | None, int, int, int, int, str]]
    entities: dict[int, str]
    tags: dict[int, str]


def claim_summaries(
    session: ReadSession, scope: LinkScope, claim_tags: Collection[str]
) -> ClaimSummaries | None:
    """Every claim node in scope counted in SQL, or None when SQL cannot count them
    (`counted_in_sql`; an attribute filter on links too)."""
    if scope.keeps is not None or not counted_in_sql(session, scope.spans):
        return None
    raw = _raw(session)
    params: list = [_json_keys(claim_tags)]
    terms = [
        "k.tag_type_id IN (SELECT id FROM tag_types WHERE key IN (SELECT value FROM json_each(?)))",
        *_span_where(raw, scope.spans, "k", params),
    ]
    # Per group its distinct documents: the one id, else all of them (few groups have
    # more), for the outlets counted below: joining documents for every span read each
    # document row again and took 1.0 s of CPU on 250k claim spans, against 0.4 s for this.
    counts = (
        "count(DISTINCT k.document_id), min(k.span_id), CASE WHEN count(DISTINCT k.document_id) "
        "> 1 THEN group_concat(DISTINCT k.document_id) ELSE min(k.document_id) END FROM span_keys k"
    )
    texts = raw.execute(  # over the partial index, in its order: no temporary B-tree
        f"SELECT k.tag_type_id, k.text_hash, {counts} "
        f"{_clause(['k.entity_id IS NULL', *terms])} GROUP BY k.tag_type_id, k.text_hash",
        params,
    ).fetchall()
    entities = raw.execute(
        f"SELECT k.entity_id, {counts} "
        f"{_clause(['k.entity_id IS NOT NULL', *terms])} GROUP BY k.entity_id",
        params,
    ).fetchall()
    outlet_of = {i: o for i, o in raw.execute("SELECT id, outlet FROM documents") if o}
    firsts = sorted([row[3] for row in texts] + [row[2] for row in entities])
    quotes = dict(  # the first mentions by id in id order: a third of reading them in group order
        raw.execute(
            "SELECT id, quote FROM spans WHERE id IN (SELECT value FROM json_each(?))",
            [orjson.dumps(firsts).decode()],
        ).fetchall()
    )
    rows = [
        (t, h, n, _outlets(outlet_of, n, ids), first, quotes[first])
        for t, h, n, first, ids in texts
    ]
    rows += [
        (None, e, n, _outlets(outlet_of, n, ids), first, quotes[first])
        for e, n, first, ids in entities
    ]
    return ClaimSummaries(rows, _uuids_by_id(raw, "entities"), _tag_keys_by_id(raw))


def _outlets(outlet_of: dict[int, str], documents: int, ids: int | str) -> int:
    """How many outlets the documents `ids` (one id, or several joined by commas) have."""
    if documents == 1:
        return 1 if ids in outlet_of else 0
    return len({outlet_of.get(int(i)) for i in ids.split(",")} - {None})


@dataclass
class ClaimPage:
    """What a page of the claims table needs of its claims: their spans of every tag (id, uuid,
    document id, quote, entity id, tag type id, attributes, start; by id), the links in scope of
    the claim link types with an end among them — (link id, uuid, type key, then per end: span
    id, uuid, entity id, tag type id, text hash) by id — and the first mention in link order of
    every text node at the other end: (tag type id, text hash) -> quote."""

    spans: list[tuple[int, str, int, str, int | None, int, str, int]]
    links: list[tuple]
    first_quotes: dict[tuple[int, int], str]
    documents: dict[int, str]
    entities: dict[int, str]
    tags: dict[int, str]


def claim_page(session: ReadSession, scope: LinkScope, groups: list[Group]) -> ClaimPage:
    raw = _raw(session)
    spans = group_spans(session, scope.spans, groups)
    ids = orjson.dumps([row[0] for row in spans]).decode()
    links: dict[int, tuple] = {}
    for near in ("source", "target"):
        params: list = [ids]
        terms = _link_terms(raw, scope, params, CLAIM_LINK_TYPES)
        for row in raw.execute(
            "SELECT l.id, l.uuid, t.key, a.id, a.uuid, a.entity_id, a.tag_type_id, ka.text_hash, "
            "b.id, b.uuid, b.entity_id, b.tag_type_id, kb.text_hash FROM json_each(?) j "
            f"CROSS JOIN links l ON l.{near}_span_id = j.value "
            "JOIN link_types t ON t.id = l.link_type_id "
            "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
            "LEFT JOIN span_keys ka ON ka.span_id = a.id "
            f"LEFT JOIN span_keys kb ON kb.span_id = b.id {_clause(terms)}",
            params,
        ):
            links[row[0]] = row
    ordered = [links[i] for i in sorted(links)]
    texts = {
        (tag, hashed)
        for row in ordered
        for _, _, entity, tag, hashed in (row[3:8], row[8:13])
        if entity is None
    }
    return ClaimPage(
        spans,
        ordered,
        first_quotes(session, scope, texts),
        _uuids_by_id(raw, "documents"),
        _uuids_by_id(raw, "entities"),
        _tag_keys_by_id(raw),
    )


def first_quotes(
    session: ReadSession, scope: LinkScope, texts: Collection[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """(tag type id, text hash) -> the quote of the node's first end in link order (by link
    id, the source before the target) among the links in scope: the label a text node gets
    where the claims table first meets it."""
    if not texts:
        return {}
    raw = _raw(session)
    params: list = [orjson.dumps(sorted(texts)).decode()]
    near_terms = _span_where(raw, scope.spans, "k", params)
    hits = []
    for near, far, offset in (("source", "target", 0), ("target", "source", 1)):
        hits.append(
            f"SELECT e.tag, e.hash, l.id * 2 + {offset} AS o, e.span_id AS span FROM ends e "
            f"CROSS JOIN links l ON l.{near}_span_id = e.span_id "
            f"JOIN spans f ON f.id = l.{far}_span_id "
            + _clause(_link_terms(raw, scope, params, None, far_only="f"))
        )
    rows = raw.execute(
        "WITH ends AS (SELECT json_extract(j.value, '$[0]') AS tag, "
        "json_extract(j.value, '$[1]') AS hash, k.span_id FROM json_each(?) j "
        "CROSS JOIN span_keys k ON k.entity_id IS NULL "
        "AND k.tag_type_id = json_extract(j.value, '$[0]') "
        f"AND k.text_hash = json_extract(j.value, '$[1]') {_clause(near_terms)}) "
        "SELECT h.tag, h.hash, s.quote FROM (SELECT tag, hash, min(o), span FROM ("
        f"{' UNION ALL '.join(hits)}) GROUP BY tag, hash) h JOIN spans s ON s.id = h.span",
        params,
    ).fetchall()
    return {(tag, hashed): quote for tag, hashed, quote in rows}


def _link_terms(
    raw,
    scope: LinkScope,
    params: list,
    types: Collection[str] | None,
    far_only: str | None = None,
) -> list[str]:
    """The WHERE terms of a link `l` in scope: its ends (`a`, `b`; or only the far end
    `far_only`, the near one being checked by the caller) in the span scope, its type among
    the scope's types and `types`."""
    terms = []
    for alias in (far_only,) if far_only else ("a", "b"):
        terms += _span_where(raw, scope.spans, alias, params)
    for chosen in (scope.types, types):
        if chosen is not None:
            terms.append(
                "l.link_type_id IN (SELECT id FROM link_types "
                "WHERE key IN (SELECT value FROM json_each(?)))"
            )
            params.append(_json_keys(chosen))
    return terms
