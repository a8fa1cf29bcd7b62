"""Positions at the edges: CRLF/CR line ends turned into LF with offsets remapped, and UTF-16
units (Java, JavaScript, .NET count them) turned into code points and back."""

from __future__ import annotations

import bisect
import re

ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_REMOVED_CR = re.compile(r"\r(?=\n)")  # the CR of a CRLF pair is removed; a lone CR becomes LF


class LineEnds:
    """A text with LF line ends only, and the map from offsets (code points) into the original.

    Windows tools (NVivo, INCEpTION on Windows, editors) write CRLF and count the CR in their
    offsets; Annotator stores LF only, so each offset moves back by the CRs removed before it.
    An offset between a CR and its LF lands on the LF, the place the pair became."""

    def __init__(self, original: str) -> None:
        self.original = original
        self._removed = [m.start() for m in _REMOVED_CR.finditer(original)]
        self.text = _REMOVED_CR.sub("", original).replace("\r", "\n")

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def to_lf(self, offset: int, *, end: bool = False) -> int:
        """The offset into `text` of an offset into the original text. A span's end between a
        CR and its LF ends after the LF: the span covered that line end."""
        before = bisect.bisect_left(self._removed, offset)
        inside = end and before and self._removed[before - 1] == offset - 1
        return offset - before + (1 if inside else 0)


class Utf16Offsets:
    """Code point ↔ UTF-16 unit offsets of one text (Java and JavaScript count UTF-16)."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self._astral = [m.start() for m in ASTRAL.finditer(text)]  # regex: 10x a Python loop
        self._astral_units = [i + k for k, i in enumerate(self._astral)]
        self.units = self.length + len(self._astral)

    def to_units(self, point: int) -> int:
        return point + bisect.bisect_left(self._astral, point)

    def to_points(self, unit: int) -> int:
        """The code point offset of a UTF-16 offset; ValueError inside a surrogate pair or
        outside the text."""
        if not 0 <= unit <= self.units:
            raise ValueError(f"offset {unit} is outside the text (0 to {self.units} UTF-16 units)")
        before = bisect.bisect_left(self._astral_units, unit)
        if before and self._astral_units[before - 1] == unit - 1:
            raise ValueError(f"offset {unit} falls inside a character outside the BMP")
        return unit - before


def normalise_line_ends(text: str) -> str:
    return LineEnds(text).text
