"""The document list: title, the current annotator's status, span count, outlet and date."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.changes import ChangeSet
from annotator.domain.model import DocumentInfo
from annotator.gui.panels.common import (
    SEARCH_ROLE,
    SORT_ROLE,
    STATUS_COLORS,
    STATUS_LABELS,
    UUID_ROLE,
    dot_icon,
    style_table,
    tooltip_html,
)
from annotator.gui.session import ProjectSession

AnyIndex = QModelIndex | QPersistentModelIndex
EMPTY_TEXT = "No documents yet — File ▸ Add documents… or drop files here"
NARROW = 460  # below this width the panel shows title, status and spans only
STATUS_ORDER = {"new": 0, "in_progress": 1, "done": 2}


@dataclass(frozen=True)
class _Row:
    """What one row shows (a display cache, refreshed from change sets)."""

    uuid: str
    title: str
    status: str
    spans: int
    outlet: str
    published: str
    author: str

    @classmethod
    def of(cls, info: DocumentInfo, status: str, spans: int) -> _Row:
        title = " ".join(info.title.split()) or info.source_filename or "Untitled"
        return cls(info.uuid, title, status, spans, info.outlet, info.published, info.author)

    @classmethod
    def of_summary(cls, summary: tuple, status: str, spans: int) -> _Row:
        uuid, title, filename, outlet, published, author = summary
        title = " ".join(title.split()) or filename or "Untitled"
        return cls(uuid, title, status, spans, outlet, published, author)


class DocumentListModel(QAbstractTableModel):
    """Every document of the project, one row each; statuses are the current annotator's."""

    COLUMNS = ("Title", "Status", "Spans", "Outlet", "Published")
    TITLE, STATUS, SPANS, OUTLET, PUBLISHED = range(5)

    def __init__(
        self, session: ProjectSession, parent: QWidget | None = None, *, defer_counts: bool = False
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._rows: list[_Row] = []
        self._index: dict[str, int] = {}
        self._compact = False
        #: Span counts of every document are read by `load_counts` (the window calls it after
        #: its first paint: counting a large project's spans would hold up the first screen).
        self._counts_known = not defer_counts
        session.changed.connect(self._on_changes)
        session.layer.changed.connect(self.reload)  # counts follow the layers shown
        self._read_rows()

    def set_compact(self, compact: bool) -> None:
        """Show the status as a dot alone (for a narrow panel); its name stays in the tooltip."""
        if compact != self._compact:
            self._compact = compact
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, self.STATUS, self.STATUS)
            if self._rows:
                last = len(self._rows) - 1
                self.dataChanged.emit(self.index(0, self.STATUS), self.index(last, self.STATUS))

    # -- reading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read every row (counts included); rows whose documents are unchanged keep their
        place."""
        self._counts_known = True
        self._read_rows()

    def _read_rows(self) -> None:
        with self.session.read() as read:
            documents = read.document_summaries()
            me = self.session.annotator
            counts = (
                read.span_counts(self.session.layer.annotators())  # the layers shown
                if self._counts_known
                else {}
            )
            statuses = {s.document: s.status for s in read.statuses() if s.annotator == me}
        unknown = -1
        rows = [
            _Row.of_summary(
                d, statuses.get(d[0], "new"), counts.get(d[0], 0) if counts else unknown
            )
            for d in documents
        ]
        if [r.uuid for r in rows] == [r.uuid for r in self._rows]:
            for row, new in enumerate(rows):
                if new != self._rows[row]:
                    self._rows[row] = new
                    self._row_changed(row)
            return
        self.beginResetModel()
        self._rows = rows
        self._index = {r.uuid: i for i, r in enumerate(rows)}
        self.endResetModel()

    def load_counts(self) -> None:
        """Read every document's span count (of the layers shown) now."""
        self._counts_known = True
        with self.session.read() as read:
            counts = read.span_counts(self.session.layer.annotators())
        for uuid, count in counts.items():
            self._replace(uuid, spans=count)

    @property
    def counts_known(self) -> bool:
        return self._counts_known

    def _refresh_metadata(self, uuids: frozenset[str]) -> None:
        with self.session.read() as read:
            infos = [read.document_info(u) for u in uuids if u in self._index]
        for info in infos:
            row = self._index[info.uuid]
            old = self._rows[row]
            new = _Row.of(info, old.status, old.spans)
            if new != old:
                self._rows[row] = new
                self._row_changed(row)

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.documents_added or changes.documents_removed or changes.annotators:
            self.reload()
            return
        if changes.statuses:
            self._refresh_statuses(changes.statuses)
        if changes.spans_added or changes.spans_removed:
            # Only the counts of the documents the spans belong to (a full reload counted
            # every span of the project on each tag key).
            self._refresh_counts(changes)
        elif changes.documents and not (
            changes.spans_changed or changes.links_added or changes.links_changed
        ):  # metadata edits (span edits leave titles and counts alone)
            self._refresh_metadata(changes.documents)

    def _refresh_counts(self, changes: ChangeSet) -> None:
        wanted = [u for u in changes.documents if u in self._index]
        if not wanted:
            return
        shown = self.session.layer.annotators()
        unknown = []
        for uuid in wanted:
            old = self._rows[self._index[uuid]].spans
            content = self.session.loaded(uuid)
            if old < 0 or content is None:
                unknown.append(uuid)
                continue
            # The open document's spans are in memory: count the change, not the spans.
            added = (content.spans.get(u) for u in changes.spans_added)
            plus = sum(1 for s in added if s and (shown is None or s.annotator in shown))
            removed = content.last_removed.values()
            minus = sum(1 for s in removed if shown is None or s.annotator in shown)
            self._replace(uuid, spans=old + plus - minus)
        if unknown and self._counts_known:
            with self.session.read() as read:
                counts = read.span_counts_of(unknown, shown)
            for uuid, count in counts.items():
                self._replace(uuid, spans=count)

    def _refresh_statuses(self, uuids: frozenset[str]) -> None:
        me = self.session.annotator
        with self.session.read() as read:
            found = {u: s.status for u in uuids for s in read.statuses(u) if s.annotator == me}
        for uuid in uuids:
            self._replace(uuid, status=found.get(uuid, "new"))

    def _replace(self, uuid: str, **values: Any) -> None:
        row = self._index.get(uuid)
        if row is None:
            return
        new = replace(self._rows[row], **values)
        if new != self._rows[row]:
            self._rows[row] = new
            self._row_changed(row)

    def span_total(self) -> int:
        """Spans of the shown layers over every document (the window's status bar; -1 until
        the counts are read)."""
        if not self._counts_known:
            return -1
        return sum(r.spans for r in self._rows)

    def spans_of(self, uuid: str) -> int:
        row = self._index.get(uuid)
        return self._rows[row].spans if row is not None else 0

    def title_of(self, uuid: str) -> str:
        row = self._index.get(uuid)
        return self._rows[row].title if row is not None else ""

    def document_uuids(self) -> list[str]:
        """Documents in the project's order."""
        return [r.uuid for r in self._rows]

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    # -- lookups -----------------------------------------------------------------------------
    def row_of(self, uuid: str) -> int | None:
        return self._index.get(uuid)

    def uuid_at(self, row: int) -> str:
        return self._rows[row].uuid

    # -- the model interface -----------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if section == self.STATUS and self._compact else self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == self.STATUS:
            return "Your status: new, in progress or done"
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            return dot_icon(STATUS_COLORS.get(row.status, STATUS_COLORS["new"]))
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TITLE:
            byline = ", ".join(x for x in (row.author, row.outlet, row.published) if x)
            return tooltip_html(row.title + (f" — {byline}" if byline else ""))
        if role == Qt.ItemDataRole.ToolTipRole and column == self.STATUS:
            return STATUS_LABELS.get(row.status, row.status)
        if role == UUID_ROLE:
            return row.uuid
        if role == SEARCH_ROLE:
            parts = (row.title, row.author, row.outlet, row.published, STATUS_LABELS[row.status])
            return " ".join(parts).lower()
        return None

    def _display(self, row: _Row, column: int) -> str:
        if column == self.STATUS:
            return "" if self._compact else STATUS_LABELS.get(row.status, row.status)
        if column == self.SPANS:
            return str(row.spans) if row.spans >= 0 else "…"
        return (row.title, "", "", row.outlet, row.published)[column]

    def _sort_key(self, row: _Row, column: int) -> Any:
        if column == self.TITLE:
            return row.title.lower()
        if column == self.STATUS:
            return STATUS_ORDER.get(row.status, 0)
        if column == self.SPANS:
            return row.spans
        return self._display(row, column).lower()


