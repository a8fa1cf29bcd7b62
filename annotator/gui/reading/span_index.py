"""Display spans and links, and a sorted interval index for "which spans overlap [a, b)"."""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from operator import attrgetter

__all__ = [
    "MAX_LEVELS",
    "DisplayLink",
    "DisplaySpan",
    "Piece",
    "RangeList",
    "SpanIndex",
    "assign_levels",
    "innermost_segments",
]

#: Nesting levels drawn as stacked underlines; deeper spans get level MAX_LEVELS (not drawn).
MAX_LEVELS = 4
#: Spans whose extent exceeds this many code points are kept in a short side list, so that one
#: huge span does not widen every query window of the sorted list.
LONG_SPAN = 4096


@dataclass(frozen=True, slots=True)
class DisplaySpan:
    """What the reading pane needs to show one span. Offsets are code points, end-exclusive.

    ``fragments`` are ordered, non-empty and non-overlapping (a discontinuous span has several).
    ``color`` is ``#rrggbb``; ``tooltip`` is shown verbatim on hover (the caller composes it).
    """

    id: str
    fragments: tuple[tuple[int, int], ...]
    color: str
    label: str = ""
    tooltip: str = ""
    start: int = field(init=False, repr=False, compare=False)
    end: int = field(init=False, repr=False, compare=False)
    extent: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        frags = self.fragments
        if not isinstance(frags, tuple) or not all(type(f) is tuple for f in frags):
            frags = tuple((int(a), int(b)) for a, b in frags)
            object.__setattr__(self, "fragments", frags)
        if not frags or any(b <= a for a, b in frags):
            raise ValueError(f"span {self.id!r} needs non-empty fragments, got {frags!r}")
        object.__setattr__(self, "start", frags[0][0])
        object.__setattr__(self, "end", frags[-1][1])
        object.__setattr__(self, "extent", frags[-1][1] - frags[0][0])


@dataclass(frozen=True, slots=True)
class DisplayLink:
    """A directed link between two spans (by id), drawn as an arc from source to target."""

    id: str
    source: str
    target: str
    label: str = ""
    color: str = "#808080"


@dataclass(slots=True)
class Piece:
    """The part of one span fragment inside a region: clipped offsets plus its underline level."""

    start: int
    end: int
    span: DisplaySpan
    frag_len: int  # length of the whole (unclipped) fragment: shorter = more inner
    level: int = 0


_start = attrgetter("start")
_extent = attrgetter("extent")


class SpanIndex:
    """Spans sorted by start, for overlap queries in O(log n + k) and single edits in O(log n).

    A query for ``[a, b)`` bisects the sorted list for starts in ``[a - maxlen, b)`` and keeps the
    spans whose fragments reach past ``a`` (research note qt-perf.md §1). Inserting into or
    deleting from the Python list is one C ``memmove``: microseconds even for 100,000 spans.
    Building costs one sort (linear when the spans come sorted by start, as from the store);
    the id lookup table is built on first use (see ``ensure_ids``), so opening a document does
    not wait for it.
    """

    def __init__(self, spans: Iterable[DisplaySpan] = ()) -> None:
        items = list(spans)
        self._maxlen = max(map(_extent, items), default=0)
        self._long: list[DisplaySpan] = []
        if self._maxlen > LONG_SPAN:
            self._long = [s for s in items if s.extent > LONG_SPAN]
            items = [s for s in items if s.extent <= LONG_SPAN]
            self._maxlen = max(map(_extent, items), default=0)
        items.sort(key=_start)
        self._spans: list[DisplaySpan] = items
        self._by_id: dict[str, DisplaySpan] | None = None

    @property
    def by_id(self) -> dict[str, DisplaySpan]:
        """Spans by id (built on first use; a later span with a duplicate id wins)."""
        if self._by_id is None:
            self.ensure_ids()
        assert self._by_id is not None
        return self._by_id

    def ensure_ids(self) -> None:
        """Build the id table now (the view calls this when idle after the first frame)."""
        if self._by_id is not None:
            return
        everything = self._spans + self._long
        by_id = dict(zip(map(attrgetter("id"), everything), everything, strict=True))
        if len(by_id) != len(everything):
            keep = {id(s) for s in by_id.values()}
            self._spans = [s for s in self._spans if id(s) in keep]
            self._long = [s for s in self._long if id(s) in keep]
        self._by_id = by_id

    def __len__(self) -> int:
        return len(self.by_id)

    def __contains__(self, span_id: object) -> bool:
        return span_id in self.by_id

    def __iter__(self) -> Iterator[DisplaySpan]:
        return iter(self.by_id.values())

    def get(self, span_id: str) -> DisplaySpan | None:
        return self.by_id.get(span_id)

    def add(self, span: DisplaySpan) -> None:
        """Insert a span (replacing one with the same id)."""
        if span.id in self.by_id:
            self.remove(span.id)
        self.by_id[span.id] = span
        if span.extent > LONG_SPAN:
            self._long.append(span)
            return
        self._spans.insert(bisect_right(self._spans, span.start, key=_start), span)
        self._maxlen = max(self._maxlen, span.extent)

    def extend(self, spans: Iterable[DisplaySpan]) -> None:
        """Insert many spans (replacing those with the same ids); spans that come in reading
        order after the last one indexed (a long document loading) are simply appended."""
        items = list(spans)
        if self._by_id is not None and any(s.id in self._by_id for s in items):
            for span in items:
                self.add(span)
            return
        short = [s for s in items if s.extent <= LONG_SPAN]
        self._long.extend(s for s in items if s.extent > LONG_SPAN)
        short.sort(key=_start)
        if short and self._spans and short[0].start < self._spans[-1].start:
            self._spans.extend(short)
            self._spans.sort(key=_start)  # Timsort merges the two sorted runs in linear time
        else:
            self._spans.extend(short)
        self._maxlen = max(self._maxlen, max(map(_extent, short), default=0))
        if self._by_id is not None:
            for span in items:
                self._by_id[span.id] = span

    def remove(self, span_id: str) -> DisplaySpan | None:
        """Delete a span by id; returns it, or None if it was not indexed."""
        span = self.by_id.pop(span_id, None)
        if span is None:
            return None
        if span.extent > LONG_SPAN:
            self._long.remove(span)
            return span
        i = bisect_left(self._spans, span.start, key=_start)
        while self._spans[i] is not span:
            i += 1
        del self._spans[i]
        return span

    def overlapping(self, a: int, b: int) -> list[DisplaySpan]:
        """Spans with a fragment overlapping ``[a, b)`` (or containing ``a`` when ``a == b``)."""
        if a == b:
            b = a + 1
        lo = bisect_left(self._spans, a - self._maxlen, key=_start)
        hi = bisect_left(self._spans, b, lo, key=_start)
        found = [s for s in self._spans[lo:hi] if s.end > a]
        if self._long:
            found.extend(s for s in self._long if s.start < b and s.end > a)
        if any(len(s.fragments) > 1 for s in found):
            found = [s for s in found if _touches(s, a, b)]
        return found

    def pieces(self, a: int, b: int) -> list[Piece]:
        """Fragment pieces clipped to ``[a, b)``, with underline levels assigned."""
        pieces = [
            Piece(max(fs, a), min(fe, b), span, fe - fs)
            for span in self.overlapping(a, b)
            for fs, fe in span.fragments
            if fs < b and fe > a
        ]
        assign_levels(pieces)
        return pieces

    def at(self, cp: int) -> list[DisplaySpan]:
        """Spans covering the character at ``cp``, innermost (shortest fragment) first."""
        hits = []
        for span in self.overlapping(cp, cp + 1):
            for fs, fe in span.fragments:
                if fs <= cp < fe:
                    hits.append((fe - fs, -fs, span.id, span))
        hits.sort(key=lambda h: h[:3])
        return [h[3] for h in hits]


