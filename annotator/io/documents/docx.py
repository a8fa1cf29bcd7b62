"""Word documents (.docx, python-docx): paragraphs and tables in order, title/author/language."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.io.bounded_zip import checked_zip_bytes
from annotator.io.documents.registry import ImportRefused, register
from annotator.io.documents.rich import Extracted, FormattedImporter, paragraphs

if TYPE_CHECKING:
    from docx.table import Table

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc files, and encrypted .docx files


def _table_text(table: Table) -> str:
    """One line per row, cells separated by tabs (merged cells are repeated by Word: once)."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if not cells or text != cells[-1]:
                cells.append(text)
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)


class DocxImporter(FormattedImporter):
    """Word 2007+ documents. The text is the body's paragraphs and tables; headers, footers,
    comments and tracked deletions are left out (they are not the article)."""

    name = "Word document"
    kind = "DOCX"
    extensions: tuple[str, ...] = (".docx",)

    def extract(self, data: bytes, path: Path) -> Extracted:
        if data.startswith(_OLE):
            raise ImportRefused(
                None,
                "password-protected or old-style Word file; save it as .docx without a password",
            )
        if not data.startswith(_ZIP):
            raise ImportRefused(None, "not a DOCX file (not a zip archive)")
        import docx  # loaded on first use: slow to import (file dialogs load the registry)
        from docx.table import Table

        # Every member unpacked and counted first: python-docx reads them all, trusting sizes.
        document = docx.Document(io.BytesIO(checked_zip_bytes(data, path.name)))
        blocks = [
            _table_text(item) if isinstance(item, Table) else item.text
            for item in document.iter_inner_content()
        ]
        properties = document.core_properties
        # core_properties.created is when the file was made, not when the text was published,
        # so it is not used as the publication date.
        return Extracted(
            text=paragraphs(blocks),
            title=properties.title or "",
            metadata={"author": properties.author or "", "language": properties.language or ""},
        )


register(DocxImporter())
