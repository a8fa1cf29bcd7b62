"""Custom painting over the reading pane: stacked underlines, link arcs, hits and suggestions."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from annotator.gui.reading.blocks import BlockDecorator, VisibleBlock, line_runs
from annotator.gui.reading.offsets import OffsetMap
from annotator.gui.reading.span_index import MAX_LEVELS, DisplayLink, DisplaySpan
from annotator.gui.reading.theme import Theme

__all__ = [
    "Anchor",
    "Arc",
    "Metrics",
    "anchor_of",
    "paint_arcs",
    "paint_ranges",
    "paint_underlines",
]


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


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where an arc meets a span: top-centre of its first visible run, or off-screen."""

    x: float
    y: float
    on_screen: bool


def anchor_of(
    span: DisplaySpan,
    visible: Sequence[VisibleBlock],
    omap: OffsetMap,
    viewport: QRectF,
    metrics: Metrics,
) -> Anchor:
    """The anchor point of ``span`` (arcs start and end on top of a span's first fragment)."""
    qs, qe = omap.to_qt(span.fragments[0][0]), omap.to_qt(span.fragments[0][1])
    rects = range_rects(visible, qs, qe)
    if rects:
        rect, _ = rects[0]
        return Anchor(rect.center().x(), rect.top() + 1, True)
    above = not visible or qs < visible[0].position
    y = viewport.top() - 3 * metrics.gap if above else viewport.bottom() + 3 * metrics.gap
    return Anchor(viewport.center().x(), y, False)


#: (link, source anchor, target anchor, emphasised)
Arc = tuple[DisplayLink, Anchor, Anchor, bool]


def _arc_path(s: Anchor, t: Anchor, rise: float) -> tuple[QPainterPath, QPointF]:
    """A cubic arc from s to t rising ``rise`` px above the higher end; returns it and its apex."""
    top = min(s.y, t.y) - rise * 4 / 3
    c1, c2 = QPointF(s.x, top), QPointF(t.x, top)
    path = QPainterPath(QPointF(s.x, s.y))
    path.cubicTo(c1, c2, QPointF(t.x, t.y))
    apex = (QPointF(s.x, s.y) + c1 * 3 + c2 * 3 + QPointF(t.x, t.y)) / 8
    return path, apex


def paint_arcs(
    p: QPainter,
    arcs: Sequence[Arc],
    theme: Theme,
    metrics: Metrics,
    label_font: QFont,
    viewport: QRectF,
    bands: Sequence[float] = (),
) -> None:
    """Thin semi-transparent arcs source → target, arrowhead at the target, label at the apex.

    ``arcs`` items are (link, source anchor, target anchor, emphasised). Labels that would
    overlap an already placed label are shifted along the arc or, failing that, left out.
    ``bands`` are the sorted y centres of the spacing bands between lines, where labels go.
    """
    fm = QFontMetricsF(label_font)
    p.setFont(label_font)
    placed: list[QRectF] = []
    rise = metrics.gap * 0.72
    for link, s, t, strong in sorted(arcs, key=lambda a: a[3]):  # emphasised ones on top
        if s.x == t.x and s.y == t.y:
            continue
        color = theme.ink(link.color)
        color.setAlphaF(0.95 if strong else 0.6)
        path, apex = _arc_path(s, t, rise)
        p.setBrush(Qt.BrushStyle.NoBrush)
        # 1-px pens take the raster engine's fast cosmetic stroker (0.04 ms per arc instead of
        # 1–2 ms for a 1.1-px curve); an emphasised arc is the same path stroked twice.
        p.setPen(QPen(color, 1.0))
        p.drawPath(path)
        if strong:
            p.drawPath(path.translated(0, 0.8))
        if t.on_screen:
            size = 4.5 if strong else 3.5
            head = QPolygonF(
                [
                    QPointF(t.x, t.y),
                    QPointF(t.x - size * 0.8, t.y - size * 1.6),
                    QPointF(t.x + size * 0.8, t.y - size * 1.6),
                ]
            )
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawPolygon(head)
        if not link.label:
            continue
        w = fm.horizontalAdvance(link.label) + 6
        h = fm.height()
        if bands:  # centre the label in the spacing band nearest to the apex
            k = bisect_left(bands, apex.y())
            near = [bands[i] for i in (k - 1, k) if 0 <= i < len(bands)]
            apex.setY(min(near, key=lambda b: abs(b - apex.y())))
        apex.setY(min(max(apex.y(), viewport.top() + h / 2), viewport.bottom() - h / 2))
        apex.setX(min(max(apex.x(), viewport.left() + w / 2), viewport.right() - w / 2))
        box = None
        for dx in (0.0, -w * 0.6, w * 0.6, -w * 1.2, w * 1.2):
            candidate = QRectF(apex.x() + dx - w / 2, apex.y() - h / 2, w, h)
            if not any(candidate.intersects(r) for r in placed):
                box = candidate
                break
        if box is None:
            continue
        placed.append(box)
        bg = QColor(theme.label_bg)
        bg.setAlphaF(0.88)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(bg)
        p.drawRoundedRect(box, 3, 3)
        p.setPen(theme.ink(link.color))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, link.label)


def band_centres(visible: Sequence[VisibleBlock], gap: float) -> list[float]:
    """Sorted y centres of the spacing bands above the visible lines."""
    out = []
    for vb in visible:
        layout = vb.block.layout()
        for i in range(layout.lineCount()):
            out.append(vb.rect.top() + layout.lineAt(i).y() - gap / 2)
    return out


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
