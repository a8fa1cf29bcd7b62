"""A pure-Python undo history of commands (the GUI wraps commands in a QUndoStack instead)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.domain.changes import ChangeSet

if TYPE_CHECKING:
    from annotator.services.command import Command
    from annotator.services.project import Project


class History:
    """Linear undo/redo over commands; pushing after an undo drops the redo branch."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._done: list[Command] = []
        self._undone: list[Command] = []

    def push(self, command: Command) -> ChangeSet:
        """Do the command; if it raises, the history is unchanged. A command that continues
        the last one (e.g. one more resize of the same span) is folded into it: one undo step
        and one history row (see `ResizeSpan.absorb`)."""
        changes = command.do(self._project)
        absorb = getattr(self._done[-1], "absorb", None) if self._done else None
        if not (absorb is not None and not self._undone and absorb(self._project, command)):
            self._done.append(command)
        self._undone.clear()
        return changes

    def undo(self) -> ChangeSet:
        if not self._done:
            return ChangeSet()
        command = self._done[-1]
        changes = command.undo(self._project)
        self._undone.append(self._done.pop())
        return changes

    def redo(self) -> ChangeSet:
        if not self._undone:
            return ChangeSet()
        command = self._undone[-1]
        changes = command.do(self._project)
        self._done.append(self._undone.pop())
        return changes

    @property
    def undo_label(self) -> str | None:
        return self._done[-1].label if self._done else None

    @property
    def redo_label(self) -> str | None:
        return self._undone[-1].label if self._undone else None

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()
