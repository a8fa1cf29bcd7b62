"""The timeline: events by their date attribute (else their document's publication date,
marked as estimated), in lanes by actor or by document, and the spread of claims over time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from annotator.services.analytics.dataset import Dataset
from annotator.services.gc_pause import without_gc

PARTICIPATES = "participates_in"
NO_ACTOR = "(no actor)"


@dataclass(frozen=True)
class TimelineEvent:
    span: str
    label: str
    date: str  # YYYY-MM-DD (or shorter, as given); "" when neither date is known
    estimated: bool  # True: the document's publication date stands in
    document: str
    lanes: tuple[str, ...]


@dataclass
class ClaimSpread:
    node: str
    label: str
    first: str = ""
    last: str = ""
    outlets: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    spans: list[str] = field(default_factory=list)


def _date_keys(data: Dataset) -> dict[str, list[str]]:
    return {
        t.key: [a.key for a in t.attributes if a.value_type == "date"]
        for t in data.schema.tag_types
    }


@without_gc
def events(data: Dataset, lanes: str = "actor") -> list[TimelineEvent]:
    """Every kept event span, by date (undated last), in lanes by actor (the actors linked to
    it with participates_in; none: NO_ACTOR) or by document title."""
    if lanes not in ("actor", "document"):
        raise ValueError("lanes must be actor or document")
    date_keys = _date_keys(data)
    actors: dict[str, set[str]] = defaultdict(set)
    if lanes == "actor":
        for link in data.links:
            if link.link_type == PARTICIPATES:
                actors[link.target].add(data.label(data.node(data.spans[link.source])))
    found = []
    for span in data.spans_of_kind("event"):
        date = next(
            (
                str(span.attributes[k])
                for k in date_keys.get(span.tag, [])
                if span.attributes.get(k)
            ),
            "",
        )
        estimated = not date
        if estimated:
            date = data.published(span.document)[:10]
        if lanes == "actor":
            lane = tuple(sorted(actors.get(span.uuid, ()))) or (NO_ACTOR,)
        else:
            lane = (data.documents[span.document].title or span.document,)
        found.append(
            TimelineEvent(
                span.uuid, data.label(data.node(span)), date, estimated, span.document, lane
            )
        )
    found.sort(key=lambda e: (e.date == "", e.date, e.label.casefold()))
    return found


@without_gc
def claim_spread(data: Dataset) -> list[ClaimSpread]:
    """Each claim's first and last appearance (its documents' publication dates) and outlets,
    earliest first; claims only in undated documents come last with empty dates."""
    spread: dict[str, ClaimSpread] = {}
    for span in data.spans_of_kind("claim"):
        node = data.node(span)
        row = spread.get(node)
        if row is None:
            row = spread[node] = ClaimSpread(node, data.label(node))
        row.spans.append(span.uuid)
        row.documents.add(span.document)
        info = data.documents[span.document]
        if info.outlet:
            row.outlets.add(info.outlet)
        date = info.published[:10]
        if date:
            row.first = min(row.first, date) if row.first else date
            row.last = max(row.last, date)
    return sorted(spread.values(), key=lambda r: (r.first == "", r.first, r.label.casefold()))
