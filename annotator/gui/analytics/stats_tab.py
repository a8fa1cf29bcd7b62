"""The Statistics tab: pick a table (spans per tag by document/outlet/author/month, attribute
values, actor co-occurrence by document or sentence, progress); see it as a table and a chart;
a click on a cell or bar lists its passages; export PNG/SVG/CSV."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.analytics.chart_canvas import ChartCanvas
from annotator.services.analytics import charts, statistics
from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.passages import passages_of_spans
from annotator.services.analytics.statistics import Table
from annotator.services.project import Project

CHOICES = (
    ("Spans per tag by document", "by:document"),
    ("Spans per tag by outlet", "by:outlet"),
    ("Spans per tag by author", "by:author"),
    ("Spans per tag by month", "by:month"),
    ("Attribute values", "attributes"),
    ("Actors named in the same document", "co:document"),
    ("Actors named in the same sentence", "co:sentence"),
    ("Progress per annotator and status", "progress"),
)


class StatsTab(QWidget):
    passages_requested = Signal(str, object)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.data: Dataset | None = None
        self.current = Table([], [])
        self.choice = QComboBox(objectName="stats_choice")
        for text, key in CHOICES:
            self.choice.addItem(text, key)
        self.choice.currentIndexChanged.connect(self.refresh)
        export = QPushButton("&Export…")
        export.setToolTip("Save the chart (PNG, SVG) or its table (CSV)")
        export.clicked.connect(self._export)
        self.status = QLabel()
        self.table = QTableWidget(objectName="stats_table")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.cellClicked.connect(self._cell)
        self.table.cellActivated.connect(self._cell)
        self.chart = ChartCanvas()
        self.chart.picked.connect(self._picked)
        row = QHBoxLayout()
        row.addWidget(self.choice, 1)
        row.addWidget(export)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

    def set_data(self, data: Dataset) -> None:
        self.data = data
        self.refresh()

    def build_table(self) -> Table:
        assert self.data is not None
        key = self.choice.currentData()
        if key.startswith("by:"):
            return statistics.spans_per_tag(self.data, key[3:])
        if key == "attributes":
            return statistics.attribute_distribution(self.data)
        if key.startswith("co:"):
            return statistics.cooccurrence(self.project, self.data, key[3:])
        return statistics.progress(self.data)

    def refresh(self) -> None:
        if self.data is None:
            return
        table = self.current = self.build_table()
        first = (
            self.choice.currentText().split(" by ")[-1] if "by" in self.choice.currentData() else ""
        )
        self.table.clear()
        self.table.setColumnCount(len(table.columns) + 1)
        self.table.setRowCount(len(table.rows))
        self.table.setHorizontalHeaderLabels([first or "", *table.columns])
        for r, (label, *counts) in enumerate(table.as_rows()):
            self.table.setItem(r, 0, QTableWidgetItem(str(label)))
            for c, count in enumerate(counts, start=1):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, count)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 200))
        for column in range(1, self.table.columnCount()):  # counts: narrow, all in view
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 90))
        title = self.choice.currentText()
        colours = {t.key: t.color for t in self.data.schema.tag_types}
        if self.choice.currentData().startswith("co:"):
            self.chart.show_chart(lambda: charts.heat_map(table, title))
        else:
            self.chart.show_chart(lambda: charts.bar_chart(table, title, colours))
        total = sum(table.counts.values())
        self.status.setText(
            f"{len(table.rows):,} row(s), {total:,} in all. Click a cell or a bar for its passages."
        )

    def _cell(self, row: int, column: int) -> None:
        if column == 0 or not 0 <= row < len(self.current.rows):
            return
        self._picked(self.current.rows[row], self.current.columns[column - 1])

    def _picked(self, row: str, column: str) -> None:
        if self.data is None:
            return
        spans = self.current.spans.get((row, column), [])
        title = f"{self.choice.currentText()}: {row} × {column}"
        self.passages_requested.emit(title, passages_of_spans(self.data, spans))

    def _export(self) -> None:
        header = ["", *self.current.columns]
        message = self.chart.export(header, self.current.as_rows(), self.choice.currentData())
        if message:
            self.status.setText(message)
