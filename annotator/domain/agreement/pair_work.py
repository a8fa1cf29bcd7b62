"""What one pair of annotators accumulates over documents: matched spans, attributes and links
as passages behind each figure; the parts of consecutive runs of documents merge in order."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from functools import partial
from math import isfinite
from operator import itemgetter
from typing import Any

from annotator.domain.agreement.matching import link_matching
from annotator.domain.agreement.measures import cohen_kappa, undefined_reason
from annotator.domain.agreement.report import (
    NONE_LABEL,
    OVERALL,
    AttributeAgreement,
    Coefficient,
    MatchCounts,
    PairReport,
    Passage,
)
from annotator.domain.agreement.units import Layer, UnitLink, UnitSpan

_BOTH_UNSET = ("null", "null")  # the attribute_value pair of an attribute neither side set
_STRING_VALUES: dict[str, str] = {}  # attribute_value of strings already seen


def attribute_value(value: Any) -> str:
    """A comparable label for an attribute value: JSON text; a multi-choice list is sorted."""
    if value is None:
        return "null"
    if type(value) is str:  # the common case: remembered (choices repeat), without json
        label = _STRING_VALUES.get(value)
        if label is None:
            label = f'"{value}"' if value.isalnum() else json.dumps(value, ensure_ascii=False)
            if len(_STRING_VALUES) < 10_000:  # bounded: free text would grow it forever
                _STRING_VALUES[value] = label
        return label
    kind = type(value)
    # numbers and booleans without json (a confidence on every other span): the text
    # json.dumps gives them (float.__repr__ for a finite float)
    if kind is float and isfinite(value):
        return float.__repr__(value)
    if kind is int:
        return int.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, list):
        value = sorted(value, key=lambda item: json.dumps(item, sort_keys=True))
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


#: Builds a named tuple without the Python frame of its own __new__ (hundreds of thousands of
#: passages are made for one report): `_new(Passage, (document, start, end, who, detail))`.
_new = tuple.__new__


def _passage2(doc: str, a: UnitSpan, b: UnitSpan, who: tuple[str, ...], detail: str, kind=Passage):
    a_fragments, b_fragments = a.fragments, b.fragments
    a_start, a_end = a_fragments[0][0], a_fragments[-1][1]
    b_start, b_end = b_fragments[0][0], b_fragments[-1][1]
    return _new(
        kind,
        (
            doc,
            a_start if a_start <= b_start else b_start,
            a_end if a_end >= b_end else b_end,
            who,
            detail,
        ),
    )


class PairWork:
    """What one pair of annotators accumulates over the documents."""

    def __init__(self, a: str, b: str, names: tuple[str, str], plain: bool = False) -> None:
        self.report = PairReport(a, b)
        # plain: the passages are made as plain tuples (pickled without a Python call each,
        # for the second process), Passages again after `restore_passages`
        self.kind: type = tuple if plain else Passage
        self.names = names
        self.attribute_pairs: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.attribute_cells: dict[tuple[str, str], AttributeAgreement] = {}
        self.details: dict[tuple[str, str, str], str] = {}  # the passages' texts, made once
        # (value pair counts, agreeing passages) of each defined attribute, by tag
        self.unset_cells: dict[str, list[tuple[Counter, list[Passage]]]] = {}
        self.attribute_slots: dict[str, dict[str, tuple[Counter, AttributeAgreement]]] = {}

    def cell(self, tag: str, key: str) -> tuple[Counter, list[Passage]]:
        """The value pair counts and agreeing passages of one attribute (made on first use)."""
        cell = self.attribute_cells.get((tag, key))
        if cell is None:
            cell = AttributeAgreement(tag, key, Coefficient(None, 0))
            self.attribute_cells[(tag, key)] = cell
        return self.attribute_pairs[(tag, key)], cell.agreeing

    def detail(self, first: str, how: str, second: str) -> str:
        key = (first, how, second)
        text = self.details.get(key)
        if text is None:
            text = self.details[key] = f"{first}{how}{second}"
        return text

    def counts(self, table: dict[str, MatchCounts], key: str) -> MatchCounts:
        if key not in table:
            table[key] = MatchCounts()
        return table[key]

    def add_spans(
        self, table: dict[str, MatchCounts], doc: str, matching, confusion: bool = False
    ) -> None:
        """Count a matching into `table` (and the confusion table), one passage per item."""
        a_uuid, b_uuid = self.report.a, self.report.b
        both, only_a, only_b = (a_uuid, b_uuid), (a_uuid,), (b_uuid,)
        counts = self.counts
        overall = counts(table, OVERALL)
        cells = self.report.confusion if confusion else None
        detail, new, kind = self.detail, _new, self.kind
        # the passages are built inline (this runs for every span of every pair)
        for a, b in matching.matched:
            a_fragments, b_fragments = a.fragments, b.fragments
            a_start, a_end = a_fragments[0][0], a_fragments[-1][1]
            b_start, b_end = b_fragments[0][0], b_fragments[-1][1]
            tag = a.tag
            passage = new(
                kind,
                (
                    doc,
                    a_start if a_start <= b_start else b_start,
                    a_end if a_end >= b_end else b_end,
                    both,
                    detail(tag, " = ", b.tag),
                ),
            )
            (table.get(tag) or counts(table, tag)).true_positives.append(passage)
            overall.true_positives.append(passage)
            if cells is not None:
                cells.setdefault((tag, b.tag), []).append(passage)
        for a, b in matching.crossed:
            passage = _passage2(doc, a, b, both, detail(a.tag, " ≠ ", b.tag), kind)
            counts(table, a.tag).false_negatives.append(passage)
            counts(table, b.tag).false_positives.append(passage)
            overall.false_negatives.append(passage)
            overall.false_positives.append(passage)
            if cells is not None:
                cells.setdefault((a.tag, b.tag), []).append(passage)
        name_a, name_b = self.names
        for a in matching.only_a:
            fragments = a.fragments
            text = detail(a.tag, " only in ", name_a)
            passage = new(kind, (doc, fragments[0][0], fragments[-1][1], only_a, text))
            (table.get(a.tag) or counts(table, a.tag)).false_negatives.append(passage)
            overall.false_negatives.append(passage)
            if cells is not None:
                cells.setdefault((a.tag, NONE_LABEL), []).append(passage)
        for b in matching.only_b:
            fragments = b.fragments
            text = detail(b.tag, " only in ", name_b)
            passage = new(kind, (doc, fragments[0][0], fragments[-1][1], only_b, text))
            (table.get(b.tag) or counts(table, b.tag)).false_positives.append(passage)
            overall.false_positives.append(passage)
            if cells is not None:
                cells.setdefault((NONE_LABEL, b.tag), []).append(passage)

    def add_attributes(self, doc: str, matched, attribute_keys) -> None:
        both = (self.report.a, self.report.b)
        kind = self.kind
        pairs_of_values = self.attribute_pairs
        cells = self.attribute_cells
        value_of = attribute_value
        unset = self.unset_cells
        # (value pair counts, cell) of each attribute, by tag then key: no tuple key to build
        slots_by_tag = self.attribute_slots
        for a, b in matched:
            defined = attribute_keys.get(a.tag, ())
            a_values, b_values = a.attributes, b.attributes
            if not a_values and not b_values:
                # neither set one (the common case): every defined attribute agrees (unset)
                if defined:
                    tag = a.tag
                    agree = self.detail(tag, ": ", "attributes agree")
                    shared = _passage2(doc, a, b, both, agree, kind)
                    targets = unset.get(tag)
                    if targets is None:
                        targets = unset[tag] = [self.cell(tag, key) for key in defined]
                    for values, agreeing in targets:
                        values[_BOTH_UNSET] += 1
                        agreeing.append(shared)
                continue
            tag = a.tag
            slots = slots_by_tag.get(tag)
            if slots is None:
                slots = slots_by_tag[tag] = {}
            shared: Passage | None = None  # one passage for every attribute that agrees
            for key in dict.fromkeys([*defined, *a_values, *b_values]):
                slot = slots.get(key)
                if slot is None:
                    self.cell(tag, key)
                    slot = slots[key] = (pairs_of_values[(tag, key)], cells[(tag, key)])
                values, cell = slot
                va = value_of(a_values.get(key))
                vb = value_of(b_values.get(key))
                values[(va, vb)] += 1
                if va == vb:
                    if shared is None:
                        agree = self.detail(tag, ": ", "attributes agree")
                        shared = _passage2(doc, a, b, both, agree, kind)
                    cell.agreeing.append(shared)
                else:
                    detail = f"{tag}.{key}: {va} / {vb}"
                    cell.differing.append(_passage2(doc, a, b, both, detail, kind))

    def add_links(self, doc, a_layer, b_layer, matched, directed, fragments_by_uuid) -> None:
        result = link_matching(a_layer.links, b_layer.links, matched, directed)
        table = self.report.links
        kind = self.kind

        fragments_of = fragments_by_uuid.get

        def passage(link: UnitLink, who: tuple[str, ...], detail: str) -> Passage:
            # the extent of the endpoints found (min/max written out: one call per link)
            source, target = fragments_of(link.source), fragments_of(link.target)
            if source is None or target is None:
                ends = [(f[0][0], f[-1][1]) for f in (source, target) if f is not None]
                start = min((s[0] for s in ends), default=0)
                end = max((s[1] for s in ends), default=0)
            else:
                source_start, target_start = source[0][0], target[0][0]
                source_end, target_end = source[-1][1], target[-1][1]
                start = source_start if source_start <= target_start else target_start
                end = source_end if source_end >= target_end else target_end
            return _new(kind, (doc, start, end, who, detail))

        a, b = self.report.a, self.report.b
        detail, overall = self.detail, self.counts(table, OVERALL)
        for link, _ in result.matched:
            found = passage(link, (a, b), detail(link.type, " in ", "both"))
            self.counts(table, link.type).true_positives.append(found)
            overall.true_positives.append(found)
        for link in result.only_a:
            found = passage(link, (a,), detail(link.type, " only in ", self.names[0]))
            self.counts(table, link.type).false_negatives.append(found)
            overall.false_negatives.append(found)
        for link in result.only_b:
            found = passage(link, (b,), detail(link.type, " only in ", self.names[1]))
            self.counts(table, link.type).false_positives.append(found)
            overall.false_positives.append(found)
        for who, excluded in (((a,), result.excluded_a), ((b,), result.excluded_b)):
            for link in excluded:
                self.report.links_excluded.append(
                    passage(link, who, detail(link.type, ": ", "an endpoint has no matching span"))
                )

    def merge(self, other: PairWork) -> None:
        """Add `other`'s documents (which follow this one's): lists extended, counts added,
        keys new to this one appended in `other`'s order of first occurrence."""
        report, theirs = self.report, other.report
        report.documents += theirs.documents
        for mine, tables in (
            (report.exact, theirs.exact),
            (report.overlap, theirs.overlap),
            (report.links, theirs.links),
        ):
            for key, counts in tables.items():
                target = self.counts(mine, key)
                target.true_positives.extend(counts.true_positives)
                target.false_positives.extend(counts.false_positives)
                target.false_negatives.extend(counts.false_negatives)
        report.links_excluded.extend(theirs.links_excluded)
        for key, passages in theirs.confusion.items():
            report.confusion.setdefault(key, []).extend(passages)
        for key, cell in other.attribute_cells.items():
            merge_counters(self.attribute_pairs[key], other.attribute_pairs[key])
            found = self.attribute_cells.get(key)
            if found is None:
                self.attribute_cells[key] = cell
            else:
                found.agreeing.extend(cell.agreeing)
                found.differing.extend(cell.differing)
        # the look-up shortcuts point at cells this one may not hold: made again on next use
        self.unset_cells.clear()
        self.attribute_slots.clear()

    def restore_passages(self) -> None:
        """Make the plain tuples of a part counted with `plain` Passages (in place)."""
        if self.kind is Passage:
            return
        make = partial(_new, Passage)
        report = self.report
        lists = [report.links_excluded, *report.confusion.values()]
        for table in (report.exact, report.overlap, report.links):
            for counts in table.values():
                lists += (counts.true_positives, counts.false_positives, counts.false_negatives)
        for cell in self.attribute_cells.values():
            lists += (cell.agreeing, cell.differing)
        for passages in lists:
            passages[:] = map(make, passages)
        self.kind = Passage

    def finish_attributes(self) -> None:
        for key, cell in self.attribute_cells.items():
            pairs = self.attribute_pairs[key]
            cell.kappa = Coefficient(
                cohen_kappa(pairs),
                cell.compared,
                undefined_reason(pairs) if cohen_kappa(pairs) is None else "",
                cell.differing,
            )
            self.report.attributes.append(cell)


_uuid_of, _fragments_of = itemgetter(0), itemgetter(2)


def fragments_by_uuid(a_layer: Layer, b_layer: Layer) -> dict[str, tuple]:
    """Each span's fragments by uuid, for the link passages (built by C loops: no Python step
    per span)."""
    found = dict(zip(map(_uuid_of, a_layer.spans), map(_fragments_of, a_layer.spans), strict=True))
    found.update(zip(map(_uuid_of, b_layer.spans), map(_fragments_of, b_layer.spans), strict=True))
    return found


def merge_counters(target: Counter, source: Counter) -> None:
    """Add `source`'s counts to `target`; keys new to `target` come after its own, in
    `source`'s order (as if `source`'s items had been counted into `target`; zero counts kept)."""
    for key, count in source.items():
        target[key] += count
