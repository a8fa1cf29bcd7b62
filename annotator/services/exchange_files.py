"""Import and export of files in any registered format, the one path the CLI and the GUI take:
the io converter reads or writes, the services apply (ImportExchange) or supply the read."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.io.exchange import Exchange
from annotator.io.formats import (
    ExportOptions,
    ExportResult,
    ImportFormat,
    export_format,
    import_format,
)
from annotator.services.import_exchange import import_context, preview, run_import

if TYPE_CHECKING:
    from annotator.io.formats.json.reader import ImportReport
    from annotator.services.project import Project


class ProjectSnapshot:
    """What an exporter reads: one consistent read of the project per read() (io writers see
    this, never the project or its store)."""

    def __init__(self, project: Project) -> None:
        self._store = project.store

    def read(self) -> AbstractContextManager[Any]:
        return self._store.read()


def read_exchange(
    project: Project, key: str, path: Path, progress: Any = None, document: str | None = None
) -> Exchange:
    """The file read by format `key` against what the project holds (nothing is written);
    `document`: the project document a W3C file's foreign annotations annotate."""
    return read_with(import_format(key), project, path, progress, document)


def read_with(
    fmt: ImportFormat,
    project: Project,
    path: Path,
    progress: Any = None,
    document: str | None = None,
) -> Exchange:
    """read_exchange with the format itself (the GUI's dialog holds it)."""
    context = import_context(project)
    if document is not None:
        context = replace(context, target_document=document)
    return fmt.read(Path(path), context, progress)


def import_file(
    project: Project,
    key: str,
    path: Path,
    progress: Any = None,
    *,
    document: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import a file as one undoable command (dry_run: only say what it would do)."""
    exchange = read_exchange(project, key, path, progress, document)
    if dry_run:
        return preview(project, exchange)
    return run_import(project, exchange, progress)


def import_data(project: Project, data: Any, progress: Any = None, source: str = "") -> Any:
    """Import an Annotator JSON v1 exchange given as data (tests, the team hub)."""
    return run_import(project, Exchange(source, data), progress)


def export_file(
    project: Project, key: str, destination: Path, options: ExportOptions | None = None
) -> ExportResult:
    """Write the project (or what options choose) in format `key`."""
    return export_format(key).write(ProjectSnapshot(project), Path(destination), options or _ALL)


_ALL = ExportOptions()


def import_json(project: Project, path: Path, progress: Any = None) -> ImportReport:
    """Import an Annotator JSON v1 file (import_file with the json format)."""
    return import_file(project, "json", path, progress)
