"""Accept all agreed behind a progress dialog with Cancel: one undo step, or nothing written."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from annotator.domain.changes import ChangeSet
from annotator.gui.session import ProjectSession
from annotator.services.curation_commands import AcceptAgreed, CurationCancelled


def accept_with_progress(window: QWidget, session: ProjectSession, command: AcceptAgreed) -> bool:
    """Run the bulk accept (tens of seconds for tens of thousands of units) on a worker thread
    with progress; a Cancel rolls its one transaction back and pushes nothing to undo."""
    try:
        done = session.run(command, lambda: _in_background(window, session, command))
    except CurationCancelled:
        session.message.emit("Accept all agreed cancelled: nothing was accepted")
        return False
    if done:
        session.flush()
        count, left = len(command.commands), len(command.skipped)
        why = f"; {left} agreed link(s) the schema refuses stay" if left else ""
        session.message.emit(f"Accepted {count} agreed unit(s) into gold{why}")
    return done


def _in_background(window: QWidget, session: ProjectSession, command: AcceptAgreed) -> ChangeSet:
    from annotator.gui.dialogs.progress import run_with_progress

    def job(progress) -> ChangeSet:
        command.progress = progress
        try:
            return command.do(session.project)
        finally:
            command.progress = None  # a redo reports nowhere

    try:
        return run_with_progress(window, "Accepting agreed units", job)
    finally:  # the keys come back to the window, also after a Cancel (the dialog may not)
        window.activateWindow()
