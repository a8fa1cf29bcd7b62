"""The bytes of a JSON file as a streaming parser (ijson) should read them: every long string
taken out, decoded a piece at a time and put back into the values the parser builds, and lone
surrogate escapes refused with the words and position the whole-file parser (orjson) gives.

ijson's C parser holds a string that spans its reads in a growing buffer, decodes it into
another and copies it into a Python string (a 99 MiB text with escapes peaked at 344 MB), and
its lexer rescans the buffered part at every read (52 s for one 99 MiB text). Here a string
still open at the end of a 1 MiB read is held back; past LONG bytes it is decoded in pieces
(orjson, each cut between two escapes) and ijson is given a short placeholder instead, so the
string costs its decoded size twice at most (the pieces, then their join). ijson also turns a
lone high surrogate into "?" and a lone low one into a UnicodeDecodeError, while orjson refuses
both: the escapes are checked here in the raw bytes, at C speed (a regular expression).
"""

from __future__ import annotations

import re
import secrets
from typing import IO, Any

import orjson

CHUNK = 1 << 20
#: A string held back longer than this is decoded here, not by ijson.
LONG = 1 << 20
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_HIGH = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}")
_LOW = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
#: Every byte but UTF-8 continuation bytes (0x80-0xBF): deleting them counts the latter.
_NOT_CONTINUATION = bytes([*range(0x80), *range(0xC0, 0x100)])
#: Non-empty arrays after the documents that only a pass of their own can check.
TAIL_ARRAYS = re.compile(rb'"(entities|tombstones|history)"\s*:\s*\[\s*[^\s\]]')
_TAIL_KEYS = (b'"entities"', b'"tombstones"', b'"history"')


#: Long strings decoded and not yet handed out (of the value being built, or of parts passed
#: over unbuilt: a pass over the entities meets the documents' texts first) are kept up to
#: this many characters, newest first, when another long string begins.
PENDING = 16 * 1024 * 1024


class NotValidJson(ValueError):
    """The file is not valid JSON: orjson's words, with its line, column and character."""


class Undecided(Exception):
    """A value held a long string dropped to keep memory bounded (PENDING): a first pass
    cannot judge it and leaves the file to the whole parse."""


