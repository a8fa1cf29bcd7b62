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

Counting marks each span's tokens in byte strings (one slice assignment per fragment) and
counts and cuts those with C loops (`token_streams`): no Python step per token, so the
Python work grows with the number of spans, not of tokens.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from types import MappingProxyType
from typing import Any, NamedTuple

from annotator.domain.agreement.token_streams import (
    as_bytes,
    as_int,
    bit_bytes,
    count_units,
    differing,
    interleave,
    runs_where,
    unit_size,
)

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
_TOKEN_SPLIT = re.compile(f"({TOKEN_PATTERN.pattern})")
NONE = ""  # the overall label of a token no tag covers (shown as "none")
_new = tuple.__new__  # a named tuple without its __new__'s Python frame (one per run)
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


def count_tokens(
    doc: DocumentLayers, annotators: Sequence[str], tags: Sequence[str], counts: TokenCounts
) -> None:
    """Add one document's token patterns (overall and for each of `tags`) to `counts`.

    Each pattern counter keeps its keys in the order of first occurrence, document by
    document, with the pattern of no tag added after a document's own patterns if it did not
    occur (the order a sweep over span boundaries gave; the coefficients' float sums follow
    it). The labels are byte strings (`token_streams`): no Python step per token."""
    starts, ends = tokenise(doc.text)
    n_tokens = len(starts)
    counts.tokens += n_tokens
    covering = [index for index, a in enumerate(annotators) if a in doc.layers]
    voices = len(covering)
    # marks[tag][v]: the tokens the v-th covering annotator's spans of `tag` touch, as an int
    marks: dict[str, list[int]] = {}
    ones = b"\x01" * n_tokens
    for voice, index in enumerate(covering):
        mine: dict[str, bytearray] = {}
        for _, tag, fragments, _ in doc.layers[annotators[index]].spans:
            for start, end in fragments:
                lo, hi = bisect_right(ends, start), bisect_left(starts, end)
                if lo < hi:
                    row = mine.get(tag)
                    if row is None:
                        row = mine[tag] = bytearray(n_tokens)
                    row[lo:hi] = ones[: hi - lo]
        for tag, row in mine.items():
            if tag not in marks:
                marks[tag] = [0] * voices
            marks[tag][voice] = as_int(row)
    absent = tuple(False if index in covering else None for index in range(len(annotators)))
    for tag, rows in marks.items():
        _count_tag(doc.document, rows, covering, absent, starts, ends, counts, tag)
    for tag in tags:  # a tag nobody used here is absent on every token for everyone
        if tag not in marks:
            counts.per_tag[tag][absent] += n_tokens
    _count_overall(doc.document, marks, covering, absent, starts, ends, counts)


def _count_tag(document, rows, covering, absent, starts, ends, counts, tag) -> None:
    """One tag: a unit per token says which covering annotators mark it (bit v: voice v)."""
    n_tokens = len(starts)
    voices = len(covering)
    if voices <= 8:
        width, stream = 1, as_bytes(bit_bytes(rows), n_tokens)
        possible = 1 << voices if voices <= 4 else 0

        def marked(unit: bytes, voice: int) -> bool:
            return unit[0] >> voice & 1 == 1
    else:
        width, possible = unit_size(voices), 0
        stream = interleave([as_bytes(row, n_tokens) for row in rows], n_tokens, width)

        def marked(unit: bytes, voice: int) -> bool:
            return unit[voice] != 0

    patterns: dict[bytes, tuple[Any, ...]] = {}

    def pattern_of(unit: bytes) -> tuple[Any, ...]:
        pattern = patterns.get(unit)
        if pattern is None:
            values = list(absent)
            for voice, index in enumerate(covering):
                values[index] = marked(unit, voice)
            pattern = patterns[unit] = tuple(values)
        return pattern

    _add_patterns(counts.per_tag[tag], count_units(stream, width, possible), pattern_of, absent)
    differs = differing([[row] for row in rows], n_tokens)
    runs = counts.tag_runs[tag]
    for lo, hi, unit in runs_where(stream, width, differs):
        runs.append(_new(Run, (document, starts[lo], ends[hi - 1], pattern_of(unit), hi)))


def _count_overall(document, marks, covering, absent, starts, ends, counts: TokenCounts) -> None:
    """The overall labels: a covering annotator's tags on a token as a bit mask of `groups`
    bytes (8 tags a byte, in the order of `marks`); a unit holds every covering annotator's."""
    n_tokens = len(starts)
    voices = len(covering)
    labelled = list(marks)
    groups = max(1, (len(labelled) + 7) // 8)
    masks = [
        [
            bit_bytes([marks[tag][voice] for tag in labelled[group * 8 : group * 8 + 8]])
            for group in range(groups)
        ]
        for voice in range(voices)
    ]
    nothing = tuple(NONE if value is False else None for value in absent)
    if not voices:  # nobody covers the document: every token is missing data for everyone
        counts.overall[nothing] += n_tokens
        return
    width = unit_size(voices * groups)
    rows = [as_bytes(mask, n_tokens) for voice_masks in masks for mask in voice_masks]
    stream = interleave(rows, n_tokens, width)
    labels: dict[bytes, str] = {}
    patterns: dict[bytes, tuple[Any, ...]] = {}

    def label(mask: bytes) -> str:
        found = labels.get(mask)
        if found is None:
            bits = int.from_bytes(mask, "little")
            on = [tag for bit, tag in enumerate(labelled) if bits >> bit & 1]
            found = labels[mask] = "+".join(sorted(on)) if on else NONE
        return found

    def pattern_of(unit: bytes) -> tuple[Any, ...]:
        pattern = patterns.get(unit)
        if pattern is None:
            values = list(absent)
            for voice, index in enumerate(covering):
                values[index] = label(unit[voice * groups : (voice + 1) * groups])
            pattern = patterns[unit] = tuple(values)
        return pattern

    _add_patterns(counts.overall, count_units(stream, width), pattern_of, nothing)
    runs = counts.overall_runs
    for lo, hi, unit in runs_where(stream, width, differing(masks, n_tokens)):
        runs.append(_new(Run, (document, starts[lo], ends[hi - 1], pattern_of(unit), hi)))


def _add_patterns(target: Counter, units: list[tuple[bytes, int]], pattern_of, last) -> None:
    """Add a document's unit counts to `target` as patterns, in their order of first
    occurrence; then `last` (the pattern of no label), where a sweep added it: at the end."""
    for unit, count in units:
        target[pattern_of(unit)] += count
    target[last] += 0
