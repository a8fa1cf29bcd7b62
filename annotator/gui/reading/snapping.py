"""Word snapping for selections, in code points, never splitting a grapheme (pure, no Qt)."""

from __future__ import annotations

import unicodedata

__all__ = ["grapheme_end", "grapheme_start", "snap_to_words", "word_edge"]

_ZWJ = "\u200d"
# Characters that always attach to the character before them (a simplified UAX #29 Extend set).
_EXTEND_CATEGORIES = frozenset({"Mn", "Mc", "Me"})


def _is_extender(ch: str) -> bool:
    """True for characters that never start a grapheme: marks, ZWJ, variation selectors, etc."""
    o = ord(ch)
    return (
        ch == _ZWJ
        or 0xFE00 <= o <= 0xFE0F  # variation selectors
        or 0x1F3FB <= o <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= o <= 0xE007F  # emoji tag characters (subdivision flags)
        or 0xE0100 <= o <= 0xE01EF  # variation selectors supplement
        or unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in _EXTEND_CATEGORIES
    )


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _is_boundary(text: str, i: int) -> bool:
    """Whether offset i (0 ≤ i ≤ len) is a grapheme boundary (simplified UAX #29)."""
    if i <= 0 or i >= len(text):
        return True
    if _is_extender(text[i]) or text[i - 1] == _ZWJ:
        return False
    if text[i - 1] == "\r" and text[i] == "\n":
        return False
    if _is_regional_indicator(text[i]) and _is_regional_indicator(text[i - 1]):
        run = 0  # flags pair regional indicators: split only after an even number of them
        j = i - 1
        while j >= 0 and _is_regional_indicator(text[j]):
            run += 1
            j -= 1
        return run % 2 == 0
    return True


def grapheme_start(text: str, i: int) -> int:
    """The nearest grapheme boundary at or before offset i."""
    i = max(0, min(i, len(text)))
    while not _is_boundary(text, i):
        i -= 1
    return i


def grapheme_end(text: str, i: int) -> int:
    """The nearest grapheme boundary at or after offset i."""
    i = max(0, min(i, len(text)))
    while not _is_boundary(text, i):
        i += 1
    return i


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or _is_extender(ch)


def _word_around(text: str, i: int) -> tuple[int, int] | None:
    """The word containing or touching offset i (the word to its right first), if any."""
    if i < len(text) and _is_word_char(text[i]):
        pos = i
    elif i > 0 and _is_word_char(text[i - 1]):
        pos = i - 1
    else:
        return None
    start, end = pos, pos + 1
    while start > 0 and _is_word_char(text[start - 1]):
        start -= 1
    while end < len(text) and _is_word_char(text[end]):
        end += 1
    return start, end


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Expand a selection to whole words and trim the whitespace around it.

    Offsets are code points (0-based, end-exclusive). The result never splits a grapheme (a base
    character and its combining marks, a ZWJ emoji sequence, a flag) and is never empty unless the
    text is: an empty or all-whitespace selection becomes the word touching ``start`` (else
    ``end``) or, failing both, the whitespace selected (the single grapheme at an empty one).
    Punctuation inside the selection is kept; partial words at either end are completed
    (letters, digits, ``_`` and combining marks count as word characters).
    """
    n = len(text)
    if n == 0:
        return 0, 0
    start, end = max(0, min(start, n)), max(0, min(end, n))
    if start > end:
        start, end = end, start
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if s == e:  # nothing but whitespace (or nothing) selected
        word = _word_around(text, start) or _word_around(text, end)
        if word is not None:
            return grapheme_start(text, word[0]), grapheme_end(text, word[1])
        if start < end:  # the user chose this whitespace explicitly: keep it
            return grapheme_start(text, start), grapheme_end(text, end)
        if start < n:  # the grapheme at the caret, which may sit inside it (a flag's middle)
            first = grapheme_start(text, start)
            return first, grapheme_end(text, first + 1)
        return grapheme_start(text, n - 1), n
    if _is_word_char(text[s]):
        while s > 0 and _is_word_char(text[s - 1]):
            s -= 1
    if _is_word_char(text[e - 1]):
        while e < n and _is_word_char(text[e]):
            e += 1
    return grapheme_start(text, s), grapheme_end(text, e)


def word_edge(text: str, i: int, edge: str, direction: int) -> int:
    """Where a span's ``edge`` ("start" or "end") at ``i`` lands one word to the left
    (``direction`` -1) or right (+1): a start goes to the start of a word, an end to the end
    of one (keyboard resize by word)."""
    n, j, w = len(text), max(0, min(i, len(text))), _is_word_char
    if edge == "start" and direction < 0:
        while j > 0 and not w(text[j - 1]):
            j -= 1
        while j > 0 and w(text[j - 1]):
            j -= 1
    elif edge == "start":
        while j < n and w(text[j]):
            j += 1
        while j < n and not w(text[j]):
            j += 1
    elif direction > 0:
        while j < n and not w(text[j]):
            j += 1
        while j < n and w(text[j]):
            j += 1
    else:
        while j > 0 and w(text[j - 1]):
            j -= 1
        while j > 0 and not w(text[j - 1]):
            j -= 1
    return j
