"""Statistics: spans per tag by document, outlet, author or month; attribute value counts;
co-occurrence of actors by document or sentence; annotation progress per annotator and status."""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotator.services.analytics.dataset import Dataset, spans_per_document_tag_of
from annotator.services.gc_pause import without_gc
from annotator.services.project import Project
from annotator.store.analytics_counts import (
    attribute_sets,
    span_attributes_with_key,
    span_places,
    span_uuids,
    uuids_of_spans,
)
from annotator.store.analytics_nodes import busiest_by_documents

GROUPINGS = ("document", "outlet", "author", "month")
NO_VALUE = "(none)"
STATUSES = ("new", "in_progress", "done")
SPANS = "spans"
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|\n+")


class CellSpans(Mapping[tuple[str, str], list[str]]):
    """The span uuids behind each cell of a counted table, read from the store only when a
    cell is asked for (a user clicks it): a table of a million spans holds no uuid list."""

    def __init__(self, cells: Iterable[tuple[str, str]], read: Callable[[tuple[str, str]], list]):
        self._cells = list(cells)
        self._known = set(self._cells)
        self._read = read
        self._found: dict[tuple[str, str], list[str]] = {}

    def __getitem__(self, cell: tuple[str, str]) -> list[str]:
        if cell not in self._known:
            raise KeyError(cell)
        if cell not in self._found:
            self._found[cell] = self._read(cell)
        return self._found[cell]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._cells)

    def __len__(self) -> int:
        return len(self._cells)


@dataclass
class Table:
    """A count table: rows by label, columns by label, and the spans behind each cell."""

    columns: list[str]
    rows: list[str]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    spans: Mapping[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def count(self, row: str, column: str) -> int:
        return self.counts.get((row, column), 0)

    def as_rows(self) -> list[list[object]]:
        return [[row, *(self.count(row, c) for c in self.columns)] for row in self.rows]


def _group_value(data: Dataset, document: str, grouping: str) -> str:
    info = data.documents[document]
    if grouping == "document":
        return info.title or document
    if grouping == "month":
        return info.published[:7] if len(info.published) >= 7 else NO_VALUE
    return getattr(info, grouping) or NO_VALUE


def spans_per_tag(data: Dataset, grouping: str) -> Table:
    """Spans of each tag (columns) per document, outlet, author or month (rows), counted in
    SQL per document and tag (one query for every grouping of a dataset)."""
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}")
    counts: dict[tuple[str, str], int] = {}
    members: dict[str, list[str]] = defaultdict(list)  # row -> its documents
    for document, tag, count in data.count("document_tag", spans_per_document_tag_of):
        row = _group_value(data, document, grouping)
        counts[(row, tag)] = counts.get((row, tag), 0) + count
    for document in data.documents:
        members[_group_value(data, document, grouping)].append(document)

    def read(cell: tuple[str, str]) -> list[str]:
        with data.project.store.read() as session:
            return span_uuids(session, data.scope, members[cell[0]], cell[1])

    columns = [t.key for t in data.schema.tag_types]
    table = Table(columns + sorted({tag for _, tag in counts} - set(columns)), [])
    table.counts, table.spans = counts, CellSpans(counts, read)
    if grouping == "document":  # project order, every kept document (also those with none)
        table.rows = [d.title or d.uuid for d in data.documents.values()]
    else:
        table.rows = sorted({row for row, _ in counts})
    return table


def _shown_values(value: Any) -> list[str]:
    """The counted values of one attribute value: a list counts each choice; None and ""
    count nothing; booleans as true/false."""
    found = []
    for one in value if isinstance(value, list) else [value]:
        if one is None or one == "":
            continue
        found.append(str(one).lower() if isinstance(one, bool) else str(one))
    return found


