"""Scrolling of the reading pane: to a line, to the middle, or the least that reveals a span."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QTextBlock
from PySide6.QtWidgets import QPlainTextEdit

from annotator.gui.reading import overlay

if TYPE_CHECKING:
    from annotator.gui.reading.view import ReadingView

    _Base = ReadingView
else:
    _Base = QPlainTextEdit

__all__ = ["ScrollingMixin"]


class ScrollingMixin(_Base):
    """QPlainTextEdit scrolls by lines; these place a given code point's line in pixels."""

    def scroll_to(self, cp: int) -> None:
        """Scroll so that the line holding code point ``cp`` is near the middle of the view."""
        if not self.isVisible():  # no real geometry before the first show: do it then
            self._pending_scroll = cp
            return
        self._pending_scroll = None
        self._scroll_line_down_to(cp, self.viewport().height() / 2 - self._pitch / 2)

    def reveal(self, start: int, end: int | None = None) -> bool:
        """Scroll the least that brings the line of ``start`` into view, as editors do: not at
        all when it is already visible (the view stays put while one works), else just enough
        to show it at the top or the bottom edge. True if the view scrolled."""
        if not self.isVisible():
            self._pending_scroll = start
            return False
        qt = self._map.to_qt(max(0, min(start, len(self._text))))
        stop = self._map.to_qt(max(0, min(end if end is not None else start + 1, len(self._text))))
        self._visible = self._walk(extra_below=0)
        rects = overlay.range_rects(self._visible, qt, max(stop, qt + 1))
        height = self.viewport().height()
        if rects and rects[0][0].top() >= 0 and rects[0][0].bottom() <= height:
            return False
        before = self.verticalScrollBar().value()
        first = self._visible[0].position if self._visible else 0
        if qt < first:
            self.scroll_top_to(start)
        else:
            self._scroll_line_down_to(start, height - self._pitch - self._metrics.gap)
        return self.verticalScrollBar().value() != before

    def _scroll_line_down_to(self, cp: int, room: float) -> None:
        """Scroll so that the line holding ``cp`` starts ``room`` pixels below the top."""
        qt = self._map.to_qt(max(0, min(cp, len(self._text))))
        block = self.document().findBlock(qt)
        if not block.isValid():
            return
        line = self._prepare(block).lineForTextPosition(qt - block.position())
        index = line.lineNumber() if line.isValid() else 0
        # Walk up ``room`` pixels, laying blocks out on the way: QPlainTextEdit scrolls by
        # lines and counts a block not yet laid out as one line.
        room -= self._gap_above(block, index)
        while room > 0:
            if index > 0:
                index -= 1
                room -= block.layout().lineAt(index).height() + self._gap_above(block, index)
                if room < 0:
                    index += 1
                continue
            previous = block.previous()
            while previous.isValid() and not previous.isVisible():
                previous = previous.previous()
            if not previous.isValid():
                break
            block = previous
            index = self._prepare(block).lineCount()
        self.verticalScrollBar().setValue(block.firstLineNumber() + index)

    def _gap_above(self, block: QTextBlock, index: int) -> float:
        """The band above line ``index`` of a prepared block."""
        layout = block.layout()
        line = layout.lineAt(index)
        if index == 0:
            return line.y()
        previous = layout.lineAt(index - 1)
        return line.y() - previous.y() - previous.height()

    def top_cp(self) -> int:
        """The code point at the start of the line at the top (the scroll position)."""
        number, offset = self.top_line()
        block = self.document().findBlockByNumber(number)
        line = block.layout().lineAt(offset) if block.layout() else None
        start = line.textStart() if line is not None and line.isValid() else 0
        return self._map.to_cp(block.position() + start)

    def scroll_top_to(self, cp: int) -> None:
        """Scroll so that the line holding ``cp`` is the topmost (a compare pane follows
        another holding the same text this way: their layouts are lazy, so scroll bar values
        differ between them)."""
        qt = self._map.to_qt(max(0, min(cp, len(self._text))))
        block = self.document().findBlock(qt)
        if not block.isValid():
            return
        line = self._prepare(block).lineForTextPosition(qt - block.position())
        index = line.lineNumber() if line.isValid() else 0
        self.verticalScrollBar().setValue(block.firstLineNumber() + index)

    def top_line(self) -> tuple[int, int]:
        """(block number, line within the block) of the line at the top of the view."""
        block = self.firstVisibleBlock()
        return block.blockNumber(), max(
            0, self.verticalScrollBar().value() - block.firstLineNumber()
        )

    def scroll_to_line(self, block_number: int, line: int) -> None:
        """Put that line at the top (another pane with the same text and width mirrors a
        pane line for line this way)."""
        block = self.document().findBlockByNumber(block_number)
        if block.isValid():
            count = self._prepare(block).lineCount()
            self.verticalScrollBar().setValue(block.firstLineNumber() + min(line, count - 1))
