"""Long work on a worker QThread behind a progress dialog with Cancel; result or error returned."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QEventLoop, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

T = TypeVar("T")
SHOW_AFTER_MS = 300  # a job that ends sooner never shows the dialog (no flash)
UPDATE_EVERY_S = 0.05  # progress reports to the GUI at most this often


class _Worker(QThread):
    """Runs the job; `progressed(done, total, text)` is emitted from the worker thread."""

    progressed = Signal(int, int, str)

    def __init__(self, job: Callable[..., Any], args: tuple, cancelled: threading.Event) -> None:
        super().__init__()
        self.job, self.args, self.cancelled = job, args, cancelled
        self.result: Any = None
        self.error: BaseException | None = None
        self._last = 0.0

    def report(self, done: int, total: int, text: str = "") -> bool:
        """The job's progress callback: False once the user has cancelled."""
        moment = time.monotonic()
        if moment - self._last >= UPDATE_EVERY_S or done >= total:
            self._last = moment
            self.progressed.emit(int(done), int(total), text)
        return not self.cancelled.is_set()

    def run(self) -> None:
        try:
            self.result = self.job(*self.args, progress=self.report)
        except BaseException as error:  # handed to the GUI thread, re-raised there
            self.error = error


def run_with_progress(parent: QWidget | None, title: str, job: Callable[..., T], *args: Any) -> T:
    """Run `job(*args, progress=callback)` on a worker thread and return its result.

    `callback(done, total, text="")` moves the bar (total 0: a busy bar) and returns False once
    the user pressed Cancel, so the job can stop (how it stops — an exception or a partial
    result — is the job's choice). An exception from the job is re-raised here, on the GUI
    thread, after the dialog has closed.

    The dialog appears only once the job has run for SHOW_AFTER_MS (its minimumDuration), so a
    short job never flashes it; until then the window ignores clicks and keys (they are
    delivered afterwards). Our own timer shows it, because QProgressDialog's automatic showing
    depends on the job's first report, and a job may report nothing."""
    cancelled = threading.Event()
    worker = _Worker(job, args, cancelled)
    dialog = _dialog(parent, title)
    ended = [False]

    latest = [0, 0, ""]

    def moved(done: int, total: int, text: str) -> None:
        latest[:] = [done, total, text or latest[2]]
        if dialog.isVisible():  # before that, setValue could make QProgressDialog show early
            show_latest()

    def show_latest() -> None:
        if ended[0] or cancelled.is_set():
            return
        done, total, text = latest
        if text:
            dialog.setLabelText(text)
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(max(done, 0), max(total, 0)))

    def cancel() -> None:  # QProgressDialog hid itself; show that the job is winding down
        cancelled.set()
        if not ended[0]:
            dialog.setRange(0, 0)
            dialog.setLabelText("Cancelling…")
            for button in dialog.findChildren(QPushButton):
                button.setEnabled(False)
            dialog.show()

    worker.progressed.connect(moved)
    dialog.canceled.connect(cancel)
    loop = QEventLoop()
    worker.finished.connect(loop.quit)
    timer = QTimer(singleShot=True, interval=SHOW_AFTER_MS)
    timer.timeout.connect(loop.quit)
    worker.start()
    timer.start()
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    if worker.isRunning():
        dialog.show()
        show_latest()
        if worker.isRunning():  # `finished` may have come while the dialog was being shown
            loop.exec()
    worker.wait()
    ended[0] = True
    timer.stop()
    if dialog.isVisible():
        had_keyboard = dialog.isActiveWindow()
        dialog.hide()
        if parent is not None and had_keyboard:  # back to the window that started the job
            parent.window().activateWindow()
    # Deleted now, not later: a hidden dialog deleted during some later event loop would take
    # the active window with it (it was the focus widget's window).
    error, result = worker.error, worker.result
    shiboken6.delete(dialog)
    shiboken6.delete(worker)
    if error is not None:
        raise error
    return result


def _dialog(parent: QWidget | None, title: str) -> QProgressDialog:
    dialog = QProgressDialog(title + "…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setObjectName("progress_dialog")
    dialog.setWindowModality(
        Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal
    )
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(380)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.reset()  # stop its own show timer: ours decides (see run_with_progress)
    return dialog
