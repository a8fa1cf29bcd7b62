"""Adjudication units: annotators' spans grouped by the agreement matcher, with their versions.

A *span unit* is a group of spans, at most one per annotator, that the agreement engine's
one-to-one overlap matching pairs (same tag first, then crossed tags): annotators are added one
at a time, each matched against the groups' first spans; what stays unmatched opens a new group.
It is *agreed* when every chosen annotator has a span in it with the same fragments and tag.
An *attribute unit* is a decided span unit whose gold span exists and whose members with the
gold span's tag carry different attributes. A *link unit* is the set of links (one per
annotator) of one type between the same two gold spans (through their members; either way
round for a link type that is not directed); it is agreed when every annotator drew it with the
same attributes. A unit's key is the JSON list of its members' uuids, sorted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from annotator.domain.agreement.matching import overlap_matching
from annotator.domain.agreement.units import UnitLink, UnitSpan

UNIT_KINDS = ("span", "attribute", "link")
VERDICTS = ("accept", "edit", "reject")


@dataclass(frozen=True)
class Decision:
    """One adjudication: a row of the decisions table (annotators by uuid)."""

    uuid: str
    document: str
    unit_kind: str
    unit_key: str
    verdict: str
    gold_uuid: str | None
    source_uuid: str | None
    source_annotator: str | None
    decided_by: str | None
    decided: str

    @property
    def members(self) -> list[str]:
        return members_of(self.unit_key)


@dataclass(frozen=True)
class Unit:
    """One unit to adjudicate. `versions[i]` is the i-th chosen annotator's span or link (None:
    that annotator has none here). `gold` is the gold span an attribute unit edits; `endpoints`
    the gold (source, target) a link unit joins. `decision` is set once decided."""

    document: str
    kind: str
    key: str
    versions: tuple[UnitSpan | UnitLink | None, ...]
    annotators: tuple[str, ...] = ()  # whose version each is (uuids, the chosen order)
    agreed: bool = False
    gold: str | None = None
    endpoints: tuple[str, str] | None = None
    link_type: str = ""
    decision: Decision | None = field(default=None, compare=False)
    uuids: tuple[str, ...] = ()  # the members (the key, unparsed)

    @property
    def members(self) -> list[str]:
        return list(self.uuids) if self.uuids else members_of(self.key)

    @property
    def extent(self) -> tuple[int, int] | None:
        """Where the span members lie (code points), for span and attribute units."""
        spans = [v for v in self.versions if isinstance(v, UnitSpan)]
        if not spans:
            return None
        return min(s.start for s in spans), max(s.end for s in spans)


def unit_key(uuids: Sequence[str]) -> str:
    """The JSON list of the sorted uuids (written by hand: uuids need no escaping, and a queue
    over 100,000 spans makes as many keys)."""
    return '["' + '","'.join(sorted(uuids)) + '"]' if uuids else "[]"


def members_of(key: str) -> list[str]:
    try:
        found = json.loads(key)
    except ValueError:
        return []
    return [str(u) for u in found] if isinstance(found, list) else []


def group_spans(layers: Sequence[Sequence[UnitSpan]]) -> list[list[UnitSpan | None]]:
    """Span groups across annotators (one slot per layer), in order of their first start."""
    groups: list[list[UnitSpan | None]] = []
    for index, spans in enumerate(layers):
        heads = [next(s for s in group if s is not None) for group in groups]
        matching = overlap_matching(heads, list(spans))
        where = {id(head): number for number, head in enumerate(heads)}
        for head, span in [*matching.matched, *matching.crossed]:
            groups[where[id(head)]][index] = span
        for span in matching.only_b:
            group: list[UnitSpan | None] = [None] * len(layers)
            group[index] = span
            groups.append(group)
    groups.sort(key=lambda g: min((s.start, s.end) for s in g if s is not None))
    return groups


def span_agreed(group: Sequence[UnitSpan | None]) -> bool:
    return all(s is not None for s in group) and (
        len({(s.tag, s.fragments) for s in group if s is not None}) == 1
    )


def span_units(
    document: str, annotators: Sequence[str], layers: Sequence[Sequence[UnitSpan]]
) -> list[Unit]:
    """The span units of one document (`layers[i]`: the spans of `annotators[i]`)."""
    units = []
    names = tuple(annotators)
    for group in group_spans(layers):
        uuids = tuple(s.uuid for s in group if s is not None)
        agreed = span_agreed(group)
        units.append(
            Unit(document, "span", unit_key(uuids), tuple(group), names, agreed, uuids=uuids)
        )
    return units


def attribute_units(
    document: str, spans: list[Unit], gold_of: Mapping[str, str], gold_tags: Mapping[str, str]
) -> list[Unit]:
    """Attribute units of span units whose gold span exists (`gold_of`: member → gold uuid,
    `gold_tags`: gold uuid → its tag)."""
    units = []
    for unit in spans:
        gold = next((gold_of[m] for m in unit.members if m in gold_of), None)
        if gold is None or gold not in gold_tags:
            continue
        versions = tuple(
            s if isinstance(s, UnitSpan) and s.tag == gold_tags[gold] else None
            for s in unit.versions
        )
        distinct = {json.dumps(dict(v.attributes), sort_keys=True) for v in versions if v}
        if len(distinct) > 1:
            units.append(
                Unit(
                    document, "attribute", unit.key, versions, unit.annotators, gold=gold,
                    uuids=unit.uuids,
                )
            )  # fmt: skip
    return units


def link_units(
    document: str,
    annotators: Sequence[str],
    layers: Sequence[Sequence[UnitLink]],
    gold_of: Mapping[str, str],
    directed: Mapping[str, bool],
) -> list[Unit]:
    """Link units among links whose two endpoints have gold copies (`gold_of`: span → gold)."""
    groups: dict[tuple[str, str, str], list[UnitLink | None]] = {}
    for index, links in enumerate(layers):
        for link in links:
            source, target = gold_of.get(link.source), gold_of.get(link.target)
            if source is None or target is None or source == target:
                continue
            if not directed.get(link.type, True):
                source, target = sorted((source, target))
            group = groups.setdefault((link.type, source, target), [None] * len(layers))
            if group[index] is None:  # a duplicate link of one annotator adds nothing
                group[index] = link
    units = []
    for (link_type, source, target), group in groups.items():
        present = [link for link in group if link is not None]
        uuids = tuple(link.uuid for link in present)
        same = len({json.dumps(dict(link.attributes), sort_keys=True) for link in present}) == 1
        units.append(
            Unit(
                document,
                "link",
                unit_key(uuids),
                tuple(group),
                tuple(annotators),
                agreed=len(present) == len(group) and same,
                endpoints=(source, target),
                link_type=link_type,
                uuids=uuids,
            )
        )
    return units
