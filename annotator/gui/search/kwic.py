"""Keyword-in-context lines in item views: the hit in bold on a highlight, context muted.

KWIC_ROLE holds (before, match, after) or (before, match, after, label); a label (e.g. the
document's title) is drawn first. A line wider than its column loses the start of its left
context (and if need be the end of its label), never the match.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontMetricsF,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from annotator.gui.html_text import escape_html

#: Item data role holding (before, match, after) for a KWIC line.
KWIC_ROLE = Qt.ItemDataRole.UserRole + 20
HIGHLIGHT = "rgba(240, 165, 0, 0.35)"


def kwic_html(before: str, match: str, after: str, label: str = "") -> str:
    return (
        f"{escape_html(label)}…{escape_html(before)}<b style='background-color:{HIGHLIGHT}'>"
        f"{escape_html(match)}</b>{escape_html(after)}…"
    )


def fit_line(
    width: float,
    text_width: Callable[[str], float],
    match_width: Callable[[str], float],
    before: str,
    match: str,
    after: str,
    label: str = "",
) -> tuple[str, str, str, str]:
    """The parts of a KWIC line shortened so the match shows in `width`: the label keeps at
    most 40% of the width, the left context keeps its end (the words next to the match) and
    gets at least half of what is left; the right context is clipped by the painter."""
    ellipses = 2 * text_width("…")
    if text_width(label + before + after) + match_width(match) + ellipses <= width:
        return before, match, after, label
    if label and text_width(label) > 0.4 * width:
        label = _keep_start(label, 0.4 * width - text_width("… · "), text_width) + "… · "
    room = width - text_width(label) - match_width(match) - ellipses
    before_room = max(room - text_width(after), room / 2)
    return _keep_end(before, before_room, text_width), match, after, label


def _keep_end(text: str, room: float, text_width: Callable[[str], float]) -> str:
    """The longest end of `text` no wider than `room`."""
    low, high = 0, len(text)  # find the first start index whose tail fits
    while low < high:
        middle = (low + high) // 2
        if text_width(text[middle:]) <= room:
            high = middle
        else:
            low = middle + 1
    return text[low:]


def _keep_start(text: str, room: float, text_width: Callable[[str], float]) -> str:
    """The longest start of `text` no wider than `room`."""
    low, high = 0, len(text)  # find the last end index whose head fits
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip()


def kwic_plain(before: str, match: str, after: str) -> str:
    """The same line as plain text (the item's display text: tooltips, accessibility, tests)."""
    return f"…{before}[{match}]{after}…"


class KwicDelegate(QStyledItemDelegate):
    """Paints items carrying KWIC_ROLE as rich text on one line; other items as usual."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        parts = index.data(KWIC_ROLE)
        if not parts:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        document = QTextDocument()
        document.setDefaultFont(opt.font)
        document.setDocumentMargin(0)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        bold = QFont(opt.font)
        bold.setBold(True)
        plain_metrics, bold_metrics = QFontMetricsF(opt.font), QFontMetricsF(bold)
        document.setHtml(
            kwic_html(
                *fit_line(
                    text_rect.width(),
                    plain_metrics.horizontalAdvance,
                    bold_metrics.horizontalAdvance,
                    *parts,
                )
            )
        )
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        painter.save()
        top = text_rect.top() + (text_rect.height() - document.size().height()) / 2
        painter.translate(text_rect.left(), top)
        painter.setClipRect(QRectF(0, 0, text_rect.width(), document.size().height()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), option.fontMetrics.height() + 6))
