"""Painting of the reading pane: lazy formats, underlines, hits and arcs (ReadingView mixin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QTextBlock
from PySide6.QtWidgets import QPlainTextEdit

from annotator.gui.reading import overlay
from annotator.gui.reading.blocks import Deco, VisibleBlock, walk_visible
from annotator.gui.reading.span_index import MAX_LEVELS, DisplayLink

if TYPE_CHECKING:
    from annotator.gui.reading.view import ReadingView

    _Base = ReadingView
else:
    _Base = QPlainTextEdit

__all__ = ["PaintingMixin"]


class PaintingMixin(_Base):
    """paintEvent: format the blocks about to be shown, let Qt draw the text, draw the overlay."""

    def paintEvent(self, event: QPaintEvent) -> None:
        theme, index, omap = self._theme, self._index, self._map
        decorator = self._decorator

        def decorate(block: QTextBlock) -> list[Deco]:
            return decorator.decorate(block, index, omap, theme)

        self._visible = visible = walk_visible(self, self._metrics.gap, decorate)
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
        arcs = self._arcs(visible)
        if arcs:
            vp = QRectF(self.viewport().rect())
            bands = overlay.band_centres(visible, self._metrics.gap)
            overlay.paint_arcs(p, arcs, theme, self._metrics, self._label_font, vp, bands)
        if self._drag is not None:
            color = QColor(theme.text)
            color.setAlphaF(0.7)
            overlay.paint_rubber_band(p, self._drag[1], self._drag[2], color)

    def _arcs(self, visible: list[VisibleBlock]) -> list[overlay.Arc]:
        if not self._links or not (self._show_all or self._selected):
            return []
        by_span = self._link_map()
        links: dict[str, DisplayLink] = {}
        if self._show_all:
            for vb in visible:
                for _, _, span, _ in vb.decor:
                    for link in by_span.get(span.id, ()):
                        links[link.id] = link
        if self._selected:
            for link in by_span.get(self._selected, ()):
                links[link.id] = link
        vp = QRectF(self.viewport().rect())
        out = []
        # Arcs meet a span at the top of its first visible underline (geometry is cached);
        # spans too deep to be underlined fall back to a text look-up.
        anchors: dict[str, overlay.Anchor] = {}
        metrics = self._metrics
        for vb in visible:
            left, top = vb.rect.left(), vb.rect.top()
            for x1, x2, _y, span, _lv, line_top in self._decorator.underlines(
                vb, metrics.first, metrics.step, MAX_LEVELS
            ):
                if span.id not in anchors:
                    anchors[span.id] = overlay.Anchor(
                        left + (x1 + x2) / 2, top + line_top + 1, True
                    )
        for link in links.values():
            ends = []
            for span_id in (link.source, link.target):
                if span_id not in anchors:
                    span = self._index.get(span_id)
                    if span is None:
                        break
                    anchors[span_id] = overlay.anchor_of(
                        span, visible, self._map, vp, self._metrics
                    )
                ends.append(anchors[span_id])
            if len(ends) == 2 and (ends[0].on_screen or ends[1].on_screen):
                strong = self._selected in (link.source, link.target)
                out.append((link, ends[0], ends[1], strong))
        return out
