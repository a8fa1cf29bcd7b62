"""QUndoCommand adapter that mirrors the services history (annotator.services.history)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotator.errors import AnnotatorError
from annotator.services.command import Command
from annotator.services.project import Project


class UndoableCommand(QUndoCommand):
    """One step of the project's services history, already done once (the first redo is
    skipped). Undo and redo call the project's own undo and redo (the stack and the history
    move together; each is one saved transaction that tells the project's listeners); a
    refusal (the project changed in a way that makes the step impossible) is reported and
    marks the step obsolete; the history drops it too (History.forget). A step undone or
    redone says so (`on_message`: the status bar).
    """

    def __init__(
        self,
        project: Project,
        command: Command,
        on_error: Callable[[str], None],
        on_message: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(command.label)
        self.project, self.command = project, command
        self._on_error, self._on_message = on_error, on_message
        self._skip_first_redo = True

    def id(self) -> int:
        """Commands that can fold their successor in (a resize) share one merge id."""
        return 1 if hasattr(self.command, "absorb") else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        """One more resize of the same span: one undo step, as the services history already
        folded it into one step and one history row (History.push, ResizeSpan.absorb)."""
        return isinstance(other, UndoableCommand) and self.project.history.was_folded(other.command)

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._run(self.project.redo, "redo", "Redone")

    def undo(self) -> None:
        self._run(self.project.undo, "undo", "Undone")

    def _run(self, step: Callable[[], object], which: str, done: str) -> None:
        try:
            step()
        except AnnotatorError as error:
            self.setObsolete(True)  # the stack drops the step: so does the history
            self.project.history.forget(which)
            self._on_error(f"Cannot {self.text().lower()}: {error}")
            return
        if self._on_message is not None:
            self._on_message(f"{done}: {self.text()}")
