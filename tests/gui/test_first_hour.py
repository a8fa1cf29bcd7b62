"""The first hour (issue 14): the sample in the documents folder with its demo by "Sample",
one name shared with the CLI, File ▸ Show in folder, dialogs that start in the last folder,
and the one-time offer of desktop integration."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from annotator.gui import first_start, folders
from annotator.gui.app import Application
from annotator.gui.settings import Settings
from annotator.services import identity
from annotator.services.sample import SAMPLE_AUTHOR


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's documents folder (platformdirs' user_documents_dir) in a temp folder."""
    folder = tmp_path / "Documents"
    folder.mkdir()
    monkeypatch.setattr(folders.platformdirs, "user_documents_dir", lambda: str(folder))
    return folder


@pytest.fixture
def application(qtbot, documents):
    settings = Settings()
    settings.annotator_name = "Dana"
    app = Application(QApplication.instance(), settings)
    yield app
    if app.window is not None:
        app.window.close()
    app.shutdown()


def test_the_first_run_sample_is_in_the_documents_folder(application, documents) -> None:
    assert application.open_project(None)
    expected = documents / "Annotator" / "Sample project.annotator"
    assert application.window.session.project.path == expected and expected.is_file()


def test_the_apps_sample_demo_is_by_sample_and_the_user_starts_empty(application) -> None:
    assert application.open_project(None)
    project = application.window.session.project
    assert project.annotator.name == "Dana"
    with project.store.read() as read:
        (document,) = read.documents()
        names = {a.uuid: a.name for a in read.annotators()}
        authors = {names[s.annotator] for s in read.spans(document.uuid)}
        mine = read.spans(document.uuid, annotator=project.annotator.uuid)
    assert authors == {SAMPLE_AUTHOR} and mine == []


def test_the_app_and_the_cli_share_the_name(qtbot) -> None:
    settings = Settings()
    settings.annotator_name = "Dana"
    assert identity.saved_name() == "Dana" == identity.current_name()
    identity.set_current_name("Fox")  # as `annotator whoami --set Fox` does
    assert Settings().annotator_name == "Fox"


def test_a_name_only_the_old_settings_held_moves_to_the_identity_file(qtbot) -> None:
    from PySide6.QtCore import QSettings

    QSettings().setValue("annotator/name", "Legacy Lee")
    assert identity.saved_name() is None
    assert Settings().annotator_name == "Legacy Lee"
    assert identity.saved_name() == "Legacy Lee"


def test_show_in_folder_opens_the_projects_folder(application, monkeypatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    assert application.open_project(None)
    window = application.window
    window.actions_by_id["show_in_folder"].trigger()
    folder = window.session.project.path.resolve().parent
    assert [u.toLocalFile() for u in opened] == [str(folder)]


def test_show_in_folder_without_a_file_manager_says_where(application, monkeypatch, qtbot):
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)
    assert application.open_project(None)
    session = application.window.session
    with qtbot.waitSignal(session.message) as said:
        application.window.actions_by_id["show_in_folder"].trigger()
    assert str(session.project.path.parent) in said.args[0]


def test_dialogs_start_in_documents_then_in_the_last_folder(
    application, documents, monkeypatch, tmp_path
) -> None:
    assert application.open_project(None)
    window = application.window
    asked: list[str] = []
    chosen = tmp_path / "elsewhere" / "p.annotator"
    chosen.parent.mkdir()

    def ask(_parent, _title, start, _filter):
        asked.append(start)
        return str(chosen), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", ask)
    assert window.files.ask_open_project_path() == chosen
    assert window.files.ask_open_project_path() == chosen
    assert asked == [str(documents / "Annotator"), str(chosen.parent)]


def test_the_desktop_offer_is_made_once(qtbot, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setattr(first_start.sys, "platform", "linux")
    answers: list[str] = []

    def answer(box: QMessageBox) -> QMessageBox.StandardButton:
        answers.append(box.text())
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", answer)
    assert first_start.offer_desktop_integration(None)
    assert (tmp_path / "share" / "applications" / "annotator.desktop").is_file()
    assert not first_start.offer_desktop_integration(None)  # asked once only
    assert len(answers) == 1 and "applications menu" in answers[0]


def test_a_declined_offer_installs_nothing_and_is_not_repeated(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setattr(first_start.sys, "platform", "linux")
    monkeypatch.setattr(QMessageBox, "exec", lambda _box: QMessageBox.StandardButton.No)
    assert not first_start.offer_desktop_integration(None)
    assert not (tmp_path / "share").exists()
    assert not first_start.should_offer_desktop_integration()


def test_a_new_sample_opens_on_its_demo_layer_then_mine(application, qtbot) -> None:
    from annotator.domain.layer_diff import MY_LAYER, LayerMode
    from annotator.services.sample import SAMPLE_AUTHOR_UUID

    assert application.open_project(None)
    layer = application.window.session.layer
    assert layer.choice.mode is LayerMode.LAYER and layer.choice.first == SAMPLE_AUTHOR_UUID
    assert not layer.editable  # the demo is shown, not handed to the user to edit
    application.window.layers.my_layer.trigger()
    assert layer.choice == MY_LAYER and layer.editable
    assert application.open_project(None)  # the sample again: it exists now, my layer
    assert application.window.session.layer.choice == MY_LAYER


def test_an_unwritable_identity_folder_keeps_the_name_in_the_apps_settings(
    qtbot, monkeypatch, tmp_path
) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv(identity.CONFIG_DIR_VARIABLE, str(blocked / "sub"))
    settings = Settings()
    settings.annotator_name = "Dana"  # no traceback at the first start
    assert Settings().annotator_name == "Dana"
