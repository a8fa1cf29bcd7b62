"""`annotator add` with every document type: added with metadata, refusals change nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from import_builders import (
    EMOJI_LINE,
    WORD,
    encrypt_pdf,
    image_only_pdf,
    make_docx,
    make_eml,
    make_epub,
    make_pdf,
)

from annotator.cli import main
from annotator.services.project import Project

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample_article.txt"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _folder_of_every_type(folder: Path) -> Path:
    folder.mkdir()
    (folder / "page.html").write_text(
        "<html lang='en'><head><meta property='og:site_name' content='Daily Example'>"
        "<meta property='article:published_time' content='2020-01-02'></head><body><article>"
        f"<h1>Web page</h1><p>{EMOJI_LINE} The page has a longer paragraph of text.</p>"
        "</article></body></html>",
        "utf-8",
    )
    make_docx(folder / "word.docx", title="Word file", author="Ann")
    make_pdf(folder / "paper.pdf", ["PDF paper", "Some words on a page."], title="PDF paper")
    (folder / "notes.md").write_text(f"# Markdown notes\n\n{EMOJI_LINE}\n", "utf-8")
    (folder / "memo.rtf").write_bytes(rb"{\rtf1\ansi RTF memo\par Plain words here.\par}")
    make_epub(folder / "book.epub")
    make_eml(folder / "mail.eml")
    return folder


def test_add_a_folder_of_every_type(capsys, tmp_path: Path) -> None:
    project_path = tmp_path / "p.annotator"
    assert run(capsys, "new", project_path, "--annotator", "Ada")[0] == 0
    folder = _folder_of_every_type(tmp_path / "in")
    image_only_pdf(folder / "scan.pdf")
    encrypt_pdf(folder / "paper.pdf", folder / "zlocked.pdf", user_password="secret")

    code, err = run(capsys, "add", project_path, folder, SAMPLE, "--annotator", "Ada")

    assert code == 0, err
    lines = err.splitlines()
    assert any(line.startswith("skipped scan.pdf: no text layer") for line in lines)
    assert "skipped zlocked.pdf: encrypted PDF (needs a password); save a copy" in err
    assert lines[-1] == "added 8 document(s) to p.annotator"
    with Project.open(project_path, annotator_name="Ada") as project, project.store.read() as s:
        documents = {d.source_filename: d for d in s.documents()}
        assert set(documents) == {
            "book.epub",
            "mail.eml",
            "memo.rtf",
            "notes.md",
            "page.html",
            "paper.pdf",
            "word.docx",
            "sample_article.txt",
        }
        page = documents["page.html"]
        assert (page.title, page.outlet, page.published, page.language) == (
            "Web page",
            "Daily Example",
            "2020-01-02",
            "en",
        )
        assert (documents["word.docx"].title, documents["word.docx"].author) == ("Word file", "Ann")
        assert documents["mail.eml"].published == "2019-08-03"
        sample = documents["sample_article.txt"]
        assert (sample.author, sample.outlet, sample.published) == (
            "Dmitry Bokarev",
            "New Eastern Outlook",
            "2019-08-03",
        )
        for info in documents.values():
            text = s.document_text(info.uuid)
            assert hashlib.sha256(text.encode()).hexdigest() == info.sha256
            assert info.length == len(text)
        for name in ("page.html", "word.docx", "notes.md", "book.epub", "mail.eml"):
            text = s.document_text(documents[name].uuid)
            start = text.index(WORD)
            assert text[start - len("😀 ") : start] == "😀 "  # one code point per emoji


def test_adding_only_refused_files_changes_nothing(capsys, tmp_path: Path) -> None:
    project_path = tmp_path / "p.annotator"
    assert run(capsys, "new", project_path, "--annotator", "Ada")[0] == 0
    before = project_path.read_bytes()
    scan = image_only_pdf(tmp_path / "scan.pdf")
    fake = tmp_path / "fake.docx"
    fake.write_text("not a docx")

    code, err = run(capsys, "add", project_path, scan, fake, "--annotator", "Ada")

    assert code == 1
    assert err.splitlines() == [
        "annotator add: nothing added: scan.pdf: no text layer in 1 page(s): a scanned or "
        "image-only PDF (run OCR on it first) (and 1 more)"
    ]
    assert project_path.read_bytes() == before


def test_adding_the_same_page_twice_adds_it_once(capsys, tmp_path: Path) -> None:
    project_path = tmp_path / "p.annotator"
    assert run(capsys, "new", project_path, "--annotator", "Ada")[0] == 0
    make_docx(tmp_path / "a.docx")
    make_docx(tmp_path / "copy.docx")  # the same words: the same SHA-256
    code, err = run(capsys, "add", project_path, tmp_path / "a.docx", tmp_path / "copy.docx")
    assert code == 0
    assert "skipped copy.docx: already in the project (Russia and China deepen ties)" in err
    assert err.splitlines()[-1] == "added 1 document(s) to p.annotator"
