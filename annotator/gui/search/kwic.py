"""Keyword-in-context lines in item views: the hit in bold on a highlight, context muted."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

#: Item data role holding (before, match, after) for a KWIC line.
KWIC_ROLE = Qt.ItemDataRole.UserRole + 20
HIGHLIGHT = "rgba(240, 165, 0, 0.35)"


def kwic_html(before: str, match: str, after: str) -> str:
    return (
        f"…{html.escape(before)}<b style='background-color:{HIGHLIGHT}'>"
        f"{html.escape(match)}</b>{html.escape(after)}…"
    )


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
        document.setHtml(kwic_html(*parts))
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
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
