"""The real main window over a project file, for benchmarks of the user's path: built as the app
builds it, driven by keys and clicks, timed until the reading pane has painted the result.

Also the baseline such a figure is compared with in the same process: a bare `QPlainTextEdit`
that is given the same text with `setPlainText` and painted once.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WINDOW_SIZE = (1200, 900)
TIMEOUT_S = 300.0


def application() -> Any:
    """The QApplication, with settings kept in a temporary folder (never the user's)."""
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("AnnotatorBench")
    QCoreApplication.setApplicationName("AnnotatorBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    folder = tempfile.mkdtemp(prefix="annotator-bench-settings-")
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, folder)
    return QApplication.instance() or QApplication(["bench"])


class PaintProbe:
    """Records when the reading pane (every ReadingView) finishes a paint."""

    def __init__(self) -> None:
        from annotator.gui.reading.view import ReadingView

        self.ends: list[float] = []
        original = ReadingView.paintEvent
        probe = self

        def paint_event(view: Any, event: Any) -> None:
            original(view, event)
            probe.ends.append(time.perf_counter())

        ReadingView.paintEvent = paint_event  # type: ignore[method-assign]

    def painted_after(self, moment: float) -> float | None:
        return next((end for end in self.ends if end > moment), None)


def pump_until(condition: Callable[[], Any], timeout: float = TIMEOUT_S) -> Any:
    """Process events until `condition()` is truthy; returns its value."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    deadline = time.perf_counter() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there in time")
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)


class Refreshes:
    """When the session last told its views what changed (the views refresh in that same
    signal, before this slot, which is connected last), so a paint after it shows the result."""

    def __init__(self, session: Any) -> None:
        self.moments: list[float] = []
        session.changed.connect(lambda *_: self.moments.append(time.perf_counter()))

    def after(self, moment: float) -> float | None:
        return next((m for m in self.moments if m > moment), None)


def open_window(path: Path, annotator: str) -> tuple[Any, Any, PaintProbe, Refreshes]:
    """MainWindow over the project file (open checklist included), shown and painted."""
    from annotator.gui.main_window import MainWindow
    from annotator.gui.session import ProjectSession
    from annotator.gui.settings import Settings
    from annotator.services.project import Project

    probe = PaintProbe()
    session = ProjectSession(Project.open(path, annotator_name=annotator))
    window = MainWindow(session, Settings())
    window.resize(*WINDOW_SIZE)
    window.show()
    refreshes = Refreshes(session)
    started = time.perf_counter()
    pump_until(lambda: probe.painted_after(started) or (window.isVisible() and not probe.ends))
    return window, session, probe, refreshes


def open_document(window: Any, probe: PaintProbe, uuid: str) -> float:
    """Open a document in the reading pane; seconds until it has painted."""
    started = time.perf_counter()
    window.session.open_document(uuid)
    window.view.viewport().update()
    end = pump_until(lambda: probe.painted_after(started))
    return end - started


def until_refreshed_and_painted(
    probe: PaintProbe, refreshes: Refreshes, started: float, timeout: float = TIMEOUT_S
) -> float:
    """Seconds from `started` until the first paint after the session's change signal."""

    def done() -> float | None:
        refreshed = refreshes.after(started)
        return probe.painted_after(refreshed) if refreshed is not None else None

    return pump_until(done, timeout) - started


def bare_paint_seconds(text: str) -> float:
    """Baseline: a bare QPlainTextEdit of the window's size, `setPlainText(text)` and its first
    paint (the cheapest a Qt text view can show this text)."""
    from PySide6.QtWidgets import QPlainTextEdit

    ends: list[float] = []

    class Bare(QPlainTextEdit):
        def paintEvent(self, event: Any) -> None:
            super().paintEvent(event)
            ends.append(time.perf_counter())

    edit = Bare()
    edit.resize(*WINDOW_SIZE)
    edit.show()
    pump_until(lambda: ends)
    ends.clear()
    started = time.perf_counter()
    edit.setPlainText(text)
    edit.viewport().update()
    end = pump_until(lambda: next((e for e in ends if e > started), None))
    edit.close()
    edit.deleteLater()
    return end - started
