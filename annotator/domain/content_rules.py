"""The rules every document text must meet, wherever it comes in (import, merge, sync, open).

One definition, used by every entrance: the importers, merge, schema import and the open
checklist. Texts are measured in Python code points, never with SQLite's `length()`, which stops
at a NUL character and so disagrees with the offsets the model counts.
"""

from __future__ import annotations

import hashlib
import re

#: The largest document text, in bytes of UTF-8. Below the store's per-value limit (200 MiB in
#: `store.engine.MAX_VALUE_BYTES`) so that a text refused here is never an SQLite "too big" error,
#: and with room for the full-text index's copy of it.
MAX_TEXT_BYTES = 100 * 1024 * 1024

#: Characters a stored text may not hold: C0 controls except tab and line feed (a CR is turned
#: into LF on the way in, so none is left), DEL, and lone surrogates, which are not Unicode scalar
#: values and cannot be written as UTF-8.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def describe_character(char: str) -> str:
    """`U+0000 (NUL)` style name of a forbidden character, for a one-line message."""
    names = {"\x00": "NUL", "\r": "carriage return", "\x0b": "vertical tab", "\x0c": "form feed"}
    code = f"U+{ord(char):04X}"
    if char in names:
        return f"{code} ({names[char]})"
    if "\ud800" <= char <= "\udfff":
        return f"{code} (a lone surrogate)"
    return f"{code} (a control character)"


def text_problem(text: object) -> str | None:
    """What is wrong with a document text, in one line, or None if it may be stored.

    Checks the type, the size limit and the characters; position is a code point index."""
    if not isinstance(text, str):
        return f"text must be a string, not {type(text).__name__}"
    # A code point is at most 4 bytes of UTF-8: only encode when the cheap bound is over.
    if len(text) * 4 > MAX_TEXT_BYTES and utf8_size(text) > MAX_TEXT_BYTES:
        size, limit = describe_size(utf8_size(text)), describe_size(MAX_TEXT_BYTES)
        return f"text is {size}, over the {limit} limit for one document"
    found = FORBIDDEN.search(text)
    if found is not None:
        where = f"text contains {describe_character(found.group())} at position {found.start()}"
        return where + (
            "; Annotator stores LF line ends only (no CR)" if found.group() == "\r" else ""
        )
    return None


def describe_size(size: int) -> str:
    """A size in bytes for a message: "200 MiB", or "1,024 bytes" below a MiB."""
    return f"{size / 1024**2:.0f} MiB" if size >= 1024**2 else f"{size:,} bytes"


def utf8_size(text: str) -> int:
    """Bytes of UTF-8 the text needs (lone surrogates counted as 3, as they would be escaped).

    Counted a slice at a time, so a 200 MB text is not copied whole to be measured."""
    if text.isascii():
        return len(text)
    step = 1 << 20
    return sum(
        len(text[at : at + step].encode("utf-8", "surrogatepass"))
        for at in range(0, len(text), step)
    )


def text_sha256(text: str) -> str:
    """The SHA-256 (hex) of the text's UTF-8 (lone surrogates as "surrogatepass" writes them),
    encoded a slice at a time: a 100 MiB text is not copied whole to be hashed."""
    digest, step = hashlib.sha256(), 1 << 20
    for at in range(0, len(text), step):
        digest.update(text[at : at + step].encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def clean_text(text: str) -> str:
    """Text with CRLF/CR made LF and every other forbidden character removed.

    For document importers that extract text from a rich source (a web page, a PDF), where a
    stray control character is noise rather than content; exchange formats whose offsets point
    into the text must refuse instead (`text_problem`), since removing a character moves them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return FORBIDDEN.sub("", text)
