"""OffsetMap (code points ↔ Qt UTF-16) and word snapping, with emoji, ZWJ, astral and marks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.gui.reading.offsets import OffsetMap
from annotator.gui.reading.snapping import grapheme_end, grapheme_start, snap_to_words

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # 👩‍👩‍👧: 5 code points, 8 UTF-16 units
BOLD_A = "\U0001d400"  # 𝐀 MATHEMATICAL BOLD CAPITAL A
E_ACUTE = "e\u0301"  # é as e + COMBINING ACUTE ACCENT


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_mixed_example_from_the_research_note():
    text = "A😀BéC💰D"
    m = OffsetMap(text)
    assert [m.to_qt(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 5, 6, 8, 9]
    assert m.to_cp(8) == 6  # "D"
    assert m.qt_length == 9 and m.cp_length == 7 and m.has_astral


def test_position_inside_a_surrogate_pair_snaps_to_the_character_start():
    m = OffsetMap("x😀y")
    assert m.to_cp(1) == 1
    assert m.to_cp(2) == 1  # low surrogate of 😀
    assert m.to_cp(3) == 2


@pytest.mark.parametrize(
    "prefix",
    ["😀 ", FAMILY + " ", BOLD_A + BOLD_A + " ", E_ACUTE + " ", "", "plain "],
)
def test_span_after_special_characters(prefix):
    text = prefix + "word " + FAMILY + E_ACUTE + BOLD_A + " end"
    m = OffsetMap(text)
    start = text.index("word")
    end = len(text) - len(" end")  # the span covers word + family + é + 𝐀
    qs, qe = m.to_qt(start), m.to_qt(end)
    assert qs == utf16_len(text[:start]) and qe == utf16_len(text[:end])
    assert m.to_cp(qs) == start and m.to_cp(qe) == end
    # The same slice, seen as UTF-16, is the same text.
    units = text.encode("utf-16-le")
    assert units[2 * qs : 2 * qe].decode("utf-16-le") == text[start:end]


def test_text_without_astral_characters_maps_identically():
    for text in ("ascii only", "BMP only: é ü 中文 \u0301", ""):
        m = OffsetMap(text)
        assert not m.has_astral
        assert [m.to_qt(i) for i in range(len(text) + 1)] == list(range(len(text) + 1))


def test_long_bmp_text_needs_no_scan():
    text = "é" * 100_000
    m = OffsetMap(text)
    assert m._scanned == len(text)  # recognised as astral-free up front
    assert m.to_qt(99_999) == 99_999


ALPHABET = st.sampled_from(["a", " ", "\n", "é", "\u0301", "中", "😀", BOLD_A, "\u200d", "💰"])
TEXTS = st.one_of(
    st.lists(ALPHABET, max_size=200).map("".join),
    st.text(max_size=200),  # arbitrary code points (no lone surrogates)
)


@settings(max_examples=200, deadline=None)
@given(text=TEXTS)
def test_round_trip_and_utf16_length(text):
    m = OffsetMap(text)
    for i in range(len(text) + 1):
        qt = m.to_qt(i)
        assert qt == len(text[:i].encode("utf-16-le")) // 2
        assert m.to_cp(qt) == i


@settings(max_examples=100, deadline=None)
@given(text=TEXTS, chunk=st.integers(1, 17), data=st.data())
def test_lazy_chunked_scan_gives_the_same_answers_in_any_query_order(text, chunk, data):
    class SmallChunks(OffsetMap):
        chunk_size = chunk

    m = SmallChunks(text)
    order = data.draw(st.permutations(range(len(text) + 1)))
    for i in order:
        qt = utf16_len(text[:i])
        if data.draw(st.booleans()):
            assert m.to_cp(qt) == i
            assert m.to_qt(i) == qt
        else:
            assert m.to_qt(i) == qt
            assert m.to_cp(qt) == i
    assert m.qt_length == utf16_len(text)


# ------------------------------------------------------------------------------- snapping
def snapped(text: str, start: int, end: int) -> str:
    s, e = snap_to_words(text, start, end)
    assert 0 <= s < e <= len(text)
    return text[s:e]


def test_snapping_completes_partial_words_and_trims_whitespace():
    text = "  The Russian Federation  said"
    assert snapped(text, 6, 10) == "Russian"
    assert snapped(text, 0, 9) == "The Russian"
    assert snapped(text, 8, 20) == "Russian Federation"
    assert snapped(text, 4, 26) == "The Russian Federation"  # whitespace trimmed


def test_snapping_never_returns_an_empty_span():
    text = "one  two"
    assert snapped(text, 3, 3) == "one"  # caret right after a word
    assert snapped(text, 4, 5) == "two"  # only whitespace selected: the word there
    assert snapped("   ", 1, 1) == " "
    assert snapped("   ", 3, 3) == " "
    assert snap_to_words("", 0, 0) == (0, 0)


def test_snapping_keeps_combining_marks_with_their_base():
    text = "caf" + E_ACUTE + " noir"
    assert snapped(text, 0, 4) == "caf" + E_ACUTE  # the selection ended before the mark
    assert snapped(text, 4, 5) == "caf" + E_ACUTE  # only the mark selected


def test_snapping_never_splits_a_zwj_sequence_or_a_flag():
    text = "hi " + FAMILY + " there 🇫🇷🇩🇪"
    i = text.index(FAMILY)
    assert snapped(text, i, i + 1) == FAMILY
    assert snapped(text, i + 2, i + 3) == FAMILY
    flags = text.index("🇫🇷")
    assert snapped(text, flags + 1, flags + 3) == "🇫🇷🇩🇪"
    assert grapheme_start(text, flags + 1) == flags
    assert grapheme_end(text, flags + 1) == flags + 2


def test_snapping_with_emoji_and_astral_letters_around_words():
    text = "😀 " + BOLD_A + "bc 😀x"
    assert snapped(text, 3, 4) == BOLD_A + "bc"  # 𝐀 is a letter (isalnum)
    assert snapped(text, 0, 1) == "😀"
    assert snapped(text, len(text) - 1, len(text)) == "x"


def test_an_empty_selection_inside_a_flag_snaps_to_the_whole_flag():
    # Found by the property test below: the caret between a flag's two regional indicators
    # gave (1, 2), half a flag.
    assert snap_to_words("🇦🇦", 1, 1) == (0, 2)
    assert snap_to_words("x 🇫🇷 y", 3, 3) == (2, 4)


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, data=st.data())
def test_snapping_properties(text, data):
    if not text:
        return
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(0, len(text)))
    s, e = snap_to_words(text, a, b)
    assert 0 <= s < e <= len(text)
    assert grapheme_start(text, s) == s and grapheme_end(text, e) == e
    if text[min(a, b) : max(a, b)].strip():
        assert s <= min(a, b) or text[min(a, b) : s].isspace()
