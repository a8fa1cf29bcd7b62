"""The Search panel on the real main window: Ctrl+Shift+F, type, Enter, results as KWIC lines,
activate → the document opens with the hit selected (code points, after emoji and marks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.gui.main_window import MainWindow
from annotator.gui.search.kwic import KWIC_ROLE
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

FIRST = "Intro 😀 nothing to see here.\nJust a note about rivers."
SECOND = "😀 👩\u200d👩\u200d👧 Cafe\u0301: the Harbour master met the harbour board."
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, tmp_path: Path):
    project = Project.create(tmp_path / "search.annotator", annotator_name="tester")
    add = AddDocuments(
        [import_text(FIRST, "rivers.txt", "utf-8"), import_text(SECOND, "harbour.txt", "utf-8")]
    )
    project.run(add)
    session = ProjectSession(project)
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    session.open_document(add.report.added[0])
    main.view.setFocus()
    main.documents_added = add.report.added
    yield main
    session.close()


def search(qtbot, main: MainWindow, query: str) -> None:
    qtbot.keyClick(main.view, Qt.Key.Key_F, CTRL_SHIFT)
    panel = main.search_tools.panel
    assert main.search_tools.search_dock.isVisible()
    assert panel.edit.hasFocus()
    qtbot.keyClicks(panel.edit, query)
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)


def test_search_lists_kwic_lines_and_enter_selects_the_hit(qtbot, window) -> None:
    search(qtbot, window, "harbour")
    panel = window.search_tools.panel
    results = panel.results
    assert results.topLevelItemCount() == 1
    document = results.topLevelItem(0)
    assert document.text(0).startswith("😀") and document.text(0).endswith("(2 hits)")
    lines = [document.child(i) for i in range(document.childCount())]
    assert [line.data(0, KWIC_ROLE)[1] for line in lines] == ["Harbour", "harbour"]
    assert "[Harbour] master" in lines[0].text(0)
    assert panel.status.text() == "1 document"
    results.setFocus()
    results.setCurrentItem(lines[1])
    qtbot.keyClick(results, Qt.Key.Key_Return)
    assert window.session.current_document == window.documents_added[1]
    start = SECOND.index("harbour")
    assert window.view.selection() == (start, start + len("harbour"))
    assert window.view.hasFocus()


def test_double_click_and_title_item_jump_to_the_first_hit(qtbot, window) -> None:
    search(qtbot, window, "rivers")
    results = window.search_tools.panel.results
    item = results.topLevelItem(0)
    results.itemActivated.emit(item, 0)
    start = FIRST.index("rivers")
    assert window.session.current_document == window.documents_added[0]
    assert window.view.selection() == (start, start + len("rivers"))


def test_bad_query_shows_a_message_not_an_error(qtbot, window) -> None:
    search(qtbot, window, '"')
    panel = window.search_tools.panel
    assert panel.results.topLevelItemCount() == 0
    assert "type a word" in panel.status.text()
    panel.edit.clear()
    qtbot.keyClicks(panel.edit, "zebra")
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    assert panel.status.text() == "No matches"


def test_annotation_mode_jumps_to_the_span(qtbot, window) -> None:
    document = window.documents_added[1]
    start = SECOND.index("Harbour master")
    command = CreateSpan(document, "actor", [(start, start + len("Harbour master"))])
    window.session.run(command)
    window.search_tools.panel.set_mode("annotations")
    search(qtbot, window, "tag:actor")
    results = window.search_tools.panel.results
    assert results.topLevelItemCount() == 1
    assert results.topLevelItem(0).data(0, KWIC_ROLE)[1] == "Harbour master"
    results.setFocus()
    qtbot.keyClick(results, Qt.Key.Key_Return)
    assert window.session.current_document == document
    assert window.session.selected_span == command.uuid


def test_selected_words_prefill_the_query(qtbot, window) -> None:
    start = FIRST.index("a note")
    window.view.set_selection(start, start + len("a note"))
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL_SHIFT)
    assert window.search_tools.panel.edit.text() == '"a note"'
