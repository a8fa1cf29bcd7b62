"""The registry of exchange formats: what each can export and import, found by key or suffix."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError

Progress = Callable[[int, int], bool | None]
"""progress(done, total) → return False to cancel."""

#: Modules that register the built-in formats when first imported (lazily, so they may import
#: this module freely). A new format adds its module here and nowhere else.
BUILTIN_FORMAT_MODULES: tuple[str, ...] = (
    "annotator.io.json_format",
    "annotator.io.doccano_format",
    "annotator.io.labelstudio_format",
    "annotator.io.spacy_format",
    "annotator.io.xmi_format",
    "annotator.io.refiqda_format",
    "annotator.io.csv_export",
    "annotator.io.conll_export",
    "annotator.io.w3c_export",
    "annotator.io.w3c_import",
    "annotator.io.brat_export",
    "annotator.io.brat_import",
)


class UnknownFormat(AnnotatorError):
    """No registered format has that key (or can read that file)."""


@dataclass(frozen=True)
class ExportOptions:
    """What to export. `annotators` holds annotator uuids (None: every layer, gold included);
    `documents` holds document uuids (None: all documents)."""

    annotators: frozenset[str] | None = None
    documents: frozenset[str] | None = None
    progress: Progress | None = None


@dataclass
class ExportResult:
    """What an export wrote, and what the format could not carry (shown to the user, printed
    by the CLI; never dropped silently)."""

    documents: int = 0
    spans: int = 0
    links: int = 0
    warnings: list[str] = field(default_factory=list)


class ImportSummary(Protocol):
    def summary(self) -> str: ...


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    suffix: str  # of the file written, with its dot (".json", ".zip", ".qdpx")
    write: Callable[[Any, Path, ExportOptions], ExportResult]
    description: str = ""
    #: What the format cannot carry, said before exporting (the result adds specifics).
    limits: str = ""


@dataclass(frozen=True)
class ImportFormat:
    key: str
    label: str
    suffixes: tuple[str, ...]
    #: read(project, path, progress) → a report with summary(); validates first, writes in one
    #: transaction, and raises an AnnotatorError naming the file and line or path on bad input.
    read: Callable[[Any, Path, Progress | None], ImportSummary]
    description: str = ""


_EXPORTS: dict[str, ExportFormat] = {}
_IMPORTS: dict[str, ImportFormat] = {}
_loaded = False


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in BUILTIN_FORMAT_MODULES:
            importlib.import_module(module)


def register_export(fmt: ExportFormat) -> ExportFormat:
    _EXPORTS[fmt.key] = fmt
    return fmt


def register_import(fmt: ImportFormat) -> ImportFormat:
    _IMPORTS[fmt.key] = fmt
    return fmt


def export_formats() -> tuple[ExportFormat, ...]:
    _load_builtins()
    return tuple(_EXPORTS.values())


def import_formats() -> tuple[ImportFormat, ...]:
    _load_builtins()
    return tuple(_IMPORTS.values())


def export_format(key: str) -> ExportFormat:
    _load_builtins()
    try:
        return _EXPORTS[key]
    except KeyError:
        raise UnknownFormat(
            f"unknown export format {quoted(key)} (known: {', '.join(sorted(_EXPORTS))})"
        ) from None


def import_format(key: str) -> ImportFormat:
    _load_builtins()
    try:
        return _IMPORTS[key]
    except KeyError:
        raise UnknownFormat(
            f"unknown import format {quoted(key)} (known: {', '.join(sorted(_IMPORTS))})"
        ) from None


def check_export_destination(project_path: Path, destination: Path) -> None:
    """Refuse to export over the open project file or its WAL / shared-memory files (the export
    would replace the project with a file that is not a project), onto a folder, or into a
    folder that does not exist."""
    project = Path(project_path).resolve()
    protected = {project, *(project.with_name(project.name + s) for s in ("-wal", "-shm"))}
    destination = Path(destination)
    if destination.resolve() in protected:
        raise AnnotatorError(
            f"{destination.name}: that is the project file itself; export to another file"
        )
    # Said here, the user's path is named (the writers' errors name their hidden temp file).
    if destination.is_dir():
        raise AnnotatorError(f"{destination} is a folder; export to a file name in it")
    if not destination.parent.is_dir():
        raise AnnotatorError(f"folder {destination.parent} does not exist")
