"""Routing of link arcs in the band reserved above each text line: rows, labels and bundles.

Pure geometry of one laid-out block (no painting): every link with an end anchored in the block
becomes an arc item on the line of that end. Both ends on one line: a full arc over the line.
Otherwise a half arc runs from the anchor to the column edge (right when the other end comes
later in the text, left when it came earlier), where the painter draws a stub to jump from.
Items are stacked in rows by width (shorter arcs lower, so nested arcs do not cross), each
item's extent includes its label, rows are capped, and what is left is bundled into "+N" chips.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtGui import QTextBlock, QTextLayout

from annotator.gui.reading.offsets import OffsetMap
from annotator.gui.reading.span_index import DisplayLink, DisplaySpan

__all__ = ["LEVEL_CAP", "ArcItem", "BlockArcs", "Bundle", "LineArcs", "route_block"]

#: Arc rows per line; arcs that would need more are bundled into one more row of "+N" chips.
LEVEL_CAP = 3
#: Horizontal room kept free around an item's extent when rows are assigned.
_PAD = 3.0
#: How far the edge of a half arc reaches into the document margin.
EDGE = 4.0


@dataclass(slots=True)
class ArcItem:
    """One arc (or half arc) in one line's band; x in block coordinates."""

    link: DisplayLink
    kind: str  # "full": both ends on the line; "out": to the right edge; "in": from the left
    x1: float  # horizontal run, x1 < x2
    x2: float
    tail: float | None  # x of the source's leg (None: the source is elsewhere)
    head: float | None  # x of the target's leg, with the arrowhead (None: elsewhere)
    other: str  # a half arc: the span id at the other end
    lx1: float = 0.0  # label box (empty label: lx1 == lx2)
    lx2: float = 0.0
    level: int = 0  # row above the line, 0 lowest; -1 bundled

    @property
    def lo(self) -> float:
        return min(self.x1, self.lx1) - _PAD

    @property
    def hi(self) -> float:
        return max(self.x2, self.lx2) + _PAD


@dataclass(slots=True)
class Bundle:
    """Arcs left out of a crowded band, shown as one "+N" chip at x1..x2 in the top row."""

    x1: float
    x2: float
    items: list[ArcItem]


@dataclass(slots=True)
class LineArcs:
    """The arcs of one text line and the rows of band they need."""

    items: list[ArcItem] = field(default_factory=list)
    bundles: list[Bundle] = field(default_factory=list)
    rows: int = 0


@dataclass(slots=True)
class BlockArcs:
    """Routed arcs of one block, valid while ``key`` (layout width, line count…) holds."""

    key: tuple
    lines: dict[int, LineArcs]
    first: int = 0  # the code points of the block: its arcs are the links of the spans
    last: int = 0  # starting in first <= start < last

    def rows(self, line: int) -> int:
        found = self.lines.get(line)
        return found.rows if found is not None else 0


def _first_run(
    span: DisplaySpan, layout: QTextLayout, pos: int, omap: OffsetMap
) -> tuple[int, float, float]:
    """(line index, x1, x2) of the start of the span's first fragment within its block."""
    qs = omap.to_qt(span.fragments[0][0]) - pos
    qe = omap.to_qt(span.fragments[0][1]) - pos
    line = layout.lineForTextPosition(qs)
    end = min(qe, line.textStart() + line.textLength())
    x1, x2 = line.cursorToX(qs)[0], line.cursorToX(end)[0]
    if end >= line.textStart() + line.textLength():  # not into trailing whitespace
        x2 = min(x2, line.x() + line.naturalTextWidth())
    return line.lineNumber(), min(x1, x2), max(x1, x2)


