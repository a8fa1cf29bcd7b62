"""The Claims tab: one row per claim, sortable and filterable; Ctrl+C copies the selected rows
as tab-separated text; export as CSV or XLSX; a click lists the claim's passages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import (
    QIdentityProxyModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
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
from annotator.gui.analytics.paged_model import PagedTableModel
from annotator.services.analytics.claim_pages import PAGE, ClaimSummary, ClaimTable
from annotator.services.analytics.claims import (
    ClaimRow,
    claim_cells,
    claim_header,
    write_claims,
)
from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.passages import passages_of_spans

SORT_ROLE = Qt.ItemDataRole.UserRole


@contextmanager
def busy_cursor() -> Iterator[None]:
    """The wait cursor while every claim's row is built (seconds on a large project)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


#: Columns sorted on what every claim's summary holds (label, documents, outlets); the others
#: need every full row (the fold of all claims, once per reload).
SUMMARY_KEYS = {
    0: lambda r: r.label.casefold(),
    2: lambda r: r.documents if isinstance(r, ClaimSummary) else len(r.documents),
    3: lambda r: r.outlets if isinstance(r, ClaimSummary) else len(r.outlets),
}


class ClaimsModel(PagedTableModel):
    """The claims a page at a time: `rows` holds every claim the filter text keeps, in the
    sorted order; the view fetches PAGE more as it scrolls, and a row's cells are read (with
    the rest of its page) when first shown."""

    def __init__(self) -> None:
        super().__init__()
        self.header: list[str] = []
        self.table: ClaimTable | None = None
        self.rows: list[ClaimSummary | ClaimRow] = []
        self.fetched = 0
        self.text = ""
        self.sort_column, self.sort_order = 2, Qt.SortOrder.DescendingOrder
        self._cells: list[list[object] | None] = []

    def set_table(self, data: Dataset, table: ClaimTable) -> None:
        self.header, self.table = claim_header(data), table
        self._arrange()

    def set_text(self, text: str) -> None:
        self.text = text
        self._arrange()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self._arrange()

    def _arrange(self) -> None:
        """`rows`: the table's claims the text keeps, stably sorted (ties keep the table's
        order, as a sort proxy would)."""
        self.beginResetModel()
        table, rows = self.table, []
        if table is not None:
            key = SUMMARY_KEYS.get(self.sort_column)
            every = table.every_row() if self.text or key is None else None
            rows = list(table.order) if every is None else every
            if self.text:
                wanted = self.text.casefold()
                rows = [r for r in rows if any(wanted in c for c in self._texts(r))]
            if key is None:
                key = self._cell_key(self.sort_column)
            if 0 <= self.sort_column < len(self.header):
                rows.sort(key=key, reverse=self.sort_order == Qt.SortOrder.DescendingOrder)
        self.show_rows(rows)
        self._cells = [None] * len(rows)
        self.endResetModel()

    def _texts(self, row: ClaimRow) -> list[str]:
        assert self.table is not None
        return [str(c).casefold() for c in claim_cells(self.table.data, row)]

    def _cell_key(self, column: int):
        data = self.table.data if self.table is not None else None

        def key(row: ClaimRow):
            value = claim_cells(data, row)[column]
            return value if isinstance(value, int) else str(value).casefold()

        return key

    def full_row(self, row: int) -> ClaimRow | None:
        assert self.table is not None
        found = self.table.full([self.rows[row]])
        return found[0] if found else None  # none: a merged summary, the table refolded

    def cells(self, row: int) -> list[object]:
        """A row's cells, read with the rest of its page when first asked."""
        found = self._cells[row]
        if found is None:
            assert self.table is not None
            first = row - row % PAGE
            refolded = self.table.refolded
            page = self.table.full(self.rows[first : first + PAGE])
            if self.table.refolded != refolded:  # two texts shared a hash: the fold's rows
                QTimer.singleShot(0, self._arrange)  # not while the view asks for data
                return [""] * len(self.header)
            for offset, full in enumerate(page):
                self._cells[first + offset] = claim_cells(self.table.data, full)
            found = self._cells[row]
        assert found is not None
        return found

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.header)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.TextAlignmentRole,
            SORT_ROLE,
        ):
            return None
        value = self.cells(index.row())[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return str(value)
        if role == SORT_ROLE:
            return value if isinstance(value, int) else str(value).casefold()
        if isinstance(value, int):
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
        self.proxy = QIdentityProxyModel(self)  # sorting and filtering are the model's own
        self.proxy.setSourceModel(self.model)
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
        self.search.textChanged.connect(self._filter)
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
        self.model.set_table(data, ClaimTable(data))
        self.table.resizeColumnsToContents()  # of the first page: the rows fetched
        for column in range(self.model.columnCount()):  # long lists stay readable as tooltips
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 420))
        self._say_count()

    def _say_count(self) -> None:
        self.status.setText(
            f"{len(self.model.rows):,} claim(s). Click a row for its passages; "
            "stance and verdict count the claim's mentions."
        )

    def _filter(self, text: str) -> None:
        with busy_cursor():  # the first filter builds every row
            self.model.set_text(text)
        self._say_count()

    def _chosen(self, index: QModelIndex) -> None:
        if self.data is None or not index.isValid():
            return
        row = self.model.full_row(self.proxy.mapToSource(index).row())
        if row is None:
            return
        self.passages_requested.emit(row.label, passages_of_spans(self.data, row.spans, "claim"))

    def selected_text(self) -> str:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows:
            rows = list(range(len(self.model.rows)))  # every claim, not only those fetched
        lines = ["\t".join(self.model.header)]
        with busy_cursor():
            for row in rows:
                lines.append("\t".join(str(c) for c in self.model.cells(row)))
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
        with busy_cursor():  # every claim the filter keeps, in the table's order
            shown = self.model.table.full(self.model.rows) if self.model.table else []
        try:
            write_claims(self.data, shown, path)
        except (AnnotatorError, OSError) as error:
            self.status.setText(f"Cannot export: {error}")
            return
        self.status.setText(f"Wrote {len(shown):,} claim(s) to {path}")
