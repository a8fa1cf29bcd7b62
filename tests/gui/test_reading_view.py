"""ReadingView: code point selection, span clicks, overlaps, edits, painting, links, scrolling."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip

from annotator.gui.reading import DisplayLink, DisplaySpan, ReadingView

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
TEXT = (
    "😀 hello wonderful world of spans.\n"
    "Second paragraph: cafe\u0301 " + FAMILY + " 𝐀lpha and the Russian Federation here.\n"
)
RED, GREEN, BLUE = "#ff0000", "#00b000", "#0000ff"


def span(sid: str, text: str, phrase: str, color: str = RED, tip: str = "") -> DisplaySpan:
    start = text.index(phrase)
    return DisplaySpan(sid, ((start, start + len(phrase)),), color, "tag", tip or sid)


@pytest.fixture
def view(qtbot):
    v = ReadingView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    v.show()
    qtbot.waitExposed(v)
    return v


def point_of(view: ReadingView, cp: int) -> QPoint:
    """Viewport point on the character at code point ``cp`` (left part of its glyph)."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(view._map.to_qt(cp))
    rect = view.cursorRect(cursor)
    return QPoint(rect.x() + 3, rect.center().y())


def grab(view: ReadingView) -> QImage:
    view.viewport().repaint()
    return view.viewport().grab().toImage()


def count_pixels(image: QImage, rect: QRect, test) -> int:
    n = 0
    rect = rect.intersected(image.rect())
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            if test(QColor(image.pixel(x, y))):
                n += 1
    return n


def is_red(c: QColor) -> bool:
    return c.red() > 180 and c.green() < 90 and c.blue() < 90


def test_keyboard_selection_after_an_emoji_is_in_code_points(view, qtbot):
    view.set_document(TEXT, [], [])
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # over 😀 (two UTF-16 units, one code point)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # over the space
    assert view.selection() is None
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    with qtbot.waitSignal(view.selection_changed) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert blocker.args == [2, 7]
    assert view.selection() == (2, 7)
    assert TEXT[2:7] == "hello"


def test_set_selection_round_trips_after_zwj_astral_and_combining(view):
    view.set_document(TEXT, [], [])
    start = TEXT.index("Russian")
    view.set_selection(start, start + len("Russian Federation"))
    assert view.selection() == (start, start + len("Russian Federation"))
    assert view.textCursor().selectedText() == "Russian Federation"


def test_clicking_a_span_emits_its_id(view, qtbot):
    spans = [span("hello", TEXT, "hello"), span("rf", TEXT, "Russian Federation", BLUE)]
    view.set_document(TEXT, spans, [])
    grab(view)
    cp = TEXT.index("Federation")
    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, cp))
    assert blocker.args == ["rf"]
    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, 4))
    assert blocker.args == ["hello"]
    with qtbot.waitSignal(view.span_clicked) as blocker:  # plain text: nothing selected
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, 12))
    assert blocker.args == [""]


def test_overlapping_spans_spans_at_and_click_cycling(view, qtbot):
    outer = span("outer", TEXT, "the Russian Federation", GREEN)
    inner = span("inner", TEXT, "Russian", RED)
    view.set_document(TEXT, [outer, inner], [])
    cp = TEXT.index("Russian") + 2
    assert view.spans_at(cp) == ["inner", "outer"]
    assert view.spans_at(TEXT.index("the Russian")) == ["outer"]
    grab(view)
    clicked = []
    view.span_clicked.connect(clicked.append)
    for _ in range(3):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, cp))
    assert clicked == ["inner", "outer", "inner"]
    view.set_selection(cp, cp)
    view.set_selected_span(None)
    assert view.cycle_span_at_cursor() == "inner"
    assert view.cycle_span_at_cursor() == "outer"


def test_add_and_remove_a_span_updates_hits_and_pixels(view):
    view.set_document(TEXT, [], [])
    grab(view)
    start = TEXT.index("wonderful")
    area = view.viewport_rect_of(start, start + len("wonderful")).adjusted(0, 0, 0, 8)
    assert count_pixels(grab(view), area, is_red) == 0
    view.add_span(DisplaySpan("w", ((start, start + 9),), RED, "tag", "tip"))
    assert view.spans_at(start + 1) == ["w"]
    assert count_pixels(grab(view), area, is_red) > 20  # the underline
    view.update_span(DisplaySpan("w", ((start, start + 9),), BLUE, "tag", "tip"))
    assert count_pixels(grab(view), area, is_red) == 0
    view.remove_span("w")
    assert view.spans_at(start + 1) == []
    image = grab(view)
    assert count_pixels(image, area, lambda c: c.blue() > 180 and c.red() < 90) == 0


