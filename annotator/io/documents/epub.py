"""EPUB e-books (ebooklib): the chapters' text in reading order, Dublin Core metadata."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.io.bounded_zip import BoundedZip
from annotator.io.documents.html import plain_text
from annotator.io.documents.registry import ImportRefused, register
from annotator.io.documents.rich import Extracted, FormattedImporter, paragraphs

if TYPE_CHECKING:
    from ebooklib import epub

_DC = {"creator": "author", "publisher": "outlet", "date": "published", "language": "language"}


def _dublin_core(book: epub.EpubBook, name: str) -> str:
    values = book.get_metadata("DC", name)
    return str(values[0][0]).strip() if values and values[0][0] else ""


class EpubImporter(FormattedImporter):
    """EPUB 2 and 3. The text is each spine document's visible text, in reading order (the
    navigation document is left out); an EPUB with DRM has no readable text and is refused."""

    name = "EPUB e-book"
    kind = "EPUB"
    extensions: tuple[str, ...] = (".epub",)

    def extract(self, data: bytes, path: Path) -> Extracted:
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ImportRefused(None, "not an EPUB file (not a zip archive)")
        with BoundedZip(data, path.name) as archive:
            if "META-INF/encryption.xml" in archive.names():
                raise ImportRefused(None, "encrypted (DRM-protected) EPUB")
            archive.check_all()  # every member unpacked and counted: ebooklib reads them all
        import ebooklib  # an optional extra (annotator[documents]): loaded on first use
        import lxml.html
        from ebooklib import epub

        with warnings.catch_warnings():  # ebooklib warns about its own future defaults
            warnings.simplefilter("ignore")
            book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
        chapters = []
        for item_id, _linear in book.spine:
            item = book.get_item_with_id(item_id)
            if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT:
                continue
            if isinstance(item, epub.EpubNav):
                continue
            content = item.get_content()
            if content.strip():
                chapters.append(plain_text(lxml.html.document_fromstring(content)))
        return Extracted(
            text=paragraphs(chapters),
            title=_dublin_core(book, "title"),
            metadata={key: _dublin_core(book, dc) for dc, key in _DC.items()},
        )


register(EpubImporter())