class DocumentsPanel(QWidget):
    """A filter box over the document table; picking a row opens that document.

    Double-click, Alt+Enter or the context menu's Properties ask for a document's properties
    (`properties_requested(uuid)`; the window opens the dialog)."""

    properties_requested = Signal(str)

    def __init__(
        self, session: ProjectSession, parent: QWidget | None = None, *, defer_counts: bool = False
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._syncing = False
        self.model = DocumentListModel(session, self, defer_counts=defer_counts)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter documents")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)
        self.view = self._make_view()
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setObjectName("empty_state")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty.setMargin(16)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.filter)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)

        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.view.doubleClicked.connect(self._request_properties)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.model.modelReset.connect(self._after_reset)
        session.document_changed.connect(self._show_current)
        self._after_reset()

    def _make_view(self) -> QTableView:
        view = QTableView(self)
        view.setObjectName("documents_table")
        view.setModel(self.proxy)
        style_table(view, min_section=30)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = view.horizontalHeader()
        header.setSectionResizeMode(DocumentListModel.TITLE, QHeaderView.ResizeMode.Stretch)
        width = view.fontMetrics().horizontalAdvance
        self._status_width = width("In progress") + 40
        widths = {
            DocumentListModel.STATUS: self._status_width,
            DocumentListModel.SPANS: width("Spans") + 28,
            DocumentListModel.OUTLET: width("New Eastern Outlook"),
            DocumentListModel.PUBLISHED: width("2000-00-00") + 20,
        }
        for column, size in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, size)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the project's own order
        view.setSortingEnabled(True)
        return view

    def context_menu(self, position: QPoint) -> QMenu | None:
        """The menu for the row at position (in viewport coordinates), or None off the rows."""
        index = self.view.indexAt(position)
        if not index.isValid():
            return None
        uuid = index.data(UUID_ROLE)
        menu = QMenu(self)
        menu.setObjectName("documents_menu")
        menu.addAction("&Open", lambda: self.session.open_document(uuid))
        properties = menu.addAction("P&roperties…", lambda: self.properties_requested.emit(uuid))
        properties.setShortcut("Alt+Return")
        return menu

    def _show_context_menu(self, position: QPoint) -> None:
        menu = self.context_menu(position)
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.view.viewport().mapToGlobal(position))

    def _request_properties(self, index: QModelIndex) -> None:
        if index.isValid():
            self.properties_requested.emit(index.data(UUID_ROLE))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Alt+Enter (either Enter key) on the selected row: its properties. The window's
        Document ▸ Properties shortcut takes Alt+Return first; this also serves the keypad."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        rows = self.view.selectionModel().selectedRows()
        if enter and event.modifiers() & Qt.KeyboardModifier.AltModifier and rows:
            self.properties_requested.emit(rows[0].data(UUID_ROLE))
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        narrow = self.width() < NARROW
        if narrow == self.view.isColumnHidden(DocumentListModel.OUTLET):
            return
        for column in (DocumentListModel.OUTLET, DocumentListModel.PUBLISHED):
            self.view.setColumnHidden(column, narrow)
        self.model.set_compact(narrow)
        self.view.horizontalHeader().resizeSection(
            DocumentListModel.STATUS, 36 if narrow else self._status_width
        )

    def sizeHint(self) -> QSize:
        return QSize(320, 480)

    # -- reactions ---------------------------------------------------------------------------
    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._show_current(self.session.current_document)

    def _after_reset(self) -> None:
        has_documents = self.model.rowCount() > 0
        self.filter.setVisible(has_documents)
        self.view.setVisible(has_documents)
        self.empty.setVisible(not has_documents)
        self._show_current(self.session.current_document)

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._syncing:
            return
        rows = self.view.selectionModel().selectedRows()
        if len(rows) == 1:
            self.session.open_document(rows[0].data(UUID_ROLE))

    def _show_current(self, uuid: str) -> None:
        """Select the current document's row (the session may change it from elsewhere)."""
        row = self.model.row_of(uuid) if uuid else None
        selection = self.view.selectionModel()
        self._syncing = True
        try:
            if row is None:
                selection.clearSelection()
                return
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if not index.isValid():
                selection.clearSelection()
                return
            flags = (
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows
            )
            selection.setCurrentIndex(index, flags)
            self.view.scrollTo(index)
        finally:
            self._syncing = False
