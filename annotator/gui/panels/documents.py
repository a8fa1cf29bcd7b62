"""The document list: title, the current annotator's status, span count, outlet and date (the
model is in document_list.py)."""

from __future__ import annotations

from PySide6.QtCore import (
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

from annotator.gui.panels.common import (
    SEARCH_ROLE,
    SORT_ROLE,
    UUID_ROLE,
    style_table,
)
from annotator.gui.panels.document_list import DocumentListModel
from annotator.gui.session import ProjectSession

__all__ = ["EMPTY_TEXT", "DocumentListModel", "DocumentsPanel"]

AnyIndex = QModelIndex | QPersistentModelIndex
EMPTY_TEXT = "No documents yet — File ▸ Add documents… or drop files here"
NARROW = 460  # below this width the panel shows title, status and spans only


class DocumentsPanel(QWidget):
    """A filter box over the document table; picking a row opens that document.

    Double-click, Alt+Enter or the context menu's Properties ask for a document's properties
    (`properties_requested(uuid)`; the window opens the dialog)."""

    properties_requested = Signal(str)

    def __init__(
        self,
        session: ProjectSession,
        parent: QWidget | None = None,
        *,
        defer_counts: bool = False,
        model: DocumentListModel | None = None,
    ) -> None:
        """`model`: the list to show, made beforehand (the window keeps one from the start for
        its title and the document order, and builds this panel after its first frame)."""
        super().__init__(parent)
        self.session = session
        self._syncing = False
        self.model = model or DocumentListModel(session, self, defer_counts=defer_counts)
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
