"""The inspector's History section on the real main window: tag by keyboard, retag in the
inspector, Ctrl+Z and Ctrl+Shift+Z: the rows follow each step, newest first, with the
annotator's name; the detail shows on hover; the selected span's links are listed too."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments
from annotator.services.link_commands import CreateLink, EditLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

TEXT = "Intro 😀 Vladimir Putin met Xi Jinping in Moscow on Monday."


@pytest.fixture
def window(qtbot, tmp_path: Path):
    project = Project.create(tmp_path / "h.annotator", annotator_name="Ada Lovelace")
    add = AddDocuments([import_text(TEXT, "h.txt", "utf-8")])
    project.run(add)
    session = ProjectSession(project)
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    session.open_document(add.report.added[0])
    main.view.setFocus()
    yield main
    session.close()


def select_by_keys(qtbot, main: MainWindow, before: int, length: int) -> None:
    view = main.view
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(before):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


def summaries(main: MainWindow) -> list[str]:
    return [text.split(" — ")[0] for text in main.inspector.history.texts()]


def test_create_retag_undo_redo_fill_the_history_newest_first(qtbot, window) -> None:
    select_by_keys(qtbot, window, 8, len("Vladimir Putin"))
    qtbot.keyClick(window.view, "1")  # actor
    window.session.flush()
    history = window.inspector.history
    assert summaries(window) == ["Created"]
    assert history.texts()[0].endswith(" · Ada Lovelace")

    window.inspector.tag_combo.setFocus()
    qtbot.keyClicks(window.inspector.tag_combo, "Event")
    window.session.flush()
    assert summaries(window) == ["Retagged actor → event", "Created"]

    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    window.session.flush()
    assert window.inspector.tag_combo.currentText() == "Actor"
    assert summaries(window) == [
        "Retagged event → actor (undo)",
        "Retagged actor → event",
        "Created",
    ]
    assert all(text.endswith(" · Ada Lovelace") for text in history.texts())
    assert len(history.rows) == 3

    window.session.undo_stack.redo()
    window.session.flush()
    assert summaries(window)[0] == "Retagged actor → event (redo)"
    tooltip = history.rows[0].toolTip()
    assert "tag: actor → event" in tooltip and "Ada Lovelace" in tooltip and "update" in tooltip


def test_the_history_lists_the_spans_links_and_a_new_selection_replaces_it(qtbot, window):
    session = window.session
    document = session.current_document
    putin = CreateSpan(document, "actor", [(8, 22)])
    xi = CreateSpan(document, "actor", [(27, 37)])
    moscow = CreateSpan(document, "place", [(41, 47)])
    session.run(putin)
    session.run(xi)
    session.run(moscow)
    session.flush()
    session.select_span(putin.uuid)
    assert summaries(window) == ["Created"]
    link = CreateLink(putin.uuid, xi.uuid, "same_as")
    assert session.run(link)
    session.run(EditLink(link.uuid, note="met"))
    session.flush()
    texts = window.inspector.history.texts()
    assert [t.split(" — ")[0] for t in texts] == ["Note added", "Created", "Created"]
    assert "· link " in texts[0] and "Xi Jinping" in texts[0]
    session.select_span(moscow.uuid)
    assert summaries(window) == ["Created"]
    assert "link" not in window.inspector.history.texts()[0]
