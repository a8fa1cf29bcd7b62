"""Why a file that failed to parse as JSON is no JSON text at all (empty, binary, UTF-16, not
UTF-8), so the user reads that instead of the parser's "str is not valid UTF-8: surrogates not
allowed: line 1 column 1" about a picture. Only asked after a parse failed: valid files pay
nothing."""

from __future__ import annotations

import codecs

#: JSON is UTF-8 (RFC 8259); these marks say the file is UTF-16 or UTF-32 text instead.
#: UTF-32 first: its little-endian mark begins with UTF-16's.
_WIDE_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
#: C0 controls other than tab, LF and CR, and DEL: text hardly holds them, binary data does.
_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
#: Files chosen by mistake that are worth naming, with what to do with them instead.
_KNOWN_KINDS = (
    (
        b"SQLite format 3\x00",
        "it is an Annotator project or another SQLite database: merge a project with "
        "File ▸ Merge… or annotator merge",
    ),
    (b"PK\x03\x04", "it is a zip archive: import it as brat, UIMA XMI or REFI-QDA"),
)
_SAMPLE = 65_536  # the controls are counted in the file's start
_CHUNK = 1 << 20  # UTF-8 is checked a chunk at a time (a broken file may be 2 GB)


def not_json_text(data: bytes) -> str | None:
    """A short reason ("it is binary, not text") when `data` cannot be JSON text whatever its
    syntax; None when it is UTF-8 text (the parser's own message then says more)."""
    if not data.strip():
        return "it is empty"
    for magic, reason in _KNOWN_KINDS:
        if data.startswith(magic):
            return reason
    for mark, name in _WIDE_MARKS:
        if data.startswith(mark):
            return f"it is {name} text; save it as UTF-8"
    sample = data[:_SAMPLE]
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if b"\x00" in data or (controls >= 4 and controls > 0.02 * len(sample)):
        return "it is binary, not text"  # the same 2% threshold as the plain-text import
    at = _invalid_utf8_at(data)
    if at is not None:
        return f"it is not UTF-8 text: byte {at} is 0x{data[at]:02X}"
    return None


def _invalid_utf8_at(data: bytes) -> int | None:
    """The offset of the first byte that is not UTF-8 (None: all of it is)."""
    at = 0
    while at < len(data):
        chunk = data[at : at + _CHUNK]
        try:
            _, used = codecs.utf_8_decode(chunk, "strict", at + len(chunk) >= len(data))
        except UnicodeDecodeError as error:
            return at + error.start
        at += used  # a sequence cut at the chunk's end is decoded with the next chunk
    return None
