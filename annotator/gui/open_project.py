"""Opening a project file off the GUI thread: the open checklist's progress, with Cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from annotator.gui.dialogs.progress import run_with_progress
from annotator.services.project import Project


def open_with_progress(parent: QWidget | None, path: Path, annotator_name: str | None) -> Project:
    """`Project.open` on a worker thread behind a progress dialog (shown only if it takes a
    while), so the window stays responsive while a large file is checked. Cancel stops the
    checklist: `CheckCancelledError` is raised here, and nothing was opened or changed."""

    def job(progress) -> Project:
        return Project.open(path, annotator_name=annotator_name, steps=progress)

    return run_with_progress(parent, f"Opening {Path(path).name}", job)
