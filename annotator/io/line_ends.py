"""CRLF and CR line ends turned into LF, with every offset into the original text remapped."""

from __future__ import annotations

import bisect
import re

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


def normalise_line_ends(text: str) -> str:
    return LineEnds(text).text