class LongStrings:
    """A binary file read from its current position (after any byte order mark, where
    positions count from), as a file ijson can read. With `keep`, long strings are decoded and
    `restore` puts them back into what ijson built; without, they are skipped undecoded, for a
    pass whose rows hold none (a pass over the rows after the documents would otherwise decode
    every text): `restore` of a row that does hold one is Undecided. `tails` collects which
    arrays after the documents are not empty (TAIL_ARRAYS: a cheap look, false positives cost
    a pass)."""

    def __init__(self, handle: IO[bytes], keep: bool = True) -> None:
        self.handle, self.keep = handle, keep
        self.start = self.offset = handle.tell()
        self.token = f"annotator-long-string-{secrets.token_hex(8)}-"
        self.values: dict[str, str] = {}
        self.dropped: set[str] = set()
        self.count = 0
        self.tails: set[str] = set()
        self.in_string = self.escaped = False
        self.held: bytearray | None = None  # an open string from its quote, not yet given out
        self.pieces: list[str] | None = None  # a long string decoded so far
        self.raw, self.raw_at = b"", 0  # its bytes not yet decoded, and where they start
        self.tail, self.scanned = b"", 0  # for escapes cut by a read's end
        self.done = False
        self.last_bytes = b""
        self.out, self.given = b"", 0  # read from the file, not yet handed out

    # -- the file ijson reads ------------------------------------------------------------------
    def read(self, size: int = -1) -> bytes:
        """At most `size` bytes (ijson asks for 64 KiB: its parser is faster fed so than 1 MiB
        at once); b"" at the end."""
        if size == 0:  # ijson asks for nothing to learn whether the file gives bytes
            return b""
        if self.given >= len(self.out):
            self.out, self.given = self._next(), 0
        size = len(self.out) if size < 0 else size
        piece = self.out[self.given : self.given + size]
        self.given += len(piece)
        return piece

    def _next(self) -> bytes:
        """What ijson is given of the next reads of the file."""
        while not self.done:
            chunk = self.handle.read(CHUNK)
            at = self.offset
            self.offset += len(chunk)
            self._check_surrogates(chunk, at)
            if not chunk:
                self.done = True
                return self._unfinished()
            seam = self.last_bytes + chunk[:64]  # a key cut by the read's end is whole here
            for looked in (seam, chunk):
                if any(key in looked for key in _TAIL_KEYS):  # memchr speed; a pattern is slow
                    self.tails.update(m[1].decode() for m in TAIL_ARRAYS.finditer(looked))
            self.last_bytes = (seam if len(chunk) <= 64 else chunk)[-64:]
            out = self._split(chunk, at)
            if out:
                return out
        return b""

    def restore(self, value: Any) -> Any:
        """`value` with the placeholders of long strings replaced by the strings (each is
        handed out once); strings left behind by passed-over parts are dropped. Undecided when
        one of its strings was dropped (PENDING) or skipped (without `keep`)."""
        if not self.values and not self.dropped and (self.keep or not self.count):
            return value
        value = self._restore(value)
        self.values.clear()  # what this value did not hold was in parts not built
        return value

    def _restore(self, value: Any) -> Any:
        if isinstance(value, str):
            if not value.startswith(self.token):
                return value
            if value in self.dropped or not self.keep:
                raise Undecided(value)
            return self.values.get(value, value)
        if isinstance(value, dict):
            return {self._restore(k): self._restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._restore(v) for v in value]
        return value

    # -- strings -------------------------------------------------------------------------------
    def _split(self, chunk: bytes, at: int) -> bytes:
        """What of the chunk ijson is given now: strings still open at its end are held."""
        entered = self.in_string
        self.in_string, self.escaped, close, opened = _walk(chunk, entered, self.escaped)
        out, start = [], 0
        if entered:
            self._more(chunk[: close if close >= 0 else len(chunk)])
            if close < 0:
                return b""
            out.append(self._closed())
            start = close + 1
        if self.in_string and opened >= start:
            out.append(chunk[start:opened])
            self.held, self.held_at = bytearray(chunk[opened:]), at + opened
        else:
            out.append(chunk[start:] if start else chunk)
        return out[0] if len(out) == 1 else b"".join(out)

    def _more(self, data: bytes) -> None:
        """The next bytes of the open string."""
        if self.held is not None:
            self.held += data
            if len(self.held) <= LONG:
                return
            self.raw, self.raw_at = bytes(self.held[1:]), self.held_at + 1
            self.held, self.pieces = None, []
            self._make_room()
        else:
            self.raw += data
        if self.keep:
            cut = _safe_cut(self.raw)
            if cut:
                self.pieces.append(self._decoded(self.raw[:cut], self.raw_at))  # type: ignore[union-attr]
                self.raw, self.raw_at = self.raw[cut:], self.raw_at + cut
        else:
            self.raw_at += len(self.raw)
            self.raw = b""

    def _make_room(self) -> None:
        """Drop the oldest strings not yet handed out beyond PENDING characters."""
        kept = 0
        for key in reversed(list(self.values)):
            kept += len(self.values[key])
            if kept > PENDING:
                del self.values[key]
                self.dropped.add(key)

    def _closed(self) -> bytes:
        """The open string, just closed, as ijson should see it."""
        if self.held is not None:
            held, self.held = self.held, None
            return bytes(held) + b'"'
        key = f"{self.token}{self.count}"
        self.count += 1
        if self.keep:
            self.pieces.append(self._decoded(self.raw, self.raw_at))  # type: ignore[union-attr]
            self.values[key] = "".join(self.pieces)  # type: ignore[arg-type]
        self.pieces, self.raw = None, b""
        return b'"' + key.encode() + b'"'

    def _unfinished(self) -> bytes:
        """A string the file ends in: as it is, for ijson to say the file ends early."""
        held, self.held, self.pieces, self.raw = self.held, None, None, b""
        return bytes(held) if held is not None else b""

    def _decoded(self, piece: bytes, at: int) -> str:
        try:
            return orjson.loads(b'"' + piece + b'"')
        except orjson.JSONDecodeError as error:
            before = piece.decode("utf-8", "replace")[: max(error.pos - 1, 0)]
            raise self._error(error.msg, at + len(before.encode())) from None

    # -- surrogates ----------------------------------------------------------------------------
    def _check_surrogates(self, chunk: bytes, at: int) -> None:
        """Refuse a lone surrogate escape as orjson does; an escape the read cuts is looked at
        again with the next read (the last 64 bytes are kept)."""
        window, base = self.tail + chunk, at - len(self.tail)
        keep_from = max(len(window) - 64, 0)
        for match in _SURROGATE.finditer(window):
            s = match.start()
            if base + s < self.scanned or _escaped(window, s):
                continue
            if window[s + 3] in b"cdefCDEF":  # a low half without the high one before it
                raise self._error("invalid high surrogate in string", base + s)
            following = window[s + 6 : s + 12]
            if len(following) < 6 and chunk:  # cut by this read's end: with the next one
                keep_from = min(keep_from, s)
                break
            if _LOW.fullmatch(following):
                self.scanned = base + s + 12  # a pair
                continue
            reason = "invalid low" if following.startswith(b"\\u") else "no low"
            raise self._error(f"{reason} surrogate in string", base + s)
        self.tail = window[keep_from:]

    def _error(self, reason: str, offset: int) -> NotValidJson:
        """orjson's words for a problem at a byte offset: its line, column and character (code
        points from the start, counted by reading the file again up to it)."""
        self.handle.seek(self.start)
        left, lines, chars, line_start = offset - self.start, 1, 0, 0
        while left > 0 and (data := self.handle.read(min(CHUNK, left))):
            left -= len(data)
            end = data.rfind(b"\n")
            if end >= 0:
                lines += data.count(b"\n")
                line_start = chars + _chars(data[: end + 1])
            chars += _chars(data)
        return NotValidJson(
            f"{reason}: line {lines} column {chars - line_start + 1} (char {chars})"
        )


