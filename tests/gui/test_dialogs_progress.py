"""run_with_progress: results and exceptions come back on the GUI thread; Cancel stops a job."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget

from annotator.errors import ValidationError
from annotator.gui.dialogs.progress import run_with_progress


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_result_comes_back_and_the_job_ran_on_another_thread(parent) -> None:
    gui = QThread.currentThread()

    def job(a: int, b: int, progress) -> tuple[int, bool]:
        for step in range(5):
            assert progress(step + 1, 5) is True
        return a + b, QThread.currentThread() is not gui

    assert run_with_progress(parent, "Adding", job, 2, 3) == (5, True)


def test_a_short_job_never_shows_the_dialog(parent) -> None:
    shown: list[bool] = []
    pause = threading.Event()

    def job(progress) -> str:
        for step in range(1, 11):  # ~100 ms that looks long: 10 of 1000 steps
            progress(step, 1000)
            pause.wait(0.01)
        return "quick"

    def look() -> None:
        shown.extend(d.isVisible() for d in parent.findChildren(QProgressDialog))

    watcher = QTimer(interval=5)
    watcher.timeout.connect(look)
    watcher.start()
    assert run_with_progress(parent, "Quick", job) == "quick"
    watcher.stop()
    assert shown and not any(shown)


def test_the_jobs_exception_is_raised_again_here(parent) -> None:
    error = ValidationError("line 3: not a document")

    def job(progress) -> None:
        progress(1, 3)
        raise error

    with pytest.raises(ValidationError) as raised:
        run_with_progress(parent, "Importing", job)
    assert raised.value is error
    assert not any(d.isVisible() for d in parent.findChildren(QProgressDialog))


def test_cancel_stops_the_job(qtbot, parent) -> None:
    steps: list[int] = []
    pause = threading.Event()  # never set: wait() just paces the worker thread

    def job(progress) -> str:
        for step in range(100_000):
            steps.append(step)
            if progress(step, 100_000) is False:
                return "stopped"
            pause.wait(0.002)
        return "finished"

    def press_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QProgressDialog) and dialog.isVisible():
            clicker.stop()
            cancel = dialog.findChild(QPushButton)
            assert cancel.text() == "Cancel"
            cancel.click()

    clicker = QTimer(interval=20)
    clicker.timeout.connect(press_cancel)
    clicker.start()
    assert run_with_progress(parent, "Exporting", job) == "stopped"
    clicker.stop()
    assert 0 < len(steps) < 100_000
    assert not any(d.isVisible() for d in parent.findChildren(QProgressDialog))


def test_a_job_that_reports_nothing_still_shows_its_dialog(qtbot, parent) -> None:
    release = threading.Event()
    seen: list[str] = []

    def job(progress) -> str:
        release.wait(10)
        return "done"

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QProgressDialog) and dialog.isVisible():
            seen.append(dialog.labelText())
            watcher.stop()
            release.set()

    watcher = QTimer(interval=20)
    watcher.timeout.connect(look)
    watcher.start()
    assert run_with_progress(parent, "Merging", job) == "done"
    watcher.stop()
    assert seen == ["Merging…"]
