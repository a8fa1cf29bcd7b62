"""File menu work: new, open, add documents, import/export (any format), save a copy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from annotator.errors import AnnotatorError
from annotator.gui.folders import remember, start_in
from annotator.gui.session import ProjectSession
from annotator.io.documents.registry import (
    ImportRefused,
    collect_files,
    read_reported,
    registered_importers,
    supported_extensions,
)
from annotator.services.document_commands import AddDocuments
from annotator.services.project import PROJECT_SUFFIX

PROJECT_FILTER = f"Annotator projects (*{PROJECT_SUFFIX})"


def _read_documents(paths: list[Path], progress: Callable[..., bool | None]) -> tuple:
    """(documents, refusals, cancelled): every file under paths read on the worker thread.

    On cancel it stops at once and reports cancelled; the caller then adds nothing, so a
    cancelled batch leaves the project exactly as it was (no half-added folder)."""
    files = collect_files(paths)
    documents, refused = [], []
    for index, path in enumerate(files, 1):
        text = f"Reading {path.name} ({index} of {len(files)})…"
        if progress(index - 1, len(files), text) is False:
            return [], [], True
        found = read_reported(path)  # any failure, a bug too, is this file's line
        if isinstance(found, ImportRefused):
            refused.append(str(found))
        else:
            documents.append(found)
    return documents, refused, progress(len(files), len(files)) is False


def import_filters() -> str:
    """File dialog filters: every supported type together, then one per importer, then all."""
    every = " ".join(f"*{e}" for e in supported_extensions() if e)
    lines = [f"All documents ({every})"]
    for importer in registered_importers():
        patterns = " ".join(f"*{e}" for e in importer.extensions if e)
        if patterns:
            lines.append(f"{importer.name} ({patterns})")
    return ";;".join([*lines, "All files (*)"])


class FileActions:
    """Dialog-driven file operations for one window; long work runs with progress."""

    def __init__(self, session: ProjectSession, parent: QWidget) -> None:
        self.session, self.parent = session, parent

    def _progress(self, title: str, job: Callable, *args: object) -> object:
        from annotator.gui.dialogs.progress import run_with_progress

        return run_with_progress(self.parent, title, job, *args)

    def ask_new_project_path(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self.parent, "New project", start_in(), PROJECT_FILTER
        )
        if not name:
            return None
        remember(name)
        path = Path(name)
        return path if path.suffix == PROJECT_SUFFIX else path.with_suffix(PROJECT_SUFFIX)

    def ask_open_project_path(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self.parent, "Open project", start_in(), PROJECT_FILTER
        )
        remember(name)
        return Path(name) if name else None

    def add_documents(self, folder: bool = False) -> None:
        if folder:
            name = QFileDialog.getExistingDirectory(
                self.parent, "Add a folder of documents", start_in()
            )
            paths = [Path(name)] if name else []
        else:
            names, _ = QFileDialog.getOpenFileNames(
                self.parent, "Add documents", start_in(), import_filters()
            )
            paths = [Path(n) for n in names]
        if paths:
            remember(paths[0])
            self.add_paths(paths)

    def add_paths(self, paths: list[Path]) -> None:
        """Read files (in the background, with progress) and add them as one undoable step."""
        try:
            documents, refused, cancelled = self._progress(
                "Reading documents", _read_documents, paths
            )
        except AnnotatorError as error:
            self.session.error.emit(str(error))
            return
        if cancelled:
            self.session.message.emit("Adding documents cancelled: nothing was added")
            return
        command = AddDocuments(documents)
        with self.session.read() as read:  # only new texts make an undo step
            new = any(read.document_by_sha256(d.sha256) is None for d in documents)
        if new:
            self.session.run(command)
        else:
            command.report.duplicates = [(d.source_filename, d.title) for d in documents]
        report = command.report
        lines = [f"Added {len(report.added)} document(s)."]
        lines += [f"Skipped {r}" for r in refused]
        lines += [
            f"Skipped {name}: already in the project ({title})" for name, title in report.duplicates
        ]
        if refused or report.duplicates:
            self._show_report(lines)
        else:
            self.session.message.emit(lines[0])
        if report.added:
            self.session.open_document(report.added[-1])

    def _show_report(self, lines: list[str]) -> QMessageBox:
        """What was added and what was skipped and why, without blocking the window."""
        box = QMessageBox(
            QMessageBox.Icon.Information, "Add documents", lines[0], parent=self.parent
        )
        box.setObjectName("import_report")
        skipped = len(lines) - 1
        box.setInformativeText(f"{skipped} file(s) skipped:\n" + "\n".join(lines[1:16]))
        if skipped > 15:
            box.setDetailedText("\n".join(lines[1:]))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def export_data(self) -> None:
        """File ▸ Export…: any registered format, chosen layers (annotator/dialogs/exchange)."""
        from annotator.gui.dialogs.exchange import open_export

        open_export(self.session, self.parent)

    def import_data(self) -> None:
        """File ▸ Import…: any registered format; nothing is written when the file is bad."""
        from annotator.gui.dialogs.exchange import open_import

        open_import(self.session, self.parent)

    def save_copy(self) -> None:
        suggested = f"{self.session.project.path.stem} (copy){PROJECT_SUFFIX}"
        name, _ = QFileDialog.getSaveFileName(
            self.parent, "Save a copy", start_in(suggested), PROJECT_FILTER
        )
        if not name:
            return
        remember(name)
        try:
            self.session.project.store.save_copy(Path(name))
        except (AnnotatorError, OSError) as error:
            QMessageBox.warning(self.parent, "Save a copy", f"The copy failed: {error}")
            return
        self.session.message.emit(f"Saved a copy as {Path(name).name}")

    def show_in_folder(self) -> bool:
        """File ▸ Show in folder: the project's folder in the desktop's file manager."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        folder = self.session.project.path.resolve().parent
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            return True
        self.session.message.emit(f"No file manager could be started; the project is in {folder}")
        return False
