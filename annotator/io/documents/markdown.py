"""Markdown files (markdown-it-py) as plain text: markup removed, front-matter metadata read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.io.documents.html import plain_text
from annotator.io.documents.registry import register
from annotator.io.documents.rich import Extracted, FormattedImporter, paragraphs
from annotator.io.documents.text import decode_bytes

if TYPE_CHECKING:
    from markdown_it.token import Token

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$", re.M)
#: Front-matter keys (Jekyll, Hugo, Pandoc) and the metadata they fill.
_KEYS = {
    "title": "title",
    "author": "author",
    "authors": "author",
    "date": "published",
    "published": "published",
    "url": "url",
    "link": "url",
    "source": "outlet",
    "outlet": "outlet",
    "publisher": "outlet",
    "site": "outlet",
    "lang": "language",
    "language": "language",
}


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Simple `key: value` fields of a leading YAML block, and the text after it."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    fields: dict[str, str] = {}
    for field in _FIELD.finditer(match.group("body")):
        key = _KEYS.get(field.group("key").lower())
        value = field.group("value").strip().strip("'\"").strip("[]").strip("'\"")
        if key and value and key not in fields:
            fields[key] = value
    return fields, text[match.end() :]


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)  # the alt text
    return "".join(parts)


def markdown_text(source: str) -> str:
    """The words of a Markdown text: one block per paragraph, heading, list item or code block,
    emphasis, links and images reduced to their text, raw HTML blocks to their visible text."""
    blocks: list[str] = []
    current: list[str] = []
    from markdown_it import MarkdownIt  # loaded on first use

    for token in MarkdownIt("commonmark").enable("table").parse(source):
        if token.type == "inline":
            current.append(_inline_text(token))
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
        elif token.type == "html_block":
            import lxml.html  # raw HTML blocks only; an optional extra (annotator[documents])

            try:
                blocks.append(plain_text(lxml.html.document_fromstring(token.content)))
            except Exception:
                continue
        elif token.type in ("paragraph_close", "heading_close", "tr_close"):
            blocks.append(("\t" if token.type == "tr_close" else "").join(current))
            current = []
    return paragraphs(blocks)


class MarkdownImporter(FormattedImporter):
    """Markdown (.md, .markdown): CommonMark plus tables."""

    name = "Markdown"
    kind = "Markdown"
    extensions: tuple[str, ...] = (".md", ".markdown")

    def extract(self, data: bytes, path: Path) -> Extracted:
        source, encoding = decode_bytes(data)
        fields, body = front_matter(source.lstrip("\ufeff").replace("\r\n", "\n"))
        title = fields.pop("title", "")
        return Extracted(text=markdown_text(body), title=title, metadata=fields, encoding=encoding)


register(MarkdownImporter())
