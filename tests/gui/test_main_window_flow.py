"""End-to-end GUI flows on the real main window: tag by keyboard, retag, overlap, delete, undo,
redo, fragments, resize, status, reopen (every change read back from the project file)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project

TEXT = "Intro 😀 Vladimir Putin met Xi Jinping in Moscow.\nThe talks 👩‍👩‍👧 were e\u0301 calm."


@pytest.fixture
def window(qtbot, tmp_path: Path):
    project = Project.create(tmp_path / "flow.annotator", annotator_name="tester")
    add = AddDocuments([import_text(TEXT, "flow.txt", "utf-8")])
    project.run(add)
    session = ProjectSession(project)
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    session.open_document(add.report.added[0])
    main.view.setFocus()
    yield main
    session.close()  # closing twice is harmless


def quotes_in_file(main: MainWindow) -> list[str]:
    """What another reader of the file sees right now (a separate plain SQLite connection)."""
    connection = sqlite3.connect(main.session.project.path)
    try:
        return sorted(row[0] for row in connection.execute("SELECT quote FROM spans"))
    finally:
        connection.close()


def stored(main: MainWindow):
    with main.session.read() as read:
        return read.spans(main.session.current_document), read.links(main.session.current_document)


def select_by_keys(qtbot, main: MainWindow, before: int, length: int) -> None:
    """Move to the start with Ctrl+Home, then Right/Shift+Right, as a user would."""
    view = main.view
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(before):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    for _ in range(length):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


def test_select_text_and_press_hotkey_saves_code_point_offsets(qtbot, window) -> None:
    # "Intro 😀 " is 8 code points; the emoji is one key press (Qt steps whole characters).
    select_by_keys(qtbot, window, 8, len("Vladimir Putin"))
    qtbot.keyClick(window.view, "1")
    window.session.flush()
    spans, _ = stored(window)
    assert [(s.tag, s.fragments, s.quote) for s in spans] == [
        ("actor", ((8, 22),), "Vladimir Putin")
    ]
    assert TEXT[8:22] == "Vladimir Putin"
    assert window.session.selected_span == spans[0].uuid
    assert quotes_in_file(window) == ["Vladimir Putin"]
    path, document = window.session.project.path, window.session.current_document
    window.close()
    window.session.close()
    reopened = Project.open(path, annotator_name="other")
    try:
        with reopened.store.read() as read:
            assert [s.fragments for s in read.spans(document)] == [((8, 22),)]
    finally:
        reopened.close()


def test_word_snapping_expands_a_partial_selection(qtbot, window) -> None:
    select_by_keys(qtbot, window, 10, 3)  # "adi" inside "Vladimir"
    qtbot.keyClick(window.view, "1")
    window.session.flush()
    spans, _ = stored(window)
    assert spans[0].quote == "Vladimir"


def test_overlapping_spans_retag_delete_undo_redo(qtbot, window) -> None:
    select_by_keys(qtbot, window, 8, len("Vladimir Putin"))
    qtbot.keyClick(window.view, "1")
    select_by_keys(qtbot, window, 17, len("Putin"))
    qtbot.keyClick(window.view, "1")
    window.session.flush()
    spans, _ = stored(window)
    assert sorted(s.quote for s in spans) == ["Putin", "Vladimir Putin"]
    assert len(window.view.spans_at(18)) == 2
    inner = next(s for s in spans if s.quote == "Putin")

    window.session.select_span(inner.uuid)  # no text selected: a hotkey retags
    cursor = window.view.textCursor()
    cursor.clearSelection()
    window.view.setTextCursor(cursor)
    qtbot.keyClick(window.view, "2")
    window.session.flush()
    assert {s.uuid: s.tag for s in stored(window)[0]}[inner.uuid] == "event"

    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    window.session.flush()
    assert [s.quote for s in stored(window)[0]] == ["Vladimir Putin"]

    stack = window.session.undo_stack
    assert window.actions_by_id["undo"].text() == "&Undo Delete span"
    stack.undo()
    window.session.flush()
    assert {s.uuid: s.tag for s in stored(window)[0]}[inner.uuid] == "event"
    stack.undo()
    window.session.flush()
    assert {s.uuid: s.tag for s in stored(window)[0]}[inner.uuid] == "actor"
    stack.redo()
    stack.redo()
    window.session.flush()
    assert [s.quote for s in stored(window)[0]] == ["Vladimir Putin"]
    assert quotes_in_file(window) == ["Vladimir Putin"]


def test_add_fragment_with_control_and_resize_by_keyboard(qtbot, window) -> None:
    select_by_keys(qtbot, window, 8, len("Vladimir"))
    qtbot.keyClick(window.view, "1")
    window.session.flush()
    (span,) = stored(window)[0]
    start = TEXT.index("Xi Jinping")
    select_by_keys(qtbot, window, start, len("Xi Jinping"))
    qtbot.keyClick(window.view, "1", Qt.KeyboardModifier.ControlModifier)
    window.session.flush()
    (span,) = stored(window)[0]
    assert span.fragments == ((8, 16), (start, start + len("Xi Jinping")))
    assert span.quote == "Vladimir … Xi Jinping"

    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    window.session.flush()
    (span,) = stored(window)[0]
    assert span.fragments[0] == (9, 16)


def test_status_and_document_navigation(qtbot, window) -> None:
    window.actions_by_id["mark_done"].trigger()
    window.session.flush()
    with window.session.read() as read:
        (status,) = read.statuses(window.session.current_document)
    assert status.status == "done"
    window.session.undo_stack.undo()
    window.session.flush()
    with window.session.read() as read:
        assert read.statuses(window.session.current_document) == []


def test_the_view_moves_the_cursor_over_the_emoji_as_one_character(qtbot, window) -> None:
    select_by_keys(qtbot, window, 6, 1)
    assert window.view.selection() == (6, 7)
    assert window.view.textCursor().selectedText() == "\N{GRINNING FACE}"
    assert window.view.textCursor().position() == 8  # Qt counts the emoji as two UTF-16 units


def test_dropping_files_adds_documents(qtbot, window, tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    article = tmp_path / "dropped.txt"
    article.write_text("Dropped title\r\nBody text about Moscow.\r\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(article))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    window.session.flush()
    with window.session.read() as read:
        titles = [d.title for d in read.documents()]
        assert "Dropped title" in titles
        new = next(d for d in read.documents() if d.title == "Dropped title")
        assert read.document_text(new.uuid) == "Dropped title\nBody text about Moscow.\n"
    assert window.session.current_document == new.uuid


def test_recent_projects_menu_lists_remembered_projects(qtbot, window) -> None:
    window.settings.add_recent(window.session.project.path)
    window._fill_recent()
    texts = [a.text() for a in window._recent_menu.actions()]
    assert any(window.session.project.path.name in t for t in texts)
