"""The reading pane stays put while one works: clicks, tags, links and undo do not scroll."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from annotator.services.link_commands import CreateLink


def paint(view) -> None:
    view.viewport().repaint()
    view.viewport().grab()


def point_of(view, cp: int) -> QPoint:
    cursor = QTextCursor(view.document())
    cursor.setPosition(view._map.to_qt(cp))
    rect = view.cursorRect(cursor)
    return QPoint(rect.x() + 2, rect.center().y())


def near_the_bottom(window, cp: int) -> int:
    """Scroll so that the line of ``cp`` is the last one on screen; returns the scroll value."""
    view = window.view
    view.verticalScrollBar().setValue(0)
    paint(view)
    assert view.reveal(cp)
    paint(view)
    rect = view.viewport_rect_of(cp, cp + 1)
    assert rect.bottom() > view.viewport().height() * 0.7  # near the bottom, not centred
    return view.verticalScrollBar().value()


def test_click_cycle_tag_link_and_undo_keep_the_scroll_position(ada_window, qtbot):
    window, view, session = ada_window, ada_window.view, ada_window.session
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280)
    text = view.text()
    inner = text.index("Shanghai Cooperation Organisation")
    value = near_the_bottom(window, inner)
    bar = view.verticalScrollBar()

    spot = point_of(view, inner + 12)  # inside the actor, inside the claim around it
    first, second = view.spans_at(inner + 12)[:2]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    qtbot.waitUntil(lambda: session.selected_span == first)
    paint(view)
    assert bar.value() == value
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    qtbot.waitUntil(lambda: session.selected_span == second)  # the same spot: the next span
    paint(view)
    assert bar.value() == value

    word = text.rindex("alliance", 0, inner)  # untagged text on the same line
    view.set_selection(word, word + len("alliance"))
    qtbot.keyClick(view, "2")  # tag as Event
    session.flush()
    paint(view)
    tagged = session.selected_span
    assert tagged and tagged not in (first, second)
    assert bar.value() == value

    assert session.run(CreateLink(first, tagged, "participates_in"))
    session.flush()
    paint(view)
    assert bar.value() == value
    session.undo_stack.undo()
    session.undo_stack.undo()
    session.flush()
    paint(view)
    assert bar.value() == value


def test_a_span_out_of_view_is_brought_in_with_the_least_scroll(ada_window, qtbot):
    view, session = ada_window.view, ada_window.session
    bar = view.verticalScrollBar()
    bar.setValue(0)
    paint(view)
    far = max(view._index, key=lambda s: s.start)
    session.select_span(far.id)
    paint(view)
    rect = view.viewport_rect_of(far.start, far.end)
    height = view.viewport().height()
    assert not rect.isEmpty() and rect.top() >= 0 and rect.bottom() <= height
    assert rect.bottom() > height * 0.7  # scrolled just enough: at the bottom edge
    value = bar.value()
    session.select_span("")
    session.select_span(far.id)  # visible now: no scroll
    paint(view)
    assert bar.value() == value
