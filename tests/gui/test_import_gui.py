"""Paste as document, dropping files of every type, the skipped report, and cancel of a batch."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
)

from annotator.gui import file_actions
from annotator.gui.main_window import MainWindow
from annotator.gui.paste import PasteTitleDialog, clipboard_document
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.registry import ImportRefused
from annotator.services.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from import_builders import EMOJI_LINE, WORD, image_only_pdf, make_docx, make_eml


@pytest.fixture
def window(qtbot, tmp_path: Path):
    session = ProjectSession(Project.create(tmp_path / "gui.annotator", annotator_name="tester"))
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    session.close()


def documents(main: MainWindow):
    with main.session.read() as read:
        return {d.title: (d, read.document_text(d.uuid)) for d in read.documents()}


def paste(qtbot, main: MainWindow) -> PasteTitleDialog:
    main.activateWindow()
    main.actions_by_id["paste_document"].trigger()
    dialog = main.findChild(PasteTitleDialog, "paste_title_dialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_the_shortcut_is_ctrl_shift_v(window) -> None:
    assert window.actions_by_id["paste_document"].shortcut().toString() == "Ctrl+Shift+V"


def test_paste_plain_text_asks_a_title_prefilled_from_the_first_line(qtbot, window) -> None:
    QApplication.clipboard().setText(f"Pasted headline\r\n{EMOJI_LINE}\r\n")
    dialog = paste(qtbot, window)
    edit = dialog.findChild(QLineEdit, "paste_title")
    assert edit.text() == "Pasted headline"
    qtbot.keyClicks(edit, "My notes")  # the prefilled title is selected: typing replaces it
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    window.session.flush()
    info, text = documents(window)["My notes"]
    assert text == f"Pasted headline\n{EMOJI_LINE}\n"  # CRLF → LF, nothing else changed
    assert text.index(WORD) == len("Pasted headline\nMarkets 😀 ")
    assert info.source_filename == "clipboard.txt"
    assert window.session.current_document == info.uuid
    window.actions_by_id["undo"].trigger()
    assert documents(window) == {}


def test_paste_html_goes_through_the_html_importer(qtbot, window) -> None:
    mime = QMimeData()
    mime.setHtml(
        "<html lang='de'><head><meta property='og:site_name' content='Die Zeitung'>"
        "<script>alert('no')</script></head><body><nav><a href='/'>Startseite</a></nav>"
        f"<article><h1>Gipfel in Wladiwostok</h1><p>{EMOJI_LINE}</p>"
        "<p>Die Delegationen haben eine lange Liste von Abkommen unterzeichnet.</p></article>"
        "</body></html>"
    )
    mime.setText("plain twin")
    QApplication.clipboard().setMimeData(mime)
    dialog = paste(qtbot, window)
    assert dialog.findChild(QLineEdit, "paste_title").text() == "Gipfel in Wladiwostok"
    with qtbot.waitSignal(dialog.finished):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    info, text = documents(window)["Gipfel in Wladiwostok"]
    assert EMOJI_LINE in text and "Startseite" not in text and "alert" not in text
    assert (info.outlet, info.language, info.source_filename) == (
        "Die Zeitung",
        "de",
        "clipboard.html",
    )


def test_an_empty_title_cannot_be_accepted_and_cancel_adds_nothing(qtbot, window) -> None:
    QApplication.clipboard().setText("Some words to paste")
    dialog = paste(qtbot, window)
    edit = dialog.findChild(QLineEdit, "paste_title")
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    with qtbot.waitSignal(dialog.finished):
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
        )
    assert documents(window) == {}
    assert not window.session.undo_stack.canUndo()


def test_pasting_a_known_text_opens_it_instead_of_adding_it_twice(qtbot, window) -> None:
    QApplication.clipboard().setText("Twice pasted\nSame words.")
    dialog = paste(qtbot, window)
    with qtbot.waitSignal(dialog.finished):
        dialog.accept()
    ((info, _),) = documents(window).values()
    window.session.open_document("")
    window.actions_by_id["paste_document"].trigger()
    assert (
        window.findChild(PasteTitleDialog) is None
        or not window.findChild(PasteTitleDialog).isVisible()
    )
    assert len(documents(window)) == 1
    assert window.session.current_document == info.uuid
    assert window.session.undo_stack.count() == 1


def test_an_empty_clipboard_is_refused() -> None:
    mime = QMimeData()
    with pytest.raises(ImportRefused, match="holds no text"):
        clipboard_document(mime)
    mime.setText("   \n ")
    with pytest.raises(ImportRefused, match="holds no text"):
        clipboard_document(mime)
    mime.setHtml("<p>   </p>")
    mime.setText("fallback words")
    assert clipboard_document(mime).text == "fallback words"


def drop(main: MainWindow, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    main.dropEvent(event)


def test_dropping_files_of_several_types_reports_what_was_skipped(qtbot, window, tmp_path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    make_docx(folder / "brief.docx", title="Word brief")
    make_eml(folder / "mail.eml")
    (folder / "page.html").write_text(f"<h1>Web page</h1><p>{EMOJI_LINE} More words.</p>", "utf-8")
    image_only_pdf(folder / "scan.pdf")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not an importable type")
    loose = tmp_path / "loose.md"
    loose.write_text("# Loose notes\n\nA *Markdown* file.\n", "utf-8")

    drop(window, [folder, loose])

    report = window.findChild(QMessageBox, "import_report")
    assert report is not None and report.isVisible()
    assert report.text() == "Added 4 document(s)."
    details = report.informativeText()
    assert "scan.pdf: no text layer in 1 page(s)" in details
    assert "photo.jpg: unsupported file type .jpg" in details
    titles = set(documents(window))
    assert titles == {"Word brief", "Summit notes", "Web page", "Loose notes"}
    assert documents(window)["Loose notes"][1] == "Loose notes\n\nA Markdown file."
    report.accept()

    drop(window, [folder / "brief.docx"])  # the same text again: reported, not added
    report = window.findChild(QMessageBox, "import_report")
    assert "already in the project (Word brief)" in report.informativeText()
    assert len(documents(window)) == 4
    assert window.session.undo_stack.count() == 1  # no empty step for the duplicate


def test_cancelling_a_batch_adds_nothing(qtbot, window, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(5):
        (folder / f"doc{number}.txt").write_text(f"Document {number}\nBody.\n", "utf-8")
    release = threading.Event()
    real_read = file_actions.read_reported

    def held_read(path: Path):
        release.wait(10)  # the worker waits until the test has pressed Cancel
        return real_read(path)

    monkeypatch.setattr(file_actions, "read_reported", held_read)
    pressed = []

    def press_cancel() -> None:
        dialog = window.findChild(QProgressDialog, "progress_dialog")
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, press_cancel)
            return
        assert "Reading doc0.txt (1 of 5)" in dialog.labelText()
        qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
        pressed.append(True)
        release.set()

    QTimer.singleShot(0, press_cancel)
    with qtbot.waitSignal(window.session.message) as message:
        window.files.add_paths([folder])
    assert pressed
    assert message.args == ["Adding documents cancelled: nothing was added"]
    assert documents(window) == {}
    assert not window.session.undo_stack.canUndo()
