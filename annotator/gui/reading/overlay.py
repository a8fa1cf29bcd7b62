"""Custom painting over the reading pane: stacked underlines, hits, suggestions and marks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPen,
)

from annotator.gui.reading.blocks import BlockDecorator, VisibleBlock, line_runs
from annotator.gui.reading.offsets import OffsetMap
from annotator.gui.reading.span_index import MAX_LEVELS
from annotator.gui.reading.theme import Theme

__all__ = ["Metrics", "paint_ranges", "paint_rubber_band", "paint_underlines", "range_rects"]


@dataclass(frozen=True, slots=True)
class Metrics:
    """Pixel sizes derived from the reading font."""

    gap: float  # free band above every text line (arcs, labels)
    underline: float  # thickness of one underline
    step: float  # distance between stacked underlines
    first: float  # offset of the first underline below the baseline

    @classmethod
    def for_font(cls, font: QFont) -> Metrics:
        fm = QFontMetricsF(font)
        thickness = max(1.5, round(fm.height() / 10 * 2) / 2)
        return cls(
            gap=round(fm.height() * 0.55),
            underline=thickness,
            step=thickness + 1.5,
            first=max(2.0, round(fm.descent() * 0.5)),
        )


def visible_cp_range(visible: Sequence[VisibleBlock], omap: OffsetMap) -> tuple[int, int]:
    """Code point range covered by the visible blocks."""
    if not visible:
        return 0, 0
    last = visible[-1]
    return omap.to_cp(visible[0].position), omap.to_cp(last.position + last.block.length() - 1)


def range_rects(
    visible: Sequence[VisibleBlock], qt_start: int, qt_end: int
) -> list[tuple[QRectF, float]]:
    """Text-line rectangles (viewport coordinates) and baselines covering a Qt range."""
    out = []
    for vb in visible:
        end_of_block = vb.position + vb.block.length()
        if vb.position >= qt_end:
            break
        if end_of_block <= qt_start:
            continue
        for line, x1, x2 in line_runs(vb, qt_start - vb.position, qt_end - vb.position):
            top = vb.rect.top() + line.y()
            out.append((QRectF(x1, top, max(x2 - x1, 2.0), line.height()), top + line.ascent()))
    return out


def paint_ranges(
    p: QPainter,
    visible: Sequence[VisibleBlock],
    ranges: Iterable[tuple[int, int]],
    *,
    fill: QColor | None = None,
    pen: QPen | None = None,
) -> None:
    """Fill and/or outline Qt ranges, one rounded rectangle per line they cover."""
    p.setPen(pen if pen is not None else Qt.PenStyle.NoPen)
    p.setBrush(QBrush(fill) if fill is not None else Qt.BrushStyle.NoBrush)
    for qs, qe in ranges:
        for rect, _ in range_rects(visible, qs, qe):
            p.drawRoundedRect(rect.adjusted(-1, 0, 1, 0), 2.5, 2.5)


def paint_underlines(
    p: QPainter,
    visible: Sequence[VisibleBlock],
    decorator: BlockDecorator,
    theme: Theme,
    metrics: Metrics,
    clip: QRectF,
    selected: str | None = None,
) -> None:
    """One line per span piece in its tag colour, stacked by nesting level below the text."""
    by_color: dict[str, list[QLineF]] = {}
    chosen: list[tuple[str, QLineF]] = []
    half = metrics.underline / 2
    for vb in visible:
        if not vb.decor or vb.rect.bottom() + metrics.gap < clip.top():
            continue
        if vb.rect.top() > clip.bottom():
            break
        left, top = vb.rect.left(), vb.rect.top()
        for x1, x2, y, span, _level, _top in decorator.underlines(
            vb, metrics.first, metrics.step, MAX_LEVELS
        ):
            seg = QLineF(left + x1 + 0.5, top + y + half, left + x2 - 0.5, top + y + half)
            if span.id == selected:
                chosen.append((span.color, seg))
            else:
                by_color.setdefault(span.color, []).append(seg)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for color, lines in by_color.items():
        p.setPen(_flat_pen(theme.ink(color), metrics.underline))
        p.drawLines(lines)
    for color, seg in chosen:
        p.setPen(_flat_pen(theme.ink(color), metrics.underline + 1))
        p.drawLine(seg)


def _flat_pen(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def paint_rubber_band(p: QPainter, start: QPointF, end: QPointF, color: QColor) -> None:
    """The line shown while a link is being dragged from a span."""
    pen = QPen(color, 1.0, Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawLine(start, end)
    p.setBrush(color)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(start, 3, 3)
    p.drawEllipse(end, 3, 3)
