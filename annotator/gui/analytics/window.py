"""The Analytics window: one filter bar, four tabs (network, timeline, claims, statistics) and
the passages of whatever was clicked; it reloads when the project changes (coalesced)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from annotator.domain.changes import ChangeSet
from annotator.errors import AnnotatorError
from annotator.gui.analytics.claims_tab import ClaimsTab
from annotator.gui.analytics.filter_bar import FilterBar
from annotator.gui.analytics.network_tab import NetworkTab
from annotator.gui.analytics.passage_list import PassageList
from annotator.gui.analytics.stats_tab import StatsTab
from annotator.gui.analytics.timeline_tab import TimelineTab
from annotator.gui.session import ProjectSession
from annotator.services.analytics.dataset import Dataset, load_dataset
from annotator.services.analytics.passages import Passage, kwic

TABS = ("network", "timeline", "claims", "statistics")


class LoadJob(QThread):
    """load_dataset off the GUI thread."""

    loaded = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, generation: int, project, choice, merge: bool, parent=None) -> None:
        super().__init__(parent)
        self.generation, self.project, self.choice, self.merge = generation, project, choice, merge

    def run(self) -> None:
        try:
            data = load_dataset(self.project, self.choice, merge_by_text=self.merge)
            data.count_rows()  # counted here, off the GUI thread
        except AnnotatorError as error:
            self.failed.emit(self.generation, str(error))
            return
        except Exception as error:  # e.g. the file went away: say so, do not wait forever
            self.failed.emit(self.generation, f"Could not compute this view: {error}")
            return
        self.loaded.emit(self.generation, data)


class AnalyticsWindow(QWidget):
    """A tool window over the session's project. `reloaded` after every (re)load of the data."""

    reloaded = Signal()

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        self.data: Dataset | None = None
        self.setObjectName("analytics_window")
        self.setWindowTitle("Analytics")
        self.resize(1300, 900)
        self.filters = FilterBar()
        self.summary = QLabel()
        self.network = NetworkTab()
        self.timeline = TimelineTab()
        self.claims = ClaimsTab()
        self.statistics = StatsTab(session.project)
        self._generation = 0
        self._jobs: list[LoadJob] = []
        self._stale: set[str] = set(TABS)
        self.tabs = QTabWidget(objectName="analytics_tabs")
        for tab, title in (
            (self.network, "&Network"),
            (self.timeline, "&Timeline"),
            (self.claims, "&Claims"),
            (self.statistics, "&Statistics"),
        ):
            self.tabs.addTab(tab, title)
            tab.passages_requested.connect(self.show_passages)
        self.tabs.currentChanged.connect(self._refresh_visible)
        self.passages = PassageList(session.jump_to_span)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.passages)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self._reload_timer = QTimer(self, singleShot=True, interval=250)
        self._reload_timer.timeout.connect(self.reload)
        self.filters.changed.connect(self.reload)
        session.changed.connect(self._on_changes)
        self._refresh_choices()
        self.filters.restore(QSettings())
        self.reload()

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))
        self._refresh_visible()

    # -- data --------------------------------------------------------------------------------
    def _refresh_choices(self) -> None:
        with self.session.read() as read:
            names = {a.uuid: a.name for a in read.annotators()}
        self.filters.set_choices(self.session.schema, names, self.session.annotator)

    def reload(self) -> None:
        """Read the filtered data again on a worker thread (a million spans take seconds);
        the visible tab is refreshed when it arrives, the others when they are shown."""
        choice = self.filters.current()
        if choice is None:
            return
        self._generation += 1
        merge = self.filters.merge_by_text.isChecked()
        job = LoadJob(self._generation, self.session.project, choice, merge, self)
        job.loaded.connect(self._loaded)
        job.failed.connect(self._load_failed)
        job.finished.connect(lambda j=job: self._jobs.remove(j) if j in self._jobs else None)
        self._jobs.append(job)
        self.summary.setText("Reading the annotations…")
        job.start()

    def _load_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.summary.setText(f"Cannot read the project: {message}")

    def _loaded(self, generation: int, data: Dataset) -> None:
        if generation != self._generation:
            return  # a newer reload is under way
        self.data = data
        self.summary.setText(
            f"{len(data.documents):,} document(s), {data.span_count:,} span(s), "
            f"{data.link_count:,} link(s) — {data.filter.describe()}"
        )
        if not data.span_count and data.filter.layer == "mine":
            self.summary.setText(
                self.summary.text() + ". Your layer is empty here: choose All layers, Gold or "
                "another annotator's layer."
            )
        self._stale = set(TABS)
        self._refresh_visible()
        self.reloaded.emit()

    def _refresh_visible(self, *_args) -> None:
        name = TABS[self.tabs.currentIndex()]
        if self.data is not None and name in self._stale:
            self._stale.discard(name)
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                getattr(self, name).set_data(self.data)
            finally:
                QGuiApplication.restoreOverrideCursor()

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.schema or changes.annotators:
            self._refresh_choices()
        if not changes.empty:
            self._reload_timer.start()

    def flush(self) -> None:
        """Start a pending reload now (tests)."""
        if self._reload_timer.isActive():
            self._reload_timer.stop()
            self.reload()

    def wait(self) -> None:
        for job in list(self._jobs):
            job.wait()
        self.network.wait()

    # -- passages ----------------------------------------------------------------------------
    def show_passages(self, title: str, passages: list[Passage]) -> None:
        if self.data is None:
            return
        self.passages.show_lines(title, kwic(self.session.project, self.data, passages))

    # -- report ------------------------------------------------------------------------------
    def export_report(self) -> None:
        """File ▸ Export report…: HTML or PDF with the current filters."""
        from PySide6.QtWidgets import QFileDialog

        settings = QSettings()
        last = str(settings.value("analytics/report_path", "report.html"))
        path, _ = QFileDialog.getSaveFileName(
            self, "Export report", last, "Web page (*.html);;PDF (*.pdf)"
        )
        if path:
            settings.setValue("analytics/report_path", path)
            self.export_report_to(path)

    def export_report_to(self, path: str) -> bool:
        from pathlib import Path

        from annotator.gui.analytics.pdf import write_pdf
        from annotator.gui.dialogs.progress import run_with_progress
        from annotator.services.analytics.report import build_report

        if self.data is None:
            return False
        pdf = path.lower().endswith(".pdf")
        if not pdf and not path.lower().endswith((".html", ".htm")):
            path += ".html"
        project, data = self.session.project, self.data

        def job(progress):
            progress(0, 0, "Writing the report…")
            return build_report(project, data, "png" if pdf else "svg")

        try:
            html, images = run_with_progress(self, "Export report", job)
            if pdf:
                write_pdf(html, images, Path(path))
            else:
                temporary = Path(path + ".part")
                temporary.write_text(html, encoding="utf-8")
                temporary.replace(path)
        except (AnnotatorError, OSError) as error:
            self.session.error.emit(f"Cannot write the report: {error}")
            return False
        self.session.message.emit(f"Wrote the report to {path}")
        return True

    def closeEvent(self, event) -> None:
        self.filters.save(QSettings())
        self.wait()
        super().closeEvent(event)
