"""The registry of exchange formats: what each can export and import, found by key or suffix."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError
from annotator.io.registry import Registry

if TYPE_CHECKING:
    from annotator.io.exchange import Exchange, ImportContext, Loss, LossReport

Progress = Callable[[int, int], bool | None]
"""progress(done, total) → return False to cancel."""

#: Modules that register the built-in formats when first imported (lazily, so they may import
#: this module freely). A new format adds its module here and nowhere else.
BUILTIN_FORMAT_MODULES: tuple[str, ...] = (
    "annotator.io.formats.json",
    "annotator.io.formats.doccano",
    "annotator.io.formats.labelstudio",
    "annotator.io.formats.spacy",
    "annotator.io.formats.xmi",
    "annotator.io.formats.refiqda",
    "annotator.io.formats.csv",
    "annotator.io.formats.conll",
    "annotator.io.formats.w3c.writer",
    "annotator.io.formats.w3c.reader",
    "annotator.io.formats.brat.writer",
    "annotator.io.formats.brat.reader",
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
    #: What the format could not carry, counted (`warnings` says the same in words).
    losses: list[Loss] = field(default_factory=list)

    def record(self, losses: list[Loss]) -> None:
        """Add losses (each also becomes a warning line)."""
        for loss in losses:
            if loss.count:
                self.losses.append(loss)
                self.warnings.append(loss.line())

    @property
    def loss(self) -> LossReport:
        from annotator.io.exchange import LossReport

        return LossReport.of(self.losses)


class ExportSource(Protocol):
    """A streamed read of what to export: read() opens one consistent read (a snapshot of the
    project, given by the services' export_file), which writers page through; a writer never
    sees a project or a store."""

    def read(self) -> AbstractContextManager[Any]: ...


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    suffix: str  # of the file written, with its dot (".json", ".zip", ".qdpx")
    #: write(source, destination, options): see ExportSource.
    write: Callable[[ExportSource, Path, ExportOptions], ExportResult]
    description: str = ""
    #: What the format cannot carry, said before exporting (the result adds specifics).
    limits: str = ""
    #: False for a flavour of another format's file type (REFI-QDA for QualCoder): the file's
    #: suffix alone never picks it, so `export x.qdpx` keeps meaning the standard one.
    picked_by_suffix: bool = True


@dataclass(frozen=True)
class ImportFormat:
    key: str
    label: str
    suffixes: tuple[str, ...]
    #: read(path, context, progress) → the file as an Exchange (with its LossReport); raises an
    #: AnnotatorError naming the file and line or path on bad input. Applying it is the
    #: services' ImportExchange (one transaction, undoable).
    read: Callable[[Path, ImportContext, Progress | None], Exchange]
    description: str = ""


_EXPORTS: Registry[ExportFormat] = Registry(BUILTIN_FORMAT_MODULES)
_IMPORTS: Registry[ImportFormat] = Registry(BUILTIN_FORMAT_MODULES)


def register_export(fmt: ExportFormat) -> ExportFormat:
    return _EXPORTS.add(fmt.key, fmt)


def register_import(fmt: ImportFormat) -> ImportFormat:
    return _IMPORTS.add(fmt.key, fmt)


def export_formats() -> tuple[ExportFormat, ...]:
    return _EXPORTS.all()


def import_formats() -> tuple[ImportFormat, ...]:
    return _IMPORTS.all()


def export_format(key: str) -> ExportFormat:
    return _found(_EXPORTS, key, "export")


def import_format(key: str) -> ImportFormat:
    return _found(_IMPORTS, key, "import")


def _found(registry: Registry, key: str, direction: str):
    fmt = registry.get(key)
    if fmt is None:
        known = ", ".join(sorted(registry.keys()))
        raise UnknownFormat(f"unknown {direction} format {quoted(key)} (known: {known})")
    return fmt


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