def route_block(
    block: QTextBlock,
    anchored: Sequence[DisplaySpan],
    omap: OffsetMap,
    links_of: Mapping[str, list[DisplayLink]],
    span_of: Callable[[str], DisplaySpan | None],
    label_width: Callable[[str], float],
) -> dict[int, LineArcs]:
    """Route the arcs of the links of ``anchored`` (the spans whose first fragment starts in
    ``block``) over the block's lines; ``label_width(text)`` is the width of a label box."""
    layout = block.layout()
    pos = block.position()
    runs: dict[str, tuple[int, float, float]] = {}
    for span in anchored:
        if span.id in links_of and span.id not in runs:
            runs[span.id] = _first_run(span, layout, pos, omap)
    if not runs:
        return {}
    # Each end of a link at a span here: (link, end role, where the arc heads horizontally).
    ends: dict[str, list[tuple[float, DisplayLink]]] = {}
    halves: list[tuple[DisplayLink, str, str]] = []  # link, span here, "out" or "in"
    fulls: dict[str, DisplayLink] = {}
    for span_id, (line_no, _x1, _x2) in runs.items():
        me = span_of(span_id)
        for link in links_of[span_id]:
            other_id = link.target if link.source == span_id else link.source
            other = span_of(other_id) if other_id != span_id else None
            if other is None or me is None:
                continue
            other_run = runs.get(other_id)
            if other_run is not None and other_run[0] == line_no:
                fulls[link.id] = link
                toward = (other_run[1] + other_run[2]) / 2
            else:
                later = (other.start, other.id) > (me.start, me.id)
                halves.append((link, span_id, "out" if later else "in"))
                line = layout.lineAt(line_no)
                toward = line.x() + line.width() + EDGE if later else line.x() - EDGE
            ends.setdefault(span_id, []).append((toward, link))
    # Spread the legs meeting one span over the middle of its run, ordered by direction.
    legs: dict[tuple[str, str], float] = {}
    for span_id, wanted in ends.items():
        _line_no, x1, x2 = runs[span_id]
        wanted.sort(key=lambda w: w[0])
        n = len(wanted)
        width = x2 - x1
        step = min(6.0, max(0.0, width - 4) / max(1, n - 1)) if n > 1 else 0.0
        start = (x1 + x2) / 2 - step * (n - 1) / 2
        for i, (_toward, link) in enumerate(wanted):
            legs[(link.id, span_id)] = start + i * step
    lines: dict[int, LineArcs] = {}

    def add(line_no: int, item: ArcItem) -> None:
        line = layout.lineAt(line_no)
        left, right = line.x() - EDGE, line.x() + line.width() + EDGE
        w = label_width(item.link.label) if item.link.label else 0.0
        centre = (item.x1 + item.x2) / 2
        centre = min(max(centre, left + w / 2), right - w / 2)
        item.lx1, item.lx2 = centre - w / 2, centre + w / 2
        lines.setdefault(line_no, LineArcs()).items.append(item)

    for link in fulls.values():
        tail, head = legs[(link.id, link.source)], legs[(link.id, link.target)]
        x1, x2 = min(tail, head), max(tail, head)
        add(runs[link.source][0], ArcItem(link, "full", x1, x2, tail, head, ""))
    for link, here, kind in halves:
        line_no = runs[here][0]
        line = layout.lineAt(line_no)
        x = legs[(link.id, here)]
        edge = line.x() + line.width() + EDGE if kind == "out" else line.x() - EDGE
        tail = x if link.source == here else None
        head = x if link.target == here else None
        other_id = link.target if link.source == here else link.source
        add(line_no, ArcItem(link, kind, min(x, edge), max(x, edge), tail, head, other_id))
    for line_arcs in lines.values():
        _stack(line_arcs, label_width)
    return lines


def _stack(line: LineArcs, label_width: Callable[[str], float]) -> None:
    """Give each item a row: one above every overlapping narrower item, so that arcs nest;
    items beyond LEVEL_CAP rows are bundled into chips in one more row."""
    line.items.sort(key=lambda it: (it.hi - it.lo, it.link.id))
    placed: list[ArcItem] = []
    hidden: list[ArcItem] = []
    for item in line.items:
        level = 0
        lo, hi = item.lo, item.hi
        for other in placed:
            if other.lo < hi and lo < other.hi and other.level >= level:
                level = other.level + 1
        if level >= LEVEL_CAP:
            item.level = -1
            hidden.append(item)
        else:
            item.level = level
            placed.append(item)
    rows = 1 + max((it.level for it in placed), default=-1)
    if hidden:
        hidden.sort(key=lambda it: it.lo)
        clusters: list[list[ArcItem]] = []
        reach = float("-inf")
        for item in hidden:
            if clusters and item.lo < reach:
                clusters[-1].append(item)
                reach = max(reach, item.hi)
            else:
                clusters.append([item])
                reach = item.hi
        right = float("-inf")
        for cluster in clusters:
            w = label_width(f"+{len(cluster)}")
            centre = (min(i.lo for i in cluster) + max(i.hi for i in cluster)) / 2
            x1 = max(centre - w / 2, right + _PAD)
            line.bundles.append(Bundle(x1, x1 + w, cluster))
            right = x1 + w
        rows += 1
    line.rows = rows
