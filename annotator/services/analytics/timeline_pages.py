"""The timeline counted in SQL: events per point (lane, date placed on, estimated) for the
chart, the events behind one point read when it is clicked, and each claim's spread (first and
last appearance, documents, outlets) summarised over span_keys for a table that builds only the
cells it shows. The same figures as the folds in `timeline` (`events`, `claim_spread`), which
stay the reference and the spread's path where SQL cannot count it."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import orjson

from annotator.domain.node_keys import normalise
from annotator.services.analytics import timeline
from annotator.services.analytics.dataset import Dataset
from annotator.services.gc_pause import without_gc
from annotator.store.analytics_claims import claim_groups
from annotator.store.analytics_nodes import Group, counted_in_sql, group_spans
from annotator.store.analytics_timeline import (
    DateOf,
    IdMaps,
    document_places,
    event_places,
    events_on,
    id_maps,
    participations,
)

#: (lane, date placed on — "" when neither date is known —, estimated)
Point = tuple[str, str, bool]

#: Events at most for which the chart names each event (read by the fold: a few rows).
NAMED_EVENTS = 40


def date_of(data: Dataset) -> DateOf:
    """The event's own date as `timeline.events` reads it: its tag's first date attribute
    given (any truthy JSON value, as text), else "". Cached per distinct attributes object
    (event spans share a few thousand)."""
    date_keys = timeline._date_keys(data)
    keys_by_id = {i: date_keys.get(key, []) for i, key in _id_maps(data).tags.items()}
    seen: dict[tuple[int, str], str] = {}

    def given(tag_id: int, attributes: str) -> str:
        found = seen.get((tag_id, attributes))
        if found is None:
            values = orjson.loads(attributes)
            found = next((str(values[k]) for k in keys_by_id.get(tag_id, ()) if values.get(k)), "")
            seen[(tag_id, attributes)] = found
        return found

    return given


@dataclass
class EventCounts:
    """What the chart draws: events per point, and what tells a point's events apart again
    when it is clicked (an event's actor lanes, a document's lane)."""

    lanes: str
    points: dict[Point, int]
    events: int
    estimated: int
    actors: dict[int, tuple[str, ...]] = field(default_factory=dict)  # event span id -> lanes
    titles: dict[int, str] = field(default_factory=dict)  # document id -> its lane
    names: dict[Point, list[str]] = field(default_factory=dict)  # few events: their labels
    undated: int = 0  # events on no calendar day (no date known, or not a date)

    def dated(self) -> int:
        return sum(n for (_, date, _), n in self.points.items() if date)


@without_gc
def event_counts(data: Dataset, lanes: str = "actor") -> EventCounts:
    """Events per point, as `Counter((lane, e.date, e.estimated) for e in timeline.events(data,
    lanes) for lane in e.lanes)`: counted per document and date in SQL; in lanes by actor the
    participates_in links (a row per link) say which events leave the "(no actor)" lane."""
    if lanes not in ("actor", "document"):
        raise ValueError("lanes must be actor or document")
    event_tags = data.tags_of_kind("event")
    given = date_of(data)
    with data.project.store.read() as session:
        places = event_places(session, data.scope, event_tags, given, lanes == "document")
        links = (
            participations(session, data.link_scope, event_tags, given, timeline.PARTICIPATES)
            if lanes == "actor"
            else []
        )
    maps = _id_maps(data)
    documents, entity_uuids, tags = maps.documents, maps.entities, maps.tags
    points: Counter = Counter()
    total = estimated = 0
    titles: dict[int, str] = {}
    undated = 0
    for document_id, date, guessed, n in places:
        total += n
        if calendar_date(date) is None:
            undated += n
        estimated += n * guessed
        if lanes == "document":
            uuid = documents[document_id]
            lane = titles.setdefault(document_id, data.documents[uuid].title or uuid)
            points[(lane, date, bool(guessed))] += n
        else:
            points[(timeline.NO_ACTOR, date, bool(guessed))] += n
    actors: dict[int, set[str]] = defaultdict(set)
    placed: dict[int, tuple[str, bool]] = {}
    label, node_key = data.label, data.node_key
    for tag_id, quote, entity_id, target, date, guessed in links:  # link order: the fold's
        entity = entity_uuids[entity_id] if entity_id is not None else None
        lane = label(node_key(tags[tag_id], quote, entity))
        if date is not None:
            actors[target].add(lane)
            placed[target] = (date, bool(guessed))
    for event, lanes_of in actors.items():
        date, guessed = placed[event]
        points[(timeline.NO_ACTOR, date, guessed)] -= 1
        for lane in lanes_of:
            points[(lane, date, guessed)] += 1
    counts = EventCounts(
        lanes,
        {point: n for point, n in points.items() if n > 0},
        total,
        estimated,
        {event: tuple(sorted(lanes_of)) for event, lanes_of in actors.items()},
        titles,
        undated=undated,
    )
    if 0 < total <= NAMED_EVENTS:
        for event in timeline.events(data, lanes):
            for lane in event.lanes:
                counts.names.setdefault((lane, event.date, event.estimated), []).append(event.label)
    return counts


def _id_maps(data: Dataset) -> IdMaps:
    """Read once per dataset (a reload makes a new one)."""

    def read(_data: Dataset) -> IdMaps:
        with data.project.store.read() as session:
            return id_maps(session)

    return data.count("timeline_id_maps", read)


def busiest_lanes(points: dict[Point, int], limit: int) -> tuple[list[str], str]:
    """The `limit` lanes with the most dated events (ties: by name), sorted by name, and
    the name of the lane the others share ("" when there are none)."""
    per_lane: Counter = Counter()
    for (lane, date, _), n in points.items():
        if date:
            per_lane[lane] += n
    kept = [lane for lane, _ in sorted(per_lane.items(), key=_busiest)[:limit]]
    other = f"({len(per_lane) - len(kept):,} more lanes)" if len(per_lane) > len(kept) else ""
    return sorted(kept), other


def _busiest(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def calendar_date(value: str) -> datetime.date | None:
    """The day a placed date stands for on the chart ("2024-03" the 1st), None if none."""
    try:
        if len(value) >= 10:
            return datetime.date.fromisoformat(value[:10])
        return datetime.date.fromisoformat(value + "-01") if len(value) == 7 else None
    except ValueError:
        return None


class PointEvent(NamedTuple):
    span: str
    label: str


def point_events(
    data: Dataset, counts: EventCounts, lane: str, date: str, estimated: bool, kept: list[str]
) -> list[PointEvent]:
    """The events of one point, by id: those placed on `date` (`estimated` or not) in `lane`
    (a lane not in `kept`: any lane that is not, the chart's shared lane)."""
    with data.project.store.read() as session:
        rows = events_on(
            session, data.scope, data.tags_of_kind("event"), date_of(data), date, estimated
        )
    shown = set(kept)
    maps = _id_maps(data)
    entity_uuids, tags = maps.entities, maps.tags
    found = []
    for span_id, uuid, document_id, quote, entity_id, tag_id in rows:
        if counts.lanes == "document":
            lanes_of: tuple[str, ...] = (counts.titles.get(document_id, ""),)
        else:
            lanes_of = counts.actors.get(span_id, (timeline.NO_ACTOR,))
        if lane in lanes_of if lane in shown else any(x not in shown for x in lanes_of):
            entity = entity_uuids[entity_id] if entity_id is not None else None
            found.append(PointEvent(uuid, data.label(data.node_key(tags[tag_id], quote, entity))))
    return found


# -- the spread of claims ----------------------------------------------------------------------


class SpreadRow(NamedTuple):
    """One claim of the spread table (a named tuple: 218,056 are made in a fraction of a
    second). `group` names its spans for SQL; `spans` holds them where the fold made the row."""

    label: str
    first: str
    last: str
    documents: int
    outlets: str  # sorted, joined by "; "
    group: Group | None
    spans: tuple[str, ...] | None = None


@without_gc
def spread_rows(data: Dataset) -> list[SpreadRow] | None:
    """Every claim's spread in the order of `timeline.claim_spread` (first appearance, undated
    last; label; first mention), or None where SQL cannot count it (merging by text, an
    attribute filter, span keys missing)."""
    if data.merge_by_text:
        return None
    claim_tags = data.tags_of_kind("claim")
    with data.project.store.read() as session:
        if not counted_in_sql(session, data.scope):
            return None
        texts, entity_rows = claim_groups(session, data.scope, claim_tags)
        places = document_places(session)
    entity_uuids = _id_maps(data).entities
    # Built inline (a call per claim was a fifth of the time); the texts come in first-mention
    # order, the entities too: merged by one sort only where both are there.
    rows: list[SpreadRow] = []
    add = rows.append
    for tag, hashed, _first, ids, quote in texts:
        label = " ".join(quote.split())
        if type(ids) is int:
            date, outlet = places[ids]
            add(SpreadRow(label, date, date, 1, outlet, ("text", tag, hashed)))
        else:
            add(_spread(label, ids, places, ("text", tag, hashed)))
    if entity_rows:
        firsts = [row[2] for row in texts]
        names = data.entities
        for entity, first, ids, quote in entity_rows:
            label = names.get(entity_uuids[entity], quote)
            rows.append(_spread(label, ids, places, ("entity", entity)))
            firsts.append(first)
        order = sorted(range(len(rows)), key=firsts.__getitem__)
        rows = [rows[i] for i in order]
    # First appearance (undated last), then label: the label sorted within each day, which
    # is a third of the time of two stable sorts of every row (claims share a few hundred
    # first days); ties keep the first-mention order.
    by_day: dict[str, list[SpreadRow]] = defaultdict(list)
    for row in rows:
        by_day[row.first].append(row)
    ordered: list[SpreadRow] = []
    for day in sorted(by_day, key=_dated):
        same = by_day[day]
        same.sort(key=_label_key)
        ordered += same
    return ordered


def _spread(label: str, ids: int | str, places: dict, group: Group) -> SpreadRow:
    if type(ids) is int:
        date, outlet = places[ids]
        return SpreadRow(label, date, date, 1, outlet, group)
    documents = {int(i) for i in ids.split(",")}  # type: ignore[union-attr]
    dates = [d for d in (places[i][0] for i in documents) if d]
    outlets = sorted({places[i][1] for i in documents} - {""})
    return SpreadRow(
        label,
        min(dates) if dates else "",
        max(dates) if dates else "",
        len(documents),
        "; ".join(outlets),
        group,
    )


def _label_key(row: SpreadRow) -> str:
    return row.label.casefold()


def _dated(day: str) -> str:
    return day or UNDATED


#: Sorts after any date: rows without one come last.
UNDATED = "\U0010ffff"


def folded_rows(data: Dataset) -> list[SpreadRow]:
    """The spread by the fold, as table rows (the reference; the path where SQL cannot count)."""
    return [
        SpreadRow(
            r.label,
            r.first,
            r.last,
            len(r.documents),
            "; ".join(sorted(r.outlets)),
            None,
            tuple(r.spans),
        )
        for r in timeline.claim_spread(data)
    ]


class SpreadTable:
    """The claims' spread under a filter, summarised in SQL (or folded where SQL cannot count,
    and after two claim texts were found under one stored hash); a claim's spans are read when
    asked for."""

    def __init__(self, data: Dataset) -> None:
        self.data = data
        found = spread_rows(data)
        self.paged = found is not None
        self.rows: list[SpreadRow] = found if found is not None else folded_rows(data)
        self.refolded = False

    def spans(self, row: SpreadRow) -> list[str] | None:
        """The uuids of a claim's spans, by id; None when the claim's spans hold two texts
        (they shared a stored hash): the table then holds the fold's rows (`refolded`)."""
        if row.spans is not None:
            return list(row.spans)
        assert row.group is not None
        with self.data.project.store.read() as session:
            found = group_spans(
                session, self.data.scope, [row.group], self.data.tags_of_kind("claim")
            )
        if row.group[0] == "text" and len({normalise(s[3]) for s in found}) > 1:
            self.rows, self.paged, self.refolded = folded_rows(self.data), False, True
            return None
        return [s[1] for s in found]
