"""What agreement is computed on: layers per document, and token units with their labels.

Token rule: a document's tokens are the matches of ``\\w+|[^\\w\\s]`` over its code points
(a run of word characters, or one character that is neither a word character nor white
space), so offsets are plain ``str`` indices. A token carries a tag for an annotator when one
fragment of one of that annotator's spans with that tag shares at least one code point with
the token. Whitespace belongs to no token, so where exactly a span starts or ends inside
white space makes no difference.

Labels: *per tag*, a token is present (True) or absent (False) for each annotator — so
overlapping and nested tags each get their own figure. *Overall*, a token's label is the set of
tags it carries, written as the tag keys joined by "+" in sorted order, or NONE; so a token
that one annotator tags actor+claim and another only actor is a disagreement. An annotator who
does not cover a document (did not finish it) gives no value there: ``None``, missing data.

Counting goes by a sweep over span boundaries in token indices: between two boundaries the
labels cannot change, so a stretch of k tokens adds k to one pattern at once, and the cost
grows with the number of spans, not of tokens.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
NONE = ""  # the overall label of a token no tag covers (shown as "none")


@dataclass(frozen=True, slots=True)
class UnitSpan:
    """A span as agreement sees it."""

    uuid: str
    tag: str
    fragments: tuple[tuple[int, int], ...]
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


@dataclass(frozen=True, slots=True)
class UnitLink:
    uuid: str
    type: str
    source: str
    target: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Layer:
    spans: tuple[UnitSpan, ...] = ()
    links: tuple[UnitLink, ...] = ()


@dataclass(frozen=True)
class DocumentLayers:
    """One document's text and the layers of the annotators who cover it (by annotator uuid);
    a chosen annotator absent from `layers` gives missing data for this document."""

    document: str
    text: str
    layers: Mapping[str, Layer]


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive tokens [first, last] of a document with the same, non-unanimous pattern."""

    document: str
    start: int  # code point offset of the first token
    end: int  # end offset of the last token
    pattern: tuple[Any, ...]


def tokenise(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of the document's tokens (see the module docstring)."""
    starts: list[int] = []
    ends: list[int] = []
    for match in TOKEN_PATTERN.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends


def token_range(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int]:
    """Indices [lo, hi) of the tokens sharing a code point with [start, end)."""
    return bisect_right(ends, start), bisect_left(starts, end)


@dataclass
class TokenCounts:
    """Pattern counts over token units, overall and per tag, with the disagreeing runs."""

    tokens: int = 0
    overall: Counter = field(default_factory=Counter)
    per_tag: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    overall_runs: list[Run] = field(default_factory=list)
    tag_runs: dict[str, list[Run]] = field(default_factory=lambda: defaultdict(list))


def _unanimous(pattern: tuple[Any, ...]) -> bool:
    present = [v for v in pattern if v is not None]
    return all(v == present[0] for v in present)


def _add_run(runs: list[Run], document: str, starts, ends, lo, hi, pattern) -> None:
    if runs and runs[-1].document == document and runs[-1].pattern == pattern:
        last = runs[-1]
        # adjacent stretch (no token between) with the same pattern: one passage
        if bisect_left(starts, last.end) >= lo:
            runs[-1] = Run(document, last.start, ends[hi - 1], pattern)
            return
    runs.append(Run(document, starts[lo], ends[hi - 1], pattern))


def count_tokens(
    doc: DocumentLayers, annotators: Sequence[str], tags: Sequence[str], counts: TokenCounts
) -> None:
    """Add one document's token patterns (overall and for each of `tags`) to `counts`."""
    starts, ends = tokenise(doc.text)
    n_tokens = len(starts)
    counts.tokens += n_tokens
    covers = [a in doc.layers for a in annotators]
    events: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for index, annotator in enumerate(annotators):
        layer = doc.layers.get(annotator)
        if layer is None:
            continue
        for span in layer.spans:
            for start, end in span.fragments:
                lo, hi = token_range(starts, ends, start, end)
                if lo < hi:
                    events[span.tag].append((lo, index, 1))
                    events[span.tag].append((hi, index, -1))
    for tag_events in events.values():
        tag_events.sort()
    _sweep_tags(doc.document, events, covers, n_tokens, starts, ends, counts)
    absent = tuple(False if c else None for c in covers)
    for tag in tags:  # a tag nobody used here is absent on every token for everyone
        if tag not in events:
            counts.per_tag[tag][absent] += n_tokens
    _sweep_overall(doc.document, events, covers, n_tokens, starts, ends, counts)


def _sweep_tags(document, events, covers, n_tokens, starts, ends, counts: TokenCounts) -> None:
    absent = tuple(False if c else None for c in covers)
    for tag, tag_events in events.items():
        patterns = counts.per_tag[tag]
        runs = counts.tag_runs[tag]
        active = [0] * len(covers)
        position = 0
        index = 0
        while index < len(tag_events):
            at = tag_events[index][0]
            if at > position:
                pattern = tuple((active[i] > 0) if covers[i] else None for i in range(len(covers)))
                patterns[pattern] += at - position
                if not _unanimous(pattern):
                    _add_run(runs, document, starts, ends, position, at, pattern)
                position = at
            while index < len(tag_events) and tag_events[index][0] == at:
                active[tag_events[index][1]] += tag_events[index][2]
                index += 1
        patterns[absent] += n_tokens - position


def _sweep_overall(document, events, covers, n_tokens, starts, ends, counts: TokenCounts) -> None:
    merged = sorted(
        (at, annotator, delta, tag)
        for tag, tag_events in events.items()
        for at, annotator, delta in tag_events
    )
    active: list[Counter] = [Counter() for _ in covers]
    labels = [NONE if c else None for c in covers]
    position = 0
    index = 0
    while index < len(merged):
        at = merged[index][0]
        if at > position:
            pattern = tuple(labels)
            counts.overall[pattern] += at - position
            if not _unanimous(pattern):
                _add_run(counts.overall_runs, document, starts, ends, position, at, pattern)
            position = at
        changed = set()
        while index < len(merged) and merged[index][0] == at:
            _, annotator, delta, tag = merged[index]
            active[annotator][tag] += delta
            changed.add(annotator)
            index += 1
        for annotator in changed:
            labels[annotator] = "+".join(sorted(t for t, n in active[annotator].items() if n > 0))
    counts.overall[tuple(NONE if c else None for c in covers)] += n_tokens - position
