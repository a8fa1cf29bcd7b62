"""Metadata of imported documents: dates, languages, tidying of extracted text, date edits."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.errors import ValidationError
from annotator.io.documents.rich import (
    Extracted,
    build_document,
    iso_date,
    join_surrogates,
    language_code,
    tidy_text,
)
from annotator.io.documents.text import normalize_text
from annotator.services.document_commands import EditDocumentMetadata


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-08-03T10:00:00+00:00", "2019-08-03"),
        ("D:20190803101500+02'00'", "2019-08-03"),  # a PDF date
        ("20190803", "2019-08-03"),
        ("Aug 3, 2019", "2019-08-03"),
        ("3 August 2019", "2019-08-03"),
        (datetime(2019, 8, 3, 23, 59), "2019-08-03"),
        (date(2019, 8, 3), "2019-08-03"),
        ("2019-02-30", ""),
        ("yesterday", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_iso_date(value: object, expected: str) -> None:
    assert iso_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("en-GB", "en"), ("de_DE", "de"), ("RU", "ru"), ("fil", "fil"), ("x", ""), ("", "")],
)
def test_language_code(value: str, expected: str) -> None:
    assert language_code(value) == expected


def test_file_metadata_wins_over_the_header_and_unknown_keys_are_dropped() -> None:
    text = "Headline\nThe Gazette\nBy Ann Writer\nPublished on 3 August 2019\nBody text here."
    document = build_document(
        Extracted(
            text=text,
            metadata={"author": "  Bea   Editor ", "colour": "red", "url": "", "language": "en-US"},
        ),
        "a.docx",
    )
    assert document.metadata == {
        "author": "Bea Editor",
        "outlet": "The Gazette",
        "published": "2019-08-03",
        "language": "en",
    }
    assert document.title == "Headline"


def test_surrogate_pairs_are_joined() -> None:
    assert join_surrogates("a \ud83d\ude00 b") == "a 😀 b"
    assert join_surrogates("plain") == "plain"


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)


@given(_TEXT)
def test_tidy_text_is_idempotent_and_leaves_no_controls(text: str) -> None:
    tidied = tidy_text(text)
    assert tidy_text(tidied) == tidied
    assert "\r" not in tidied and "\n\n\n" not in tidied
    assert all(c in "\t\n" or not (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F) for c in tidied)
    # the words survive: tidying only touches controls, line ends and blank lines
    words = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", normalize_text(text)).split()
    assert tidied.split() == words


@given(st.lists(st.text(alphabet="abc 😀é\u0301\t", min_size=1, max_size=20), max_size=8))
def test_built_documents_hash_their_own_text(blocks: list[str]) -> None:
    text = "\n\n".join(blocks)
    if not text.strip():
        return
    document = build_document(Extracted(text=text), "x.md")
    assert document.sha256 == hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    assert document.text == tidy_text(text)


@pytest.mark.parametrize("bad", ["03.08.2019", "2019-8-3", "soon"])
def test_edit_metadata_refuses_dates_that_are_not_iso(bad: str) -> None:
    with pytest.raises(ValidationError, match="not YYYY-MM-DD"):
        EditDocumentMetadata("any-document", published=bad)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("2019-13-01", "there is no month 13"),
        ("2019-02-30", "2019-02 has 28 days"),
        ("2024-02-30", "2024-02 has 29 days"),
        ("2019-04-00", "2019-04 has 30 days"),
    ],
)
def test_edit_metadata_says_why_a_well_written_date_does_not_exist(bad: str, why: str) -> None:
    # '2019-02-30' is written YYYY-MM-DD: "is not YYYY-MM-DD" sent the user looking for a typo
    with pytest.raises(ValidationError) as refused:
        EditDocumentMetadata("any-document", published=bad)
    said = f"the publication date \u201c{bad}\u201d is not a calendar date ({why})"
    assert str(refused.value) == said


def test_edit_metadata_accepts_an_iso_date_or_none() -> None:
    assert EditDocumentMetadata("d", published="2019-08-03").fields == {"published": "2019-08-03"}
    assert EditDocumentMetadata("d", published=" ").fields == {"published": ""}