def _touches(span: DisplaySpan, a: int, b: int) -> bool:
    return any(fs < b and fe > a for fs, fe in span.fragments)


def _order(p: Piece) -> tuple[int, int, str]:
    return (p.frag_len, -p.start, p.span.id)


def assign_levels(pieces: list[Piece]) -> None:
    """Give overlapping pieces distinct underline levels, innermost (shortest) at level 0.

    Greedy interval colouring in order of fragment length; the pieces of one span share a level.
    Each level keeps its intervals sorted and disjoint, so a conflict test is one bisect; at most
    MAX_LEVELS levels are tried, deeper pieces get MAX_LEVELS (counted, not drawn).
    """
    if len(pieces) < 2:
        return
    by_span: dict[str, list[Piece]] = {}
    for p in sorted(pieces, key=_order):
        by_span.setdefault(p.span.id, []).append(p)
    starts: list[list[int]] = [[] for _ in range(MAX_LEVELS)]
    ends: list[list[int]] = [[] for _ in range(MAX_LEVELS)]
    for group in by_span.values():
        level = MAX_LEVELS
        for lv in range(MAX_LEVELS):
            ls, le = starts[lv], ends[lv]
            free = True
            for p in group:
                k = bisect_left(ls, p.end) - 1
                if k >= 0 and le[k] > p.start:
                    free = False
                    break
            if free:
                level = lv
                for p in group:
                    k = bisect_left(ls, p.start)
                    ls.insert(k, p.start)
                    le.insert(k, p.end)
                break
        for p in group:
            p.level = level


def innermost_segments(pieces: list[Piece]) -> list[tuple[int, int, DisplaySpan]]:
    """Split the pieces' union into maximal runs coloured by the innermost covering piece."""
    if not pieces:
        return []
    if len(pieces) == 1:
        p = pieces[0]
        return [(p.start, p.end, p.span)]
    ordered = sorted(pieces, key=lambda p: p.start)
    bounds = sorted({p.start for p in pieces} | {p.end for p in pieces})
    heap: list[tuple[int, int, str, int, Piece]] = []
    out: list[tuple[int, int, DisplaySpan]] = []
    i = 0
    for x, nxt in pairwise(bounds):
        while i < len(ordered) and ordered[i].start <= x:
            p = ordered[i]
            heapq.heappush(heap, (p.frag_len, -p.start, p.span.id, i, p))
            i += 1
        while heap and heap[0][4].end <= x:
            heapq.heappop(heap)
        if not heap:
            continue
        span = heap[0][4].span
        if out and out[-1][1] == x and out[-1][2] is span:
            out[-1] = (out[-1][0], nxt, span)
        else:
            out.append((x, nxt, span))
    return out


class RangeList:
    """Sorted, rarely changing ``(start, end)`` ranges (search hits, suggestions) by position."""

    __slots__ = ("_maxlen", "ranges")

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()) -> None:
        self.ranges: list[tuple[int, int]] = sorted((int(a), int(b)) for a, b in ranges)
        self._maxlen = max((b - a for a, b in self.ranges), default=0)

    def __len__(self) -> int:
        return len(self.ranges)

    def overlapping(self, a: int, b: int) -> list[tuple[int, int]]:
        """Ranges overlapping ``[a, b)``, in order."""
        lo = bisect_left(self.ranges, (a - self._maxlen,))
        hi = bisect_left(self.ranges, (b,), lo)
        return [r for r in self.ranges[lo:hi] if r[1] > a]
