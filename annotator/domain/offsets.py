"""Offset rules: fragments, quotes and context, all in code points of the stored text."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from annotator.domain.wording import quoted
from annotator.errors import ValidationError

#: How the fragment texts of a discontinuous span are joined into its quote.
FRAGMENT_JOINER = " … "
#: Code points of context kept before and after a span (W3C TextQuoteSelector prefix/suffix).
CONTEXT_LENGTH = 32


def normalize_fragments(fragments: Iterable[Sequence[int]], text_length: int) -> tuple:
    """Validate fragments against a text of text_length code points and return them sorted.

    Every fragment must be non-empty and inside the text; fragments may touch but not overlap.
    Touching fragments are kept apart (the caller asked for them), so the model stays exact.
    """
    result: list[tuple[int, int]] = []
    for fragment in fragments:
        if len(fragment) != 2:
            raise ValidationError(
                f"a fragment needs a start and an end, got {len(fragment)} numbers"
            )
        start, end = fragment
        if type(start) is not int or type(end) is not int:
            raise ValidationError(
                f"offsets must be whole numbers (integers), got {quoted(start)} and {quoted(end)}"
            )
        if start < 0 or end > text_length:
            raise ValidationError(
                f"the fragment from {start} to {end} is outside the text (0 to {text_length})"
            )
        if end <= start:
            raise ValidationError(f"the fragment from {start} to {end} is empty")
        result.append((start, end))
    if not result:
        raise ValidationError("a span needs at least one fragment")
    result.sort()
    for (_, prev_end), (start, end) in itertools.pairwise(result):
        if start < prev_end:
            raise ValidationError(f"fragments overlap at {start} to {end}")
    return tuple(result)


def quote_of(text: str, fragments: Sequence[tuple[int, int]]) -> str:
    """The exact text a span covers; discontinuous fragments are joined by FRAGMENT_JOINER."""
    return FRAGMENT_JOINER.join(text[start:end] for start, end in fragments)


def context_of(text: str, fragments: Sequence[tuple[int, int]]) -> tuple[str, str]:
    """Prefix and suffix (up to CONTEXT_LENGTH code points) around a span."""
    start, end = fragments[0][0], fragments[-1][1]
    return text[max(0, start - CONTEXT_LENGTH) : start], text[end : end + CONTEXT_LENGTH]


def overlaps(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> bool:
    """True when any fragment of a shares at least one code point with any fragment of b."""
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def find_occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Every (start, end) where needle occurs in text, non-overlapping, left to right."""
    if not needle:
        return []
    hits, index = [], text.find(needle)
    while index >= 0:
        hits.append((index, index + len(needle)))
        index = text.find(needle, index + len(needle))
    return hits
