"""A sync on a worker thread: the GUI stays live; progress and the result come as signals."""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal

from annotator.services.project import Project
from annotator.services.team_sync import KeptConnection, sync


class SyncWorker(QThread):
    """Runs one sync. `progressed(text)` from the worker thread; read `report` or `error`
    once `finished` has been emitted."""

    progressed = Signal(str)

    def __init__(self, project: Project, keep: KeptConnection | None = None) -> None:
        super().__init__()
        self.project, self.keep = project, keep
        self.report = None
        self.error: BaseException | None = None
        self.cancelled = False

    def _progress(self, done: int, total: int, text: str = "") -> bool:
        if text:
            self.progressed.emit(text)
        return not self.cancelled

    def run(self) -> None:
        try:
            # notify=False: the GUI thread refreshes the views (the session is not thread-safe)
            self.report = sync(self.project, self._progress, notify=False, keep=self.keep)
        except BaseException as error:  # handed to the GUI thread
            self.error = error
