"""Search tools of the main window: the Search and Occurrences docks, their actions, the
reading pane's context menu entry, and jumps to a hit (document opened, range selected)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QDockWidget, QInputDialog, QWidget

from annotator.errors import AnnotatorError
from annotator.gui.search.occurrences import OccurrencesPanel
from annotator.gui.search.panel import SearchPanel
from annotator.services.occurrences import Template

if TYPE_CHECKING:
    from annotator.gui.main_window import MainWindow

#: Longest selection copied into the search field when the panel opens.
_PREFILL_LIMIT = 80


class SearchTools(QObject):
    """The docks are made with the window (its saved layout names them); the panels in them
    are built when a dock is first shown or a panel first asked for (`panel`, `occurrences`):
    both docks start hidden, and the window's first frame does not wait for them."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window, self.session, self.view = window, window.session, window.view
        self._panel: SearchPanel | None = None
        self._occurrences: OccurrencesPanel | None = None
        self.search_dock = self._dock("Search", "search", lambda: self.panel)
        self.occurrences_dock = self._dock("Occurrences", "occurrences", lambda: self.occurrences)
        self.session.document_changed.connect(self.show_suggestions)
        self.session.changed.connect(self.show_suggestions)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)

    @property
    def panel(self) -> SearchPanel:
        if self._panel is None:
            self._panel = panel = SearchPanel(self.session)
            panel.hit_activated.connect(self.go_to)
            panel.span_activated.connect(self.session.jump_to_span)
            panel.annotate_requested.connect(self.annotate_text)
            panel.annotate_span_requested.connect(self.annotate_span)
            self.search_dock.setWidget(panel)
        return self._panel

    @property
    def occurrences(self) -> OccurrencesPanel:
        if self._occurrences is None:
            self._occurrences = occurrences = OccurrencesPanel(self.session)
            occurrences.jump_requested.connect(self.preview)
            occurrences.ranges_changed.connect(self.show_suggestions)
            self.occurrences_dock.setWidget(occurrences)
        return self._occurrences

    def _dock(self, title: str, name: str, build: Callable[[], QWidget]) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"dock_{name}")
        dock.visibilityChanged.connect(lambda shown: build() if shown else None)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()
        return dock

    # -- search ------------------------------------------------------------------------------
    def show_search(self) -> None:
        """Show the Search panel, its field focused (holding the selected words, if short)."""
        selection = self.view.selection()
        if selection is not None and 0 < selection[1] - selection[0] <= _PREFILL_LIMIT:
            words = " ".join(self.view.text()[selection[0] : selection[1]].split())
            self.panel.edit.setText(f'"{words}"' if " " in words else words)
        self.search_dock.show()
        self.search_dock.raise_()
        self.panel.edit.setFocus()
        self.panel.edit.selectAll()

    def go_to(self, document: str, start: int, end: int, *, focus: bool = True) -> None:
        """Open the document and select [start, end) (code points) in the reading pane."""
        self.session.select_span("")
        self.session.open_document(document)
        if self.session.current_document != document:
            return
        self.view.set_selection(start, end)
        self.view.scroll_to(start)
        if focus:
            self.view.setFocus()

    def preview(self, document: str, start: int, end: int) -> None:
        """Like go_to, but the focus stays where it is (reviewing suggestions by keyboard)."""
        self.go_to(document, start, end, focus=False)

    # -- annotate all occurrences ------------------------------------------------------------
    def annotate_selected(self) -> None:
        """Suggest the other occurrences of the selected span."""
        uuid = self.session.selected_span
        if not uuid:
            self.session.message.emit("Select a span, then annotate all its occurrences")
            return
        self.annotate_span(uuid)

    def annotate_span(self, uuid: str) -> None:
        try:
            with self.session.read() as read:
                span = read.span(uuid)
        except AnnotatorError as error:
            self.session.error.emit(str(error))
            return
        self.session.open_document(span.document)
        self.session.select_span(uuid)
        self._show_occurrences()
        self.occurrences.start_from_span(span)

    def annotate_text(self, document: str, start: int, end: int) -> None:
        """Suggest occurrences of a search hit's text, tagged with a tag the user picks."""
        tags = self.session.schema.tag_types
        if not tags:
            self.session.error.emit("The schema has no tags to annotate with")
            return
        labels = [t.label for t in tags]
        label, ok = QInputDialog.getItem(
            self.window, "Annotate all occurrences", "Tag them as:", labels, 0, False
        )
        if not ok:
            return
        with self.session.read() as read:
            text = read.document_text(document)[start:end]
        tag = tags[labels.index(label)]
        self.go_to(document, start, end, focus=False)
        self._show_occurrences()
        self.occurrences.start(Template(tag.key, (text,), {}, None, document, (start, end)))

    def _show_occurrences(self) -> None:
        self.occurrences_dock.show()
        self.occurrences_dock.raise_()

    def show_suggestions(self, *_: object) -> None:
        occurrences = self._occurrences  # not built yet: nothing suggested
        document = self.session.current_document
        ranges = occurrences.ranges_for(document) if document and occurrences else []
        self.view.set_suggestions(ranges, occurrences.color if occurrences else None)

    def _context_menu(self, position: QPoint) -> None:
        menu = self.view.createStandardContextMenu(position)
        target = self.session.selected_span
        if target:
            menu.addSeparator()
            action = menu.addAction("Annotate all &occurrences of the selected span…")
            action.triggered.connect(lambda: self.annotate_span(target))
        menu.exec(self.view.viewport().mapToGlobal(position))
        menu.deleteLater()
