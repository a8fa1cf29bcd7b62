"""Pairing two annotators' spans (exact and overlap) and links (on matched endpoints).

Exact matching: two spans match when they have the same tag and the same fragments; equal
duplicates pair one to one in order.

Overlap matching (one-to-one): candidates are pairs of spans, one from each annotator, whose
fragments share at least one code point. First pass, same tag only: candidates are taken
greedily by largest overlap (in code points), then earliest start (of either span, then A's,
then B's), then shortest extent, then the spans' order; a span already taken is skipped.
These pairs are the true positives. Second pass, among the spans still free: the same
greedy rule over candidates with different tags; these pairs are the off-diagonal cells of
the confusion table (for precision/recall they count as one false positive and one false
negative). Candidates come from a sweep over span starts with a heap of open spans, so the
cost follows the number of overlapping pairs, not the product of the layer sizes.

Links: a link of A and a link of B agree when they have the same type and their endpoints are
overlap-matched spans (source to source, target to target; for a link type that is not
directed, either way round). Only links whose two endpoints both matched are compared, so a
span disagreement is not counted twice; the others are reported as excluded.
"""

from __future__ import annotations

import heapq
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from annotator.domain.agreement.units import UnitLink, UnitSpan

SpanPair = tuple[UnitSpan, UnitSpan]


@dataclass
class SpanMatching:
    matched: list[SpanPair] = field(default_factory=list)  # same tag
    crossed: list[SpanPair] = field(default_factory=list)  # overlapping, different tags
    only_a: list[UnitSpan] = field(default_factory=list)
    only_b: list[UnitSpan] = field(default_factory=list)


def exact_matching(a_spans: Sequence[UnitSpan], b_spans: Sequence[UnitSpan]) -> SpanMatching:
    waiting: dict[tuple, deque[UnitSpan]] = defaultdict(deque)
    for span in b_spans:
        waiting[(span.tag, span.fragments)].append(span)
    result = SpanMatching()
    for span in a_spans:
        queue = waiting.get((span.tag, span.fragments))
        if queue:
            result.matched.append((span, queue.popleft()))
        else:
            result.only_a.append(span)
    taken = {id(b) for _, b in result.matched}
    result.only_b = [span for span in b_spans if id(span) not in taken]
    return result


def shared_length(a: UnitSpan, b: UnitSpan) -> int:
    """Code points the two spans' fragments have in common."""
    if len(a.fragments) == 1 and len(b.fragments) == 1:
        return max(0, min(a.end, b.end) - max(a.start, b.start))
    total = 0
    i = j = 0
    fa, fb = a.fragments, b.fragments
    while i < len(fa) and j < len(fb):
        total += max(0, min(fa[i][1], fb[j][1]) - max(fa[i][0], fb[j][0]))
        if fa[i][1] <= fb[j][1]:
            i += 1
        else:
            j += 1
    return total


def _candidates(a_spans: Sequence[UnitSpan], b_spans: Sequence[UnitSpan]) -> list[tuple]:
    """The sort key of every overlapping pair, in order: (-shared, first start, A's start,
    B's start, extent, index in A, index in B). The indices end the key (so keys are unique
    and the order is the spans' order on ties) and are read back from it: a flat tuple of
    ints sorts faster than a (key, i, j) tuple, whose keys are compared as objects."""
    starts = ([s.fragments[0][0] for s in a_spans], [s.fragments[0][0] for s in b_spans])
    ends = ([s.fragments[-1][1] for s in a_spans], [s.fragments[-1][1] for s in b_spans])
    simple = ([len(s.fragments) == 1 for s in a_spans], [len(s.fragments) == 1 for s in b_spans])
    order = sorted(
        [(start, 0, i) for i, start in enumerate(starts[0])]
        + [(start, 1, i) for i, start in enumerate(starts[1])]
    )
    open_spans: tuple[list, list] = ([], [])  # heaps of (end, index)
    found = []
    push, pop = heapq.heappush, heapq.heappop
    for start, side, index in order:
        other = open_spans[1 - side]
        while other and other[0][0] <= start:
            pop(other)
        end = ends[side][index]
        if other:
            # every open span of the other side started at or before this one: `start` is
            # the later start (min/max written out: this loop runs for every candidate)
            simple_here = simple[side][index]
            for other_end, other_index in other:
                i, j = (index, other_index) if side == 0 else (other_index, index)
                a_start, b_start = starts[0][i], starts[1][j]
                last_end, first_end = (end, other_end) if end >= other_end else (other_end, end)
                if simple_here and simple[1 - side][other_index]:
                    shared = first_end - start
                else:
                    shared = shared_length(a_spans[i], b_spans[j])
                if shared > 0:
                    first = a_start if a_start <= b_start else b_start
                    found.append((-shared, first, a_start, b_start, last_end - first, i, j))
        push(open_spans[side], (end, index))
    found.sort()
    return found


def overlap_matching(a_spans: Sequence[UnitSpan], b_spans: Sequence[UnitSpan]) -> SpanMatching:
    candidates = _candidates(a_spans, b_spans)
    taken_a = [False] * len(a_spans)
    taken_b = [False] * len(b_spans)
    result = SpanMatching()
    for same_tag, target in ((True, result.matched), (False, result.crossed)):
        for _, _, _, _, _, i, j in candidates:
            if taken_a[i] or taken_b[j]:
                continue
            a, b = a_spans[i], b_spans[j]
            if (a.tag == b.tag) != same_tag:
                continue
            taken_a[i] = taken_b[j] = True
            target.append((a, b))
    result.only_a = [s for i, s in enumerate(a_spans) if not taken_a[i]]
    result.only_b = [s for j, s in enumerate(b_spans) if not taken_b[j]]
    return result


@dataclass
class LinkMatching:
    matched: list[tuple[UnitLink, UnitLink]] = field(default_factory=list)
    only_a: list[UnitLink] = field(default_factory=list)
    only_b: list[UnitLink] = field(default_factory=list)
    excluded_a: list[UnitLink] = field(default_factory=list)  # an endpoint did not match
    excluded_b: list[UnitLink] = field(default_factory=list)


def _link_key(link_type: str, source: str, target: str, directed: bool) -> tuple:
    if directed:
        return (link_type, source, target)
    return (link_type, *sorted((source, target)))


def link_matching(
    a_links: Sequence[UnitLink],
    b_links: Sequence[UnitLink],
    span_pairs: Sequence[SpanPair],
    directed: Mapping[str, bool],
) -> LinkMatching:
    """Links compared through the overlap-matched span pairs (see the module docstring)."""
    a_to_b = {a.uuid: b.uuid for a, b in span_pairs}
    matched_b = set(a_to_b.values())
    result = LinkMatching()
    waiting: dict[tuple, deque[UnitLink]] = defaultdict(deque)
    for link in b_links:
        if link.source in matched_b and link.target in matched_b:
            is_directed = directed.get(link.type, True)
            waiting[_link_key(link.type, link.source, link.target, is_directed)].append(link)
        else:
            result.excluded_b.append(link)
    for link in a_links:
        source, target = a_to_b.get(link.source), a_to_b.get(link.target)
        if source is None or target is None:
            result.excluded_a.append(link)
            continue
        queue = waiting.get(_link_key(link.type, source, target, directed.get(link.type, True)))
        if queue:
            result.matched.append((link, queue.popleft()))
        else:
            result.only_a.append(link)
    for queue in waiting.values():
        result.only_b.extend(queue)
    return result
