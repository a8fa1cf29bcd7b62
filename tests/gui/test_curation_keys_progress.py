"""Accept all agreed in the Curation window: its own key (Ctrl+Shift+A stays File ▸ Add
documents in the main window), a progress dialog fed by the command, and Cancel that leaves the
file and the undo stack as they were; Help ▸ Keyboard shortcuts lists curation and layer keys."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QProgressDialog, QPushButton
from test_curation_window import gold, open_curation
from test_curation_window import window as window  # the fixture: ann and bob, cleo curates

import annotator.gui.dialogs.progress as progress_module
from annotator.gui.curation.keys import ACCEPT_AGREED_KEY, CURATION_KEYS
from annotator.gui.dialogs.shortcuts import ShortcutsDialog
from annotator.services.curation_commands import AcceptAgreed
from annotator.store.decisions import decision_count

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
AGREED = {"Monday": ("event", {}), "the bridge was safe": ("claim", {})}


def native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


@pytest.fixture
def file_dialog(monkeypatch) -> list[str]:
    """File ▸ Add documents' file dialog, answered with nothing (and counted)."""
    asked: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: asked.append(a[1]) or ([], "")
    )
    return asked


def test_ctrl_shift_a_adds_documents_and_only_the_new_key_accepts(
    qtbot, window, file_dialog
) -> None:
    curation = open_curation(qtbot, window)
    qtbot.keyClick(curation.queue_table, Qt.Key.Key_A, CTRL_SHIFT)
    window.session.flush()
    assert gold(window) == {} and file_dialog == []  # neither fires from the curation window
    qtbot.keyClick(curation.queue_table, Qt.Key.Key_Return, CTRL_SHIFT)
    window.session.flush()
    assert gold(window) == AGREED
    assert ACCEPT_AGREED_KEY == "Ctrl+Shift+Return"
    assert native(ACCEPT_AGREED_KEY) in curation.findChild(QLabel, "curation_keys").text()

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL_SHIFT)
    assert file_dialog == ["Add documents"]  # the main window's meaning
    qtbot.keyClick(window.view, Qt.Key.Key_Return, CTRL_SHIFT)
    window.session.flush()
    assert window.session.undo_stack.count() == 1  # no second bulk accept from the main window


def run_through_dialog(qtbot, curation, monkeypatch, on_dialog) -> list[tuple[int, int]]:
    """Press the key with the dialog shown at once; the job waits at its first counted report
    until `on_dialog(dialog)` (called from the GUI thread once the dialog shows it) is done."""
    monkeypatch.setattr(progress_module, "SHOW_AFTER_MS", 0)
    monkeypatch.setattr(progress_module, "UPDATE_EVERY_S", 0)
    gate, seen = threading.Event(), []
    original = AcceptAgreed._report

    def report(self, done: int, total: int, text: str) -> None:
        original(self, done, total, text)  # the dialog gets this count
        if total and not gate.is_set():
            assert gate.wait(10), "the dialog never showed the count"
            original(self, done, total, text)  # a Cancel pressed meanwhile is seen here

    monkeypatch.setattr(AcceptAgreed, "_report", report)

    def poll() -> None:
        dialog = curation.findChild(QProgressDialog, "progress_dialog")
        if dialog is not None and dialog.isVisible() and "of" in dialog.labelText():
            timer.stop()
            seen.append((dialog.value(), dialog.maximum()))
            on_dialog(dialog)
            gate.set()

    timer = QTimer(interval=10)
    timer.timeout.connect(poll)
    timer.start()
    qtbot.keyClick(curation.queue_table, Qt.Key.Key_Return, CTRL_SHIFT)
    timer.stop()
    curation.session.flush()
    return seen


def test_progress_is_shown_and_the_accept_is_one_undo_step(qtbot, window, monkeypatch) -> None:
    curation = open_curation(qtbot, window)
    seen = run_through_dialog(qtbot, curation, monkeypatch, lambda dialog: None)
    assert seen and seen[0][1] == 2  # two agreed spans counted in the bar
    assert gold(window) == AGREED
    stack = window.session.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Accept 2 agreed units"
    assert curation.findChild(QProgressDialog, "progress_dialog") is None  # closed and gone


def test_cancel_leaves_the_file_and_the_undo_stack_unchanged(qtbot, window, monkeypatch) -> None:
    curation = open_curation(qtbot, window)
    messages: list[str] = []
    window.session.message.connect(messages.append)

    def cancel(dialog: QProgressDialog) -> None:
        (button,) = [b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel"]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    seen = run_through_dialog(qtbot, curation, monkeypatch, cancel)
    assert seen
    assert gold(window) == {}
    with window.session.read() as read:
        assert decision_count(read) == 0
        assert not [h for h in read.history() if h.action == "adjudicate"]
    assert window.session.undo_stack.count() == 0
    assert messages[-1] == "Accept all agreed cancelled: nothing was accepted"
    assert len(curation.rows) == 4  # the queue is as it was; the keys still work
    qtbot.waitUntil(lambda: QApplication.activeWindow() is curation)
    qtbot.keyClick(curation.queue_table, Qt.Key.Key_Return, CTRL_SHIFT)
    window.session.flush()
    assert gold(window) == AGREED


def test_the_shortcut_sheet_lists_curation_and_layer_keys(qtbot, window, monkeypatch) -> None:
    shown: list[ShortcutsDialog] = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: shown.append(self) or 0)
    window.actions_by_id["shortcuts"].trigger()
    (dialog,) = shown
    qtbot.addWidget(dialog)
    groups = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert "Curation window" in groups and "Layer" in groups
    rows = dialog.visible_rows()
    for key in CURATION_KEYS:  # every curation key there is, from the window's own list
        assert (key.what, key.shown or ", ".join(map(native, key.keys))) in rows
    assert ("Accept every agreed unit", native("Ctrl+Shift+Return")) in rows
    assert ("Add documents", native("Ctrl+Shift+A")) in rows
    for what, keys in (
        ("My layer", "Ctrl+Shift+M"),
        ("Blind mode", "Ctrl+Shift+B"),
        ("Next difference", "F8"),
        ("Previous difference", "Shift+F8"),
    ):
        assert (what, native(keys)) in rows, what
        action = next(a for a in window.actions_by_id.values() if a.text().replace("&", "") == what)
        assert action.shortcut().toString() == keys  # as the layer controls bind it
    qtbot.keyClicks(dialog.filter, "agreed")
    assert dialog.visible_rows() == [("Accept every agreed unit", native("Ctrl+Shift+Return"))]
