"""File ▸ Merge…: pick files (QFileDialog monkeypatched), a refused file is named, a schema
conflict is chosen in the dialog, the merge runs, the views refresh and the report shows;
File ▸ Merge history… lists the kept reports."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget, QPlainTextEdit, QPushButton

from annotator.gui.main_window import MainWindow
from annotator.gui.merge.dialogs import MergeDialog, ReportsDialog
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.services.schema_commands import EditTagType
from annotator.services.span_commands import EditSpan

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
import fixtures_hostile as fh
from merge_helpers import open_as, rich_pair


@pytest.fixture
def merged_window(qtbot, tmp_path: Path):
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="Bob's note"))
        b.run(EditTagType("actor", color="#000000"))
    trojan = fh.trojan_trigger(b_path, tmp_path / "trojan.annotator")
    session = ProjectSession(open_as(a_path, "Ada"))
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main, rich, b_path, trojan
    session.close()


def test_merge_menu_asks_merges_refreshes_and_reports(
    qtbot, merged_window, monkeypatch: pytest.MonkeyPatch
) -> None:
    main, rich, b_path, trojan = merged_window
    main.session.open_document(rich.doc1)
    before = main.session.undo_stack.count()
    main.session.run(EditSpan(rich.claim, note="undoable before the merge"))
    assert main.session.undo_stack.count() == before + 1
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(b_path), str(trojan)], "")
    )
    main.actions_by_id["merge_files"].trigger()
    dialog = main.findChild(MergeDialog, "merge_dialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    refused = [label.text() for label in dialog.findChildren(QLabel, "merge_refused")]
    assert len(refused) == 1 and "trojan.annotator contains a trigger" in refused[0]
    note = dialog.findChild(QLabel, "merge_note").text()
    assert "cannot be undone with Ctrl+Z" in note
    assert "a.before-merge.annotator" in note
    qtbot.mouseClick(dialog.findChild(QPushButton, "all_theirs"), Qt.MouseButton.LeftButton)
    assert dialog.choices() == {"tag type:actor": "theirs"}
    with qtbot.waitSignal(main.session.changed, timeout=10_000):
        qtbot.mouseClick(dialog.findChild(QPushButton, "merge_button"), Qt.MouseButton.LeftButton)
    report = main.findChild(ReportsDialog, "merge_report_dialog")
    assert report is not None
    qtbot.waitExposed(report)
    text = report.findChild(QPlainTextEdit, "merge_report_text").toPlainText()
    assert "merged b.annotator" in text and "updated: 1 span, 1 tag type" in text
    assert "the merged file's definition taken" in text
    assert main.session.undo_stack.count() == 0  # a merge is not undoable: history cleared
    assert main.session.schema.tag("actor").color == "#000000"
    with main.session.read() as read:
        assert read.span(rich.mayor).note == "Bob's note"
    assert main.controller._shown(rich.mayor).note == "Bob's note"  # the reading pane reloaded
    report.close()

    main.actions_by_id["merge_history"].trigger()
    history = main.findChild(ReportsDialog, "merge_history")
    qtbot.waitExposed(history)
    listed = history.findChild(QListWidget, "merge_reports_list")
    assert listed.count() == 1
    # local time as people read it ("today, 14:03"), not the stored UTC stamp
    assert listed.item(0).text().startswith("b.annotator — today, ")
    assert "merged b.annotator" in history.findChild(QPlainTextEdit).toPlainText()


def test_the_dialog_without_conflicts_is_not_padded_out(qtbot) -> None:
    # It always took 640 × 420 for the conflict table: with no conflict its two lines of text
    # floated apart in an empty dialog.
    dialog = MergeDialog(None, [(Path("bob.annotator"), [])], [], Path("a.before-merge.annotator"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    files, note = dialog.findChildren(QLabel)
    assert files.text().startswith("Merge into this project") and note.objectName() == "merge_note"
    line = files.fontMetrics().lineSpacing()
    for label in (files, note):  # no label stretched to fill empty room
        needed = label.heightForWidth(label.width())
        assert label.height() <= max(needed, label.sizeHint().height()) + line
    assert dialog.height() <= dialog.layout().totalHeightForWidth(dialog.width()) + line
