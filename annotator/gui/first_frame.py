"""Work the window's first frame does not show, done after it: one step per event-loop turn.

Opening a project, the user waits for the reading pane with the document's text and spans
(issue 11: ≤ 2× a bare text view). What the first frame shows but does not need yet (the
document list's rows, the team status) is built after the reading pane's first paint, a
short step per event-loop turn, so the window stays responsive in between. Any step asked for
before its turn (`run`: a key that needs the part) runs at once, so nothing waits for its turn
to work."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtWidgets import QDockWidget, QWidget

from annotator.gui.dialogs.search_bar import SearchBar
from annotator.gui.panels.documents import DocumentsPanel
from annotator.gui.panels.inspector import Inspector


class AfterFirstFrame(QObject):
    """Named steps run after the first emission of `painted`, one per event-loop turn, in the
    order added. `run(name)` does a step now if it has not run yet; each runs once."""

    def __init__(self, painted: SignalInstance, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: dict[str, Callable[[], None]] = {}
        self._painted = painted
        self._started = False
        painted.connect(self._start)

    def add(self, name: str, step: Callable[[], None]) -> None:
        self._steps[name] = step
        if self._started and len(self._steps) == 1:
            QTimer.singleShot(0, self, self._next)

    def pending(self) -> list[str]:
        """The steps not run yet, in their order."""
        return list(self._steps)

    def run(self, name: str) -> None:
        """Run the step now (it is then skipped in its turn); nothing if it ran already."""
        step = self._steps.pop(name, None)
        if step is not None:
            step()

    def discard(self) -> None:
        """Run none of the steps left (the window closes: its session may close before the
        next turn). A part asked for later is still built on demand."""
        self._steps.clear()

    def run_all(self) -> None:
        """Everything now (the window is closing, or a test wants the built window)."""
        while self._steps:
            self.run(next(iter(self._steps)))

    def _start(self) -> None:
        self._painted.disconnect(self._start)
        self._started = True
        if self._steps:
            QTimer.singleShot(0, self, self._next)

    def _next(self) -> None:
        if self._steps:
            self.run(next(iter(self._steps)))
        if self._steps:
            QTimer.singleShot(0, self, self._next)


class LatePanels:
    """The main window's parts built after its first frame, or when first asked for: the
    document list's panel, the Inspector (their docks show frame and title until then) and
    the find bar (hidden until Ctrl+F). Mixed into MainWindow, whose attributes it uses."""

    @property
    def documents(self) -> DocumentsPanel:
        """The document list's panel, built after the first frame (its dock shows its frame and
        title until then) or when first asked for."""
        if self._documents is None:
            self._documents = panel = DocumentsPanel(self.session, model=self.document_list)
            panel.properties_requested.connect(self._document_properties)
            self._into_dock("dock_documents", panel)
        return self._documents

    @property
    def inspector(self) -> Inspector:
        """The selected span's details, built after the first frame (nothing is selected
        then: it shows its empty state) or when first asked for."""
        if self._inspector is None:
            self._inspector = panel = Inspector(self.session)
            dock = self._into_dock("dock_inspector", panel)
            panel.set_shown(dock.isVisible())  # hidden (closed, another tab): it waits
            dock.visibilityChanged.connect(panel.set_shown)
        return self._inspector

    def _into_dock(self, name: str, panel: QWidget) -> QDockWidget:
        """Put a panel built after the first frame in its dock, in place of the placeholder
        the dock was laid out with (the saved layout sized the dock, not its contents)."""
        dock = self.window_layout.dock(name)
        placeholder = dock.widget()
        dock.setWidget(panel)
        # Shown with its dock (now or when the dock next shows): never hidden on its own.
        panel.show()
        placeholder.deleteLater()
        return dock

    @property
    def search(self) -> SearchBar:
        """The find bar over the reading pane (hidden until Ctrl+F; built on first use)."""
        if self._search is None:
            self._search = bar = SearchBar()
            bar.hide()
            self.centralWidget().layout().insertWidget(0, bar)
            bar.hits_changed.connect(self.view.set_search_hits)
            bar.closed.connect(self.view.setFocus)
            bar.current_hit.connect(lambda start, _end: self.view.scroll_to(start))
        return self._search
