"""Per-block work of the reading pane: lazy span formats, line spacing and text geometry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QTextBlock, QTextLayout, QTextLine
from PySide6.QtWidgets import QPlainTextEdit

from annotator.gui.reading.offsets import OffsetMap
from annotator.gui.reading.span_index import DisplaySpan, SpanIndex, innermost_segments
from annotator.gui.reading.theme import Theme

__all__ = [
    "BlockDecorator",
    "Deco",
    "Segment",
    "Spacing",
    "VisibleBlock",
    "line_key",
    "line_runs",
    "respace",
    "walk_visible",
]

#: One underline-able piece of a span in a block: (start, end) relative to the block in Qt
#: units, the span, and its nesting level (0 = innermost).
Deco = tuple[int, int, DisplaySpan, int]
#: One underline on one text line, relative to the block's top-left corner:
#: (x1, x2, underline y, span, level, top of the text line).
Segment = tuple[float, float, float, DisplaySpan, int, float]


@dataclass(slots=True)
class VisibleBlock:
    """A block on screen: its rectangle in viewport coordinates and its span pieces."""

    block: QTextBlock
    rect: QRectF
    position: int  # Qt position of the block's first character
    decor: list[Deco]


class BlockDecorator:
    """Computes span formats for one block at a time and remembers which blocks are done.

    Formats are set with ``QTextLayout.setFormats`` (background colour only, so the metrics
    that QPlainTextEdit's scroll model relies on never change) the first time a block is about
    to be painted (qt-perf.md §3.6, "Dlazy"); an edit drops the affected blocks from the cache
    and they are recomputed at their next paint. Valid while the document text is unchanged.
    """

    def __init__(self) -> None:
        self.done: dict[int, list[Deco]] = {}
        # Underline geometry per block, relative to the block's top-left corner. Valid until the
        # block is re-laid out at another width or font size.
        self.geometry: dict[int, tuple[tuple, list[Segment]]] = {}

    def reset(self) -> None:
        self.done.clear()
        self.geometry.clear()

    def underlines(self, vb: VisibleBlock, first: float, step: float, levels: int) -> list[Segment]:
        """Underline segments of a visible block, in reading order (cached: cursorToX is slow).

        The cache is keyed on the block's line geometry, so a re-wrap (resize, dock change),
        a new font or a taller arc band recomputes the segments at the next paint."""
        number = vb.block.blockNumber()
        key = line_key(vb.block.layout())
        cached = self.geometry.get(number)
        if cached is not None and cached[0] == key:
            return cached[1]
        out = []
        left = vb.rect.left()
        for start, end, span, level in vb.decor:
            if level >= levels:
                continue
            for line, x1, x2 in line_runs(vb, start, end):
                y = round(line.y() + line.ascent() + first + level * step)
                out.append((x1 - left, x2 - left, y, span, level, line.y()))
        self.geometry[number] = (key, out)
        return out

    def forget_geometry(self) -> None:
        """Drop cached pixel positions (after a width, font or zoom change)."""
        self.geometry.clear()

    def decorate(
        self, block: QTextBlock, index: SpanIndex, omap: OffsetMap, theme: Theme
    ) -> list[Deco]:
        """Formats and pieces for ``block`` (cached per block number)."""
        number = block.blockNumber()
        cached = self.done.get(number)
        if cached is not None:
            return cached
        pos = block.position()
        length = block.length() - 1  # without the paragraph separator
        a, b = omap.to_cp(pos), omap.to_cp(pos + length)
        pieces = index.pieces(a, b) if b > a else []
        to_qt = omap.to_qt
        layout = block.layout()
        ranges = []
        for s, e, span in innermost_segments(pieces):
            r = QTextLayout.FormatRange()
            r.start = to_qt(s) - pos
            r.length = to_qt(e) - pos - r.start
            r.format = theme.tint_format(span.color)
            ranges.append(r)
        if ranges or layout.formats():
            layout.setFormats(ranges)  # clears the block's lines: laid out again when painted
        decor = [(to_qt(p.start) - pos, to_qt(p.end) - pos, p.span, p.level) for p in pieces]
        self.done[number] = decor
        return decor

    def invalidate(self, view: QPlainTextEdit, qt_start: int, qt_end: int) -> list[int]:
        """Forget the blocks covering ``[qt_start, qt_end)``; returns their numbers."""
        doc = view.document()
        first = doc.findBlock(qt_start).blockNumber()
        last = doc.findBlock(max(qt_start, qt_end - 1)).blockNumber()
        if first < 0:
            return []
        if last < 0:
            last = doc.blockCount() - 1
        numbers = list(range(first, last + 1))
        for n in numbers:
            self.done.pop(n, None)
            self.geometry.pop(n, None)
        return numbers

    def invalidate_decorated(self, view: QPlainTextEdit, qt_start: int, qt_end: int) -> bool:
        """Forget the already decorated blocks that overlap ``[qt_start, qt_end)`` (a range
        that may span the whole document: only blocks painted so far are looked at); True if
        any was."""
        doc = view.document()
        hit = False
        for number in list(self.done):
            block = doc.findBlockByNumber(number)
            if block.position() < qt_end and block.position() + block.length() > qt_start:
                self.done.pop(number, None)
                self.geometry.pop(number, None)
                hit = True
        return hit


def line_key(layout: QTextLayout) -> tuple:
    """What underline and arc geometry of a block depends on: each line's start, width and
    position (changes with a re-wrap, a font change or a new band height)."""
    out = []
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        out.append((line.textStart(), line.width(), line.y(), line.height()))
    return tuple(out)


def respace(layout: QTextLayout, gaps: Callable[[int], float]) -> bool:
    """Put ``gaps(i)`` pixels above line ``i`` of a laid-out block; True if lines were moved.

    QPlainTextEdit stacks lines with no spacing and ignores block line heights, but it reads
    line positions back from the layout (block heights, hit tests, cursor and selection
    rectangles, scrolling within a block), so moving the lines after its layout pass gives the
    text room to breathe and a band above each line for link arcs (taller where arcs need it).
    """
    count = layout.lineCount()
    if count == 0:
        return False
    y = 0.0
    moved = False
    for i in range(count):
        line = layout.lineAt(i)
        y += gaps(i)
        if abs(line.y() - y) > 0.01:
            line.setPosition(QPointF(line.x(), y))
            moved = True
        y += line.height()
    return moved


#: For a block: the gap above each of its lines (``spacing(block)(line index)``), computed after
#: the block is laid out.
Spacing = Callable[[QTextBlock], Callable[[int], float]]


def walk_visible(
    view: QPlainTextEdit,
    spacing: Spacing,
    decorate: Callable[[QTextBlock], list[Deco]] | None = None,
    extra_below: int = 1,
) -> list[VisibleBlock]:
    """The blocks intersecting the viewport, laid out and spaced, top to bottom.

    ``decorate(block) -> list[Deco]`` is called before a block is laid out (it may reset the
    layout); ``extra_below`` more blocks below the viewport are prepared too, so that keyboard
    navigation and scrolling land on already spaced lines.
    """
    out: list[VisibleBlock] = []
    block = view.firstVisibleBlock()
    layout_of_doc = view.document().documentLayout()
    if block.isValid() and block.isVisible():
        # The offset of the top line is read from the first block's line positions: space
        # that block first (after a re-wrap its lines are back at Qt's stacking).
        if decorate:
            decorate(block)
        layout_of_doc.blockBoundingRect(block)
        respace(block.layout(), spacing(block))
    offset = view.contentOffset()
    left, top = offset.x(), offset.y()
    height = view.viewport().height()
    while block.isValid():
        if block.isVisible():
            decor = decorate(block) if decorate else []
            size = layout_of_doc.blockBoundingRect(block)  # lays the block out if needed
            if respace(block.layout(), spacing(block)):
                size = layout_of_doc.blockBoundingRect(block)
            rect = QRectF(left, top, size.width(), size.height())
            if top >= height:
                if extra_below <= 0:
                    break
                extra_below -= 1
            else:
                out.append(VisibleBlock(block, rect, block.position(), decor))
            top += size.height()
        block = block.next()
    return out


def line_runs(vb: VisibleBlock, start: int, end: int) -> Iterator[tuple[QTextLine, float, float]]:
    """For a block-relative Qt range, each overlapped line with the run's x1, x2 (viewport)."""
    layout = vb.block.layout()
    left = vb.rect.left()
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        ls = line.textStart()
        le = ls + line.textLength()
        if le <= start:
            continue
        if ls >= end:
            break
        x1 = line.cursorToX(max(start, ls))[0]
        x2 = line.cursorToX(min(end, le))[0]
        if end >= le:  # not into the line's trailing whitespace
            x2 = min(x2, line.x() + line.naturalTextWidth())
        if x2 < x1:
            x1, x2 = x2, x1
        yield line, left + x1, left + x2
