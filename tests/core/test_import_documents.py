"""DOCX, PDF, Markdown, RTF, EPUB and e-mail importers: text, offsets, metadata, refusals."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from import_builders import (
    BODY,
    EMOJI_LINE,
    WORD,
    encrypt_pdf,
    image_only_pdf,
    make_docx,
    make_eml,
    make_epub,
    make_pdf,
)

from annotator.io.documents.registry import (
    ImportedDocument,
    ImportRefused,
    importer_for,
    read_one,
    supported_extensions,
)


def _check_stored_form(document: ImportedDocument) -> None:
    """The text contract: LF only, no BOM, no trailing blanks, hash of exactly this text."""
    text = document.text
    assert "\r" not in text and not text.startswith("\ufeff")
    assert text == text.strip() and " \n" not in text
    assert document.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()


def _word_offset(document: ImportedDocument) -> None:
    """An emoji before the word: its offset is the str index (one code point for the emoji)."""
    line_start = document.text.index("Markets ")
    start = document.text.index(WORD)
    assert start == line_start + len("Markets 😀 ")  # 10 code points, 11 UTF-16 units
    assert document.text[start : start + len(WORD)] == WORD


def refused(path: Path) -> str:
    with pytest.raises(ImportRefused) as caught:
        read_one(path)
    message = str(caught.value)
    assert message.startswith(f"{path.name}: ") and "\n" not in message
    return message


def test_every_new_type_is_registered() -> None:
    extensions = supported_extensions()
    for suffix in (".html", ".htm", ".docx", ".pdf", ".md", ".markdown", ".rtf", ".epub", ".eml"):
        assert suffix in extensions
        assert importer_for(f"file{suffix.upper()}").extensions.count(suffix) == 1


# -- DOCX ------------------------------------------------------------------------------------


def test_docx_paragraphs_tables_and_properties(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "brief.docx", title="Summit brief", author="Ann Analyst", table=True
    )
    document = read_one(path)
    _check_stored_form(document)
    _word_offset(document)
    assert document.title == "Summit brief"
    assert document.metadata == {"author": "Ann Analyst", "language": "en"}
    assert document.text.split("\n\n") == [
        "Russia and China deepen ties",
        EMOJI_LINE,
        "The bold words are plain text now.",
        "Country\tTroops\nRussia\t300,000",
        BODY,
    ]


def test_docx_without_title_uses_its_first_line(tmp_path: Path) -> None:
    document = read_one(make_docx(tmp_path / "untitled.docx"))
    assert document.title == "Russia and China deepen ties"
    assert "author" not in document.metadata


def test_bad_docx_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "text.docx"
    text.write_text("plain words with a docx name")
    assert "not a DOCX file (not a zip archive)" in refused(text)
    ole = tmp_path / "locked.docx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert "password-protected or old-style Word file" in refused(ole)
    other_zip = tmp_path / "other.docx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("hello.txt", "not a Word document")
    assert "not a readable DOCX file" in refused(other_zip)
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    assert refused(empty) == "empty.docx: empty file"


# -- PDF -------------------------------------------------------------------------------------


def test_pdf_text_layer_and_metadata(tmp_path: Path) -> None:
    lines = ["Russia and China deepen ties", "By Dmitry Bokarev", "Published on NEO, Aug 3, 2019"]
    path = make_pdf(tmp_path / "article.pdf", [*lines, "The drills were the biggest since 1981."])
    document = read_one(path)
    _check_stored_form(document)
    assert document.text.splitlines()[:3] == lines
    assert document.title == "Russia and China deepen ties"
    # no metadata in the file: the header lines give author and date, as for plain text
    assert document.metadata["author"] == "Dmitry Bokarev"
    assert document.metadata["published"] == "2019-08-03"


def test_pdf_document_information_wins(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "info.pdf", ["Some words"], title="The real title", author="Pat")
    document = read_one(path)
    assert (document.title, document.metadata["author"]) == ("The real title", "Pat")


def test_image_only_and_encrypted_pdfs_are_refused_clearly(tmp_path: Path) -> None:
    assert "no text layer" in refused(image_only_pdf(tmp_path / "scan.pdf"))
    assert "image-only" in refused(image_only_pdf(tmp_path / "scan.pdf"))
    plain = make_pdf(tmp_path / "plain.pdf", ["Secret words"])
    locked = encrypt_pdf(plain, tmp_path / "locked.pdf", user_password="secret")
    assert "encrypted PDF (needs a password)" in refused(locked)
    # protected against editing only (no password to open): readable
    opened = read_one(encrypt_pdf(plain, tmp_path / "owner-only.pdf", user_password=""))
    assert opened.text == "Secret words"


def test_damaged_and_fake_pdfs_are_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_text("This is text, not a PDF.")
    assert "not a PDF file (no %PDF header)" in refused(fake)
    good = make_pdf(tmp_path / "good.pdf", ["Some words"]).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good[:200])
    assert refused(cut).startswith("cut.pdf: ")


# -- Markdown --------------------------------------------------------------------------------


def test_markdown_markup_is_removed_and_front_matter_read(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(
        '---\ntitle: "Summit notes"\nauthor: Bea Analyst\ndate: 2019-08-03\nlang: en-US\n'
        "source: Field Reports\n---\n"
        f"# Heading one\r\n\r\n{EMOJI_LINE.replace(WORD, '**' + WORD + '**')}\r\n\r\n"
        "* first *item*\n* second [link](http://127.0.0.1:9/x) item\n\n"
        "> a quoted `code` line\n\n```\nfenced code\n```\n\n"
        "| A | B |\n|---|---|\n| 1 | 2 |\n\n![alt text](img.png)\n",
        encoding="utf-8",
    )
    document = read_one(path)
    _check_stored_form(document)
    _word_offset(document)
    assert document.title == "Summit notes"
    assert document.metadata == {
        "author": "Bea Analyst",
        "outlet": "Field Reports",
        "published": "2019-08-03",
        "language": "en",
    }
    assert document.text.split("\n\n") == [
        "Heading one",
        EMOJI_LINE,
        "first item",
        "second link item",
        "a quoted code line",
        "fenced code",
        "A\tB",
        "1\t2",
        "alt text",
    ]
    for markup in ("**", "#", "[", "](", "|", "```", "---"):
        assert markup not in document.text


def test_markdown_refusals(tmp_path: Path) -> None:
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\x00\x01\x02" * 50)
    assert "binary file" in refused(binary)
    only_markup = tmp_path / "rule.md"
    only_markup.write_text("---\n\n***\n")
    assert "no text found" in refused(only_markup)


# -- RTF -------------------------------------------------------------------------------------


def test_rtf_code_page_unicode_escapes_and_info(tmp_path: Path) -> None:
    path = tmp_path / "memo.rtf"
    path.write_bytes(
        rb"{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0 Arial;}}"
        rb"{\info{\title Summit memo}{\author \'c8\'e2\'e0\'ed Petrov}}"
        rb"\f0 \'cf\'f0\'e8\'e2\'e5\'f2\par Markets \u55357?\u56832? rallied after the summit.\par "
        rb"{\b bold} text\par}"
    )
    document = read_one(path)
    _check_stored_form(document)
    assert document.text == "Привет\nMarkets 😀 rallied after the summit.\nbold text"
    _word_offset(document)
    assert document.title == "Summit memo"
    assert document.metadata["author"] == "Иван Petrov"
    assert document.source_encoding == "cp1251"


def test_rtf_refusals(tmp_path: Path) -> None:
    fake = tmp_path / "fake.rtf"
    fake.write_text("plain text with an rtf name")
    assert "not an RTF file" in refused(fake)
    empty = tmp_path / "empty.rtf"
    empty.write_bytes(rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\par}")
    assert "no text found" in refused(empty)


# -- EPUB ------------------------------------------------------------------------------------


def test_epub_chapters_in_reading_order_with_dublin_core(tmp_path: Path) -> None:
    document = read_one(make_epub(tmp_path / "book.epub"))
    _check_stored_form(document)
    _word_offset(document)
    assert document.title == "A Short Book"
    assert document.metadata == {
        "author": "Ada Lovelace",
        "outlet": "Test Press",
        "published": "2019-08-03",
        "language": "en",
    }
    assert document.text.split("\n\n") == ["Chapter one", EMOJI_LINE, "Chapter two", BODY]
    assert "alert" not in document.text


def test_epub_refusals(tmp_path: Path) -> None:
    fake = tmp_path / "fake.epub"
    fake.write_text("words")
    assert "not an EPUB file" in refused(fake)
    drm = tmp_path / "drm.epub"
    with zipfile.ZipFile(make_epub(tmp_path / "src.epub")) as source:
        with zipfile.ZipFile(drm, "w") as target:
            for item in source.infolist():
                target.writestr(item, source.read(item))
            target.writestr("META-INF/encryption.xml", "<encryption/>")
    assert "DRM" in refused(drm)
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
    assert "not a readable EPUB file" in refused(broken)


# -- e-mail ----------------------------------------------------------------------------------


def test_eml_plain_part_is_preferred_and_headers_are_metadata(tmp_path: Path) -> None:
    html = "<html><body><p>The HTML twin of the message.</p></body></html>"
    document = read_one(make_eml(tmp_path / "notes.eml", html=html))
    _check_stored_form(document)
    _word_offset(document)
    assert document.title == "Summit notes"
    assert document.metadata["author"] == "Bea Analyst"
    assert document.metadata["published"] == "2019-08-03"
    assert document.text == f"{EMOJI_LINE}\n\n{BODY}"


def test_eml_html_only_goes_through_the_html_path(tmp_path: Path) -> None:
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        f"<p>{EMOJI_LINE}</p><p>{BODY}</p></body></html>"
    )
    document = read_one(make_eml(tmp_path / "html.eml", html=html, plain=None))
    _word_offset(document)
    assert document.text == f"{EMOJI_LINE}\n\n{BODY}"
    assert "color" not in document.text
    assert document.metadata["author"] == "Bea Analyst"


def test_eml_refusals(tmp_path: Path) -> None:
    no_headers = tmp_path / "plain.eml"
    no_headers.write_text("just words in a file with an eml name\n")
    assert "not an e-mail message" in refused(no_headers)
    binary = tmp_path / "binary.eml"
    binary.write_bytes(b"From: a\x00\x00\x00" * 20)
    assert "binary file" in refused(binary)
