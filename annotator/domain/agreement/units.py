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
from itertools import accumulate
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NamedTuple

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
_TOKEN_SPLIT = re.compile(f"({TOKEN_PATTERN.pattern})")
NONE = ""  # the overall label of a token no tag covers (shown as "none")
_NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})


class UnitSpan(NamedTuple):
    """A span as agreement sees it (a named tuple: hundreds of thousands are made at once)."""

    uuid: str
    tag: str
    fragments: tuple[tuple[int, int], ...]
    attributes: Mapping[str, Any] = _NO_ATTRIBUTES

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


class UnitLink(NamedTuple):
    uuid: str
    type: str
    source: str
    target: str
    attributes: Mapping[str, Any] = _NO_ATTRIBUTES


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


class Run(NamedTuple):
    """Consecutive tokens [first, last] of a document with the same, non-unanimous pattern."""

    document: str
    start: int  # code point offset of the first token
    end: int  # end offset of the last token
    pattern: tuple[Any, ...]
    stop: int = 0  # index of the token after the last (to join adjacent stretches)


def tokenise(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of the document's tokens (see the module docstring).

    Split on the token pattern (captured): the pieces alternate gap, token, gap, …, gap, so
    the running sum of their lengths is gap end (= token start), token end, … — the same
    tokens as `TOKEN_PATTERN.finditer`, found by C loops with no match object per token."""
    bounds = list(accumulate(map(len, _TOKEN_SPLIT.split(text))))
    return bounds[0:-1:2], bounds[1::2]


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


def _disagree(pattern: tuple[Any, ...]) -> bool:
    """Whether two annotators with a value give different values."""
    values = set(pattern)
    values.discard(None)
    return len(values) > 1


def _add_run(runs: list[Run], document: str, starts, ends, lo, hi, pattern) -> None:
    if runs:
        last = runs[-1]
        # an adjacent stretch (no token between) with the same pattern: one passage
        if last.stop == lo and last.pattern == pattern and last.document == document:
            runs[-1] = Run(document, last.start, ends[hi - 1], pattern, hi)
            return
    runs.append(Run(document, starts[lo], ends[hi - 1], pattern, hi))


def count_tokens(
    doc: DocumentLayers, annotators: Sequence[str], tags: Sequence[str], counts: TokenCounts
) -> None:
    """Add one document's token patterns (overall and for each of `tags`) to `counts`."""
    starts, ends = tokenise(doc.text)
    n_tokens = len(starts)
    counts.tokens += n_tokens
    covers = [a in doc.layers for a in annotators]
    # one event tuple serves both sweeps: its tag's and the overall one
    events: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
    merged: list[tuple[int, int, int, str]] = []
    add_merged = merged.append
    for index, annotator in enumerate(annotators):
        layer = doc.layers.get(annotator)
        if layer is None:
            continue
        for span in layer.spans:
            tag = span.tag
            add_event = events[tag].append
            for start, end in span.fragments:
                lo, hi = bisect_right(ends, start), bisect_left(starts, end)
                if lo < hi:
                    opening, closing = (lo, index, 1, tag), (hi, index, -1, tag)
                    add_event(opening)
                    add_event(closing)
                    add_merged(opening)
                    add_merged(closing)
    # The order of the events at one position does not change the state after them, and
    # patterns are only counted between positions: sorting on the position alone is enough.
    by_position = itemgetter(0)
    for tag_events in events.values():
        tag_events.sort(key=by_position)
    _sweep_tags(doc.document, events, covers, n_tokens, starts, ends, counts)
    absent = tuple(False if c else None for c in covers)
    for tag in tags:  # a tag nobody used here is absent on every token for everyone
        if tag not in events:
            counts.per_tag[tag][absent] += n_tokens
    merged.sort(key=by_position)
    _sweep_overall(doc.document, merged, covers, n_tokens, starts, ends, counts)


def _sweep_tags(document, events, covers, n_tokens, starts, ends, counts: TokenCounts) -> None:
    absent = tuple(False if c else None for c in covers)
    for tag, tag_events in events.items():
        patterns = counts.per_tag[tag]
        runs = counts.tag_runs[tag]
        active = [0] * len(covers)
        current = list(absent)
        position = 0
        for at, annotator, delta, _ in tag_events:
            if at > position:  # the stretch [position, at) has the current pattern
                pattern = tuple(current)
                patterns[pattern] += at - position
                if True in pattern and False in pattern:
                    _add_run(runs, document, starts, ends, position, at, pattern)
                position = at
            count = active[annotator] + delta
            active[annotator] = count
            current[annotator] = count > 0
        patterns[absent] += n_tokens - position


def _sweep_overall(document, merged, covers, n_tokens, starts, ends, counts: TokenCounts) -> None:
    active: list[dict[str, int]] = [{} for _ in covers]
    labels = [NONE if c else None for c in covers]
    overall = counts.overall
    runs = counts.overall_runs
    # whether a pattern disagrees: two annotators who both cover the document (the common
    # case) differ when their labels do; otherwise the general rule
    pairwise = len(covers) == 2 and all(covers)
    dirty: set[int] = set()
    position = 0
    for at, annotator, delta, tag in merged:
        if at > position:
            for changed in dirty:
                tags_on = active[changed]
                if len(tags_on) <= 1:
                    labels[changed] = next(iter(tags_on), NONE)
                else:
                    labels[changed] = "+".join(sorted(tags_on))
            dirty.clear()
            pattern = tuple(labels)
            overall[pattern] += at - position
            if (pattern[0] != pattern[1]) if pairwise else _disagree(pattern):
                _add_run(runs, document, starts, ends, position, at, pattern)
            position = at
        tags_on = active[annotator]
        count = tags_on.get(tag, 0) + delta
        if count:
            tags_on[tag] = count
        else:  # only tags still open stay in the map, so it is the label itself
            del tags_on[tag]
        dirty.add(annotator)
    overall[tuple(NONE if c else None for c in covers)] += n_tokens - position
