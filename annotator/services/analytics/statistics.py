"""Statistics: spans per tag by document, outlet, author or month; attribute value counts;
co-occurrence of actors by document or sentence; annotation progress per annotator and status."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from annotator.services.analytics.dataset import Dataset
from annotator.services.gc_pause import without_gc
from annotator.services.project import Project

GROUPINGS = ("document", "outlet", "author", "month")
NO_VALUE = "(none)"
STATUSES = ("new", "in_progress", "done")
SPANS = "spans"
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|\n+")


@dataclass
class Table:
    """A count table: rows by label, columns by label, and the spans behind each cell."""

    columns: list[str]
    rows: list[str]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    spans: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

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


@without_gc
def spans_per_tag(data: Dataset, grouping: str) -> Table:
    """Spans of each tag (columns) per document, outlet, author or month (rows)."""
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}")
    table = Table([t.key for t in data.schema.tag_types], [])
    counts: Counter = Counter()
    for span in data.spans.values():
        cell = (_group_value(data, span.document, grouping), span.tag)
        counts[cell] += 1
        table.spans[cell].append(span.uuid)
    table.counts = dict(counts)
    extra = sorted({tag for _, tag in counts} - set(table.columns))
    table.columns += extra
    rows = {row for row, _ in counts}
    if grouping == "document":  # project order, every kept document (also those with none)
        table.rows = [d.title or d.uuid for d in data.documents.values()]
    else:
        table.rows = sorted(rows)
    return table


@without_gc
def attribute_distribution(data: Dataset) -> Table:
    """Spans per value of each choice, multi-choice and boolean attribute: rows
    "tag.attribute = value" (a multi-choice value counts each choice), one column "spans".
    Free text, dates and numbers are left out: they have no distribution worth a bar."""
    counted = {
        (t.key, a.key)
        for t in data.schema.tag_types
        for a in t.attributes
        if a.value_type in ("choice", "multi_choice", "boolean")
    }
    counts: Counter = Counter()
    spans: dict[tuple[str, str], list[str]] = defaultdict(list)
    for span in data.spans.values():
        for key, value in span.attributes.items():
            if (span.tag, key) not in counted:
                continue
            for one in value if isinstance(value, list) else [value]:
                if one is None or one == "":
                    continue
                shown = str(one).lower() if isinstance(one, bool) else str(one)
                cell = (f"{span.tag}.{key} = {shown}", SPANS)
                counts[cell] += 1
                spans[cell].append(span.uuid)
    table = Table([SPANS], sorted({r for r, _ in counts}))
    table.counts, table.spans = dict(counts), spans
    return table


def _sentence_ends(text: str) -> list[int]:
    return [m.end() for m in _SENTENCE_END.finditer(text)]


@without_gc
def cooccurrence(project: Project, data: Dataset, unit: str = "document", limit: int = 25) -> Table:
    """How many documents (or sentences) name both actors, for the `limit` actors named in the
    most units; the diagonal counts the units naming the actor at all. Sentences end at . ! ?
    or … followed by white space, and at line breaks."""
    if unit not in ("document", "sentence"):
        raise ValueError("unit must be document or sentence")
    units: dict[str, set[tuple[str, int]]] = defaultdict(set)  # node -> units
    spans: dict[tuple[str, int], list[str]] = defaultdict(list)
    actors = list(data.spans_of_kind("actor"))
    ends: dict[str, list[int]] = {}
    if unit == "sentence":
        documents = {s.document for s in actors}
        with project.store.read() as session:
            for document in documents:
                ends[document] = _sentence_ends(session.document_text(document))
    for span in actors:
        index = 0 if unit == "document" else bisect_right(ends[span.document], span.start)
        where = (span.document, index)
        units[data.node(span)].add(where)
        spans[where].append(span.uuid)
    top = sorted(units, key=lambda n: (-len(units[n]), data.label(n).casefold()))[:limit]
    labels = {node: data.label(node) for node in top}
    table = Table([labels[n] for n in top], [labels[n] for n in top])
    for a in top:
        for b in top:
            shared = units[a] & units[b]
            if shared:
                cell = (labels[a], labels[b])
                table.counts[cell] = len(shared)
                mine = {*(s for w in shared for s in spans[w])}
                table.spans[cell] = [s for s in mine if data.node(data.spans[s]) in (a, b)]
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
