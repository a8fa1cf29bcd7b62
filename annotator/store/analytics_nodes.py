"""Nodes of the analytics network counted in SQL over span_keys (format version 5): the most
mentioned nodes under a filter, how many nodes there are, and only those nodes' spans and the
links between them as rows — never a row per span of the project."""

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
from annotator.store.project_store import ReadSession
from annotator.store.span_keys import keys_complete

#: A node as SQL groups it: ("entity", entity id) or ("text", tag type id, text hash).
Group = tuple


def counted_in_sql(session: ReadSession, scope: SpanScope) -> bool:
    """Whether `scope` can be counted over span_keys: every span has its key, and no
    attribute filter (a Python test on each span's attributes) narrows it."""
    return scope.keeps is None and keys_complete(_raw(session))


@dataclass
class BusiestGroups:
    """The `limit` most mentioned groups (mentions, then entities before texts, then ids) and
    how many groups the filter keeps in all."""

    groups: list[tuple[Group, int]]
    total: int


def busiest_groups(session: ReadSession, scope: SpanScope, limit: int) -> BusiestGroups:
    raw, params = _raw(session), []
    terms = _span_where(raw, scope, "k", params)
    text_terms = _clause(["k.entity_id IS NULL", *terms])
    grouped = (
        f"FROM span_keys k {text_terms} GROUP BY k.tag_type_id, k.text_hash"  # the index order
    )
    texts = raw.execute(
        f"SELECT k.tag_type_id, k.text_hash, count(*) AS c {grouped} "
        "ORDER BY c DESC, k.tag_type_id, k.text_hash LIMIT ?",
        [*params, limit],
    ).fetchall()
    text_total = raw.execute(f"SELECT count(*) FROM (SELECT 1 {grouped})", params).fetchone()[0]
    entities = raw.execute(
        "SELECT k.entity_id, count(*) FROM span_keys k "
        f"{_clause(['k.entity_id IS NOT NULL', *terms])} GROUP BY k.entity_id",
        params,
    ).fetchall()
    ranked = [((0, e), (("entity", e), n)) for e, n in entities]
    ranked += [((1, t, h), (("text", t, h), n)) for t, h, n in texts]
    ranked.sort(key=lambda item: (-item[1][1], item[0]))
    return BusiestGroups([found for _, found in ranked[:limit]], text_total + len(entities))


def group_spans(
    session: ReadSession,
    scope: SpanScope,
    groups: list[Group],
    tags: Collection[str] | None = None,
) -> list[tuple[int, str, int, str, int | None, int, str, int]]:
    """(id, uuid, document id, quote, entity id, tag type id, attributes, start) of the spans
    in scope of `groups` (of `tags` too, unless None), by id: the mentions of the nodes a view
    shows."""
    raw = _raw(session)
    texts = [[g[1], g[2]] for g in groups if g[0] == "text"]
    entities = [g[1] for g in groups if g[0] == "entity"]
    params: list = [orjson.dumps(texts).decode()]
    text_terms = _span_where(raw, scope, "k", params)
    params.append(orjson.dumps(entities).decode())
    entity_terms = _span_where(raw, scope, "k", params)
    if tags is not None:  # an entity's node takes in its mentions of every tag
        entity_terms.append(
            "k.tag_type_id IN (SELECT id FROM tag_types WHERE key IN "
            "(SELECT value FROM json_each(?)))"
        )
        params.append(_json_keys(tags))
    # The ids first (CROSS JOIN: SQLite loops over the few groups and seeks each in the
    # index), then the spans by id in id order: a third less CPU than reading them in
    # the groups' order, all over the file.
    rows = raw.execute(
        "SELECT s.id, s.uuid, s.document_id, s.quote, s.entity_id, s.tag_type_id, s.attributes, "
        "s.start FROM spans s WHERE s.id IN ("
        "SELECT k.span_id FROM json_each(?) j CROSS JOIN span_keys k "
        "ON k.entity_id IS NULL AND k.tag_type_id = json_extract(j.value, '$[0]') "
        f"AND k.text_hash = json_extract(j.value, '$[1]') {_clause(text_terms)} "
        "UNION ALL SELECT k.span_id FROM json_each(?) j CROSS JOIN span_keys k "
        f"ON k.entity_id = j.value {_clause(entity_terms)})",
        params,
    ).fetchall()
    rows.sort(key=itemgetter(0))
    return rows


