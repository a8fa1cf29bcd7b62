"""Shared plumbing of the importers of formatted documents (HTML, DOCX, PDF, Markdown, ...)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from annotator.domain.content_rules import clean_text, text_problem
from annotator.domain.wording import as_reason
from annotator.io.bounded_zip import ArchiveRefused
from annotator.io.documents.registry import METADATA_KEYS, ImportedDocument, ImportRefused
from annotator.io.documents.text import (
    MAX_BYTES,
    TITLE_MAX,
    detect_header_metadata,
    guess_language,
    normalize_text,
    parse_date,
    sha256_text,
    title_of,
)

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # everything but \t and \n
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass
class Extracted:
    """What a format's reader found: plain text plus the metadata the file itself declares.

    `title` empty means "the first line of the text"; `metadata` may hold any METADATA_KEYS
    (unknown keys and empty values are dropped; `published` may be any date parse_date or
    ISO 8601 understands). `encoding` names how the file's bytes were decoded.
    """

    text: str
    title: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"


def tidy_text(text: str) -> str:
    """The extracted text as it will be stored: LF newlines, no control characters, no trailing
    blanks, at most one empty line between paragraphs, nothing before or after the text.

    Only extracted text is tidied: the layout of a formatted file is not part of its words, so
    this loses nothing the author wrote (plain-text files are stored as they are instead).
    """
    text = clean_text(_CONTROLS.sub("", normalize_text(text)))  # C1 controls and lone surrogates
    text = _TRAILING_SPACE.sub("\n", text + "\n")
    return _BLANK_RUNS.sub("\n\n", text).strip("\n").rstrip()


def paragraphs(blocks: list[str]) -> str:
    """Blocks of text (paragraphs, headings, list items) one after the other, blank-line apart."""
    return "\n\n".join(b.strip() for b in blocks if b and b.strip())


def join_surrogates(text: str) -> str:
    """Merge UTF-16 surrogate pairs that some readers (RTF's \\u escapes) leave split."""
    if not re.search("[\ud800-\udfff]", text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def iso_date(value: object) -> str:
    """YYYY-MM-DD from a date, a datetime or a string in a common format; "" when none."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    text = str(value or "").strip()
    if not text:
        return ""
    match = re.match(r"(?:D:)?(\d{4})-?(\d{2})-?(\d{2})", text)  # ISO 8601 and PDF's D:2019...
    if match:
        try:
            return date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            pass
    return parse_date(text) or ""


def language_code(value: str) -> str:
    """The primary subtag of a language tag ("en-GB" and "en_US" → "en"), lower case."""
    primary = re.split(r"[-_]", (value or "").strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


def clean_title(title: str) -> str:
    """One line, cut to TITLE_MAX like a title taken from the text."""
    return title_of(" ".join(str(title or "").split()), "")[:TITLE_MAX]


def build_document(extracted: Extracted, source_filename: str) -> ImportedDocument:
    """An ImportedDocument from extracted text: tidied, hashed, with merged metadata.

    The file's own metadata wins; what is missing is looked for in the text's header (as for
    plain text), and the language is guessed from the words when the file does not say.
    """
    text = tidy_text(extracted.text)
    if not text.strip():
        raise ImportRefused(None, "no text found in the document")
    if (problem := text_problem(text)) is not None:  # only the size limit is left to break
        raise ImportRefused(None, problem)
    found = detect_header_metadata(text)
    for key, value in extracted.metadata.items():
        value = " ".join(str(value or "").split())
        if key == "published":
            value = iso_date(value)
        elif key == "language":
            value = language_code(value)
        if key in METADATA_KEYS and value:
            found[key] = value
    if "language" not in found and (guessed := guess_language(text)):
        found["language"] = guessed
    title = clean_title(extracted.title) or title_of(text, Path(source_filename).stem)
    return ImportedDocument(
        title=title,
        text=text,
        sha256=sha256_text(text),
        metadata={key: found[key] for key in METADATA_KEYS if key in found},
        source_filename=source_filename,
        source_encoding=extracted.encoding,
    )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refused when empty or over MAX_BYTES (checked before reading)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            limit = MAX_BYTES // (1024 * 1024)
            raise ImportRefused(
                path, f"file too large ({size / 2**20:.1f} MB; the limit is {limit} MB)"
            )
        data = path.read_bytes()
    except OSError as error:
        raise ImportRefused(path, f"cannot read the file ({error.strerror or error})") from None
    if not data.strip():
        raise ImportRefused(path, "empty file")
    return data


def _short(error: BaseException) -> str:
    return as_reason(error)


class FormattedImporter:
    """Base of the importers here: reads the bytes, lets `extract` parse them, builds the document.

    Subclasses set `name`, `extensions` and `kind` (for messages) and implement `extract`. Any
    exception from a third-party parser becomes one ImportRefused line: parsers of Office, PDF
    and e-book files raise a zoo of exception types on damaged input, and a damaged file must
    never stop a batch or reach the user as a traceback.
    """

    name = ""
    kind = ""
    extensions: tuple[str, ...] = ()

    def can_import(self, path: Path) -> bool:
        return Path(path).suffix.lower() in self.extensions

    def extract(self, data: bytes, path: Path) -> Extracted:
        raise NotImplementedError

    def read(self, path: Path) -> ImportedDocument:
        path = Path(path)
        data = read_bytes(path)
        try:
            extracted = self.extract(data, path)
            return build_document(extracted, path.name)
        except ImportRefused as refused:
            raise ImportRefused(path, refused.reason) from None
        except ArchiveRefused as refused:  # a zip bomb or a damaged archive
            raise ImportRefused(path, refused.reason) from None
        except (MemoryError, RecursionError):
            raise ImportRefused(path, f"{self.kind} file too complex to read") from None
        except ModuleNotFoundError:
            raise  # an optional extra is missing: read_one names it (importers.needs_extra)
        except Exception as error:
            raise ImportRefused(
                path, f"not a readable {self.kind} file ({_short(error)})"
            ) from None