def _chars(data: bytes) -> int:
    """Code points in UTF-8 bytes."""
    return len(data) - len(data.translate(None, _NOT_CONTINUATION))


def _escaped(data: bytes, at: int) -> bool:
    """Whether the backslash at `at` is itself escaped (an odd run of backslashes before it)."""
    run = 0
    while at - run - 1 >= 0 and data[at - run - 1] == 0x5C:
        run += 1
    return run % 2 == 1


def _walk(data: bytes, in_string: bool, escaped: bool) -> tuple[bool, bool, int, int]:
    """(inside a string at the end, a backslash waiting at the end, where the string open at
    the start closes or -1, where the string open at the end opened or -1). Escaped
    backslashes and quotes are blanked first (same length, at C speed), so that every quote
    left is a boundary: a text with an escape every few bytes costs no step of Python each."""
    if escaped:  # the byte after a backslash that ended the last read
        data = b"X" + data[1:]
    clean = data.replace(b"\\\\", b"XX").replace(b'\\"', b"XX")
    quotes = clean.count(b'"')
    ends_in = in_string != (quotes % 2 == 1)
    close = clean.find(b'"') if in_string else -1
    opened = clean.rfind(b'"') if ends_in and quotes else -1
    return ends_in, ends_in and clean.endswith(b"\\"), close, opened


def _safe_cut(raw: bytes) -> int:
    """Where the inside of a string (from an escape boundary) may be cut so that both sides
    decode alone: before the last escapes if they may be cut, never between a surrogate pair
    or inside a character's UTF-8 bytes."""
    cut = len(raw)
    last = raw.rfind(b"\\", max(cut - 12, 0))
    if last >= 0:
        while last > 0 and raw[last - 1] == 0x5C:
            last -= 1
        cut = last
    else:  # before the last character, which may be cut short (UTF-8)
        while cut > 0 and cut > len(raw) - 4 and 0x80 <= raw[cut - 1] < 0xC0:
            cut -= 1
        cut = cut - 1 if cut > 0 and raw[cut - 1] >= 0xC0 else cut
    if cut >= 6 and _HIGH.fullmatch(raw, cut - 6, cut) and not _escaped(raw, cut - 6):
        cut -= 6  # a high half stays with the low half after it
    return cut