def links_among(
    session: ReadSession, scope: LinkScope, span_ids: list[int]
) -> list[tuple[str, int, int, str, str]]:
    """(uuid, document id, link type id, source uuid, target uuid) of the links in scope (of
    its link types; no attribute test) whose two ends are both among `span_ids`, by id."""
    raw = _raw(session)
    ids = orjson.dumps(sorted(span_ids)).decode()
    params: list = [ids, ids]
    terms = ["l.target_span_id IN (SELECT value FROM json_each(?))"]
    if scope.types is not None:
        terms.append(
            "l.link_type_id IN (SELECT id FROM link_types "
            "WHERE key IN (SELECT value FROM json_each(?)))"
        )
        params.append(orjson.dumps(sorted(scope.types)).decode())
    return raw.execute(
        "SELECT l.uuid, l.document_id, l.link_type_id, a.uuid, b.uuid FROM json_each(?) j "
        "CROSS JOIN links l ON l.source_span_id = j.value "
        "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
        f"{_clause(terms)} ORDER BY l.id",
        params,
    ).fetchall()


@dataclass
class ShownRows:
    """What the network view needs of the busiest nodes: their groups (with mentions), their
    spans (uuid, document id, quote, entity id, tag type id, attributes; by id), the links
    among those spans, the maps from ids to uuids and keys, and the number of nodes."""

    groups: list[tuple[Group, int]]
    spans: list[tuple[str, int, str, int | None, int, str]]
    links: list[tuple[str, int, int, str, str]]
    documents: dict[int, str]
    entities: dict[int, str]
    tags: dict[int, str]
    link_types: dict[int, str]
    total: int


def shown_rows(session: ReadSession, scope: LinkScope, limit: int) -> ShownRows | None:
    """The rows of the `limit` busiest nodes under `scope`, or None when SQL cannot count
    them (`counted_in_sql`; an attribute filter on links too)."""
    if scope.keeps is not None or not counted_in_sql(session, scope.spans):
        return None
    raw = _raw(session)
    found = busiest_groups(session, scope.spans, limit)
    rows = group_spans(session, scope.spans, [group for group, _ in found.groups])
    return ShownRows(
        found.groups,
        [row[1:7] for row in rows],
        links_among(session, scope, [row[0] for row in rows]),
        _uuids_by_id(raw, "documents"),
        _uuids_by_id(raw, "entities"),
        _tag_keys_by_id(raw),
        dict(raw.execute("SELECT id, key FROM link_types").fetchall()),
        found.total,
    )


def busiest_by_documents(
    session: ReadSession, scope: SpanScope, tags: Collection[str], limit: int
) -> list[tuple[int, int, int, str, int | None, int]] | None:
    """The spans (id, document id, start, quote, entity id, tag type id; by id) of `tags` in
    scope of every node named in at least as many documents as the `limit`-th most named one
    (ties at the cut come whole: the caller orders them by label), or None when SQL cannot
    count them (`counted_in_sql`)."""
    if not counted_in_sql(session, scope):
        return None
    raw = _raw(session)
    params: list = [_json_keys(tags)]
    terms = [
        "k.tag_type_id IN (SELECT id FROM tag_types WHERE key IN (SELECT value FROM json_each(?)))",
        *_span_where(raw, scope, "k", params),
    ]
    sizes = [
        (("entity", e), n)
        for e, n in raw.execute(
            "SELECT k.entity_id, count(DISTINCT k.document_id) FROM span_keys k "
            f"{_clause(['k.entity_id IS NOT NULL', *terms])} GROUP BY k.entity_id",
            params,
        )
    ]
    texts = raw.execute(
        "SELECT k.tag_type_id, k.text_hash, count(DISTINCT k.document_id) AS n FROM span_keys k "
        f"{_clause(['k.entity_id IS NULL', *terms])} GROUP BY 1, 2 ORDER BY n DESC",
        params,
    )
    ranked = sorted((n for _, n in sizes), reverse=True)
    for tag, hashed, n in texts:  # largest first: stop below the cut
        if len(ranked) >= limit and n < ranked[limit - 1]:
            break
        sizes.append((("text", tag, hashed), n))
        ranked = sorted([*ranked, n], reverse=True)[: max(limit, 1)]
    texts.close()
    cut = ranked[limit - 1] if len(ranked) >= limit else 0
    groups = [group for group, n in sizes if n >= cut]
    return [
        (row[0], row[2], row[7], row[3], row[4], row[5])
        for row in group_spans(session, scope, groups, tags)
    ]


def _json_keys(values: Collection[str]) -> str:
    return orjson.dumps(sorted(values)).decode()
