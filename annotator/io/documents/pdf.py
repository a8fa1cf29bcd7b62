"""PDF files (pypdf): the text layer page by page; image-only and encrypted PDFs are refused."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from annotator.domain import content_rules
from annotator.domain.content_rules import describe_size, utf8_size
from annotator.io.documents.registry import ImportRefused, register
from annotator.io.documents.rich import Extracted, FormattedImporter

#: Titles that PDF printers write instead of the real one.
_GENERATED_TITLE_PREFIXES = ("microsoft word - ", "untitled", "document")


def _title(value: object) -> str:
    title = str(value or "").strip()
    return "" if title.lower().startswith(_GENERATED_TITLE_PREFIXES) else title


class PdfImporter(FormattedImporter):
    """PDFs with a text layer. Pages are separated by an empty line; a PDF without any text
    (a scan) is refused rather than imported empty, since it needs OCR first."""

    name = "PDF"
    kind = "PDF"
    extensions: tuple[str, ...] = (".pdf",)

    def extract(self, data: bytes, path: Path) -> Extracted:
        from pypdf import errors, filters

        try:
            return self._extract(data)
        except getattr(errors, "LimitReachedError", ()):  # a stream that inflates without end
            limit = getattr(filters, "ZLIB_MAX_OUTPUT_LENGTH", 0) // 10**6
            raise ImportRefused(
                None, f"a stream inflates to more than {limit} MB (the limit for one PDF stream)"
            ) from None

    def _extract(self, data: bytes) -> Extracted:
        if b"%PDF-" not in data[:1024]:
            raise ImportRefused(None, "not a PDF file (no %PDF header)")
        # loaded on first use: slow to import (file dialogs load the registry)
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, FileNotDecryptedError

        logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged-file chatter on stderr
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # owner-password-only PDFs open without one
            except (DependencyError, NotImplementedError):
                opened = 0
            if not opened:
                raise ImportRefused(
                    None, "encrypted PDF (needs a password); save a copy without protection"
                )
        try:
            pages = _page_texts(reader)
        except FileNotDecryptedError:
            raise ImportRefused(None, "encrypted PDF (needs a password)") from None
        text = "\n\n".join(p.strip() for p in pages if p.strip())
        if not text.strip():
            raise ImportRefused(
                None,
                f"no text layer in {len(pages)} page(s): a scanned or image-only PDF "
                "(run OCR on it first)",
            )
        info = reader.metadata or {}
        language = str(reader.root_object.get("/Lang", "") or "")
        # /CreationDate is when the PDF was made, not when the text was published: not used.
        return Extracted(
            text=text,
            title=_title(info.get("/Title")),
            metadata={"author": str(info.get("/Author") or ""), "language": language},
        )


def _page_texts(reader: Any) -> list[str]:
    """Each page's text, stopping (refused) as soon as the text passes the size limit of one
    document: a small PDF may inflate to far more text than any article."""
    pages, size = [], 0
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text() or ""
        size += utf8_size(text)
        if size > content_rules.MAX_TEXT_BYTES:
            raise ImportRefused(
                None,
                f"text passes the {describe_size(content_rules.MAX_TEXT_BYTES)} limit for one "
                f"document at page {number}",
            )
        pages.append(text)
    return pages


register(PdfImporter())
