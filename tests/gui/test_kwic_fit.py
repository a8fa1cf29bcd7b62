"""KWIC lines wider than their column keep the match and the words next to it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.gui.search.kwic import fit_line


def width(text: str) -> float:
    return float(len(text))


def bold(text: str) -> float:
    return 1.2 * len(text)


def test_a_line_that_fits_is_unchanged() -> None:
    parts = ("the ", "harbour", " master", "News · ")
    assert fit_line(100, width, bold, *parts) == parts


def test_a_narrow_column_drops_the_start_of_the_left_context_not_the_match() -> None:
    before = "a long sentence about the city council and the "
    fitted = fit_line(40, width, bold, before, "harbour", " master said", "Title · ")
    kept_before, match, after, label = fitted
    assert match == "harbour" and label == "Title · " and after == " master said"
    assert before.endswith(kept_before) and kept_before.endswith("and the ")
    assert width(label + kept_before) + bold(match) + 2 <= 40


def test_a_long_title_is_cut_to_leave_room_for_the_match() -> None:
    title = "A very long headline about the harbour and its many troubles · "
    _, match, _, label = fit_line(50, width, bold, "the ", "harbour", " master", title)
    assert match == "harbour"
    assert label.endswith("… · ") and title.startswith(label.removesuffix("… · "))
    assert width(label) <= 0.4 * 50


texts = st.text(max_size=80)


@given(texts, st.text(min_size=1, max_size=20), texts, texts, st.integers(1, 200))
def test_the_match_stays_in_view_whenever_it_can(before, match, after, label, room) -> None:
    kept_before, kept_match, kept_after, kept_label = fit_line(
        room, width, bold, before, match, after, label
    )
    assert kept_match == match and kept_after == after
    assert before.endswith(kept_before)
    start_of_match = width(kept_label + "…" + kept_before)
    if bold(match) + 2 + 4 <= 0.6 * room:  # room for the match beside a capped label
        assert start_of_match + bold(match) <= room
