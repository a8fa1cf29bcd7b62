"""Keyboard resize by character and by word: one undo step and one history row per run."""

from __future__ import annotations

from PySide6.QtCore import Qt

ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def test_resizing_by_word_and_character_is_one_undo_step_and_one_row(ada_window, qtbot):
    view, session = ada_window.view, ada_window.session
    text = view.text()
    start = text.index("Shanghai Cooperation Organisation")
    end = start + len("Shanghai Cooperation Organisation")
    (uuid,) = [s.id for s in view._index if s.fragments == ((start, end),)]
    session.select_span(uuid)
    view.setFocus()
    steps = session.undo_stack.count()
    with session.read() as read:
        rows = len(read.history_of(uuid))

    def fragments():
        session.flush()
        return view._index.get(uuid).fragments

    qtbot.keyClick(view, Qt.Key.Key_Left, CTRL | ALT)  # start one word left: "the"
    assert fragments() == ((text.rindex("the", 0, start), end),)
    qtbot.keyClick(view, Qt.Key.Key_Right, CTRL | ALT)  # and back
    assert fragments() == ((start, end),)
    qtbot.keyClick(view, Qt.Key.Key_Right, CTRL | ALT | SHIFT)  # end one word right
    assert fragments() == ((start, text.index("within", end) + len("within")),)
    qtbot.keyClick(view, Qt.Key.Key_Left, CTRL | ALT | SHIFT)  # end back to "Organisation"
    qtbot.keyClick(view, Qt.Key.Key_Left, ALT | SHIFT)  # and one character less
    assert fragments() == ((start, end - 1),)
    assert session.undo_stack.count() == steps + 1  # five presses, one step
    with session.read() as read:
        history = read.history_of(uuid)
    assert len(history) == rows + 1
    assert history[0].detail["after"]["fragments"] == [[start, end - 1]]
    session.undo_stack.undo()
    assert fragments() == ((start, end),)
