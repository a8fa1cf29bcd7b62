"""Painting of the reading pane: lazy formats, underlines, hits and arcs (ReadingView mixin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QPlainTextEdit

from annotator.gui.reading import arc_paint, overlay
from annotator.gui.reading.arc_layout import ArcItem, BlockArcs
from annotator.gui.reading.blocks import VisibleBlock

if TYPE_CHECKING:
    from annotator.gui.reading.view import ReadingView

    _Base = ReadingView
else:
    _Base = QPlainTextEdit

__all__ = ["PaintingMixin"]


class PaintingMixin(_Base):
    """paintEvent: format the blocks about to be shown, let Qt draw the text, draw the overlay."""

    def paintEvent(self, event: QPaintEvent) -> None:
        self._visible = visible = self._walk()
        step = max(1, int(self.viewport().height() / self._pitch) - 1)
        if self.verticalScrollBar().pageStep() != step:
            self.verticalScrollBar().setPageStep(step)
        super().paintEvent(event)
        p = QPainter(self.viewport())
        try:
            self._paint_overlay(p, visible, QRectF(event.rect()))
        finally:
            p.end()
        self.painted.emit()

    def _paint_overlay(self, p: QPainter, visible: list[VisibleBlock], clip: QRectF) -> None:
        theme, omap = self._theme, self._map
        overlay.paint_underlines(
            p, visible, self._decorator, theme, self._metrics, clip, self._selected
        )
        a, b = overlay.visible_cp_range(visible, omap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._hits:
            mode = (
                QPainter.CompositionMode.CompositionMode_Screen
                if theme.dark
                else QPainter.CompositionMode.CompositionMode_Multiply
            )
            p.setCompositionMode(mode)
            qt_hits = [(omap.to_qt(s), omap.to_qt(e)) for s, e in self._hits.overlapping(a, b)]
            overlay.paint_ranges(p, visible, qt_hits, fill=QColor(theme.search_hit))
            if self._current_hit:
                cur = [(omap.to_qt(self._current_hit[0]), omap.to_qt(self._current_hit[1]))]
                overlay.paint_ranges(p, visible, cur, fill=QColor(theme.current_hit))
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        if self._suggestions:
            pen = QPen(
                QColor(self._suggestion_color or theme.suggestion), 1.5, Qt.PenStyle.DashLine
            )
            ranges = [
                (omap.to_qt(s), omap.to_qt(e)) for s, e in self._suggestions.overlapping(a, b)
            ]
            overlay.paint_ranges(p, visible, ranges, pen=pen)
        for pen, marked in self._marks:
            ranges = [(omap.to_qt(s), omap.to_qt(e)) for s, e in marked.overlapping(a, b)]
            overlay.paint_ranges(p, visible, ranges, pen=pen)
        self._drawn = self.arc_shapes(visible)
        if self._drawn.arcs or self._drawn.chips:
            arc_paint.paint(p, self._drawn, theme, self._label_font)
        if self._drag is not None:
            color = QColor(theme.text)
            color.setAlphaF(0.7)
            overlay.paint_rubber_band(p, self._drag[1], self._drag[2], color)

    def arc_shapes(self, visible: list[VisibleBlock]) -> arc_paint.Drawn:
        """The arcs, labels, stubs and chips to draw over ``visible`` (laid out and spaced)."""
        selected = self._selected
        if not self._links or not (self._show_all or selected):
            return arc_paint.Drawn()
        show_all = self._show_all

        def touches(item: ArcItem) -> bool:
            return selected is not None and selected in (item.link.source, item.link.target)

        def shown(item: ArcItem) -> bool:
            return show_all or touches(item)

        def routed(vb: VisibleBlock) -> BlockArcs | None:
            return self._arc_bands.cache.get(vb.block.blockNumber())

        height = self._label_metrics.height()
        return arc_paint.collect(visible, routed, self._band, shown, touches, height, show_all)
