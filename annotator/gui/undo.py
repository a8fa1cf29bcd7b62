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
        on_message: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(command.label)
        self.project, self.command = project, command
        self._on_changes, self._on_error = on_changes, on_error
        self._on_message = on_message
        self._skip_first_redo = True

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._run(self.command.do, "Redone")

    def undo(self) -> None:
        self._run(self.command.undo, "Undone")

    def _run(self, step: Callable[[Project], ChangeSet], done: str) -> None:
        try:
            self._on_changes(step(self.project))
        except AnnotatorError as error:
            self.setObsolete(True)
            self._on_error(f"Cannot {done.lower()[:-2]} {self.text()}: {error}")
            return
        if self._on_message is not None:
            self._on_message(f"{done}: {self.text()}")
