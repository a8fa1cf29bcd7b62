"""The claims table read in SQL over span_keys (format version 5): one summary per claim node
(documents, outlets, first mention) for every claim, and the spans and links of only the claims
a page of the table shows — never a row per claim span of the project."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from operator import itemgetter

import orjson

from annotator.store.analytics_counts import (
    LinkScope,
    SpanScope,
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
    first span id, first span's quote), by first span id, with the maps from ids to
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
    texts, entities = claim_groups(session, scope.spans, claim_tags)
    outlet_of = {i: o for i, o in raw.execute("SELECT id, outlet FROM documents") if o}
    rows = [(t, h, *_places(outlet_of, ids), first, quote) for t, h, first, ids, quote in texts]
    if entities:
        rows += [(None, e, *_places(outlet_of, ids), f, quote) for e, f, ids, quote in entities]
        rows.sort(key=itemgetter(4))  # two runs in order: merged in one pass
    return ClaimSummaries(rows, _uuids_by_id(raw, "entities"), _tag_keys_by_id(raw))


def claim_groups(
    session: ReadSession, scope: SpanScope, claim_tags: Collection[str]
) -> tuple[list[tuple], list[tuple]]:
    """The claim nodes in scope grouped over span_keys (the caller checks `counted_in_sql`):
    text nodes as (tag type id, text hash, first span id, document ids, first quote) and
    entity nodes as (entity id, first span id, document ids, first quote), each by first span
    id; document ids: the one id, else every span's joined by commas. Shared by the claims
    table and the timeline's spread of claims."""
    raw = _raw(session)
    params: list = [_json_keys(claim_tags)]
    terms = [
        "k.tag_type_id IN (SELECT id FROM tag_types WHERE key IN (SELECT value FROM json_each(?)))",
        *_span_where(raw, scope, "k", params),
    ]
    # Per group its document: the one id, else every span's (few groups have more than one
    # document); both counted below. count(DISTINCT) and a join of documents per span took
    # 1.4 s of CPU on 250k claim spans, this 0.25 s. The first mentions' quotes are read in
    # id order (a third less than in the groups' order), which is also the table's last key.
    grouped = (
        "min(k.span_id) AS first, CASE WHEN min(k.document_id) < max(k.document_id) "
        "THEN group_concat(k.document_id) ELSE min(k.document_id) END FROM span_keys k"
    )
    texts = raw.execute(  # over the partial index, in its order: no temporary B-tree
        f"SELECT g.*, s.quote FROM (SELECT k.tag_type_id, k.text_hash, {grouped} "
        f"{_clause(['k.entity_id IS NULL', *terms])} GROUP BY k.tag_type_id, k.text_hash "
        "ORDER BY first) g CROSS JOIN spans s ON s.id = g.first",
        params,
    ).fetchall()
    entities = raw.execute(
        f"SELECT g.*, s.quote FROM (SELECT k.entity_id, {grouped} "
        f"{_clause(['k.entity_id IS NOT NULL', *terms])} GROUP BY k.entity_id "
        "ORDER BY first) g CROSS JOIN spans s ON s.id = g.first",
        params,
    ).fetchall()
    return texts, entities


def _places(outlet_of: dict[int, str], ids: int | str) -> tuple[int, int]:
    """(documents, outlets) of the document `ids`: one id, or ids joined by commas."""
    if type(ids) is int:
        return 1, 1 if ids in outlet_of else 0
    documents = {int(i) for i in ids.split(",")}  # type: ignore[union-attr]
    return len(documents), len({outlet_of.get(i) for i in documents} - {None})


@dataclass
class ClaimPage:
    """What a page of the claims table needs of its claims: their spans of every tag (id, uuid,
    document id, quote, entity id, tag type id, attributes, start; by id), the links in scope of
    the claim link types with an end among them — (link id, uuid, type key, then per end: span
    id, uuid, entity id, tag type id, text hash; then the source's and the target's quote) by
    id — and the first mention in link order of
    every text node at the other end — the first mention of a claim —: (tag type id, text
    hash) -> quote."""

    spans: list[tuple[int, str, int, str, int | None, int, str, int]]
    links: list[tuple]
    first_quotes: dict[tuple[int, int], str]
    documents: dict[int, str]
    entities: dict[int, str]
    tags: dict[int, str]


def claim_page(
    session: ReadSession, scope: LinkScope, groups: list[Group], claim_tags: Collection[str]
) -> ClaimPage:
    raw = _raw(session)
    tags = _tag_keys_by_id(raw)
    spans = group_spans(session, scope.spans, groups)
    ids = orjson.dumps([row[0] for row in spans]).decode()
    links: dict[int, tuple] = {}
    for near in ("source", "target"):
        params: list = [ids]
        terms = _link_terms(raw, scope, params, CLAIM_LINK_TYPES)
        for row in raw.execute(
            "SELECT l.id, l.uuid, t.key, a.id, a.uuid, a.entity_id, a.tag_type_id, ka.text_hash, "
            "b.id, b.uuid, b.entity_id, b.tag_type_id, kb.text_hash, a.quote, b.quote "
            "FROM json_each(?) j "
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
    claim_texts = {text for text in texts if tags[text[0]] in claim_tags}
    return ClaimPage(
        spans,
        ordered,
        first_quotes(session, scope, texts - claim_texts)
        | first_mentions(session, scope, claim_texts),
        _uuids_by_id(raw, "documents"),
        _uuids_by_id(raw, "entities"),
        tags,
    )


def first_mentions(
    session: ReadSession, scope: LinkScope, texts: Collection[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """(tag type id, text hash) -> the quote of the node's first span in scope (by id): the
    label of a claim, for the claims linked to those a page shows."""
    if not texts:
        return {}
    raw = _raw(session)
    params: list = [orjson.dumps(sorted(texts)).decode()]
    terms = _span_where(raw, scope.spans, "k", params)
    rows = raw.execute(
        "SELECT g.tag, g.hash, s.quote FROM (SELECT json_extract(j.value, '$[0]') AS tag, "
        "json_extract(j.value, '$[1]') AS hash, min(k.span_id) AS first FROM json_each(?) j "
        "CROSS JOIN span_keys k ON k.entity_id IS NULL "
        "AND k.tag_type_id = json_extract(j.value, '$[0]') "
        f"AND k.text_hash = json_extract(j.value, '$[1]') {_clause(terms)} GROUP BY j.value) g "
        "JOIN spans s ON s.id = g.first",
        params,
    ).fetchall()
    return {(tag, hashed): quote for tag, hashed, quote in rows}


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
