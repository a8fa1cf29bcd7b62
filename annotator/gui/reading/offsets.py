"""Code point ↔ Qt UTF-16 position mapping for one document: the reading pane's only converter."""

from __future__ import annotations

import sys
from bisect import bisect_left

__all__ = ["OffsetMap"]

# Byte 2 of a UTF-32-LE code unit is the Unicode plane: non-zero exactly for astral characters,
# the ones Qt stores as two UTF-16 code units (a surrogate pair).
_NONZERO = bytes([0] + [1] * 255)


def _may_contain_astral(text: str) -> bool:
    """Cheap pre-check: False only when the text provably has no astral character.

    CPython stores a str with 1, 2 or 4 bytes per character, the smallest that fits its widest
    character (PEP 393); only the 4-byte kind can hold an astral character, and the kind shows in
    ``sys.getsizeof`` in O(1). Short texts and other interpreters fall back to scanning.
    """
    if text.isascii():
        return False
    if len(text) < 256:
        return True
    try:
        return sys.getsizeof(text) >= 4 * len(text)
    except TypeError:  # pragma: no cover - interpreters without getsizeof
        return True


def _astral_positions(text: str, base: int, out: list[int]) -> None:
    """Append base + i for every astral character text[i], in order (C-speed scan)."""
    if not _may_contain_astral(text):
        return
    planes = text.encode("utf-32-le")[2::4].translate(_NONZERO)
    find = planes.find
    i = find(1)
    while i >= 0:
        out.append(base + i)
        i = find(1, i + 1)


class OffsetMap:
    """Maps offsets of one immutable text between Python code points and Qt UTF-16 positions.

    ``qt = cp + (number of astral characters before cp)``, found by bisect in the sorted list of
    astral character indices (and its UTF-16 twin for the reverse direction): O(log k) per call.
    The list is built lazily, chunk by chunk, only as far as the highest offset asked for, so
    opening a long document only scans the part that is shown first; texts without astral
    characters (the usual case) are recognised in O(1) and map offsets unchanged.
    """

    #: Code points scanned at a time when the map is extended.
    chunk_size = 1 << 16

    __slots__ = ("_astral", "_astral_qt", "_scanned", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._astral: list[int] = []  # code point index of each astral character
        self._astral_qt: list[int] = []  # Qt position of its high surrogate
        # Code points [0, _scanned) have been scanned; everything when no astral char can exist.
        self._scanned = 0 if _may_contain_astral(text) else len(text)

    def _scan(self, *, cp: int | None = None, qt: int | None = None) -> None:
        """Extend the scanned prefix past code point ``cp`` or past Qt position ``qt``."""
        text, astral = self._text, self._astral
        while self._scanned < len(text):
            if cp is not None and self._scanned > cp:
                break
            if qt is not None and self._scanned + len(astral) > qt:
                break
            start = self._scanned
            end = min(len(text), start + self.chunk_size)
            first_new = len(astral)
            _astral_positions(text[start:end], start, astral)
            self._astral_qt.extend(astral[k] + k for k in range(first_new, len(astral)))
            self._scanned = end

    @property
    def cp_length(self) -> int:
        """Length of the text in code points (``len(text)``)."""
        return len(self._text)

    @property
    def qt_length(self) -> int:
        """Length of the text in UTF-16 code units (what Qt counts)."""
        self._scan(cp=len(self._text))
        return len(self._text) + len(self._astral)

    @property
    def has_astral(self) -> bool:
        """Whether any character needs a surrogate pair (scans the whole text if needed)."""
        self._scan(cp=len(self._text))
        return bool(self._astral)

    def to_qt(self, cp: int) -> int:
        """Qt (UTF-16) position of code point offset ``cp`` (0 ≤ cp ≤ len(text))."""
        if cp >= self._scanned:
            self._scan(cp=cp)
        if not self._astral:
            return cp
        return cp + bisect_left(self._astral, cp)

    def to_cp(self, qt: int) -> int:
        """Code point offset of Qt position ``qt``; inside a surrogate pair, the pair's start."""
        if qt >= self._scanned:  # the scanned prefix covers at least _scanned Qt positions
            self._scan(qt=qt)
        if not self._astral:
            return qt
        k = bisect_left(self._astral_qt, qt)  # astral characters starting before qt
        if k and self._astral_qt[k - 1] == qt - 1:  # qt points at a low surrogate
            return self._astral[k - 1]
        return qt - k
