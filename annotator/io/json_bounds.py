"""Bounds a JSON file must keep before it is parsed whole: no string longer than a document's
text limit and no long stretch of JSON without a string, measured while streaming the bytes.

A whole-file parser builds every value before anything can be checked: a 200 MiB text in a
project export peaked at 668 MB only to be refused afterwards. This scanner reads 1 MiB at a
time and keeps nothing but counters, so an out-of-bounds file is refused at a few MB. It does
not parse: it finds string boundaries (quotes not escaped by a backslash) and measures what lies
between them; the parser that runs afterwards still judges the syntax.

A streaming parser (ijson) was not used: it hands over every string whole, so the 200 MiB
string would be built in memory before its size could be known.
"""

from __future__ import annotations

from pathlib import Path

from annotator.domain import content_rules
from annotator.io.byte_sniff import not_json_text

CHUNK = 1 << 20
#: The longest stretch of JSON outside strings (numbers, brackets, punctuation, white space).
#: A real file has a few dozen bytes between two strings; 1 MiB of `{},{},…` parses to about
#: 350,000 objects (~20 MB), so this bounds what the parser may build from a stretch.
MAX_GAP_BYTES = 1 << 20


class JsonBoundsError(ValueError):
    """The file is out of bounds; the message is one line without the file's name."""


def check_json_bounds(path: Path) -> None:
    """Refuse (JsonBoundsError) a JSON file holding a string over the document text limit, in
    bytes of UTF-8 once escapes are decoded, or more than MAX_GAP_BYTES without a string.
    OSError passes through for the caller's own "cannot be read" line."""
    scanner = _Scanner(content_rules.MAX_TEXT_BYTES, MAX_GAP_BYTES)
    with Path(path).open("rb") as handle:
        first = b""
        while chunk := handle.read(CHUNK):
            first = first or chunk
            problem = scanner.feed(chunk)
            if problem is not None:
                reason = not_json_text(first)  # a picture or a zip: say so, not its "strings"
                if reason is not None:
                    raise JsonBoundsError(f"not a JSON file ({reason})")
                raise JsonBoundsError(f"{_line_at(handle, scanner.run_start)}: {problem}")


def _line_at(handle, offset: int) -> str:
    """`line N` of a byte offset, counted by reading the file again up to it."""
    handle.seek(0)
    lines, left = 1, offset
    while left > 0 and (chunk := handle.read(min(CHUNK, left))):
        lines += chunk.count(b"\n")
        left -= len(chunk)
    return f"line {lines:,}"


class _Scanner:
    """Where strings start and end in a stream of JSON bytes, and how long each is."""

    def __init__(self, string_limit: int, gap_limit: int) -> None:
        self.string_limit, self.gap_limit = string_limit, gap_limit
        self.in_string = False
        self.run_start = 0  # where the current string's content (or gap) began
        self.saving = 0  # bytes the current string's escapes lose when decoded
        self.base = 0  # offset of the next byte fed
        self.carry = b""  # an escape cut by the chunk's end, scanned with the next chunk

    def feed(self, data: bytes) -> str | None:
        """Scan the next bytes; a one-line problem once a bound is passed, else None."""
        chunk, base = self.carry + data, self.base  # a carried escape starts at self.base
        self.carry = b""
        self.base += len(chunk)
        at = 0
        # Between two backslashes every quote is a string boundary: each stretch is measured
        # at C speed (find, count), and only escapes cost a step of Python.
        while (escape := chunk.find(b"\\", at)) >= 0:
            problem = self._stretch(chunk, base, at, escape)
            if problem:
                return problem
            if not self.in_string:  # a backslash outside a string: the parser names it
                at = escape + 1
                continue
            size = _escape_size(chunk, escape)
            if size is None:  # cut by the chunk's end: scanned again with the next chunk
                self.carry = chunk[escape:]
                self.base -= len(self.carry)
                return self._check(self.base)
            self.saving += size
            at = escape + (6 if chunk[escape + 1] == 0x75 else 2)
        return self._stretch(chunk, base, at, len(chunk)) or self._check(self.base)

    def _stretch(self, chunk: bytes, base: int, start: int, end: int) -> str | None:
        """Scan chunk[start:end], which holds no backslash."""
        first = chunk.find(b'"', start, end)
        if first < 0:
            return None
        if min(self.string_limit, self.gap_limit) < end - start:
            return self._each_quote(chunk, base, first, end)  # a run inside may pass a limit
        problem = self._check(base + first)
        if problem:
            return problem
        quotes = chunk.count(b'"', start, end)
        self.in_string = self.in_string != (quotes % 2 == 1)
        self.run_start, self.saving = base + chunk.rfind(b'"', start, end) + 1, 0
        return None

    def _each_quote(self, chunk: bytes, base: int, at: int, end: int) -> str | None:
        """Close a run at every quote from `at` on (limits shorter than the stretch)."""
        while at >= 0:
            problem = self._check(base + at)
            if problem:
                return problem
            self.in_string = not self.in_string
            self.run_start, self.saving = base + at + 1, 0
            at = chunk.find(b'"', at + 1, end)
        return None

    def _check(self, end: int) -> str | None:
        """The problem with the current run if it reached `end` (exclusive) and is too long."""
        if self.in_string:
            if end - self.run_start - self.saving > self.string_limit:
                limit = content_rules.describe_size(self.string_limit)
                return f"a string over {limit} (the text limit for one document)"
        elif end - self.run_start > self.gap_limit:
            limit = content_rules.describe_size(self.gap_limit)
            return f"more than {limit} of JSON without a string (not an export of any tool)"
        return None


def _escape_size(chunk: bytes, at: int) -> int | None:
    """How many bytes the escape at `at` loses when decoded to UTF-8, None when the chunk ends
    inside it. `\\n` is 2 bytes for 1; `\\u00e9` 6 for 2; half a surrogate pair 6 for 2."""
    if at + 1 >= len(chunk):
        return None
    if chunk[at + 1] != 0x75:  # not \u: one character for two bytes
        return 1
    digits = chunk[at + 2 : at + 6]
    if len(digits) < 4:
        return None
    try:
        point = int(digits, 16)
    except ValueError:
        return 0  # not an escape: the parser names it
    if point < 0x80:
        return 5
    if point < 0x800 or 0xD800 <= point <= 0xDFFF:
        return 4
    return 3


def parse_error_line(error: Exception) -> str:
    """The first line of a streaming parser's (ijson's) error, as text: it may carry bytes
    and a picture of where it broke on the lines after."""
    text = error.args[0] if error.args else ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = str(text).strip().splitlines()
    return lines[0] if lines else "it ends early"
