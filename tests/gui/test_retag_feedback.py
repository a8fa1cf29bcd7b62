"""Retag keeps what fits, asked once (issue 13), and every action says what it did in the
status bar, replacing the note before it (no stale refusal)."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from annotator.gui.settings import Settings


def _state_actor_without_links(window) -> str:
    with window.session.read() as read:
        document = window.session.current_document
        spans = read.spans(document)
        linked = {u for link in read.links(document) for u in (link.source, link.target)}
    return next(
        s.uuid
        for s in spans
        if s.tag == "actor" and s.attributes.get("kind") == "state" and s.uuid not in linked
    )


def _span(window, uuid: str):
    with window.session.read() as read:
        return read.span(uuid)


def _select(qtbot, window, uuid: str) -> None:
    window.session.select_span(uuid)
    cursor = window.view.textCursor()
    cursor.clearSelection()
    window.view.setTextCursor(cursor)
    window.view.setFocus()


def _answer(text: str, answered: list[str]) -> None:
    """Click `text` in the retag question once it is up (it is modal: exec)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != "retag_question":
            QTimer.singleShot(10, click)
            return
        answered.append(box.text())
        next(b for b in box.findChildren(QPushButton) if b.text() == text).click()

    QTimer.singleShot(0, click)


def test_retag_state_actor_to_place_asks_once_then_remembers(qtbot, ada_window) -> None:
    window = ada_window
    uuid = _state_actor_without_links(window)
    before = _span(window, uuid)
    assert Settings().retag_dropped == "ask"

    _select(qtbot, window, uuid)
    asked: list[str] = []
    _answer("Move to note", asked)
    qtbot.keyClick(window.view, "4")
    window.session.flush()
    assert asked == ["Place has no place for Kind \u201cstate\u201d."]
    after = _span(window, uuid)
    assert after.tag == "place" and after.attributes == {}
    assert after.note.endswith("Kind: state")
    shown = window.statusBar().currentMessage()
    assert "as Place; moved Kind \u201cstate\u201d to the note" in shown
    assert Settings().retag_dropped == "note"  # remembered: the next retag does not ask

    window.actions_by_id["undo"].trigger()
    window.session.flush()
    undone = _span(window, uuid)  # the undo is a change of its own: a newer modified time
    assert undone.modified > after.modified
    assert dataclasses.replace(undone, modified=before.modified) == before
    assert window.statusBar().currentMessage() == "Undone: Retag as Place"
    window.actions_by_id["redo"].trigger()
    window.session.flush()
    assert window.statusBar().currentMessage() == "Redone: Retag as Place"
    assert window.session.undo_stack.count() == 1  # one step for the retag and its note

    window.findChild(QMessageBox)  # no question is left open
    menu_drop = next(
        a
        for a in window.findChildren(type(window.actions_by_id["undo"]))
        if a.objectName() == "retag_drop"
    )
    menu_drop.trigger()
    assert Settings().retag_dropped == "drop"
    window.actions_by_id["undo"].trigger()
    window.session.flush()
    _select(qtbot, window, uuid)
    qtbot.keyClick(window.view, "4")  # no question now: the menu says drop
    window.session.flush()
    assert _span(window, uuid).note == before.note
    assert "dropped Kind \u201cstate\u201d" in window.statusBar().currentMessage()


def test_tag_delete_undo_each_say_what_they_did(qtbot, ada_window) -> None:
    window = ada_window
    view = window.view
    text = view.text()
    start = text.index("Bokarev")  # inside the by-line name: a fresh selection
    cursor = view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len("Bokarev"), cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.setFocus()
    qtbot.keyClick(view, "3")
    window.session.flush()
    assert window.statusBar().currentMessage() == "Tagged \u201cBokarev\u201d as Claim"
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    window.session.flush()
    assert window.statusBar().currentMessage() == "Deleted \u201cBokarev\u201d"
    window.actions_by_id["undo"].trigger()
    window.session.flush()
    assert window.statusBar().currentMessage() == "Undone: Delete span"


def test_a_refusal_is_cleared_by_the_next_action(qtbot, ada_window, monkeypatch) -> None:
    window = ada_window
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: shown.append(text))
    window.session.error.emit("That link is not allowed")
    assert window.statusBar().currentMessage() == "That link is not allowed"
    assert shown == ["That link is not allowed"]
    uuid = _state_actor_without_links(window)
    window.session.select_span(uuid)  # the next action: a click on a span
    assert window.statusBar().currentMessage() == ""
