"""Opening a project: the checklist runs off the GUI thread behind a progress dialog whose
Cancel aborts the open cleanly (issue 17 item 9); a symlink loop gets the normal "cannot open"
dialog (item 7)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton

from annotator.gui import app as app_module
from annotator.gui.app import Application
from annotator.gui.settings import Settings
from annotator.services.project import Project
from annotator.store import checks
from annotator.store.lock import lock_path


@pytest.fixture
def application(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(app_module, "sample_project_path", lambda: tmp_path / "sample.annotator")
    settings = Settings()
    settings.annotator_name = "Tester"
    application = Application(QApplication.instance(), settings)
    yield application
    if application.window is not None:
        application.window.close()
    application.shutdown()


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    return shown


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _received_project(tmp_path: Path) -> Path:
    """A project file from elsewhere (no record of a clean close here: fully checked)."""
    made = tmp_path / "made.annotator"
    Project.create(made).close()
    received = tmp_path / "received.annotator"
    received.write_bytes(made.read_bytes())
    return received


def test_cancel_aborts_the_open_cleanly(application, messages, tmp_path, monkeypatch) -> None:
    path = _received_project(tmp_path)
    before = _digest(path)
    threads: list[bool] = []
    pause = threading.Event()  # never set: wait() paces the slow check

    def slow_validation(connection, name, watch, **_kwargs) -> None:
        threads.append(threading.current_thread() is not threading.main_thread())
        for _ in range(5000):  # a long check that looks at Cancel as the real one does
            watch.advance()
            pause.wait(0.002)

    monkeypatch.setattr(checks, "validate_content", slow_validation)

    def press_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QProgressDialog) and dialog.isVisible():
            clicker.stop()
            assert "Opening received.annotator" in dialog.windowTitle()
            dialog.findChild(QPushButton).click()

    clicker = QTimer(interval=20)
    clicker.timeout.connect(press_cancel)
    clicker.start()
    assert application.open_project(path) is False
    clicker.stop()
    assert threads == [True]  # the check ran off the GUI thread
    assert messages == []  # cancelling is not an error
    assert application.window is None
    assert _digest(path) == before and not lock_path(path).exists()
    monkeypatch.undo()
    assert application.open_project(path)  # and nothing stands in the way of the next open


def test_opening_shows_the_checklist_and_then_the_window(application, tmp_path) -> None:
    path = _received_project(tmp_path)
    assert application.open_project(path)
    assert application.window is not None and application.window.isVisible()
    assert application.window.session.project.path == path


def test_a_symlink_loop_gets_the_cannot_open_dialog(application, messages, tmp_path) -> None:
    loop = tmp_path / "loop.annotator"
    loop.symlink_to("loop.annotator")
    application.settings.add_recent(loop)
    assert application.open_project(loop) is False
    assert messages == ["loop.annotator does not exist or is not a file"]
    assert application.window is None
    assert loop.is_symlink() and loop not in application.settings.recent_projects