def attribute_distribution(data: Dataset) -> Table:
    """Spans per value of each choice, multi-choice and boolean attribute: rows
    "tag.attribute = value" (a multi-choice value counts each choice), one column "spans".
    Free text, dates and numbers are left out: they have no distribution worth a bar.
    SQL counts the spans of each distinct attribute object; each object is parsed once."""
    counted = {
        (t.key, a.key)
        for t in data.schema.tag_types
        for a in t.attributes
        if a.value_type in ("choice", "multi_choice", "boolean")
    }
    with data.project.store.read() as session:
        found = attribute_sets(session, data.scope, {tag for tag, _ in counted})
    counts: dict[tuple[str, str], int] = {}
    sources: dict[tuple[str, str], tuple[str, str, str]] = {}  # cell -> tag, key, value
    for tag, attributes, count in found:
        for key, value in orjson.loads(attributes).items():
            if (tag, key) not in counted:
                continue
            for shown in _shown_values(value):
                cell = (f"{tag}.{key} = {shown}", SPANS)
                counts[cell] = counts.get(cell, 0) + count
                sources[cell] = (tag, key, shown)

    def read(cell: tuple[str, str]) -> list[str]:
        tag, key, shown = sources[cell]
        with data.project.store.read() as session:
            rows = span_attributes_with_key(session, data.scope, tag, key)
        uuids = []
        for uuid, attributes in rows:
            value = orjson.loads(attributes)[key]
            uuids += [uuid for one in _shown_values(value) if one == shown]  # once a choice
        return uuids

    table = Table([SPANS], sorted({r for r, _ in counts}))
    table.counts, table.spans = counts, CellSpans(counts, read)
    return table


def _sentence_ends(text: str) -> list[int]:
    return [m.end() for m in _SENTENCE_END.finditer(text)]


@without_gc
def cooccurrence(project: Project, data: Dataset, unit: str = "document", limit: int = 25) -> Table:
    """How many documents (or sentences) name both actors, for the `limit` actors named in the
    most units; the diagonal counts the units naming the actor at all. Sentences end at . ! ?
    or … followed by white space, and at line breaks. The actor mentions are read as small
    rows (no uuid, attributes or context); the uuids only for the cells of the table."""
    if unit not in ("document", "sentence"):
        raise ValueError("unit must be document or sentence")
    actors = data.tags_of_kind("actor")
    with data.project.store.read() as session:
        busiest = None
        if unit == "document" and not data.merge_by_text:
            # only the spans of the nodes that can make the table, counted over span_keys
            busiest = busiest_by_documents(session, data.scope, actors, limit)
        places = span_places(session, data.scope, actors, busiest)
    units: dict[str, set[tuple[int, int]]] = defaultdict(set)  # node -> units
    spans: dict[tuple[int, int], list[int]] = defaultdict(list)  # unit -> span ids
    ends: dict[int, list[int]] = {}
    if unit == "sentence":
        with project.store.read() as session:
            for document in {row[1] for row in places.rows}:
                ends[document] = _sentence_ends(session.document_text(places.documents[document]))
    node_of: dict[int, str] = {}
    node_key, entities, tags = data.node_key, places.entities, places.tags
    for span, document, start, quote, entity, tag in places.rows:
        where = (document, 0 if unit == "document" else bisect_right(ends[document], start))
        node = node_of[span] = node_key(
            tags[tag], quote, entities[entity] if entity is not None else None
        )
        units[node].add(where)
        spans[where].append(span)
    sizes = {node: len(found) for node, found in units.items()}
    cutoff = heapq.nlargest(limit, sizes.values())[-1] if len(sizes) > limit else 0
    candidates = [node for node, size in sizes.items() if size >= cutoff]  # sort only these
    top = sorted(candidates, key=lambda n: (-sizes[n], data.label(n).casefold()))[:limit]
    labels = {node: data.label(node) for node in top}
    table = Table([labels[n] for n in top], [labels[n] for n in top])
    behind: dict[tuple[str, str], list[int]] = {}
    for a in top:
        for b in top:
            shared = units[a] & units[b]
            if shared:
                cell = (labels[a], labels[b])
                table.counts[cell] = len(shared)
                mine = {*(s for w in shared for s in spans[w])}
                behind[cell] = [s for s in mine if node_of[s] in (a, b)]
    with data.project.store.read() as session:
        uuids = uuids_of_spans(session, {s for ids in behind.values() for s in ids})
    table.spans = {cell: [uuids[s] for s in ids] for cell, ids in behind.items()}
    return table


@without_gc
def progress(data: Dataset) -> Table:
    """Documents per annotator and status (kept documents; "not started": no status row)."""
    columns = [*STATUSES, "not started"]
    by_annotator: dict[str, dict[str, str]] = defaultdict(dict)
    for document, annotator, status in data.statuses:
        by_annotator[annotator][document] = status
    people = sorted(by_annotator, key=lambda a: data.annotators.get(a, a).casefold())
    table = Table(columns, [data.annotators.get(a, a) for a in people])
    for annotator in people:
        name = data.annotators.get(annotator, annotator)
        counts = Counter(by_annotator[annotator].values())
        for status in STATUSES:
            if counts[status]:
                table.counts[(name, status)] = counts[status]
        table.counts[(name, "not started")] = len(data.documents) - sum(counts.values())
    return table
