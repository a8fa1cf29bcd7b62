"""The Analytics window: one filter bar, four tabs (network, timeline, claims, statistics) and
the passages of whatever was clicked; it reloads when the project changes (coalesced)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
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
        self.tabs = QTabWidget(objectName="analytics_tabs")
        for tab, title in (
            (self.network, "&Network"),
            (self.timeline, "&Timeline"),
            (self.claims, "&Claims"),
            (self.statistics, "&Statistics"),
        ):
            self.tabs.addTab(tab, title)
            tab.passages_requested.connect(self.show_passages)
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

    # -- data --------------------------------------------------------------------------------
    def _refresh_choices(self) -> None:
        with self.session.read() as read:
            names = {a.uuid: a.name for a in read.annotators()}
        self.filters.set_choices(self.session.schema, names, self.session.annotator)

    def reload(self) -> None:
        """Read the filtered data again and refresh every tab."""
        choice = self.filters.current()
        if choice is None:
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.data = load_dataset(
                self.session.project, choice, merge_by_text=self.filters.merge_by_text.isChecked()
            )
        except AnnotatorError as error:
            self.summary.setText(f"Cannot read the project: {error}")
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        data = self.data
        self.summary.setText(
            f"{len(data.documents):,} document(s), {len(data.spans):,} span(s), "
            f"{len(data.links):,} link(s) — {choice.describe()}"
        )
        for tab in (self.network, self.timeline, self.claims, self.statistics):
            tab.set_data(data)
        self.reloaded.emit()

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.schema or changes.annotators:
            self._refresh_choices()
        if not changes.empty:
            self._reload_timer.start()

    def flush(self) -> None:
        """Reload now if an update is pending (tests)."""
        if self._reload_timer.isActive():
            self._reload_timer.stop()
            self.reload()

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
        self.network.wait()
        super().closeEvent(event)
