"""File ▸ Merge… and File ▸ Merge history…: pick project files, check them in the background,
ask about schema conflicts, merge with progress, refresh the views and show the reports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QWidget

from annotator.errors import AnnotatorError
from annotator.gui.dialogs.progress import run_with_progress
from annotator.gui.session import ProjectSession
from annotator.services.project import PROJECT_SUFFIX

if TYPE_CHECKING:
    from annotator.gui.merge.dialogs import MergeDialog, ReportsDialog

# The merge services (and the store's merge modules under them) and the dialogs are imported
# when a merge is asked for: a window that never merges does not carry them (issue 14's import
# memory).

PROJECT_FILTER = f"Annotator projects (*{PROJECT_SUFFIX})"


class MergeActions:
    """Merging for one window. Dialogs are opened (not exec'd) so the window stays live."""

    def __init__(self, session: ProjectSession, parent: QWidget) -> None:
        self.session, self.parent = session, parent
        self.dialog: MergeDialog | None = None
        self.reports_dialog: ReportsDialog | None = None

    def merge_files(self) -> MergeDialog | None:
        from annotator.gui.folders import remember, start_in

        names, _ = QFileDialog.getOpenFileNames(
            self.parent, "Merge project files", start_in(), PROJECT_FILTER
        )
        if names:
            remember(names[0])
        return self.check([Path(n) for n in names]) if names else None

    def check(self, paths: list[Path]) -> MergeDialog:
        """Run the open checklist on each file (in the background) and ask what to merge."""
        from annotator.gui.merge.dialogs import MergeDialog
        from annotator.services.merge import backup_path

        project = self.session.project
        files, refused = [], []
        for path in paths:
            try:
                conflicts = run_with_progress(
                    self.parent, f"Checking {path.name}", _conflicts_job, project, path
                )
            except (AnnotatorError, OSError) as error:
                refused.append(str(error) if path.name in str(error) else f"{path.name}: {error}")
                continue
            files.append((path, conflicts))
        dialog = MergeDialog(self.parent, files, refused, backup_path(project.path))
        dialog.accepted.connect(lambda: self.run(dialog.files, dialog.choices()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.dialog = dialog
        return dialog

    def run(self, files: list, choices: dict[str, str]) -> ReportsDialog:
        """Merge the files one by one (each one transaction); then refresh and report."""
        from annotator.services.merge import MERGED, MergeCancelled

        project = self.session.project
        reports, failures = [], []
        for index, (path, _) in enumerate(files):
            try:
                reports.append(
                    run_with_progress(
                        self.parent,
                        f"Merging {path.name}",
                        _merge_job,
                        project,
                        path,
                        choices,
                        index == 0,
                    )
                )
            except MergeCancelled:
                failures.append(f"{path.name}: cancelled; nothing of it was merged")
            except (AnnotatorError, OSError) as error:
                failures.append(f"{path.name} was not merged: {error}")
        if reports:
            # A merge is not undoable, and earlier steps may no longer apply to merged rows.
            self.session.undo_stack.clear()
            self.session.notify(MERGED)
        for failure in failures:
            self.session.error.emit(failure)
        self.session.message.emit(f"Merged {len(reports)} of {len(files)} project file(s)")
        return self._show(reports, "Merge report")

    def history(self) -> ReportsDialog:
        """File ▸ Merge history…: every report kept in the project, newest first."""
        from annotator.services.merge import past_reports

        return self._show(past_reports(self.session.project), "Merge history")

    def _show(self, reports: list, title: str) -> ReportsDialog:
        from annotator.gui.merge.dialogs import ReportsDialog

        dialog = ReportsDialog(self.parent, title, reports)
        dialog.setObjectName("merge_report_dialog" if title == "Merge report" else "merge_history")
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.reports_dialog = dialog
        return dialog


def _conflicts_job(project, path: Path, progress) -> list:
    from annotator.services.merge import schema_conflicts

    return schema_conflicts(project, path, progress)


def _merge_job(project, path: Path, choices: dict[str, str], backup: bool, progress):
    from annotator.services.merge import merge

    return merge(project, path, progress, conflicts=choices, backup=backup, notify=False)
