"""The link picker's rows: candidate targets nearest first, and the delegate that draws them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from annotator.domain.model import Schema, Span
from annotator.domain.offsets import CONTEXT_LENGTH
from annotator.gui.panels.common import FALLBACK_COLOR, attributes_text, one_line

TARGET_ROLE = Qt.ItemDataRole.UserRole + 11  # the row's Target


@dataclass(frozen=True)
class Target:
    """A span that could be linked to, as the picker shows and searches it."""

    span: Span
    tag_label: str
    color: str
    distance: int  # code points between the source span and this one (0: they touch/overlap)
    search: str  # lower-case quote, tag and attribute text

    @property
    def uuid(self) -> str:
        return self.span.uuid


def distance(a: Span, b: Span) -> int:
    """Code points between two spans' outer bounds (0 when they touch or overlap)."""
    return max(0, b.start - a.end, a.start - b.end)


def nearest_targets(source: Span, spans: list[Span], schema: Schema) -> list[Target]:
    """Every other span of the document, nearest to `source` first (then in text order)."""
    targets = []
    for span in spans:
        if span.uuid == source.uuid:
            continue
        tag = schema.tag(span.tag)
        label = tag.label if tag else span.tag
        attributes = attributes_text(span.attributes)
        search = f"{span.quote} {label} {span.tag} {attributes} {span.note}".lower()
        color = tag.color if tag else FALLBACK_COLOR
        targets.append(Target(span, label, color, distance(source, span), search))
    targets.sort(key=lambda t: (t.distance, t.span.start, t.span.end))
    return targets


def folded(text: str) -> str:
    """Whitespace runs (newlines too) as one space, keeping a space at either end."""
    return re.sub(r"\s+", " ", text)


def matches(target: Target, words: list[str]) -> bool:
    return all(word in target.search for word in words)


class TargetDelegate(QStyledItemDelegate):
    """Two lines per target: tag chip, quote and attributes; then the quote in its context."""

    PAD = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(200, 2 * line + 3 * self.PAD)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        target: Target | None = index.data(TARGET_ROLE)
        if target is None:
            super().paint(painter, option, index)
            return
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:  # background, selection and focus as the style draws them
            plain = QStyleOptionViewItem(option)
            self.initStyleOption(plain, index)
            plain.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_color = option.palette.color(group)
        muted = QColor(text_color)
        muted.setAlphaF(0.62)
        metrics = QFontMetrics(option.font)
        rect = option.rect.adjusted(self.PAD + 2, self.PAD, -self.PAD - 2, -self.PAD)
        top = QRect(rect.left(), rect.top(), rect.width(), metrics.lineSpacing())
        chip_right = self._chip(painter, top, target, metrics, text_color)
        attributes = attributes_text(target.span.attributes)
        attributes_width = min(metrics.horizontalAdvance(attributes), rect.width() // 3)
        quote_rect = QRect(chip_right + 8, top.top(), 0, top.height())
        quote_rect.setRight(top.right() - (attributes_width + 12 if attributes else 0))
        painter.setPen(text_color)
        quote = metrics.elidedText(
            one_line(target.span.quote), Qt.TextElideMode.ElideRight, quote_rect.width()
        )
        painter.drawText(quote_rect, Qt.AlignmentFlag.AlignVCenter, quote)
        if attributes:
            painter.setPen(muted)
            right = QRect(top.right() - attributes_width, top.top(), attributes_width, top.height())
            painter.drawText(
                right,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                metrics.elidedText(attributes, Qt.TextElideMode.ElideRight, attributes_width),
            )
        bottom = top.translated(0, metrics.lineSpacing() + self.PAD)
        self._context(painter, bottom, target.span, metrics, text_color, muted)
        painter.restore()

    @staticmethod
    def _chip(
        painter: QPainter, line: QRect, target: Target, metrics: QFontMetrics, text: QColor
    ) -> int:
        """A tinted pill with the tag's colour dot and label; returns its right edge."""
        label = target.tag_label
        width = metrics.horizontalAdvance(label) + 22
        pill = QRectF(line.left(), line.top() + 0.5, width, line.height() - 1)
        color = QColor(target.color)
        tint = QColor(color)
        tint.setAlphaF(0.16)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(color)
        painter.setBrush(tint)
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setBrush(color)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(QRectF(pill.left() + 6, pill.center().y() - 3, 6, 6))
        painter.setPen(text)
        label_rect = QRect(int(pill.left()) + 15, line.top(), width - 17, line.height())
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter, label)
        return int(pill.right())

    @staticmethod
    def _context(
        painter: QPainter,
        line: QRect,
        span: Span,
        metrics: QFontMetrics,
        text: QColor,
        muted: QColor,
    ) -> None:
        """ "…prefix QUOTE suffix…" with the quote in full colour, kept in view."""
        quote = one_line(span.quote, 120)
        prefix = ("…" if len(span.prefix) == CONTEXT_LENGTH else "") + folded(span.prefix)
        suffix = folded(span.suffix) + ("…" if len(span.suffix) == CONTEXT_LENGTH else "")
        limit = int(line.width() * 0.6)
        if metrics.horizontalAdvance(quote) > limit:
            quote = metrics.elidedText(quote, Qt.TextElideMode.ElideMiddle, limit)
        quote_width = metrics.horizontalAdvance(quote)
        room = max(line.width() - quote_width, 0)
        prefix_text = metrics.elidedText(prefix, Qt.TextElideMode.ElideLeft, room // 2)
        prefix_width = metrics.horizontalAdvance(prefix_text)
        suffix_text = metrics.elidedText(suffix, Qt.TextElideMode.ElideRight, room - prefix_width)
        x = line.left()
        for part, color in ((prefix_text, muted), (quote, text), (suffix_text, muted)):
            width = metrics.horizontalAdvance(part)
            painter.setPen(color)
            painter.drawText(QRect(x, line.top(), width + 1, line.height()), 0, part)
            x += width
