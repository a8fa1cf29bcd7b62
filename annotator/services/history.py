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
        self._folded: Command | None = None  # the last command pushed, if it was folded in

    def push(self, command: Command, do: Callable[[], ChangeSet] | None = None) -> ChangeSet:
        """Do the command (`do` stands in for command.do(project), e.g. the same call behind a
        progress dialog); if it raises, the history is unchanged. A command that continues
        the last one (e.g. one more resize of the same span) is folded into it: one undo step
        and one history row (see `ResizeSpan.absorb`)."""
        changes = do() if do is not None else command.do(self._project)
        absorb = getattr(self._done[-1], "absorb", None) if self._done else None
        folded = absorb is not None and not self._undone and absorb(self._project, command)
        if not folded:
            self._done.append(command)
        self._folded = command if folded else None
        self._undone.clear()
        return changes

    def was_folded(self, command: Command) -> bool:
        """Whether `command`, the last one pushed, was folded into the step before it (the
        GUI's undo stack then merges its step the same way)."""
        return command is self._folded

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
