"""Token labels as byte strings, one unit of bytes per token, counted and cut into runs by C loops.

A document's token labels are built without a Python step per token. Each annotator's spans
of one tag mark their tokens in a `bytearray` (one slice assignment per fragment: a byte of 1
per token touched). Marks are combined as big integers (`int.from_bytes`): shifted by less
than 8 bits and or-ed, bytes of 0 or 1 become one byte of bits per token (a shift stays inside
its byte, so there is no carry); xor-ed, they show where two annotators differ. The units of
the combined stream are counted by `bytes.count` or a `Counter` over a `memoryview` cast to
integers, and the runs of identical units are cut by regular expressions, only inside the
stretches where the annotators differ. What comes out is the same pattern counts, in the same
order of first occurrence, and the same runs as a sweep over span boundaries would give
(`units.count_tokens`; a reference test checks both against a per-token count).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

#: memoryview formats of unsigned integers of 1, 2, 4 and 8 bytes.
_FORMATS = {1: "B", 2: "H", 4: "I", 8: "Q"}
_DIFFERING = re.compile(rb"[^\x00]+")
#: Below this many possible units, count each with bytes.count (memchr speed) rather than
#: a Counter over every token.
FEW_UNITS = 16


def as_int(row: bytes | bytearray | None) -> int:
    """A row of bytes as a big integer (the first byte lowest); None is no mark."""
    return 0 if row is None else int.from_bytes(row, "little")


def as_bytes(value: int, tokens: int) -> bytes:
    return value.to_bytes(tokens, "little")


def bit_bytes(rows: Sequence[int]) -> int:
    """Rows of 0/1 bytes (at most 8, as `as_int`) joined: bit r of each byte from rows[r]."""
    joined = 0
    for bit, row in enumerate(rows):
        if row:
            joined |= row << bit
    return joined


def differing(groups: Sequence[Sequence[int]], tokens: int) -> bytes:
    """A byte a token, not zero where the voices differ: groups[v] are voice v's rows (as
    `as_int`), compared row by row with the first voice's."""
    if len(groups) < 2:
        return bytes(tokens)
    first = groups[0]
    found = 0
    for other in groups[1:]:
        for mine, theirs in zip(first, other, strict=True):
            found |= mine ^ theirs
    return as_bytes(found, tokens)


def unit_size(width: int) -> int:
    """The unit of a stream of `width` meaningful bytes a token: the next power of two (so
    its units can be read as integers), or `width` itself above 8 bytes."""
    size = 1
    while size < width:
        size *= 2
    return size if size <= 8 else width


def interleave(rows: Sequence[bytes], tokens: int, width: int) -> bytes:
    """One stream of `tokens` units of `width` bytes: rows[r]'s bytes at offset r of each."""
    if len(rows) == 1 and width == 1:
        return bytes(rows[0])
    stream = bytearray(tokens * width)
    for offset, row in enumerate(rows):
        stream[offset::width] = row
    return bytes(stream)


def count_units(stream: bytes, width: int, possible: int = 0) -> list[tuple[bytes, int]]:
    """(unit, tokens showing it) for every unit of the stream, in order of first occurrence.
    `possible`: for a stream of one-byte units, the number of values a unit can take (0:
    unknown); when it is small each is counted by `bytes.count`."""
    if width == 1 and 0 < possible <= FEW_UNITS:
        found = []
        for value in range(possible):
            unit = bytes((value,))
            count = stream.count(unit)
            if count:
                found.append((stream.find(unit), unit, count))
        found.sort()
        return [(unit, count) for _, unit, count in found]
    form = _FORMATS.get(width)
    if form is None:  # wider than 8 bytes: units cut one by one
        return list(Counter(stream[i : i + width] for i in range(0, len(stream), width)).items())
    order = sys.byteorder
    counted = Counter(memoryview(stream).cast(form))
    return [(unit.to_bytes(width, order), count) for unit, count in counted.items()]


@lru_cache(maxsize=16)
def _same_units(width: int) -> re.Pattern[bytes]:
    return re.compile(rb"(.{%d})\1*" % width, re.DOTALL)


def runs_where(stream: bytes, width: int, differs: bytes) -> list[tuple[int, int, bytes]]:
    """(first token, token after the last, unit) of each maximal run of identical units among
    the tokens where `differs` is not zero."""
    found = []
    same = None
    for stretch in _DIFFERING.finditer(differs):
        lo, hi = stretch.span()
        unit = stream[lo * width : (lo + 1) * width]
        if hi - lo == 1 or stream[lo * width : hi * width] == unit * (hi - lo):
            found.append((lo, hi, unit))
            continue
        same = same or _same_units(width)
        for run in same.finditer(stream, lo * width, hi * width):
            found.append((run.start() // width, run.end() // width, run.group(1)))
    return found
