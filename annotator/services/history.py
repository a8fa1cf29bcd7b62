"""A pure-Python undo history of commands (the GUI wraps commands in a QUndoStack instead)."""

from __future__ import annotations

from collections.abc import Callable
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

    def push(self, command: Command, do: Callable[[], ChangeSet] | None = None) -> ChangeSet:
        """Do the command (`do` stands in for command.do(project), e.g. the same call behind a
        progress dialog); if it raises, the history is unchanged."""
        changes = do() if do is not None else command.do(self._project)
        self._done.append(command)
        self._undone.clear()
        return changes

    def undo(self) -> ChangeSet:
        """Undo the last step; one that cannot run now raises and stays (to retry)."""
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

    def forget(self, step: str) -> None:
        """Drop the next step to undo ("undo") or to redo ("redo"): the GUI's undo stack drops
        a step that failed (marks it obsolete), and the history follows it."""
        stack = self._done if step == "undo" else self._undone
        if stack:
            stack.pop()

    @property
    def undo_label(self) -> str | None:
        return self._done[-1].label if self._done else None

    @property
    def redo_label(self) -> str | None:
        return self._undone[-1].label if self._undone else None

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()
