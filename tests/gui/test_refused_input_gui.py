"""Issue 17 item 3 in the GUI: a file over a limit, a zip bomb or a reader's bug in Add
documents is that file's line in the batch report and the batch goes on; in Import it is the
warning's line. Never an uncaught traceback, and nothing half-written."""

from __future__ import annotations

import dataclasses
import sys
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from annotator.domain import content_rules
from annotator.gui.dialogs import exchange
from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io import bounded_zip
from annotator.io.documents import text as text_import
from annotator.io.formats import import_format
from annotator.services.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from import_builders import make_docx


@pytest.fixture
def window(qtbot, tmp_path: Path):
    session = ProjectSession(Project.create(tmp_path / "gui.annotator", annotator_name="tester"))
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    session.close()


def titles(main: MainWindow) -> set[str]:
    with main.session.read() as read:
        return {d.title for d in read.documents()}


def test_add_documents_reports_each_refused_file_and_goes_on(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(content_rules, "MAX_TEXT_BYTES", 2_000)  # a small limit: a fast test
    monkeypatch.setattr(bounded_zip, "MAX_MEMBER_BYTES", 4 * 1024**2)
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_good.txt").write_text("Good notes\nThe mayor spoke.\n", "utf-8")
    (folder / "b_big.txt").write_text("Big\n" + "word " * 1_000, "utf-8")
    bomb = make_docx(folder / "c_bomb.docx", title="Bomb")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/zeros.bin", b"\0" * (8 * 1024**2))
    (folder / "d_buggy.txt").write_text("Buggy\n", "utf-8")
    make_docx(folder / "e_fine.docx", title="Fine brief")

    real = text_import.PlainTextImporter.read

    def buggy(self, path: Path):
        if path.name == "d_buggy.txt":
            raise RuntimeError("a bug in a reader")
        return real(self, path)

    monkeypatch.setattr(text_import.PlainTextImporter, "read", buggy)

    window.files.add_paths([folder])

    report = window.findChild(QMessageBox, "import_report")
    assert report is not None and report.isVisible()
    assert report.text() == "Added 2 document(s)."
    details = report.informativeText()
    assert "3 file(s) skipped" in details
    assert "b_big.txt: text is" in details and "limit for one document" in details
    assert "c_bomb.docx: word/media/zeros.bin unpacks to more than 4 MiB" in details
    assert "d_buggy.txt: internal error (RuntimeError: a bug in a reader)" in details
    assert "please report it" in details
    assert titles(window) == {"Good notes", "Fine brief"}
    report.accept()


def test_import_of_a_file_whose_reader_fails_is_a_warning_line(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        staticmethod(lambda parent, title, text: shown.append((title, text))),
    )
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "The mayor spoke.", "label": [[4, 9, "actor"]]}\n', "utf-8")
    fmt = import_format("doccano")

    def broken(project, path, progress):
        raise KeyError("a bug in a reader")

    class Chosen:
        chosen = dataclasses.replace(fmt, read=broken)

        @staticmethod
        def chosen_path() -> Path:
            return source

        @staticmethod
        def annotated_document() -> None:  # no W3C document chosen
            return None

    before = (tmp_path / "gui.annotator").read_bytes()
    exchange.run_import(window.session, Chosen(), window)
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "Import" and text.startswith("Nothing was imported.")
    assert "in.jsonl: internal error (KeyError: 'a bug in a reader')" in text
    assert titles(window) == set()
    assert (tmp_path / "gui.annotator").read_bytes() == before


def test_import_of_an_over_limit_text_is_refused_in_one_line(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        staticmethod(lambda parent, title, text: shown.append((title, text))),
    )
    monkeypatch.setattr(content_rules, "MAX_TEXT_BYTES", 1_000)
    source = tmp_path / "big.jsonl"
    source.write_text('{"text": "' + "word " * 400 + '", "label": []}\n', "utf-8")
    fmt = import_format("doccano")

    class Chosen:
        chosen = fmt

        @staticmethod
        def chosen_path() -> Path:
            return source

        @staticmethod
        def annotated_document() -> None:  # no W3C document chosen
            return None

    exchange.run_import(window.session, Chosen(), window)
    (_title, text) = shown[0]
    assert "big.jsonl: line 1: the text is" in text and "limit for one document" in text
    assert titles(window) == set()
