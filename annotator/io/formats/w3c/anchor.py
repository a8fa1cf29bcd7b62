"""Anchoring a foreign W3C annotation in a text, as Hypothesis and Recogito anchor: the
TextQuoteSelector's exact text found with any run of whitespace matching any other (the
annotated page and the stored document lay out spaces and line breaks differently), the
candidates ranked by how well prefix and suffix fit, and the TextPositionSelector, scaled to the
text's length, only as a hint between equally good candidates."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _pattern(exact: str) -> re.Pattern[str] | None:
    words = _squash(exact).split(" ")
    if words == [""]:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words))


def _fit(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of prefix (before) and suffix (after) agree, spaces squashed."""
    before = _squash(text[max(0, start - 2 * len(prefix) - 8) : start])
    after = _squash(text[end : end + 2 * len(suffix) + 8])
    want_before, want_after = _squash(prefix), _squash(suffix)
    score = 0
    for a, b in zip(reversed(before), reversed(want_before), strict=False):
        if a != b:
            break
        score += 1
    for a, b in zip(after, want_after, strict=False):
        if a != b:
            break
        score += 1
    return score


def anchor_quote(
    text: str,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    hint: int | None = None,
    hint_length: int | None = None,
) -> tuple[int, int] | None:
    """The (start, end) of the quote in text, or None when it is not there."""
    pattern = _pattern(exact)
    if pattern is None:
        return None
    found = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not found:
        return None
    scaled = None
    if hint is not None:
        scaled = hint * len(text) / hint_length if hint_length else hint

    def rank(candidate: tuple[int, int]) -> tuple[int, float]:
        distance = abs(candidate[0] - scaled) if scaled is not None else 0.0
        return (-_fit(text, *candidate, prefix, suffix), distance)

    return min(found, key=rank)
