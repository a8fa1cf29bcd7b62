"""Start-up: the first-run name, the sample project on first run, remembered projects, and a
bad project file reported in a dialog (never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.gui import app as app_module
from annotator.gui.app import Application
from annotator.gui.settings import Settings


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


def test_first_run_opens_the_sample_project_with_the_article(application, tmp_path) -> None:
    assert application.open_project(None)
    window = application.window
    assert window is not None and window.isVisible()
    assert (tmp_path / "sample.annotator").exists()
    assert window.view.text().startswith("In China, Russia")
    assert application.settings.last_project == (tmp_path / "sample.annotator").resolve()
    assert window.session.project.annotator.name == "Tester"


def test_a_bad_project_file_is_reported_in_a_dialog(application, tmp_path, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    bad = tmp_path / "bad.annotator"
    bad.write_bytes(b"this is not a database at all" * 10)
    before = bad.read_bytes()
    assert not application.open_project(bad)
    assert shown == ["bad.annotator is not an Annotator project (not an SQLite database)"]
    assert bad.read_bytes() == before
    assert application.window is None


def test_switching_projects_replaces_the_window(application, tmp_path) -> None:
    assert application.open_project(None)
    first = application.window
    assert application.open_project(tmp_path / "new.annotator", create=True)
    assert application.window is not first
    assert application.window.session.project.path.name == "new.annotator"
    assert [p.name for p in application.settings.recent_projects] == [
        "new.annotator",
        "sample.annotator",
    ]


def test_the_name_is_asked_once_and_remembered(application, monkeypatch) -> None:
    asked: list[str] = []

    def ask(_parent, current: str) -> str:
        asked.append(current)
        return "Dana"

    monkeypatch.setattr("annotator.gui.dialogs.first_run.ask_annotator_name", ask)
    application.settings.annotator_name = ""
    assert application.annotator_name() == "Dana"
    assert application.annotator_name() == "Dana"
    assert len(asked) == 1
    assert Settings().annotator_name == "Dana"
