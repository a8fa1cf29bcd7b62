"""Issue 14, "Visible files": the export dialog and the schema editor's import and export start
in the last folder the user chose a file in (gui/folders), else the documents folder; never
in the project's folder, which for the first-run sample was a hidden data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from test_dialogs_exchange import open_dialog, press_ok

from annotator.gui import folders
from annotator.gui.dialogs.exchange import ExportDialog
from annotator.gui.dialogs.schema_editor import SchemaEditor
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot, sample_session, monkeypatch) -> MainWindow:
    """The main window; the export's result box is dismissed at once."""
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a: None))
    main = MainWindow(sample_session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Documents"
    (folder / "Annotator").mkdir(parents=True)
    monkeypatch.setattr(folders.platformdirs, "user_documents_dir", lambda: str(folder))
    return folder / "Annotator"


class Asked:
    """A stand-in for QFileDialog's static functions: records where each dialog started and
    answers with the next chosen path."""

    def __init__(self, *answers: Path) -> None:
        self.starts: list[str] = []
        self.answers = list(answers)

    def __call__(self, _parent, _title, start, *_rest) -> tuple[str, str]:
        self.starts.append(start)
        return str(self.answers.pop(0)), ""


def test_export_starts_in_documents_then_in_the_last_folder(
    qtbot, window, documents, tmp_path, monkeypatch
) -> None:
    stem = window.session.project.path.stem
    dialog = open_dialog(qtbot, window, "export_data", ExportDialog)
    assert dialog.path.text() == str(documents / f"{stem}.json")  # not the project's folder
    target = tmp_path / "exports" / "mine.json"
    target.parent.mkdir()
    asked = Asked(target)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", asked)
    qtbot.mouseClick(dialog.browse, LEFT)
    assert asked.starts == [str(documents / f"{stem}.json")]
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: target.exists() and window.findChild(ExportDialog) is None)

    again = open_dialog(qtbot, window, "export_data", ExportDialog)
    assert again.path.text() == str(target.parent / f"{stem}.json")
    again.reject()


def test_a_typed_export_destination_is_remembered(qtbot, window, documents, tmp_path) -> None:
    dialog = open_dialog(qtbot, window, "export_data", ExportDialog)
    typed = tmp_path / "typed" / "out.json"
    typed.parent.mkdir()
    dialog.path.setText(str(typed))
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: typed.exists())
    assert folders.start_folder() == typed.parent


@pytest.fixture
def editor(qtbot, sample_session) -> SchemaEditor:
    widget = SchemaEditor(sample_session)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_schema_editor_starts_in_the_last_folder(
    qtbot, editor, documents, tmp_path, monkeypatch
) -> None:
    stem = editor.session.project.path.stem
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    exported = schemas / "ours.json"
    save = Asked(exported)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    qtbot.mouseClick(editor.export_button, LEFT)
    assert save.starts == [str(documents / f"{stem} schema.json")]
    assert exported.exists()

    opened = Asked(exported)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", opened)
    qtbot.mouseClick(editor.import_button, LEFT)
    assert opened.starts == [str(schemas)]  # where the export just went

    folders.remember(documents)  # another dialog chose a file elsewhere since
    opened.answers.append(exported)
    qtbot.mouseClick(editor.import_button, LEFT)
    assert opened.starts[-1] == str(documents)
