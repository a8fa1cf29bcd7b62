"""QUndoCommand adapter over the pure-Python commands of annotator.services."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotator.domain.changes import ChangeSet
from annotator.errors import AnnotatorError
from annotator.services.command import Command
from annotator.services.project import Project


class UndoableCommand(QUndoCommand):
    """Wraps a services Command that has already been done once (the first redo is skipped).

    Every undo and redo is itself one saved transaction; a refusal (the project changed in a
    way that makes the step impossible) is reported and marks the step obsolete.
    """

    def __init__(
        self,
        project: Project,
        command: Command,
        on_changes: Callable[[ChangeSet], None],
        on_error: Callable[[str], None],
    ) -> None:
        super().__init__(command.label)
        self.project, self.command = project, command
        self._on_changes, self._on_error = on_changes, on_error
        self._skip_first_redo = True

    def id(self) -> int:
        """Commands that can fold their successor in (a resize) share one merge id."""
        return 1 if hasattr(self.command, "absorb") else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """One more resize of the same span: one undo step, one history row (the services
        command folds the rows; see ResizeSpan.absorb)."""
        if not isinstance(other, UndoableCommand):
            return False
        try:
            return bool(self.command.absorb(self.project, other.command))  # type: ignore[attr-defined]
        except AnnotatorError as error:
            self._on_error(str(error))
            return False

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._run(self.command.do)

    def undo(self) -> None:
        self._run(self.command.undo)

    def _run(self, step: Callable[[Project], ChangeSet]) -> None:
        try:
            self._on_changes(step(self.project))
        except AnnotatorError as error:
            self.setObsolete(True)
            self._on_error(f"Cannot {self.text().lower()}: {error}")
