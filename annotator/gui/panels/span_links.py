"""The inspector's list of a span's links, each with jump-to and a delete button."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QWidget,
)

from annotator.domain.model import Link, Schema, Span
from annotator.gui.panels.common import ElidedLabel, chip_pixmap, one_line

LINK_ROLE = Qt.ItemDataRole.UserRole + 1
OTHER_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class LinkLine:
    """One line of the list, as shown."""

    link: str
    other: str
    text: str
    color: str


def link_lines(
    span: str, links: list[Link], others: dict[str, Span], schema: Schema
) -> list[LinkLine]:
    """Outgoing links first ("→ asserts: quote"), then incoming ("← about: quote"); a symmetric
    type reads "↔"."""
    lines: list[tuple[int, int, LinkLine]] = []
    for link in links:
        link_type = schema.link_type(link.type)
        label = link_type.label if link_type else link.type
        outgoing = link.source == span
        other = link.target if outgoing else link.source
        arrow = "↔" if link_type and not link_type.directed else ("→" if outgoing else "←")
        other_span = others.get(other)
        quote = one_line(other_span.quote, 200) if other_span else "?"
        color = link_type.color if link_type else "#808080"
        position = other_span.start if other_span else 0
        line = LinkLine(link.uuid, other, f"{arrow} {label}: {quote}", color)
        lines.append((0 if outgoing else 1, position, line))
    return [line for *_, line in sorted(lines, key=lambda x: (x[0], x[1]))]


class SpanLinks(QListWidget):
    """`jump_requested(span)` on activation (double-click or Enter); `delete_requested(link)`
    from a row's × button or the Delete key."""

    jump_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("span_links")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(True)
        self.itemActivated.connect(self._on_activated)
        self._lines: list[LinkLine] = []

    @property
    def lines(self) -> list[LinkLine]:
        """The lines shown (outgoing first)."""
        return self._lines

    def set_lines(self, lines: list[LinkLine]) -> None:
        self.setVisible(bool(lines))
        if lines == self._lines:
            return
        self._lines = lines
        self.clear()
        for line in lines:
            item = QListWidgetItem(self)
            item.setData(LINK_ROLE, line.link)
            item.setData(OTHER_ROLE, line.other)
            item.setToolTip(f"{line.text}\n\nDouble-click or press Enter to go to that span")
            row = self._row_widget(line)
            item.setSizeHint(QSize(0, row.sizeHint().height()))
            self.setItemWidget(item, row)
        height = sum(self.sizeHintForRow(i) for i in range(min(self.count(), 8)))
        self.setFixedHeight(max(height, 1) + 2 * self.frameWidth() + 2)

    def _row_widget(self, line: LinkLine) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(6, 1, 2, 1)
        layout.setSpacing(6)
        chip = QLabel(row)
        chip.setPixmap(chip_pixmap(line.color, 8, 8))
        text = ElidedLabel(1, row)
        text.set_full_text(line.text)
        delete = QToolButton(row)
        delete.setText("×")
        delete.setAutoRaise(True)
        delete.setToolTip("Delete this link")
        delete.setObjectName("delete_link")
        delete.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        delete.clicked.connect(lambda _=False, uuid=line.link: self.delete_requested.emit(uuid))
        layout.addWidget(chip)
        layout.addWidget(text, 1)
        layout.addWidget(delete)
        return row

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.jump_requested.emit(item.data(OTHER_ROLE))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if item is not None and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_requested.emit(item.data(LINK_ROLE))
        else:
            super().keyPressEvent(event)
