"""Painting of routed link arcs in their bands, and the shapes drawn (for hit tests and tests)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF

from annotator.gui.reading.arc_layout import ArcItem, BlockArcs, Bundle
from annotator.gui.reading.blocks import VisibleBlock
from annotator.gui.reading.theme import Theme

__all__ = ["ArcShape", "Band", "Drawn", "collect", "paint"]

#: Pixels between the text line's top and the lowest arc row.
LEG = 3.0
_ARROW = 3.5  # half width of an arrowhead
_RADIUS = 3.0  # rounded corners of an arc


@dataclass(frozen=True, slots=True)
class Band:
    """Vertical geometry of the arc rows above a line."""

    row: float  # height of one row (a label's height and a little air)

    def y(self, line_top: float, level: int) -> float:
        """Centre of row ``level`` above a text line whose top is ``line_top``."""
        return line_top - LEG - (level + 0.5) * self.row

    def height(self, rows: int) -> float:
        """Extra room a line needs above it for ``rows`` rows."""
        return LEG + rows * self.row + 1 if rows else 0.0


@dataclass(slots=True)
class ArcShape:
    """One drawn arc piece in viewport coordinates: its strokes and label, for tests and hits."""

    link_id: str
    strong: bool
    path: QPainterPath
    color: str  # the link type's colour
    segments: list[QRectF]  # bounding boxes of the straight strokes and arrowheads
    label: QRectF | None = None
    text: str = ""
    stub: QRectF | None = None  # the jump target at the column edge (half arcs)
    other: str = ""  # span at the other end of a half arc
    head: QPointF | None = None  # tip of the arrowhead on the target
    outward: float = 1.0  # the stub points right (1) or left (-1)


@dataclass(slots=True)
class Drawn:
    """Everything an arc paint put on screen."""

    arcs: list[ArcShape] = field(default_factory=list)
    chips: list[tuple[QRectF, Bundle]] = field(default_factory=list)


def collect(
    visible: Sequence[VisibleBlock],
    arcs_of: Callable[[VisibleBlock], BlockArcs | None],
    band: Band,
    shown: Callable[[ArcItem], bool],
    strong: Callable[[ArcItem], bool],
    label_height: float,
    chips: bool,
) -> Drawn:
    """The shapes of the arcs to draw over the visible blocks (``shown`` filters items)."""
    out = Drawn()
    for vb in visible:
        routed = arcs_of(vb)
        if routed is None or not routed.lines:
            continue
        layout = vb.block.layout()
        left = vb.rect.left()
        for number, line_arcs in routed.lines.items():
            if number >= layout.lineCount():
                continue
            top = vb.rect.top() + layout.lineAt(number).y()
            for item in line_arcs.items:
                if item.level >= 0 and shown(item):
                    y = band.y(top, item.level)
                    out.arcs.append(_shape(item, left, top, y, strong(item), label_height))
            for bundle in line_arcs.bundles:
                y = band.y(top, line_arcs.rows - 1)
                if chips and shown_any(bundle, shown):
                    rect = QRectF(left + bundle.x1, y - label_height / 2, bundle.x2 - bundle.x1, 0)
                    rect.setHeight(label_height)
                    out.chips.append((rect, bundle))
                elif not chips:  # only the selected span's arcs: draw its bundled ones
                    for item in bundle.items:
                        if shown(item):
                            out.arcs.append(_shape(item, left, top, y, True, label_height))
    return out


def shown_any(bundle: Bundle, shown: Callable[[ArcItem], bool]) -> bool:
    return any(shown(i) for i in bundle.items)


def _shape(
    item: ArcItem, left: float, top: float, y: float, strong: bool, label_height: float
) -> ArcShape:
    bottom = top - 1.0  # legs stop above the glyphs
    x1, x2 = left + item.x1, left + item.x2
    tail = left + item.tail if item.tail is not None else None
    head = left + item.head if item.head is not None else None
    path = QPainterPath()
    segments: list[QRectF] = []
    r = min(_RADIUS, (x2 - x1) / 2, (bottom - y) / 2)
    if tail is not None and head is not None:
        start, end = tail, head
    elif tail is not None:
        start, end = tail, (x2 if item.kind == "out" else x1)
    else:
        start, end = (x2 if item.kind == "out" else x1), head
    assert start is not None and end is not None
    sign = 1.0 if end >= start else -1.0
    if tail is not None:
        path.moveTo(start, bottom)
        path.lineTo(start, y + r)
        path.quadTo(start, y, start + sign * r, y)
        segments.append(QRectF(start - 0.5, y, 1.0, bottom - y))
    else:
        path.moveTo(start, y)
    if head is not None:
        path.lineTo(end - sign * r, y)
        path.quadTo(end, y, end, y + r)
        path.lineTo(end, bottom - _ARROW * 1.6)
        segments.append(QRectF(end - _ARROW, y, 2 * _ARROW, bottom - y))
    else:
        path.lineTo(end, y)
    segments.append(QRectF(min(start, end), y - 0.5, abs(end - start), 1.0))
    shape = ArcShape(item.link.id, strong, path, item.link.color, segments, other=item.other)
    if head is not None:
        shape.head = QPointF(head, bottom)
    shape.outward = 1.0 if item.kind == "out" else -1.0
    if item.link.label:
        shape.label = QRectF(left + item.lx1, y - label_height / 2, item.lx2 - item.lx1, 0)
        shape.label.setHeight(label_height)
        shape.text = item.link.label
    if item.kind != "full":
        edge = x2 if item.kind == "out" else x1
        shape.stub = QRectF(edge - 5, y - 5, 10, 10)
    return shape


def paint(
    p: QPainter,
    drawn: Drawn,
    theme: Theme,
    label_font: QFont,
) -> None:
    """Stroke the arcs (emphasised ones last), their arrowheads, stubs, labels and chips."""
    p.setFont(label_font)
    label_bg = QColor(theme.label_bg)
    for shape in sorted(drawn.arcs, key=lambda s: s.strong):
        color = theme.ink(shape.color)
        color.setAlphaF(0.95 if shape.strong else 0.7)
        p.setBrush(Qt.BrushStyle.NoBrush)
        # 1-px pens take the raster engine's fast cosmetic stroker; an emphasised arc is the
        # same path stroked twice.
        p.setPen(QPen(color, 1.0))
        p.drawPath(shape.path)
        if shape.strong:
            p.drawPath(shape.path.translated(0.7, 0))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        if shape.head is not None:
            tip = shape.head
            p.drawPolygon(
                QPolygonF(
                    [
                        tip,
                        QPointF(tip.x() - _ARROW, tip.y() - _ARROW * 1.6),
                        QPointF(tip.x() + _ARROW, tip.y() - _ARROW * 1.6),
                    ]
                )
            )
        if shape.stub is not None:
            c, out = shape.stub.center(), shape.outward
            p.drawPolygon(
                QPolygonF(
                    [
                        QPointF(c.x() + out * 3.5, c.y()),
                        QPointF(c.x() - out * 1.5, c.y() - 3.5),
                        QPointF(c.x() - out * 1.5, c.y() + 3.5),
                    ]
                )
            )
    # Labels last, over every stroke: a leg of a higher arc passing a lower arc's label is
    # interrupted by the label instead of striking through its text.
    for shape in sorted(drawn.arcs, key=lambda s: s.strong):
        if shape.label is not None:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(label_bg)
            p.drawRoundedRect(shape.label, 3, 3)
            p.setPen(theme.ink(shape.color))
            p.drawText(shape.label, Qt.AlignmentFlag.AlignCenter, shape.text)
    if drawn.chips:
        chip_pen = QPen(QColor(theme.suggestion), 1.0)
        for rect, bundle in drawn.chips:
            p.setPen(chip_pen)
            p.setBrush(QBrush(label_bg))
            p.drawRoundedRect(rect, 4, 4)
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"+{len(bundle.items)}")
