"""Plain-text import: decoding, normalisation, refusals, folder collection and header metadata."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.io.documents import registry as importers
from annotator.io.documents import text as text_import
from annotator.io.documents.registry import (
    ImportedDocument,
    ImportRefused,
    collect_files,
    importer_for,
    read_many,
    read_one,
    register,
    supported_extensions,
    unregister,
)
from annotator.io.documents.text import (
    PlainTextImporter,
    decode_bytes,
    detect_header_metadata,
    guess_language,
    normalize_text,
    parse_date,
    sha256_text,
    title_of,
)

SAMPLE = Path(__file__).parents[2] / "resources" / "sample_article.txt"

RUSSIAN = (
    "Россия и Китай пока не являются членами общего военного союза, но наряду с экономическим "
    "сотрудничеством в последние годы укрепляется и военное взаимодействие между двумя "
    "странами. Страны обмениваются технологиями и информацией, организуют встречи высшего "
    "военного руководства и проводят совместные учения."
)
FRENCH = (
    "Pour l'instant, la Fédération de Russie et la République populaire de Chine ne sont pas "
    "membres d'une alliance militaire commune, mais à côté de la coopération économique, la "
    "collaboration militaire entre les deux pays s'est renforcée ces dernières années. Les "
    "deux États échangent des technologies, organisent des réunions de leurs états-majors et "
    "mènent des exercices conjoints « à l'été »."
)
#: Emoji, a ZWJ family, a flag, an astral letter and combining marks before and after a word.
TRICKY = "👩\u200d👩\u200d👧 e\u0301te\u0301 𝐀lpha 🇺🇦 n\u0303o Z\u0351\u0352algo\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read(path: Path) -> ImportedDocument:
    return PlainTextImporter().read(path)


# --- decoding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Grüße, café ✓\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "Grüße, café ✓\n".encode(), "utf-8-sig"),
        (b"\xff\xfe" + "Grüße, café ✓\n".encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + "Grüße, café ✓\n".encode("utf-16-be"), "utf-16-be"),
        (b"\xff\xfe\x00\x00" + "Grüße, café ✓\n".encode("utf-32-le"), "utf-32-le"),
        (b"\x00\x00\xfe\xff" + "Grüße, café ✓\n".encode("utf-32-be"), "utf-32-be"),
    ],
)
def test_unicode_files_with_and_without_bom(tmp_path: Path, data: bytes, encoding: str) -> None:
    doc = read(write(tmp_path, "a.txt", data))
    assert doc.text == "Grüße, café ✓\n"
    assert doc.source_encoding == encoding
    assert doc.source_filename == "a.txt"


def test_windows_1251_russian_is_detected(tmp_path: Path) -> None:
    doc = read(write(tmp_path, "ru.txt", RUSSIAN.encode("cp1251")))
    assert doc.text == RUSSIAN
    assert doc.source_encoding == "cp1251"
    assert doc.metadata.get("language") == "ru"


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_windows_1252_and_latin1_french_is_detected(tmp_path: Path, codec: str) -> None:
    text = FRENCH if codec == "cp1252" else FRENCH.replace("« ", '"').replace(" »", '"')
    doc = read(write(tmp_path, "fr.txt", text.encode(codec)))
    assert doc.text == text
    assert doc.source_encoding == "cp1252"  # the superset of Latin-1's printable characters
    assert doc.metadata.get("language") == "fr"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Café crème à l'été.", "cp1252"),
        ("Grüße aus München", "cp1252"),
        ("Привет, мир! Как дела?", "cp1251"),
        ("Москва", "cp1251"),
        ("Россия и Китай проводят совместные учения.", "koi8-r"),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy.", "cp1250"),
        ("Καλημέρα κόσμε, τι κάνεις;", "cp1253"),
    ],
)
def test_short_legacy_texts(text: str, codec: str) -> None:
    decoded, encoding = decode_bytes(text.encode(codec))
    assert decoded == text
    assert encoding == codec


def test_newlines_are_normalised_and_nothing_else(tmp_path: Path) -> None:
    raw = "Title\r\n\r\nline one\rline two\n  indented\u00a0 \t\r\n\u2028end"
    doc = read(write(tmp_path, "n.txt", raw.encode()))
    assert doc.text == "Title\n\nline one\nline two\n  indented\u00a0 \t\n\u2028end"
    assert doc.text == normalize_text(raw)


def test_emoji_zwj_and_combining_marks_are_preserved_byte_exact(tmp_path: Path) -> None:
    for name, data in [("u8.txt", TRICKY.encode()), ("u16.txt", TRICKY.encode("utf-16"))]:
        doc = read(write(tmp_path, name, data))
        assert doc.text.encode("utf-8") == TRICKY.encode("utf-8")
        assert doc.sha256 == hashlib.sha256(TRICKY.encode("utf-8")).hexdigest()


def test_bom_only_at_the_start_is_removed() -> None:
    assert normalize_text("\ufeffa\ufeffb") == "a\ufeffb"
    assert normalize_text("\ufeff\ufeffab") == "ab"  # a run goes too: keeps it idempotent
    text, encoding = decode_bytes(b"\xef\xbb\xbf\xef\xbb\xbfhello")
    assert (normalize_text(text), encoding) == ("hello", "utf-8-sig")


# --- refusals ---------------------------------------------------------------------------------


def test_binary_with_nul_bytes_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", b"PK\x03\x04\x00\x00binary\x00stuff")
    with pytest.raises(ImportRefused) as caught:
        read(path)
    assert str(caught.value) == "notes.txt: binary file (contains NUL bytes), not text"
    assert caught.value.path == path
    assert caught.value.reason == "binary file (contains NUL bytes), not text"


def test_binary_without_nul_bytes_is_refused_by_control_characters() -> None:
    with pytest.raises(ImportRefused, match="control characters"):
        decode_bytes(bytes(range(1, 32)) * 20 + b"some text")


def test_bomless_utf16_counts_as_binary() -> None:
    with pytest.raises(ImportRefused, match="NUL bytes"):
        decode_bytes("hello".encode("utf-16-le"))


def test_broken_utf16_is_refused() -> None:
    with pytest.raises(ImportRefused, match="invalid utf-16-le data"):
        decode_bytes(b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\xef\xbb\xbf", "empty file"),
        (b" \t\r\n\r\n  \n", "contains only whitespace"),
        ("\u00a0\u3000\n".encode(), "contains only whitespace"),
    ],
)
def test_empty_and_whitespace_only_are_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(ImportRefused) as caught:
        read(write(tmp_path, "e.txt", data))
    assert str(caught.value) == f"e.txt: {reason}"


def test_too_large_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(text_import, "MAX_BYTES", 10)
    with pytest.raises(ImportRefused, match="file too large"):
        read(write(tmp_path, "big.txt", b"x" * 11))
    with pytest.raises(ImportRefused, match="file too large"):
        decode_bytes(b"x" * 11)
    assert read(write(tmp_path, "ok.txt", b"x" * 10)).text == "x" * 10


def test_unsupported_extension_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "picture.xyz", b"hello")
    with pytest.raises(ImportRefused) as caught:
        importer_for(path)
    assert str(caught.value) == "picture.xyz: unsupported file type .xyz"
    with pytest.raises(ImportRefused, match=r"unsupported file type \.xyz"):
        read_one(path)


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="no such file"):
        read_one(tmp_path / "gone.txt")
    with pytest.raises(ImportRefused, match="is a folder"):
        read_one(tmp_path)


def test_refusal_is_one_line_and_picklable(tmp_path: Path) -> None:
    refused = ImportRefused(tmp_path / "x.txt", "empty file")
    copy = pickle.loads(pickle.dumps(refused))
    assert (str(copy), copy.path, copy.reason) == ("x.txt: empty file", refused.path, "empty file")
    assert str(ImportRefused(None, "empty file")) == "empty file"


# --- registry and batches ---------------------------------------------------------------------


def test_registry_finds_plain_text_by_extension() -> None:
    for name in ("a.txt", "B.TXT", "c.text", "README"):
        assert isinstance(importer_for(Path(name)), PlainTextImporter)
    assert {".txt", ".text", ""} <= set(supported_extensions())


def test_registering_another_importer(tmp_path: Path) -> None:
    class Upper:
        name = "Shouting"
        extensions = (".shout",)

        def can_import(self, path: Path) -> bool:
            return path.suffix.lower() in self.extensions

        def read(self, path: Path) -> ImportedDocument:
            text = path.read_text(encoding="utf-8").upper()
            return ImportedDocument(text, text, sha256_text(text), {}, path.name, "utf-8")

    register(Upper())
    try:
        assert isinstance(importer_for(Path("x.shout")), importers.Importer)
        assert read_one(write(tmp_path, "x.shout", b"hi")).text == "HI"
    finally:
        unregister("Shouting")
    with pytest.raises(ImportRefused):
        importer_for(Path("x.shout"))


HIDDEN_AND_NOT = ("b/file10.txt", "b/file2.txt", "b/.hidden.txt", "a.txt", ".git/config",
                  "b/.cache/c.txt", "b/sub/Z.txt", "b/sub/y.txt", "image.png")  # fmt: skip


def test_collect_files_recurses_sorts_and_skips_hidden(tmp_path: Path) -> None:
    for name in HIDDEN_AND_NOT:
        write(tmp_path, name, b"text")
    found = collect_files([tmp_path, tmp_path / "a.txt"])  # a.txt twice: listed once
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == ["a.txt", "b/file2.txt", "b/file10.txt", "b/sub/y.txt", "b/sub/Z.txt",
                     "image.png"]  # fmt: skip
    explicit = collect_files([tmp_path / "b" / ".hidden.txt", tmp_path / "missing.txt"])
    assert [p.name for p in explicit] == [".hidden.txt", "missing.txt"]


def test_read_many_reports_what_was_skipped(tmp_path: Path) -> None:
    write(tmp_path, "docs/1.txt", b"First\nbody")
    write(tmp_path, "docs/2.txt", b"")
    write(tmp_path, "docs/3.pdfx", b"%PDF")
    write(tmp_path, "docs/4.txt", "Fourth\r\nbody".encode("cp1252"))
    results = list(read_many([tmp_path / "docs"]))
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["ImportedDocument", "ImportRefused", "ImportRefused", "ImportedDocument"]
    assert str(results[1]) == "2.txt: empty file"
    assert str(results[2]) == "3.pdfx: unsupported file type .pdfx"
    assert results[3].text == "Fourth\nbody"


# --- titles, hashes and metadata --------------------------------------------------------------


def test_sample_article_metadata() -> None:
    doc = read(SAMPLE)
    assert doc.title == "In China, Russia"
    assert doc.metadata == {
        "author": "Dmitry Bokarev",
        "outlet": "New Eastern Outlook",
        "published": "2019-08-03",
        "language": "en",
    }
    assert doc.text == SAMPLE.read_bytes().decode("utf-8")  # never changed by detection
    assert doc.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()


def test_sha256_is_stable_across_newline_conventions() -> None:
    assert sha256_text("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_text("a\r\nb\rc") == sha256_text("a\nb\nc") == sha256_text("\ufeffa\nb\nc")


def test_title_is_first_nonempty_line_cut_to_200() -> None:
    assert title_of("\n\n   Hello world  \nbody", "stem") == "Hello world"
    assert title_of("", "stem") == "stem"
    long_title = title_of("word " * 100, "stem")
    assert len(long_title) <= 200 and long_title.endswith("…")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published on NEO, Aug 3, 2019", "2019-08-03"),
        ("Published: 3 August 2019", "2019-08-03"),
        ("Posted on August 3rd, 2019", "2019-08-03"),
        ("2019-08-03", "2019-08-03"),
        ("Saturday, 3 August 2019", "2019-08-03"),
        ("03.08.2019 10:45", "2019-08-03"),
        ("Published: Feb 30, 2019", None),
        ("08/03/2019", None),
    ],
)
def test_publication_dates(line: str, expected: str | None) -> None:
    assert detect_header_metadata(f"Title\n{line}\nBody text.").get("published") == expected


def test_parse_date_formats() -> None:
    assert parse_date("on Sept. 9th, 2001 at noon") == "2001-09-09"
    assert parse_date("the 1st of March 2020") == "2020-03-01"
    assert parse_date("no date here") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title\nBy Jane van der Berg, Reuters\nBody.", {"author": "Jane van der Berg"}),
        ("Title\nBy 2019 the army had grown.\nBody.", {}),
        ("Title\nby the way, nothing\nBody.", {}),
        ("Title\nThe Guardian\nBody.", {"outlet": "The Guardian"}),
        ("Title\nThe Guardian\n", {}),  # nothing after it: not a header
        ("Title\nThis is the first sentence.\nBody.", {}),
        ("Title\nA subtitle that is much too long to be an outlet\nBody.", {}),
        ("Title\nPublished on 31 Feb 2019\nBody.", {}),
    ],
)
def test_header_detection_is_conservative(text: str, expected: dict[str, str]) -> None:
    assert detect_header_metadata(text) == expected


def test_header_is_only_searched_at_the_top() -> None:
    text = "Title\n" + "A sentence of the body.\n" * 20 + "By Late Author\n"
    assert "author" not in detect_header_metadata(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (SAMPLE.read_text(encoding="utf-8"), "en"),
        (RUSSIAN, "ru"),
        (FRENCH, "fr"),
        ("Die Bundeswehr ist in der Region und übt mit den Partnern, auch wenn es nicht "
         "einfach ist, und das wird sich auf die Lage auswirken.", "de"),
        ("El gobierno y los militares del país están de acuerdo con la propuesta para la "
         "región, pero la oposición no lo ve como una solución.", "es"),
        ("Hello", ""),
        ("1 2 3 4 5", ""),
    ],
)  # fmt: skip
def test_guess_language(text: str, code: str) -> None:
    assert guess_language(text) == code


# --- properties -------------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8"), max_size=200) | st.text(
    st.sampled_from(["\r", "\n", "\ufeff", "a", "é", "👩", "\u200d", "\u0301"]), max_size=30
)


@given(_TEXT)
def test_normalize_text_is_idempotent(s: str) -> None:
    once = normalize_text(s)
    assert normalize_text(once) == once
    assert "\r" not in once and not once.startswith("\ufeff")
    assert sha256_text(s) == sha256_text(once)


@given(_TEXT)
def test_normalize_text_never_changes_text_without_cr_or_leading_bom(s: str) -> None:
    s = s.replace("\r", "").lstrip("\ufeff")
    assert normalize_text(s) == s


@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), min_size=1))
def test_utf8_round_trip(s: str) -> None:
    if s.strip() and not s.startswith("\ufeff"):  # U+FEFF first would be read as a BOM
        text, encoding = decode_bytes(s.encode("utf-8"))
        assert (text, encoding) == (s, "utf-8")
