"""RTF files (striprtf): the text in the file's code page, title/author/date from the info group."""

from __future__ import annotations

import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from annotator.io.documents.registry import ImportRefused, register
from annotator.io.documents.rich import Extracted, FormattedImporter, join_surrogates

_CODEPAGE = re.compile(r"\\ansicpg(\d+)")
_INFO_FIELD = r"\{\\%s\s+(?P<value>(?:[^{}\\]|\\[^a-z]|\\[a-z]+-?\d* ?)*)\}"


def _codepage(source: str) -> str:
    """The Python codec of the file's \\ansicpg (cp1252 when absent or unknown)."""
    match = _CODEPAGE.search(source[:4096])
    name = f"cp{match.group(1)}" if match else "cp1252"
    try:
        "".encode(name)
    except LookupError:
        return "cp1252"
    return name


def _info(source: str, field: str, codepage: str) -> str:
    """A field of the {\\info ...} group (title, author), its escapes decoded."""
    match = re.search(_INFO_FIELD % field, source[:65_536])
    if match is None:
        return ""
    return join_surrogates(rtf_to_text("{\\rtf1 " + match.group("value") + "}", codepage)).strip()


class RtfImporter(FormattedImporter):
    """Rich Text Format (.rtf)."""

    name = "RTF"
    kind = "RTF"
    extensions: tuple[str, ...] = (".rtf",)

    def extract(self, data: bytes, path: Path) -> Extracted:
        if not data.lstrip().startswith(b"{\\rtf"):
            raise ImportRefused(None, "not an RTF file (it does not start with {\\rtf)")
        # RTF is 7-bit: other characters are \'xx escapes in the code page or \uN escapes, so
        # Latin-1 reads the bytes losslessly and striprtf decodes the escapes.
        source = data.decode("latin-1")
        codepage = _codepage(source)
        text = join_surrogates(rtf_to_text(source, encoding=codepage, errors="replace"))
        # {\creatim} is when the file was made, not when the text was published: not used.
        return Extracted(
            text=text,
            title=_info(source, "title", codepage),
            metadata={"author": _info(source, "author", codepage)},
            encoding=codepage,
        )


register(RtfImporter())
