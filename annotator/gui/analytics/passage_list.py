"""PassageList: the passages behind a clicked figure as keyword-in-context lines; Enter (or a
double click) opens one in the reading pane with its span selected."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.services.analytics.passages import KwicLine

#: Lines listed at once (a node with 100,000 mentions would otherwise fill slowly).
LIMIT = 2000


class PassageList(QWidget):
    """`open_span(uuid)` shows a span in the reading pane."""

    def __init__(self, open_span: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.open_span = open_span
        self.lines: list[KwicLine] = []
        self.title = QLabel("Click a node, edge, bar, cell or row to list its passages.")
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 5, objectName="analytics_passages")
        self.table.setHorizontalHeaderLabels(["Document", "Before", "Passage", "After", "Detail"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)

    def show_lines(self, title: str, lines: list[KwicLine]) -> None:
        shown = lines[:LIMIT]
        more = f" (the first {len(shown):,})" if len(lines) > len(shown) else ""
        self.title.setText(f"{title}: {len(lines):,} passage(s){more}. Enter opens one.")
        self.table.setRowCount(len(shown))
        for row, line in enumerate(shown):
            cells = (line.title, line.left, line.keyword, line.right, line.passage.detail)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == 2:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.lines = shown
        width = max(self.table.viewport().width(), 600)
        for column, share in ((0, 0.16), (1, 0.27), (2, 0.25), (3, 0.27)):
            self.table.setColumnWidth(column, int(width * share))
        if shown:
            self.table.selectRow(0)

    def clear(self, note: str = "") -> None:
        self.lines = []
        self.table.setRowCount(0)
        if note:
            self.title.setText(note)

    def _activated(self, item: QTableWidgetItem) -> None:
        if 0 <= item.row() < len(self.lines):
            self.open_span(self.lines[item.row()].passage.span)
