"""Small documents of every importable format, built by the tests themselves."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

#: An emoji (2 UTF-16 units, 1 code point) before the word the offset tests look for.
EMOJI_LINE = "Markets 😀 rallied after the summit."
WORD = "rallied"
BODY = (
    "For now the Russian Federation and the PRC are not members of a common military alliance, "
    "but there has been stronger military collaboration between the two countries."
)


def make_docx(path: Path, *, title: str = "", author: str = "", table: bool = False) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    document.add_heading("Russia and China deepen ties", level=1)
    document.add_paragraph(EMOJI_LINE)
    paragraph = document.add_paragraph("The ")
    paragraph.add_run("bold").bold = True
    paragraph.add_run(" words are plain text now.")
    if table:
        cells = document.add_table(rows=2, cols=2)
        for row, values in enumerate((("Country", "Troops"), ("Russia", "300,000"))):
            for column, value in enumerate(values):
                cells.cell(row, column).text = value
    document.add_paragraph(BODY)
    document.save(str(path))
    return path


def make_pdf(path: Path, lines: list[str], *, title: str = "", author: str = "") -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title) if title else None
    pdf.set_author(author) if author else None
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def image_only_pdf(path: Path) -> Path:
    """A one-page PDF whose page draws a filled rectangle: no text operators at all."""
    content = b"0 0 1 rg 100 100 400 600 re f"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    return write_pdf(path, objects)


def write_pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF file of these objects (numbered from 1, the catalog first), with its cross
    reference table and trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def encrypt_pdf(source: Path, target: Path, user_password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(source)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def make_epub(path: Path) -> Path:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("urn:uuid:0b6c2f1e-5a7e-4f59-9a55-1f1f1f1f1f1f")
    book.set_title("A Short Book")
    book.set_language("en")
    book.add_author("Ada Lovelace")
    book.add_metadata("DC", "publisher", "Test Press")
    book.add_metadata("DC", "date", "2019-08-03")
    chapters = []
    for number, body in enumerate(
        (f"<h1>Chapter one</h1><p>{EMOJI_LINE}</p>", f"<h1>Chapter two</h1><p>{BODY}</p>"), 1
    ):
        chapter = epub.EpubHtml(title=f"Chapter {number}", file_name=f"ch{number}.xhtml")
        chapter.content = f"<html><body>{body}<script>alert(1)</script></body></html>"
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    epub.write_epub(str(path), book)
    return path


def make_eml(path: Path, *, html: str | None = None, plain: str | None = EMOJI_LINE) -> Path:
    message = EmailMessage()
    message["From"] = email.utils.formataddr(("Bea Analyst", "bea@example.org"))
    message["To"] = "team@example.org"
    message["Subject"] = "Summit notes"
    message["Date"] = email.utils.format_datetime(datetime(2019, 8, 3, 22, 30, tzinfo=UTC))
    if plain is not None:
        message.set_content(plain + "\n\n" + BODY + "\n")
    if html is not None:
        if plain is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    path.write_bytes(bytes(message))
    return path
