"""The Timeline tab: events on a date axis in lanes by actor or by document (hollow: the
document's publication date stands in), and the spread of each claim: first and last
appearance and its outlets. A click on a point or a row lists the passages."""

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
from annotator.services.analytics import charts, timeline
from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.passages import passages_of_spans

ROW_ROLE = Qt.ItemDataRole.UserRole


class TimelineTab(QWidget):
    passages_requested = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: Dataset | None = None
        self.events: list[timeline.TimelineEvent] = []
        self.spread: list[timeline.ClaimSpread] = []
        self.lanes = QComboBox(objectName="timeline_lanes")
        self.lanes.addItem("Lanes by actor", "actor")
        self.lanes.addItem("Lanes by document", "document")
        self.lanes.currentIndexChanged.connect(self.refresh)
        export = QPushButton("&Export…")
        export.clicked.connect(self._export)
        self.chart = ChartCanvas()
        self.chart.picked.connect(self._picked)
        self.claims = QTableWidget(0, 5, objectName="timeline_claims")
        self.claims.setHorizontalHeaderLabels(["Claim", "First", "Last", "Documents", "Outlets"])
        self.claims.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.claims.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.claims.verticalHeader().hide()
        self.claims.itemClicked.connect(self._claim)
        self.claims.itemActivated.connect(self._claim)
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
        self.events = timeline.events(self.data, self.lanes.currentData())
        events = self.events
        self.chart.show_chart(lambda: charts.timeline_chart(events))
        self.spread = timeline.claim_spread(self.data)
        self.claims.setSortingEnabled(False)
        self.claims.setRowCount(len(self.spread))
        for r, claim in enumerate(self.spread):
            cells = (
                claim.label,
                claim.first,
                claim.last,
                len(claim.documents),
                "; ".join(sorted(claim.outlets)),
            )
            for c, value in enumerate(cells):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, value)
                item.setData(ROW_ROLE, r)
                item.setToolTip(str(value))
                self.claims.setItem(r, c, item)
        self.claims.setSortingEnabled(True)
        self.claims.resizeColumnsToContents()
        self.claims.setColumnWidth(0, min(self.claims.columnWidth(0), 480))
        estimated = sum(e.estimated for e in events)
        self.status.setText(
            f"{len(events):,} event(s), {estimated:,} placed by publication date; "
            f"{len(self.spread):,} claim(s). Click a point or a row for its passages."
        )

    def _picked(self, span: str, lane: str) -> None:
        if self.data is None:
            return
        event = next((e for e in self.events if e.span == span), None)
        if event is None:
            return
        how = "publication date" if event.estimated else "event date"
        detail = f"{event.date or 'undated'} ({how})"
        self.passages_requested.emit(
            f"{event.label} — {lane}", passages_of_spans(self.data, [span], detail)
        )

    def _claim(self, item: QTableWidgetItem) -> None:
        if self.data is None:
            return
        claim = self.spread[item.data(ROW_ROLE)]
        self.passages_requested.emit(claim.label, passages_of_spans(self.data, claim.spans))

    def _export(self) -> None:
        rows = [[e.date, e.estimated, "; ".join(e.lanes), e.label] for e in self.events]
        message = self.chart.export(["date", "estimated", "lanes", "event"], rows, "timeline")
        if message:
            self.status.setText(message)
