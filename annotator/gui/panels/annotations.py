"""The span and link tables of the current document, with filters, sorting and jump-to."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.changes import ChangeSet
from annotator.gui.panels.annotation_models import (
    AnnotationFilter,
    LinkTableModel,
    RowTableModel,
    SpanTableModel,
)
from annotator.gui.panels.common import UUID_ROLE, QuietComboBox, dot_icon, muted_label, style_table
from annotator.gui.session import ProjectSession
from annotator.services.link_commands import DeleteLinks
from annotator.services.span_commands import DeleteSpans

__all__ = ["AnnotationPage", "AnnotationTables", "LinkTableModel", "SpanTableModel"]


class AnnotationTable(QTableView):
    """A read-only table whose rows are activated by double-click or Enter and deleted by the
    Delete key; both are reported as uuids."""

    row_activated = Signal(str)
    delete_requested = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style_table(self, min_section=40)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.horizontalHeader().setSortIndicatorClearable(True)
        self.doubleClicked.connect(self._activate)

    def selected_uuids(self) -> list[str]:
        return [index.data(UUID_ROLE) for index in self.selectionModel().selectedRows()]

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.row_activated.emit(index.data(UUID_ROLE))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activate(self.currentIndex())
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_uuids():
            self.delete_requested.emit(self.selected_uuids())
        else:
            super().keyPressEvent(event)


class AnnotationPage(QWidget):
    """One tab: a tag (or link type) combo, an annotator combo, a text filter and the table."""

    activated = Signal(str)  # uuid of the row double-clicked or entered
    delete_requested = Signal(list)  # uuids of the selected rows

    def __init__(
        self,
        model: RowTableModel,
        all_kinds: str,
        noun: str,
        widths: dict[int, int],
        stretch: tuple[int, ...] = (0,),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model, self.noun = model, noun
        self.proxy = AnnotationFilter(self)
        self.proxy.setSourceModel(model)
        self.kind_combo = QuietComboBox(self)
        self.kind_combo.setObjectName(f"{noun}_kind_filter")
        self.kind_combo.addItem(all_kinds, "")
        self.kind_combo.currentIndexChanged.connect(self._on_criteria)
        self.annotator_combo = QuietComboBox(self)
        self.annotator_combo.setObjectName(f"{noun}_annotator_filter")
        self.annotator_combo.addItem("All annotators", "")
        self.annotator_combo.currentIndexChanged.connect(self._on_criteria)
        self.text_filter = QLineEdit(self)
        self.text_filter.setObjectName(f"{noun}_text_filter")
        self.text_filter.setPlaceholderText(f"Filter {noun}")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.textChanged.connect(self._on_criteria)
        self.count = muted_label("", self)
        self.table = AnnotationTable(self)
        self.table.setObjectName(f"{noun}_table")
        self.table.setModel(self.proxy)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        for column in stretch:  # the quotes take what is left
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.setSortingEnabled(True)
        self.table.row_activated.connect(self.activated)
        self.table.delete_requested.connect(self.delete_requested)

        controls = QHBoxLayout()
        controls.setSpacing(6)
        controls.addWidget(self.kind_combo)
        controls.addWidget(self.annotator_combo)
        controls.addWidget(self.text_filter, 1)
        controls.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(controls)
        layout.addWidget(self.table, 1)
        for source in (model, self.proxy):
            for signal in (source.modelReset, source.rowsInserted, source.rowsRemoved):
                signal.connect(self._update_count)
        self._update_count()

    # -- filter choices ----------------------------------------------------------------------
    def set_kinds(self, kinds: list[tuple[str, str, str]]) -> None:
        """Offer these (key, label, colour) choices after the "All …" item."""
        self._refill(
            self.kind_combo, [(key, label, dot_icon(color)) for key, label, color in kinds]
        )

    def set_annotators(self, annotators: list[tuple[str, str]]) -> None:
        """Offer these (uuid, name) choices after "All annotators"."""
        self._refill(self.annotator_combo, [(uuid, name, None) for uuid, name in annotators])

    def _refill(self, combo: QuietComboBox, items: list) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for data, label, icon in items:
            if icon is None:
                combo.addItem(label, data)
            else:
                combo.addItem(icon, label, data)
        combo.select_data(current)
        combo.blockSignals(False)
        self._on_criteria()

    def _on_criteria(self) -> None:
        self.proxy.set_criteria(
            kind=self.kind_combo.currentData() or "",
            annotator=self.annotator_combo.currentData() or "",
            text=self.text_filter.text(),
        )
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        noun = self.noun[:-1] if total == 1 else self.noun  # "1 span", "12 spans"
        self.count.setText(f"{shown} of {total}" if shown != total else f"{total} {noun}")

    # -- selection ---------------------------------------------------------------------------
    def select_uuid(self, uuid: str) -> None:
        """Select (and scroll to) the row of this uuid; "" or a hidden row clears the selection."""
        selection = self.table.selectionModel()
        row = self.model.row_of(uuid) if uuid else None
        if row is None and uuid and getattr(self.model, "pending", 0):
            self.model.take_all_arrived()  # a jump to a row still waiting to join the table
            row = self.model.row_of(uuid)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else None
        if index is None or not index.isValid():
            selection.clearSelection()
            return
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selection.setCurrentIndex(index, flags)
        self.table.scrollTo(index)


class AnnotationTables(QTabWidget):
    """A "Spans" and a "Links" tab over the current document. Activating a span selects it;
    activating a link jumps to it; Delete deletes the selected rows (undoable).

    The models follow the document from the start; the two pages (tables, filters, combos) are
    built when the widget is first shown or a page is first asked for (`spans`, `links`): the
    window's Annotations dock starts collapsed where the text needs the room, and a window's
    first frame does not wait for tables it does not show."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setDocumentMode(True)
        self.span_model = SpanTableModel(session, self)
        self.link_model = LinkTableModel(session, self)
        self._pages: tuple[AnnotationPage, AnnotationPage] | None = None

    @property
    def spans(self) -> AnnotationPage:
        return self._built()[0]

    @property
    def links(self) -> AnnotationPage:
        return self._built()[1]

    def pages_built(self) -> bool:
        return self._pages is not None

    def showEvent(self, event: QShowEvent) -> None:
        self._built()
        super().showEvent(event)

    def _built(self) -> tuple[AnnotationPage, AnnotationPage]:
        if self._pages is None:
            self._pages = self._build_pages()
        return self._pages

    def _build_pages(self) -> tuple[AnnotationPage, AnnotationPage]:
        session = self.session
        width = self.fontMetrics().horizontalAdvance
        s, k = SpanTableModel, LinkTableModel
        spans = AnnotationPage(
            self.span_model,
            "All tags",
            "spans",
            {
                s.TAG: width("Actor") + 48,
                s.ATTRIBUTES: width("m" * 18),
                s.ANNOTATOR: width("m" * 7),
                s.START: width("000000") + 40,
                s.NOTE: width("m" * 14),
            },
            (s.QUOTE,),
            self,
        )
        links = AnnotationPage(
            self.link_model,
            "All link types",
            "links",
            {
                k.TYPE: width("participates in") + 48,
                k.ANNOTATOR: width("m" * 7),
                k.NOTE: width("m" * 14),
            },
            (k.SOURCE, k.TARGET),
            self,
        )
        self._pages = (spans, links)
        spans.table.sortByColumn(SpanTableModel.START, Qt.SortOrder.AscendingOrder)
        links.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.addTab(spans, "Spans")
        self.addTab(links, "Links")

        spans.activated.connect(session.select_span)
        links.activated.connect(session.jump_to_link)
        spans.delete_requested.connect(self._delete_spans)
        links.delete_requested.connect(self._delete_links)
        session.span_selected.connect(spans.select_uuid)
        session.link_selected.connect(links.select_uuid)
        session.changed.connect(self._on_changes)
        self.span_model.modelReset.connect(self._reselect)
        self.link_model.modelReset.connect(self._reselect)
        self._fill_choices()
        self._reselect()
        return spans, links

    def _delete_spans(self, uuids: list[str]) -> None:
        self.session.run(DeleteSpans(uuids))

    def _delete_links(self, uuids: list[str]) -> None:
        self.session.run(DeleteLinks(uuids))

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.schema or changes.annotators:
            self._fill_choices()

    def _fill_choices(self) -> None:
        schema = self.session.schema
        self.spans.set_kinds([(t.key, t.label, t.color) for t in schema.tag_types])
        self.links.set_kinds([(t.key, t.label, t.color) for t in schema.link_types])
        with self.session.read() as read:
            annotators = [(a.uuid, a.name) for a in read.annotators()]
        self.spans.set_annotators(annotators)
        self.links.set_annotators(annotators)

    def _reselect(self) -> None:
        self.spans.select_uuid(self.session.selected_span)
        self.links.select_uuid(self.session.selected_link)
