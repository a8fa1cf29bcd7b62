"""Compute the agreement report from documents' layers (pure: no store, no Qt)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from math import isfinite
from operator import itemgetter
from typing import Any

from annotator.domain.agreement.matching import (
    exact_matching,
    link_matching,
    overlap_matching,
)
from annotator.domain.agreement.measures import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    pairs_of,
    project,
    undefined_reason,
)
from annotator.domain.agreement.report import (
    NONE_LABEL,
    OVERALL,
    AgreementReport,
    AttributeAgreement,
    Coefficient,
    GroupReport,
    MatchCounts,
    PairReport,
    Passage,
)
from annotator.domain.agreement.units import (
    NONE,
    DocumentLayers,
    Layer,
    Run,
    TokenCounts,
    UnitLink,
    UnitSpan,
    count_tokens,
)

#: progress(documents done, documents in all); returning False asks to stop.
Progress = Callable[[int, int], bool | None]


class Stopped(Exception):
    """The progress callback asked to stop."""


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


def _passage2(doc: str, a: UnitSpan, b: UnitSpan, who: tuple[str, ...], detail: str) -> Passage:
    a_fragments, b_fragments = a.fragments, b.fragments
    a_start, a_end = a_fragments[0][0], a_fragments[-1][1]
    b_start, b_end = b_fragments[0][0], b_fragments[-1][1]
    return _new(
        Passage,
        (
            doc,
            a_start if a_start <= b_start else b_start,
            a_end if a_end >= b_end else b_end,
            who,
            detail,
        ),
    )


def _passage1(doc: str, span: UnitSpan, who: tuple[str, ...], detail: str) -> Passage:
    return Passage(doc, span.fragments[0][0], span.fragments[-1][1], who, detail)


class _PairWork:
    """What one pair of annotators accumulates over the documents."""

    def __init__(self, a: str, b: str, names: tuple[str, str]) -> None:
        self.report = PairReport(a, b)
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
        detail, new = self.detail, _new
        # the passages are built inline (this runs for every span of every pair)
        for a, b in matching.matched:
            a_fragments, b_fragments = a.fragments, b.fragments
            a_start, a_end = a_fragments[0][0], a_fragments[-1][1]
            b_start, b_end = b_fragments[0][0], b_fragments[-1][1]
            tag = a.tag
            passage = new(
                Passage,
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
            passage = _passage2(doc, a, b, both, detail(a.tag, " ≠ ", b.tag))
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
            passage = new(Passage, (doc, fragments[0][0], fragments[-1][1], only_a, text))
            (table.get(a.tag) or counts(table, a.tag)).false_negatives.append(passage)
            overall.false_negatives.append(passage)
            if cells is not None:
                cells.setdefault((a.tag, NONE_LABEL), []).append(passage)
        for b in matching.only_b:
            fragments = b.fragments
            text = detail(b.tag, " only in ", name_b)
            passage = new(Passage, (doc, fragments[0][0], fragments[-1][1], only_b, text))
            (table.get(b.tag) or counts(table, b.tag)).false_positives.append(passage)
            overall.false_positives.append(passage)
            if cells is not None:
                cells.setdefault((NONE_LABEL, b.tag), []).append(passage)

    def add_attributes(self, doc: str, matched, attribute_keys) -> None:
        both = (self.report.a, self.report.b)
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
                    shared = _passage2(doc, a, b, both, self.detail(tag, ": ", "attributes agree"))
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
                        shared = _passage2(doc, a, b, both, agree)
                    cell.agreeing.append(shared)
                else:
                    detail = f"{tag}.{key}: {va} / {vb}"
                    cell.differing.append(_passage2(doc, a, b, both, detail))

    def add_links(self, doc, a_layer, b_layer, matched, directed, fragments_by_uuid) -> None:
        result = link_matching(a_layer.links, b_layer.links, matched, directed)
        table = self.report.links

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
            return _new(Passage, (doc, start, end, who, detail))

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


def _fragments_by_uuid(a_layer: Layer, b_layer: Layer) -> dict[str, tuple]:
    """Each span's fragments by uuid, for the link passages (built by C loops: no Python step
    per span)."""
    found = dict(zip(map(_uuid_of, a_layer.spans), map(_fragments_of, a_layer.spans), strict=True))
    found.update(zip(map(_uuid_of, b_layer.spans), map(_fragments_of, b_layer.spans), strict=True))
    return found


def _label(value: Any) -> str:
    if value is None:
        return "missing"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value if value != NONE else NONE_LABEL


def _run_passages(runs: list[Run], indices: Sequence[int], uuids, names) -> list[Passage]:
    """The runs where two of the given annotators (by position) give different values."""
    labels: dict[Any, str] = {}

    def label(value: Any) -> str:
        if value not in labels:
            labels[value] = _label(value)
        return labels[value]

    passages = []
    if len(indices) == 2:  # the common case, kept lean: one pair, both present
        i, j = indices
        who = (uuids[i], uuids[j])
        for run in runs:
            x, y = run.pattern[i], run.pattern[j]
            if x is None or y is None or x == y:
                continue
            detail = f"{names[i]}: {label(x)} · {names[j]}: {label(y)}"
            passages.append(_new(Passage, (run.document, run.start, run.end, who, detail)))
        return passages
    for run in runs:
        present = {run.pattern[i] for i in indices} - {None}
        if len(present) < 2:
            continue
        detail = " · ".join(f"{names[i]}: {label(run.pattern[i])}" for i in indices)
        who = tuple(uuids[i] for i in indices if run.pattern[i] is not None)
        passages.append(Passage(run.document, run.start, run.end, who, detail))
    return passages


def _coefficient(measure, patterns, passages: list[Passage], all_present=False) -> Coefficient:
    value = measure(patterns)
    reason = undefined_reason(patterns, all_present=all_present) if value is None else ""
    units = sum(n for p, n in patterns.items() if sum(v is not None for v in p) >= 2)
    return Coefficient(value, units, reason, passages)


def compute_report(
    documents: Sequence[DocumentLayers],
    annotators: Sequence[str],
    *,
    names: Mapping[str, str] | None = None,
    tags: Sequence[str] = (),
    link_types: Sequence[str] = (),
    directed: Mapping[str, bool] | None = None,
    attribute_keys: Mapping[str, Sequence[str]] | None = None,
    progress: Progress | None = None,
) -> AgreementReport:
    """Every figure for the chosen annotators over the given documents.

    `tags` and `link_types` fix the display order (tags found in the layers but not named are
    added after them); `directed` says which link types are directed (default: directed);
    `attribute_keys` names the attributes each tag defines (compared even when both are unset)."""
    names = dict(names or {})
    label_of = [names.get(a, a) for a in annotators]
    directed = directed or {}
    attribute_keys = attribute_keys or {}
    found = {s.tag for d in documents for layer in d.layers.values() for s in layer.spans}
    all_tags = [*tags, *sorted(found - set(tags))]
    found_links = {k.type for d in documents for layer in d.layers.values() for k in layer.links}
    all_link_types = [*link_types, *sorted(found_links - set(link_types))]
    pair_indices = pairs_of(len(annotators))
    work = {
        (i, j): _PairWork(annotators[i], annotators[j], (label_of[i], label_of[j]))
        for i, j in pair_indices
    }
    counts = TokenCounts()
    for number, doc in enumerate(documents):
        if progress is not None and progress(number, len(documents)) is False:
            raise Stopped()
        count_tokens(doc, annotators, all_tags, counts)
        for (i, j), pair in work.items():
            a_layer, b_layer = doc.layers.get(annotators[i]), doc.layers.get(annotators[j])
            if a_layer is None or b_layer is None:
                continue
            pair.report.documents += 1
            pair.add_spans(
                pair.report.exact, doc.document, exact_matching(a_layer.spans, b_layer.spans)
            )
            overlap = overlap_matching(a_layer.spans, b_layer.spans)
            pair.add_spans(pair.report.overlap, doc.document, overlap, confusion=True)
            pair.add_attributes(doc.document, overlap.matched, attribute_keys)
            if a_layer.links or b_layer.links:
                pair.add_links(
                    doc.document,
                    a_layer,
                    b_layer,
                    overlap.matched,
                    directed,
                    _fragments_by_uuid(a_layer, b_layer),
                )
    if progress is not None:
        progress(len(documents), len(documents))
    pairs = []
    scopes = [(OVERALL, counts.overall, counts.overall_runs)] + [
        (tag, counts.per_tag[tag], counts.tag_runs.get(tag, [])) for tag in all_tags
    ]
    uuids = list(annotators)
    for (i, j), pair in work.items():
        report = pair.report
        for key, patterns, runs in scopes:
            projected = project(patterns, (i, j))
            passages = _run_passages(runs, (i, j), uuids, label_of)  # shared by κ and α
            report.kappa[key] = _coefficient(cohen_kappa, projected, passages)
            report.alpha[key] = _coefficient(krippendorff_alpha, projected, passages)
        for table, keys in (
            (report.exact, all_tags),
            (report.overlap, all_tags),
            (report.links, all_link_types),
        ):
            for key in [OVERALL, *keys]:
                pair.counts(table, key)
            ordered = {key: table[key] for key in [OVERALL, *keys]}
            table.clear()
            table.update(ordered)
        pair.finish_attributes()
        pairs.append(report)
    group = GroupReport(tuple(annotators))
    everyone = range(len(annotators))
    for key, patterns, runs in scopes:
        if len(pairs) == 1:  # two annotators: the group is the pair
            passages = pairs[0].kappa[key].passages
        else:
            passages = _run_passages(runs, everyone, uuids, label_of)
        group.alpha[key] = _coefficient(krippendorff_alpha, patterns, passages)
        group.fleiss[key] = _coefficient(fleiss_kappa, patterns, passages, all_present=True)
    return AgreementReport(
        annotators={a: names.get(a, a) for a in annotators},
        documents=[d.document for d in documents],
        tags=all_tags,
        link_types=all_link_types,
        tokens=counts.tokens,
        pairs=pairs,
        group=group,
    )
