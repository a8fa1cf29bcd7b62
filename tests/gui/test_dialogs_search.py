"""The search bar driven by the keyboard: incremental hits, wrapping, toggles, code points."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.gui.dialogs.search_bar import MAX_HITS, SearchBar, find_hits

SHIFT = Qt.KeyboardModifier.ShiftModifier
TEXT = "War and peace. The war ended; warfare did not. WAR again, pre-war times."


@pytest.fixture
def bar(qtbot) -> SearchBar:
    widget = SearchBar()
    qtbot.addWidget(widget)
    widget.set_text(TEXT)
    widget.show()
    qtbot.waitExposed(widget)
    widget.edit.setFocus()
    return widget


def record(bar: SearchBar) -> list:
    seen: list = []
    bar.hits_changed.connect(lambda hits, current: seen.append((hits, current)))
    bar.current_hit.connect(lambda start, end: seen.append(("current", start, end)))
    return seen


def test_typing_searches_incrementally(qtbot, bar) -> None:
    seen = record(bar)
    qtbot.keyClicks(bar.edit, "w")
    assert len(bar.hits()) == TEXT.lower().count("w")
    qtbot.keyClicks(bar.edit, "ar")
    assert bar.hits() == [(0, 3), (19, 22), (30, 33), (47, 50), (62, 65)]
    assert seen[-2] == (bar.hits(), 0)
    assert seen[-1] == ("current", 0, 3)
    assert bar.count.text() == "1 of 5"
    qtbot.keyClicks(bar.edit, "z")
    assert bar.hits() == [] and bar.count.text() == "No matches"
    assert seen[-1] == ([], -1)


def test_enter_and_f3_step_and_wrap(qtbot, bar) -> None:
    qtbot.keyClicks(bar.edit, "war")
    with qtbot.waitSignal(bar.current_hit) as blocker:
        qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert blocker.args == [19, 22] and bar.count.text() == "2 of 5"
    qtbot.keyClick(bar.edit, Qt.Key.Key_F3)
    assert bar.current_index() == 2
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, SHIFT)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, SHIFT)
    assert bar.current_index() == 0
    with qtbot.waitSignal(bar.current_hit) as blocker:
        qtbot.keyClick(bar.edit, Qt.Key.Key_F3, SHIFT)  # wraps to the last hit
    assert blocker.args == [62, 65] and bar.count.text() == "5 of 5"
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)  # and back to the first
    assert bar.current_index() == 0
    qtbot.mouseClick(bar.previous_button, Qt.MouseButton.LeftButton)
    assert bar.current_index() == 4


def test_typing_more_keeps_the_place(qtbot, bar) -> None:
    qtbot.keyClicks(bar.edit, "wa")
    for _ in range(2):
        qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.hits()[bar.current_index()][0] == 30
    qtbot.keyClicks(bar.edit, "rf")  # "warfare" is at the place we were
    assert bar.hits() == [(30, 34)] and bar.current_index() == 0


def test_case_and_whole_word_toggles(qtbot, bar) -> None:
    qtbot.keyClicks(bar.edit, "war")
    qtbot.mouseClick(bar.case_button, Qt.MouseButton.LeftButton)
    assert bar.hits() == [(19, 22), (30, 33), (62, 65)]
    qtbot.mouseClick(bar.word_button, Qt.MouseButton.LeftButton)  # not "warfare"
    assert bar.hits() == [(19, 22), (62, 65)]  # "pre-war" is a whole word after "-"
    qtbot.mouseClick(bar.case_button, Qt.MouseButton.LeftButton)
    assert bar.hits() == [(0, 3), (19, 22), (47, 50), (62, 65)]
    assert bar.count.text() == "1 of 4"


def test_offsets_are_code_points_after_emoji(qtbot, bar) -> None:
    text = "😀 👩‍👩‍👧 𝐀 e\u0301 Putin met Putin"  # 13 code points before the first hit
    bar.set_text(text)
    seen = record(bar)
    qtbot.keyClicks(bar.edit, "Putin")
    assert seen[-2] == ([(13, 18), (23, 28)], 0)
    assert seen[-1] == ("current", 13, 18)
    assert all(text[start:end] == "Putin" for start, end in bar.hits())


def test_escape_hides_and_clears_the_marks(qtbot, bar) -> None:
    qtbot.keyClicks(bar.edit, "war")
    with qtbot.waitSignal(bar.hits_changed) as blocker:
        qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert blocker.args == [[], -1]
    assert bar.isHidden()
    with qtbot.waitSignal(bar.hits_changed) as blocker:  # shown again: the marks come back
        bar.show()
    assert len(blocker.args[0]) == 5


def test_a_new_text_searches_again_and_hidden_bar_stays_quiet(qtbot, bar) -> None:
    qtbot.keyClicks(bar.edit, "war")
    bar.hide()
    seen = record(bar)
    bar.set_text("no hits here")
    assert seen == [] and bar.hits() == []


def test_hits_are_capped_with_a_note(qtbot, bar) -> None:
    bar.set_text("ab " * (MAX_HITS + 50))
    qtbot.keyClicks(bar.edit, "ab")
    assert len(bar.hits()) == MAX_HITS
    assert bar.count.text() == f"1 of {MAX_HITS:,}+"
    assert "first 10,000" in bar.count.toolTip()


def test_find_hits_on_a_large_text_is_fast() -> None:
    import time

    text = "lorem ipsum dolor sit amet " * 200_000  # 5.4 million code points
    began = time.perf_counter()
    hits, capped = find_hits(text, "DOLOR", whole_word=True)
    assert capped and len(hits) == MAX_HITS
    hits, capped = find_hits(text, "absent")
    assert hits == [] and not capped
    assert time.perf_counter() - began < 1.0
