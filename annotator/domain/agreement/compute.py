"""Compute the agreement report from documents' layers (pure: no store, no Qt)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.domain.agreement.matching import exact_matching, overlap_matching
from annotator.domain.agreement.measures import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    pairs_of,
    project,
    undefined_reason,
)
from annotator.domain.agreement.pair_work import (
    PairWork,
    fragments_by_uuid,
    merge_counters,
)
from annotator.domain.agreement.report import (
    NONE_LABEL,
    OVERALL,
    AgreementReport,
    Coefficient,
    GroupReport,
    Passage,
)
from annotator.domain.agreement.units import (
    NONE,
    DocumentLayers,
    Run,
    TokenCounts,
    count_tokens,
)

_new = tuple.__new__  # a named tuple without its __new__'s Python frame (one per passage)

#: progress(documents done, documents in all); returning False asks to stop.
Progress = Callable[[int, int], bool | None]


class Stopped(Exception):
    """The progress callback asked to stop."""


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


@dataclass
class Part:
    """What `compute_report` accumulates over some documents, before the coefficients: it can
    be pickled, and the parts of consecutive runs of documents merged in order
    (`merge_parts`) give exactly the whole run's (services/agreement_worker.py computes
    the second part in another process)."""

    annotators: tuple[str, ...]
    labels: list[str]  # the annotators' names, by position
    work: dict[tuple[int, int], PairWork]
    counts: TokenCounts = field(default_factory=TokenCounts)
    documents: list[str] = field(default_factory=list)


def start_part(
    annotators: Sequence[str], names: Mapping[str, str] | None = None, *, plain: bool = False
) -> Part:
    """An empty part; `plain`: its passages are plain tuples until `restore_passages` (a part
    to pickle: a named tuple costs a Python call each to pickle)."""
    names = names or {}
    labels = [names.get(a, a) for a in annotators]
    work = {
        (i, j): PairWork(annotators[i], annotators[j], (labels[i], labels[j]), plain)
        for i, j in pairs_of(len(annotators))
    }
    return Part(tuple(annotators), labels, work)


def merge_parts(first: Part, second: Part) -> Part:
    """`first` with `second` (the documents that follow first's) counted in: every passage
    list, count and key order is the one counting all the documents into one part gives, so
    the report is identical (the coefficients' float sums follow the patterns' key order)."""
    if first.annotators != second.annotators or first.work.keys() != second.work.keys():
        raise ValueError("the parts are of different annotators")
    restore_passages(first)
    first.documents.extend(second.documents)
    mine, theirs = first.counts, second.counts
    mine.tokens += theirs.tokens
    merge_counters(mine.overall, theirs.overall)
    mine.overall_runs.extend(theirs.overall_runs)
    for tag, patterns in theirs.per_tag.items():
        merge_counters(mine.per_tag[tag], patterns)
    for tag, runs in theirs.tag_runs.items():
        mine.tag_runs[tag].extend(runs)
    restore_passages(second)
    for key, pair in first.work.items():
        pair.merge(second.work[key])
    return first


def restore_passages(part: Part) -> Part:
    """Passages for the plain tuples of a part started with `plain` (in place)."""
    for pair in part.work.values():
        pair.restore_passages()
    return part


def found_labels(documents: Sequence[DocumentLayers]) -> tuple[set[str], set[str]]:
    """The tags and the link types the documents' layers use."""
    tags = {s.tag for d in documents for layer in d.layers.values() for s in layer.spans}
    links = {k.type for d in documents for layer in d.layers.values() for k in layer.links}
    return tags, links


def label_order(named: Sequence[str], found: set[str]) -> list[str]:
    """The display order: the named ones, then the others found, sorted."""
    return [*named, *sorted(found - set(named))]


def add_documents(
    part: Part,
    documents: Sequence[DocumentLayers],
    all_tags: Sequence[str],
    *,
    directed: Mapping[str, bool] | None = None,
    attribute_keys: Mapping[str, Sequence[str]] | None = None,
    progress: Progress | None = None,
) -> None:
    """Count the documents into `part` (`all_tags`: every tag of the whole report, in order)."""
    directed = directed or {}
    attribute_keys = attribute_keys or {}
    annotators = part.annotators
    counts = part.counts
    for number, doc in enumerate(documents):
        if progress is not None and progress(number, len(documents)) is False:
            raise Stopped()
        part.documents.append(doc.document)
        count_tokens(doc, annotators, all_tags, counts)
        for (i, j), pair in part.work.items():
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
                    fragments_by_uuid(a_layer, b_layer),
                )


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
    found_tags, found_links = found_labels(documents)
    all_tags = label_order(tags, found_tags)
    part = start_part(annotators, names)
    add_documents(
        part,
        documents,
        all_tags,
        directed=directed,
        attribute_keys=attribute_keys,
        progress=progress,
    )
    if progress is not None:
        progress(len(documents), len(documents))
    return finish_report(part, all_tags, label_order(link_types, found_links), names)


def finish_report(
    part: Part,
    all_tags: Sequence[str],
    all_link_types: Sequence[str],
    names: Mapping[str, str] | None = None,
) -> AgreementReport:
    """The report of the documents counted into `part`: the coefficients and the tables."""
    names = names or {}
    annotators, label_of, counts = part.annotators, part.labels, part.counts
    pairs = []
    scopes = [(OVERALL, counts.overall, counts.overall_runs)] + [
        (tag, counts.per_tag[tag], counts.tag_runs.get(tag, [])) for tag in all_tags
    ]
    uuids = list(annotators)
    for (i, j), pair in part.work.items():
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
        documents=list(part.documents),
        tags=list(all_tags),
        link_types=list(all_link_types),
        tokens=counts.tokens,
        pairs=pairs,
        group=group,
    )
