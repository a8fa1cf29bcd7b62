"""Small pieces the panels share: item roles, colour dots, text shortening, local times."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextLayout,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QTableView,
    QWidget,
)

from annotator.gui.html_text import escape_html

UUID_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's uuid
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a value that sorts naturally (numbers as numbers)
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3  # lower-case text the filter box searches
KIND_ROLE = Qt.ItemDataRole.UserRole + 4  # tag key or link type key
ANNOTATOR_ROLE = Qt.ItemDataRole.UserRole + 5  # annotator uuid

STATUS_LABELS = {"new": "New", "in_progress": "In progress", "done": "Done"}
STATUS_COLORS = {"new": "#a3a8ae", "in_progress": "#d39b1c", "done": "#2f9e5f"}
WARNING = "#b45f06"
FALLBACK_COLOR = "#808080"


@lru_cache(maxsize=256)
def dot_icon(color: str, diameter: int = 9, canvas: int = 16) -> QIcon:
    """A round colour dot centred in a small-icon square (cached per colour)."""
    return QIcon(_shape(color, canvas, diameter, diameter, round_=True))


def chip_pixmap(color: str, width: int = 14, height: int = 14) -> QPixmap:
    """A rounded colour bar or square (the inspector's tag chip, link rows)."""
    return _shape(color, 0, width, height, round_=False)


def _shape(color: str, canvas: int, width: int, height: int, *, round_: bool) -> QPixmap:
    scale = 2  # drawn at twice the size so it stays crisp on high-density screens
    outer_w, outer_h = max(canvas, width), max(canvas, height)
    pixmap = QPixmap(outer_w * scale, outer_h * scale)
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(color)
    painter.setBrush(fill)
    painter.setPen(fill.darker(120) if round_ else Qt.PenStyle.NoPen)
    rect = QRectF((outer_w - width) / 2, (outer_h - height) / 2, width, height)
    if round_:
        painter.drawEllipse(rect.adjusted(0.5, 0.5, -0.5, -0.5))
    else:
        radius = min(width, height) / 2.5
        painter.drawRoundedRect(rect, radius, radius)
    painter.end()
    return pixmap


@lru_cache(maxsize=8)
def status_icon(status: str) -> QIcon:
    """A document status mark that reads on a plain and on a selected (highlighted) row, and
    by shape as well as colour: new a hollow ring, in progress a half-filled dot, done a
    filled dot with a check. A white halo keeps it apart from the row's highlight."""
    scale, size = 2, 16
    pixmap = QPixmap(size * scale, size * scale)
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(STATUS_COLORS.get(status, STATUS_COLORS["new"]))
    rect = QRectF(2.5, 2.5, 11, 11)
    painter.setPen(QPen(QColor("#ffffff"), 3.5))  # the halo
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(rect)
    painter.setPen(QPen(color.darker(130), 1.5))
    painter.setBrush(Qt.BrushStyle.NoBrush if status == "new" else color)
    if status == "in_progress":
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(rect)
        painter.setBrush(color)
        painter.drawPie(rect, 90 * 16, 180 * 16)
    else:
        painter.drawEllipse(rect)
    if status == "done":
        painter.setPen(QPen(QColor("#ffffff"), 1.8))
        painter.drawPolyline([QPointF(5.3, 8.2), QPointF(7.2, 10.2), QPointF(10.8, 5.9)])
    painter.end()
    return QIcon(pixmap)


def one_line(text: str, limit: int = 300) -> str:
    """Whitespace runs (newlines too) folded to one space, cut at `limit` characters."""
    folded = " ".join(text.split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def tooltip_html(text: str) -> str:
    """A tooltip that wraps (Qt wraps rich-text tooltips, never plain ones)."""
    return f"<p>{escape_html(text)}</p>" if text else ""


def tooltip_lines(lines: list[str]) -> str:
    """A tooltip of several lines, each escaped."""
    return "<p>" + "<br>".join(escape_html(line) for line in lines) + "</p>" if lines else ""


def value_text(value: Any) -> str:
    """An attribute value as a person reads it."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def attributes_text(values: dict[str, Any]) -> str:
    """Attributes as short "key=value" text, in stored order."""
    return ", ".join(f"{key}={value_text(value)}" for key, value in values.items())


def local_time(stamp: str) -> str:
    """A stored UTC timestamp in the user's local time ("today, 14:03" or "3 Mar 2025, 14:03")."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp
    if moment.date() == datetime.now().astimezone().date():
        return f"today, {moment:%H:%M}"
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def muted_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A small grey label for secondary facts."""
    label = QLabel(text, parent)
    label.setObjectName("muted")
    font = label.font()
    font.setPointSizeF(max(font.pointSizeF() - 1, 7.0))
    label.setFont(font)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # the theme's muted colour
    return label


def shrinkable(widget: QWidget, minimum: int = 60) -> None:
    """Let a layout narrow the widget below its content's width (a narrow dock stays usable)."""
    widget.setSizePolicy(QSizePolicy.Policy.Ignored, widget.sizePolicy().verticalPolicy())
    widget.setMinimumWidth(minimum)


class QuietComboBox(QComboBox):
    """A combo box that lets the wheel scroll the panel unless the box has focus."""

    def __init__(self, parent: QWidget | None = None, *, shrink: bool = False) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if shrink:
            shrinkable(self)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def select_data(self, value: object) -> None:
        """Show the item whose data is `value` (the first item when none is)."""
        index = self.findData(value)
        self.setCurrentIndex(max(index, 0))


class ElidedLabel(QLabel):
    """Plain text wrapped to at most `max_lines` lines, the last one elided; the whole text is
    kept for the tooltip and `full_text()`."""

    def __init__(self, max_lines: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._max_lines = max_lines
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(tooltip_html(text))
        self._relayout()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        text = " ".join(self._full.split())
        width = max(self.contentsRect().width(), 40)
        layout = QTextLayout(text, self.font())
        layout.beginLayout()
        starts: list[int] = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            starts.append(line.textStart())
        layout.endLayout()
        bounds = [*starts, len(text)]
        if len(starts) <= self._max_lines:
            lines = [text[a:b].strip() for a, b in pairwise(bounds)]
        else:
            keep = self._max_lines - 1
            lines = [text[a:b].strip() for a, b in pairwise(bounds[: keep + 1])]
            rest = text[starts[keep] :]
            lines.append(self.fontMetrics().elidedText(rest, Qt.TextElideMode.ElideRight, width))
        self.setText("\n".join(lines))


def style_table(view: QTableView, *, min_section: int) -> None:
    """The calm, row-selecting, read-only look every table of the panels shares."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setMinimumSectionSize(min_section)


def labelled_columns(*columns: tuple[str, QWidget]) -> QGridLayout:
    """Widgets side by side, each under its label; the label's "&" key focuses its widget
    (without a buddy a QLabel shows the "&" literally and the key does nothing)."""
    grid = QGridLayout()
    for column, (text, widget) in enumerate(columns):
        label = QLabel(text)
        label.setBuddy(widget)
        grid.addWidget(label, 0, column)
        grid.addWidget(widget, 1, column)
    return grid
