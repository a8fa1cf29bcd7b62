"""Saved web pages: the article's main text and metadata (trafilatura), offline, no scripts run."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.io.documents.registry import ImportedDocument, ImportRefused, register
from annotator.io.documents.rich import Extracted, FormattedImporter, build_document, paragraphs
from annotator.io.documents.text import decode_bytes

if TYPE_CHECKING:
    import lxml.html

_LOOKS_LIKE_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|p|div|article|title)\b", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
#: Never shown: code, styles, forms and embedded things. (lxml runs nothing; these only hold
#: text a reader should not see.)
_HIDDEN = ("script", "style", "noscript", "template", "head", "iframe", "object", "svg", "form")
_BLOCKS = (
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote",
    "pre", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table",
    "tr", "figure", "figcaption", "hr", "address",
)  # fmt: skip
_PARAGRAPH, _LINE = "\ue000", "\ue001"  # private-use markers: never in real text, not spaces


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode a page: a byte-order mark, then the charset the page declares, then the text
    importer's detection (UTF-8, legacy code pages). Binary data is refused there."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                name = codecs.lookup(declared.group(1).decode("ascii")).name
                if b"\x00" not in data:
                    return data.decode(name), name
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong declaration: detect instead
    return decode_bytes(data)


def _page_language(root: lxml.html.HtmlElement) -> str:
    for value in (
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *root.xpath(
            "//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')='content-language']"
            "/@content"
        ),
        *root.xpath("//meta[@property='og:locale']/@content"),
    ):
        if value and value.strip():
            return value.strip()
    return ""


def plain_text(root: lxml.html.HtmlElement) -> str:
    """All visible text of a tree, one paragraph per block element (for e-mails, e-book chapters
    and pages too short for article extraction). Modifies root."""
    for element in list(root.iter(*_HIDDEN)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.text = _PARAGRAPH + (element.text or "")
        element.tail = _PARAGRAPH + (element.tail or "")
    for element in root.iter("br", "td", "th"):
        mark = _LINE if element.tag == "br" else " "
        element.tail = mark + (element.tail or "")
    text = re.sub(r"\s+", " ", root.text_content())  # HTML's own whitespace rule
    blocks = [
        "\n".join(line.strip() for line in block.split(_LINE) if line.strip())
        for block in text.split(_PARAGRAPH)
    ]
    return paragraphs(blocks)


def parse_html(html: str) -> lxml.html.HtmlElement:
    """The page's tree, or ImportRefused when it is not HTML at all."""
    if not _LOOKS_LIKE_HTML.search(html[:65_536]):
        raise ImportRefused(None, "not an HTML page (no HTML tags found)")
    import lxml.html  # an optional extra (annotator[documents]): loaded on first use

    try:
        return lxml.html.document_fromstring(html.lstrip("\ufeff"))
    except (ValueError, lxml.etree.ParserError) as error:
        raise ImportRefused(None, f"broken HTML ({error})") from None


def extract_html(html: str, encoding: str = "utf-8") -> Extracted:
    """The main text of a page and its metadata, without navigation, ads and footers.

    trafilatura works on the string it is given and fetches nothing (no URL is passed, so it
    cannot); lxml builds a tree and runs no script. A page too short to look like an article
    (a note, an e-mail) falls back to all its visible text.
    """
    import trafilatura  # loaded on first use: slow to import (file dialogs load the registry)

    root = parse_html(html)
    metadata = {"language": _page_language(root)}
    found = trafilatura.bare_extraction(
        root,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
    )
    text = paragraphs((found.text or "").split("\n")) if found is not None else ""
    if not text.strip():
        text = plain_text(parse_html(html))
    if not text.strip():
        raise ImportRefused(None, "no readable text in the page")
    title = ""
    if found is not None:
        title = found.title or ""
        metadata |= {
            "author": found.author or "",
            "outlet": found.sitename or "",
            "url": found.url or "",
            "published": found.date or "",
        }
    return Extracted(text=text, title=title, metadata=metadata, encoding=encoding)


def import_html_string(html: str, source_name: str) -> ImportedDocument:
    """A document from HTML held in memory (the clipboard); refusals say what was wrong."""
    return build_document(extract_html(html), source_name)


class HtmlImporter(FormattedImporter):
    """Saved web pages (.html, .htm, .xhtml)."""

    name = "Web page"
    kind = "HTML"
    extensions: tuple[str, ...] = (".html", ".htm", ".xhtml")

    def extract(self, data: bytes, path: Path) -> Extracted:
        html, encoding = decode_html(data)
        return extract_html(html, encoding)


register(HtmlImporter())
