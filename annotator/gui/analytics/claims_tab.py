"""The Claims tab: one row per claim, sortable and filterable; Ctrl+C copies the selected rows
as tab-separated text; export as CSV or XLSX; a click lists the claim's passages."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.errors import AnnotatorError
from annotator.services.analytics.claims import (
    ClaimRow,
    claim_cells,
    claim_header,
    claim_rows,
    write_claims,
)
from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.passages import passages_of_spans

SORT_ROLE = Qt.ItemDataRole.UserRole


class ClaimsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.header: list[str] = []
        self.rows: list[ClaimRow] = []
        self.cells: list[list[object]] = []

    def set_rows(self, data: Dataset, rows: list[ClaimRow]) -> None:
        self.beginResetModel()
        self.header = claim_header(data)
        self.rows = rows
        self.cells = [claim_cells(data, row) for row in rows]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.cells)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.header)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        value = self.cells[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return str(value)
        if role == SORT_ROLE:
            return value if isinstance(value, int) else str(value).casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.header[section].capitalize()
        return None


class ClaimsTab(QWidget):
    passages_requested = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: Dataset | None = None
        self.model = ClaimsModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.table = QTableView(objectName="claims_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.clicked.connect(self._chosen)
        self.table.activated.connect(self._chosen)
        QShortcut(QKeySequence.StandardKey.Copy, self.table, self.copy)
        self.search = QLineEdit(placeholderText="Filter the rows…", objectName="claims_filter")
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        copy = QPushButton("&Copy rows")
        copy.setToolTip("Copy the selected rows (all when none) as tab-separated text (Ctrl+C)")
        copy.clicked.connect(self.copy)
        export = QPushButton("&Export…")
        export.setToolTip("Save the table as CSV or Excel (.xlsx)")
        export.clicked.connect(self.export)
        self.status = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(copy)
        row.addWidget(export)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

    def set_data(self, data: Dataset) -> None:
        self.data = data
        self.model.set_rows(data, claim_rows(data))
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 420))
        self.status.setText(
            f"{len(self.model.rows):,} claim(s). Click a row for its passages; "
            "stance and verdict count the claim's mentions."
        )

    def _chosen(self, index: QModelIndex) -> None:
        if self.data is None or not index.isValid():
            return
        row = self.model.rows[self.proxy.mapToSource(index).row()]
        self.passages_requested.emit(row.label, passages_of_spans(self.data, row.spans, "claim"))

    def selected_text(self) -> str:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows:
            rows = list(range(self.proxy.rowCount()))
        lines = ["\t".join(self.model.header)]
        for row in rows:
            source = self.proxy.mapToSource(self.proxy.index(row, 0)).row()
            lines.append("\t".join(str(c) for c in self.model.cells[source]))
        return "\n".join(lines)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.selected_text())
        self.status.setText("Copied to the clipboard")

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the claims", "claims.csv", "CSV (*.csv);;Excel (*.xlsx)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        if self.data is None:
            return
        shown = [
            self.model.rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()]
            for r in range(self.proxy.rowCount())
        ]
        try:
            write_claims(self.data, shown, path)
        except (AnnotatorError, OSError) as error:
            self.status.setText(f"Cannot export: {error}")
            return
        self.status.setText(f"Wrote {len(shown):,} claim(s) to {path}")