def test_painting_with_nested_spans_links_hits_and_suggestions(view, qtbot):
    spans = [
        span("a", TEXT, "hello wonderful world", RED),
        span("b", TEXT, "wonderful", BLUE),
        span("c", TEXT, "world of spans", GREEN),
        span("d", TEXT, FAMILY + " 𝐀lpha", GREEN),
        span("e", TEXT, "Russian Federation", RED),
    ]
    links = [DisplayLink("l1", "b", "e", "same as", "#00b000"), DisplayLink("l2", "a", "c", "x")]
    view.set_document(TEXT, spans, links)
    view.set_show_all_links(True)
    view.set_search_hits([(TEXT.index("spans"), TEXT.index("spans") + 5)], 0)
    view.set_suggestions([(TEXT.index("here"), TEXT.index("here") + 4)])
    image = grab(view)
    start = TEXT.index("wonderful")
    area = view.viewport_rect_of(start, start + 9).adjusted(0, 0, 0, 14)
    blueish = count_pixels(image, area, lambda c: c.blue() > 180 and c.red() < 100)
    assert blueish > 20 and count_pixels(image, area, is_red) > 20  # two stacked underlines
    line = view.viewport_rect_of(start, start + 9)
    band = QRect(0, line.top() - view._metrics.gap, view.viewport().width(), view._metrics.gap)
    greenish = count_pixels(image, band, lambda c: c.green() > c.red() + 40)
    assert greenish > 3  # the arc (and its label) above the line
    view.set_selected_span("b")
    view.set_dark(True)
    view.set_zoom(3)
    grab(view)
    view.set_dark(False)
    view.set_zoom(0)
    view.set_links([])
    grab(view)


def test_alt_drag_from_span_to_span_requests_a_link(view, qtbot):
    spans = [span("src", TEXT, "hello"), span("dst", TEXT, "Russian Federation", BLUE)]
    view.set_document(TEXT, spans, [])
    grab(view)
    alt = Qt.KeyboardModifier.AltModifier
    a, b = point_of(view, TEXT.index("hello") + 1), point_of(view, TEXT.index("Federation"))
    with qtbot.waitSignal(view.link_drag_requested) as blocker:
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, alt, a)
        qtbot.mouseMove(view.viewport(), b)
        assert view._drag is not None
        grab(view)  # the rubber band paints
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, alt, b)
    assert blocker.args == ["src", "dst"]
    assert view._drag is None


def test_hover_and_tooltip_show_every_span_under_the_mouse(view, qtbot):
    outer = span("outer", TEXT, "the Russian Federation", GREEN, "Actor\nby <alice>")
    inner = span("inner", TEXT, "Russian", RED, "Place")
    view.set_document(TEXT, [outer, inner], [])
    grab(view)
    pos = point_of(view, TEXT.index("Russian") + 1)
    with qtbot.waitSignal(view.hovered_span) as blocker:
        qtbot.mouseMove(view.viewport(), pos)
    assert blocker.args == ["inner"]
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    tip = QToolTip.text()
    assert "Place" in tip and "by &lt;alice&gt;" in tip and tip.index("Place") < tip.index("Actor")
    QToolTip.hideText()


def test_scroll_to_brings_a_far_offset_to_the_middle(view):
    paragraphs = [f"Paragraph {n}: " + "words and more words " * 30 for n in range(400)]
    text = "\n".join(paragraphs)
    target = text.index("Paragraph 300:")
    view.set_document(text, [DisplaySpan("t", ((target, target + 9),), RED)], [])
    grab(view)
    view.scroll_to(target)
    image = grab(view)
    rect = view.viewport_rect_of(target, target + 9)
    height = view.viewport().height()
    assert not rect.isEmpty() and height * 0.2 < rect.center().y() < height * 0.8
    assert count_pixels(image, rect.adjusted(0, 0, 0, 8), is_red) > 10


def test_scroll_to_before_the_view_is_shown_is_applied_on_show(qtbot):
    text = "\n".join(f"line {n} " * 40 for n in range(300))
    v = ReadingView()
    qtbot.addWidget(v)
    v.resize(800, 500)
    v.set_document(text, [], [])
    v.scroll_to(text.index("line 250"))
    v.show()
    qtbot.waitUntil(lambda: v.firstVisibleBlock().blockNumber() > 200)


def test_empty_document_and_reset(view):
    view.set_document("", [], [])
    grab(view)
    assert view.selection() is None and view.spans_at(0) == []
    view.set_document("abc", [DisplaySpan("x", ((0, 3),), RED)], [])
    view.set_document("xyz", [], [])
    assert view.spans_at(1) == []


def test_mouse_drag_selects_in_code_points(view, qtbot):
    view.set_document(TEXT, [], [])
    grab(view)
    start, end = TEXT.index("cafe"), TEXT.index("lpha") + 4  # across é, ZWJ family and 𝐀
    left = point_of(view, start) - QPoint(3, 0)  # the left edge of "c"
    right = point_of(view, end) - QPoint(4, 0)  # just before the space after "𝐀lpha"
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=left)
    qtbot.mouseMove(view.viewport(), right)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=right)
    assert view.selection() == (start, end)
    assert view.textCursor().selectedText() == TEXT[start:end]


def test_a_click_in_the_band_above_a_line_lands_on_that_line(view, qtbot):
    view.set_document(TEXT, [span("rf", TEXT, "Russian Federation", BLUE)], [])
    grab(view)
    cp = TEXT.index("Federation")
    line = view.viewport_rect_of(cp, cp + 1)
    pos = QPoint(point_of(view, cp).x(), line.top() - 2)  # just above the glyphs
    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["rf"]


def test_removing_the_selected_span_clears_its_emphasis(view):
    view.set_document(TEXT, [span("w", TEXT, "wonderful", RED)], [])
    view.set_selected_span("w")
    assert len(view.extraSelections()) == 1
    view.remove_span("w")
    assert view.extraSelections() == []
    grab(view)
