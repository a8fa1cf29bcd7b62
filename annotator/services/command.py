"""The Command protocol: an undoable user action, one transaction each way."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotator.domain.changes import ChangeSet
from annotator.domain.ids import now
from annotator.services.history_log import record_changes

if TYPE_CHECKING:
    from annotator.services.project import Project
    from annotator.store.project_store import WriteSession


@dataclass(frozen=True)
class Refusal:
    """Why a command was not done (nothing was written); false, so `if project.attempt(...)`
    reads as "if it was done"."""

    reason: str

    def __bool__(self) -> bool:
        return False


class Command(ABC):
    """An undoable action. `do` may run again after `undo` (redo) and must then give the same
    result: commands fix their uuids and timestamps when constructed or first applied.

    Subclasses implement `apply`/`revert` against an open write session, so several commands
    can share one transaction (see `Compound`)."""

    label: str = "Edit"
    #: The uuids of the history rows the last `do` wrote.
    history_rows: list[str] = []  # noqa: RUF012 - replaced per instance by `do`

    def do(self, project: Project) -> ChangeSet:
        """Apply the action in one transaction and return what changed. The history rows of
        the change (a redo's too) are written in the same transaction."""
        phase = "redo" if getattr(self, "_applied", False) else "do"
        with project.writing() as session:
            changes = self.apply(project, session)
            if phase == "redo":
                restamp(session, changes)
            rows = record_changes(session, self, changes, phase, project.annotator.uuid)
        self._applied = True
        self.history_rows = [row.uuid for row in rows]  # what `absorb` may fold together
        return changes

    def undo(self, project: Project) -> ChangeSet:
        """Revert exactly what `do` applied, in one transaction, with its history rows."""
        with project.writing() as session:
            changes = self.revert(project, session)
            restamp(session, changes)
            record_changes(session, self, changes, "undo", project.annotator.uuid)
        return changes

    @abstractmethod
    def apply(self, project: Project, session: WriteSession) -> ChangeSet: ...

    @abstractmethod
    def revert(self, project: Project, session: WriteSession) -> ChangeSet: ...


class Compound(Command):
    """Several commands done and undone as one step, in one transaction."""

    def __init__(self, label: str, commands: list[Command]) -> None:
        self.label = label
        self.commands = list(commands)

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        changes = ChangeSet()
        for command in self.commands:
            changes = changes.merge(command.apply(project, session))
        return changes

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        changes = ChangeSet()
        for command in reversed(self.commands):
            changes = changes.merge(command.revert(project, session))
        return changes


def restamp(session: WriteSession, changes: ChangeSet) -> None:
    """An undo or a redo is a new change (design: undo/redo are saved actions): the rows it
    wrote back get the time of now. With the times they had, a colleague's copy of the
    version they replaced would look newer, and a merge or a team sync would bring that
    version back (or never send the undo at all)."""
    session.restamp(
        now(),
        spans=changes.spans_added | changes.spans_changed,
        links=changes.links_added | changes.links_changed,
        entities=changes.entities,
    )
