"""The document importer interface, the importer registry and batch collection of files."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError
from annotator.io.registry import Registry

#: Metadata keys an importer may fill (all values are strings; `published` is YYYY-MM-DD).
METADATA_KEYS: tuple[str, ...] = ("author", "outlet", "url", "published", "language")

#: Modules that register the built-in importers when first imported. Later formats (HTML, DOCX,
#: PDF, ...) add their module here; loading is lazy so the modules may import this one freely.
BUILTIN_IMPORTER_MODULES: tuple[str, ...] = (
    "annotator.io.documents.text",
    "annotator.io.documents.html",
    "annotator.io.documents.docx",
    "annotator.io.documents.pdf",
    "annotator.io.documents.markdown",
    "annotator.io.documents.rtf",
    "annotator.io.documents.epub",
    "annotator.io.documents.eml",
)


@dataclass(frozen=True)
class ImportedDocument:
    """A decoded, normalised document ready to be stored; nothing about it changes afterwards.

    `text` is already normalised (see `text_import.normalize_text`) and `sha256` is the hex
    SHA-256 of its UTF-8 bytes. `metadata` holds only the keys that were found (a subset of
    METADATA_KEYS). `source_encoding` is a Python codec name (`utf-8`, `utf-16-le`, `cp1251`).
    """

    title: str
    text: str
    sha256: str
    metadata: dict[str, str] = field(hash=False)
    source_filename: str
    source_encoding: str


class ImportRefused(AnnotatorError):
    """A file was not imported; `str()` is one line: `notes.bin: binary file (...), not text`."""

    def __init__(self, path: Path | str | None, reason: str) -> None:
        self.path = Path(path) if path is not None else None
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None:
            return self.reason
        return f"{self.path.name or self.path}: {self.reason}"

    def __reduce__(self) -> tuple[type, tuple[Path | None, str]]:  # picklable across processes
        return (type(self), (self.path, self.reason))


@runtime_checkable
class Importer(Protocol):
    """One file format. `extensions` are lower-case with the dot; "" means no extension."""

    name: str
    extensions: tuple[str, ...]

    def can_import(self, path: Path) -> bool:
        """Whether this importer handles path (by its name only; the file is not opened)."""
        ...

    def read(self, path: Path) -> ImportedDocument:
        """Read and decode path, or raise ImportRefused with the reason."""
        ...


_registry: Registry[Importer] = Registry(BUILTIN_IMPORTER_MODULES)


def register(importer: Importer) -> Importer:
    """Add importer (replacing one of the same name) and return it. Later ones are asked last."""
    return _registry.add(importer.name, importer)


def unregister(name: str) -> None:
    """Remove the importer called name, if there is one."""
    _registry.remove(name)


def registered_importers() -> tuple[Importer, ...]:
    """Every registered importer, built-ins included, in registration order."""
    return _registry.all()


def supported_extensions() -> tuple[str, ...]:
    """Every extension some importer accepts (for file dialogs), sorted; "" is no extension."""
    return tuple(sorted({e for imp in registered_importers() for e in imp.extensions}))


def importer_for(path: Path | str) -> Importer:
    """The first registered importer that can import path, or ImportRefused."""
    path = Path(path)
    for importer in registered_importers():
        if importer.can_import(path):
            return importer
    suffix = path.suffix.lower()
    raise ImportRefused(path, f"unsupported file type {suffix}" if suffix else "unsupported file")


def _is_hidden(entry: Path) -> bool:
    """Dot-files and dot-folders everywhere; on Windows also the hidden file attribute."""
    if entry.name.startswith("."):
        return True
    if os.name != "nt":
        return False
    try:
        attributes = getattr(entry.lstat(), "st_file_attributes", 0)
    except OSError:
        return False
    return bool(attributes & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0))


def _natural_key(path: Path) -> tuple:
    """Sort like a file manager: case-insensitive, numbers by value (file2 before file10)."""
    parts = []
    for part in path.parts:
        chunks = re.split(r"(\d+)", part.casefold())
        parts.append(tuple((0, int(c), c) if c.isdigit() else (1, 0, c) for c in chunks))
    return (tuple(parts), str(path))


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):  # does not follow symlinked folders: no loops
        base = Path(root)
        dirs[:] = [d for d in dirs if not _is_hidden(base / d)]
        for name in files:
            candidate = base / name
            try:
                if not _is_hidden(candidate) and candidate.is_file():
                    found.append(candidate)
            except OSError:
                continue
    return sorted(found, key=lambda p: _natural_key(p.relative_to(folder)))


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand folders recursively into their files; files given by name are kept as they are.

    Within a folder the files are sorted naturally (case-insensitive, numbers by value), and
    hidden files and folders are skipped. Paths given explicitly keep their order, even when
    hidden or missing (reading them then reports why). Duplicates are dropped.
    """
    result: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        for candidate in _walk(path) if path.is_dir() else [path]:
            try:
                identity = candidate.resolve()
            except OSError:
                identity = candidate.absolute()
            if identity not in seen:
                seen.add(identity)
                result.append(candidate)
    return result


