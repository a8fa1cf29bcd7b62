"""The Timeline tab: events on a date axis in lanes by actor or by document (hollow: the
document's publication date stands in; a larger point: more events that day), counted in SQL,
and the spread of each claim — first and last appearance, documents, outlets — in a table that
builds only the rows it shows. A click on a point or a row lists the passages."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.analytics.chart_canvas import ChartCanvas
from annotator.gui.analytics.claims_tab import busy_cursor
from annotator.gui.analytics.paged_model import PagedTableModel
from annotator.services.analytics import charts, timeline
from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.passages import passages_of_spans
from annotator.services.analytics.timeline_pages import (
    EventCounts,
    SpreadRow,
    SpreadTable,
    busiest_lanes,
    event_counts,
    point_events,
)

LANES = 30  # the busiest lanes drawn; the rest share one
HEADER = ("Claim", "First", "Last", "Documents", "Outlets")
SORT_KEYS = (
    lambda r: r.label.casefold(),
    lambda r: r.first,
    lambda r: r.last,
    lambda r: r.documents,
    lambda r: r.outlets.casefold(),
)


class SpreadModel(PagedTableModel):
    """The claims' spread a page at a time: `rows` holds every claim (small summaries, in the
    chosen order); the view fetches PAGE more as it scrolls and asks only for the cells it
    paints."""

    def __init__(self) -> None:
        super().__init__()
        self.table: SpreadTable | None = None
        self.rows: list[SpreadRow] = []
        self.fetched = 0
        self.sort_column: int | None = None
        self.sort_order = Qt.SortOrder.AscendingOrder

    def set_table(self, table: SpreadTable) -> None:
        self.table = table
        self._arrange()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self._arrange()

    def _arrange(self) -> None:
        """`rows`: the table's claims, stably sorted by the chosen column (ties keep the
        spread's own order: first appearance, then label)."""
        self.beginResetModel()
        rows = list(self.table.rows) if self.table is not None else []
        if self.sort_column is not None and 0 <= self.sort_column < len(HEADER):
            descending = self.sort_order == Qt.SortOrder.DescendingOrder
            rows.sort(key=SORT_KEYS[self.sort_column], reverse=descending)
        self.show_rows(rows)
        self.endResetModel()

    def spans(self, row: int) -> tuple[str, list[str]] | None:
        """(label, span uuids) of a row; the table refolds when two claim texts share a
        stored hash, and the row is then looked up again by its label."""
        if self.table is None or not 0 <= row < len(self.rows):
            return None
        claim = self.rows[row]
        found = self.table.spans(claim)
        if found is None:  # the fold's rows now
            self._arrange()
            again = next((r for r in self.table.rows if r.label == claim.label), None)
            found = self.table.spans(again) if again is not None else []
        return claim.label, found or []

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADER)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return str(row[index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADER[section]
        return None


class TimelineTab(QWidget):
    passages_requested = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: Dataset | None = None
        self.counts: EventCounts | None = None
        self.lanes = QComboBox(objectName="timeline_lanes")
        self.lanes.addItem("Lanes by actor", "actor")
        self.lanes.addItem("Lanes by document", "document")
        self.lanes.currentIndexChanged.connect(self._draw_events)
        export = QPushButton("&Export…")
        export.setToolTip("Save the chart as PNG or SVG, or every event as CSV")
        export.clicked.connect(self._export)
        self.chart = ChartCanvas()
        self.chart.picked.connect(self._picked)
        self.model = SpreadModel()
        self.claims = QTableView(objectName="timeline_claims")
        self.claims.setModel(self.model)
        # No column until one is clicked: the spread's own order (first appearance, label).
        self.claims.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.claims.setSortingEnabled(True)
        self.claims.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.claims.setWordWrap(False)
        self.claims.verticalHeader().hide()
        self.claims.horizontalHeader().setStretchLastSection(True)
        self.claims.clicked.connect(self._claim)
        self.claims.activated.connect(self._claim)
        self.status = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.lanes)
        row.addStretch(1)
        row.addWidget(export)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.claims)
        splitter.setStretchFactor(0, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

    def set_data(self, data: Dataset) -> None:
        self.data = data
        self.refresh()

    def refresh(self) -> None:
        if self.data is None:
            return
        self._draw_events()
        self.model.set_table(SpreadTable(self.data))
        self.claims.resizeColumnsToContents()  # of the first page: the rows fetched
        for column in range(len(HEADER)):
            self.claims.setColumnWidth(column, min(self.claims.columnWidth(column), 480))
        self._say_counts()

    def _draw_events(self) -> None:
        if self.data is None:
            return
        counts = self.counts = event_counts(self.data, self.lanes.currentData())
        self.chart.show_chart(lambda: charts.timeline_chart(counts, lanes=LANES))
        self._say_counts()

    def _say_counts(self) -> None:
        if self.counts is None:
            return
        self.status.setText(
            f"{self.counts.events:,} event(s), {self.counts.estimated:,} placed by publication "
            f"date; {len(self.model.rows):,} claim(s). Click a point or a row for its passages."
        )

    def _picked(self, key: str, lane: str) -> None:
        """A point: the events of its lane placed on its date, read for this point."""
        if self.data is None or self.counts is None or "\t" not in key:
            return
        date, estimated = key.split("\t")
        kept, _ = busiest_lanes(self.counts.points, LANES)
        events = point_events(self.data, self.counts, lane, date, estimated == "1", kept)
        if not events:
            return
        how = "publication date" if estimated == "1" else "event date"
        detail = f"{date} ({how})"
        title = (
            f"{events[0].label} — {lane}"
            if len(events) == 1
            else f"{len(events):,} events — {lane}, {detail}"
        )
        spans = [e.span for e in events]
        self.passages_requested.emit(title, passages_of_spans(self.data, spans, detail))

    def _claim(self, index: QModelIndex) -> None:
        if self.data is None or not index.isValid():
            return
        found = self.model.spans(index.row())
        if found is not None:
            label, spans = found
            self.passages_requested.emit(label, passages_of_spans(self.data, spans))

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the timeline", "timeline.png", "PNG (*.png);;SVG (*.svg);;CSV (*.csv)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        """The chart as PNG/SVG, or every event (date, estimated, lanes, label) as CSV."""
        rows: list[list[object]] = []
        if path.lower().endswith(".csv") and self.data is not None:
            with busy_cursor():  # every event's row: the fold, seconds on a large project
                events = timeline.events(self.data, self.lanes.currentData())
                rows = [[e.date, e.estimated, "; ".join(e.lanes), e.label] for e in events]
        message = self.chart.export_to(path, ["date", "estimated", "lanes", "event"], rows)
        if message:
            self.status.setText(message)
