"""The arc band of each block: routed arcs cached per block, and the line gaps they need."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping

from PySide6.QtGui import QTextBlock

from annotator.gui.reading.arc_layout import BlockArcs, route_block
from annotator.gui.reading.arc_paint import Band
from annotator.gui.reading.blocks import Deco
from annotator.gui.reading.offsets import OffsetMap
from annotator.gui.reading.span_index import DisplayLink, DisplaySpan

__all__ = ["ArcBands"]


class ArcBands:
    """Routes the arcs of a block once per layout (width, wrap) and says how much room each
    line needs above it: the base gap, plus the arc rows when links have an end on the line.

    The room is reserved for every link of the shown spans, whether its arc is drawn now or
    only when its span is selected, so that selecting a span never moves the text.
    """

    def __init__(self) -> None:
        self.cache: dict[int, BlockArcs] = {}

    def reset(self) -> None:
        """Forget every routing (links changed, label font changed)."""
        self.cache.clear()

    def forget(self, numbers: list[int]) -> None:
        for n in numbers:
            self.cache.pop(n, None)

    def routed(
        self,
        block: QTextBlock,
        decor: list[Deco],
        omap: OffsetMap,
        links_of: Mapping[str, list[DisplayLink]],
        span_of: Callable[[str], DisplaySpan | None],
        label_width: Callable[[str], float],
    ) -> BlockArcs:
        """The block's routed arcs (its layout must be done; cached while its lines hold)."""
        layout = block.layout()
        key = _wrap_key(block)
        number = block.blockNumber()
        found = self.cache.get(number)
        if found is not None and found.key == key:
            return found
        lines = {}
        first = omap.to_cp(block.position())
        last = omap.to_cp(block.position() + block.length() - 1)
        if links_of and layout.lineCount():
            anchored = []
            seen: set[str] = set()
            for _s, _e, span, _level in decor:
                if span.id not in seen and first <= span.start < last and span.id in links_of:
                    seen.add(span.id)
                    anchored.append(span)
            if anchored:
                lines = route_block(block, anchored, omap, links_of, span_of, label_width)
        found = BlockArcs(key, lines, first, last)
        self.cache[number] = found
        return found

    def forget_starting(self, starts: Iterable[int]) -> set[int]:
        """Forget the routed blocks in which a span starts at one of these code points (new
        links of those spans); returns their numbers. Only routed blocks are looked at (the
        few painted so far), so a page of links costs a bisect per end, not a block look-up."""
        ranges = sorted((arcs.first, arcs.last, number) for number, arcs in self.cache.items())
        if not ranges:
            return set()
        firsts = [first for first, _last, _number in ranges]
        gone: set[int] = set()
        for start in starts:
            i = bisect_right(firsts, start) - 1
            if i >= 0 and start < ranges[i][1]:
                gone.add(ranges[i][2])
        self.forget(sorted(gone))
        return gone

    @staticmethod
    def spacing(routed: BlockArcs, gap: float, band: Band) -> Callable[[int], float]:
        """Gap above line ``i``: ``gap`` plus the rows of arcs the line carries."""
        if not routed.lines:
            return lambda _i: gap
        return lambda i: gap + band.height(routed.rows(i))


def _wrap_key(block: QTextBlock) -> tuple:
    """What routing depends on: where each line starts and how wide it is (not its y)."""
    layout = block.layout()
    out: list[float] = [block.position()]
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        out += (line.textStart(), line.width(), line.naturalTextWidth())
    return tuple(out)