#: Top-level modules of the optional extras (pyproject.toml) → the extra that installs them.
EXTRA_OF_MODULE = {
    "lxml": "documents",
    "lxml_html_clean": "documents",
    "trafilatura": "documents",
    "justext": "documents",
    "docx": "documents",
    "ebooklib": "documents",
    "pypdf": "documents",
    "spacy": "spacy",
}


def needs_extra(error: ModuleNotFoundError) -> str:
    """The one line for a feature whose optional library is missing."""
    module = (error.name or "").split(".")[0]
    extra = EXTRA_OF_MODULE.get(module)
    if extra is None:
        return f"needs the Python package {module or error}, which is not installed"
    return f"needs the optional {quoted(extra)} libraries: pip install 'annotator[{extra}]'"


def read_one(path: Path | str) -> ImportedDocument:
    """Import one file with the right importer; every failure is an ImportRefused."""
    path = Path(path)
    if path.is_dir():
        raise ImportRefused(path, "is a folder, not a file")
    if not path.exists():
        raise ImportRefused(path, "no such file")
    importer = importer_for(path)
    try:
        return importer.read(path)
    except ImportRefused:
        raise
    except ModuleNotFoundError as error:  # an optional extra is not installed
        raise ImportRefused(path, needs_extra(error)) from None
    except OSError as error:
        raise ImportRefused(path, f"cannot read the file ({error.strerror or error})") from None
    except AnnotatorError as error:  # a typed refusal of a shared reader (an archive's limits)
        raise ImportRefused(path, getattr(error, "reason", None) or str(error)) from None
    except (MemoryError, RecursionError):
        raise ImportRefused(path, "too large or too deeply nested to read") from None


def read_reported(path: Path | str) -> ImportedDocument | ImportRefused:
    """read_one for a batch: a refusal is returned, never raised, and so is a bug in an
    importer (as that file's line, saying to report it), so one file never stops the others."""
    try:
        return read_one(path)
    except ImportRefused as refused:
        return refused
    except Exception as error:  # a bug, not bad input: this file's line; the batch goes on
        return ImportRefused(path, internal_error_line(error))


def internal_error_line(error: BaseException) -> str:
    """What a bug says, on one line, with where to report it."""
    message = " ".join(str(error).split())[:160]
    return f"internal error ({type(error).__name__}: {message}); {REPORT_BUG}"


#: Where a user reports a bug (said by every internal-error line).
REPORT_BUG = "please report it to the Annotator maintainers with this line"


def read_many(paths: Iterable[Path | str]) -> Iterator[ImportedDocument | ImportRefused]:
    """Import every file under paths (see collect_files), yielding documents and refusals.

    A refusal never stops the batch, so the caller can list what was skipped and why. Being
    lazy, the iterator lets a worker report progress and stop early when cancelled.
    """
    for path in collect_files(paths):
        yield read_reported(path)
