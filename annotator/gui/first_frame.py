"""Work the window's first frame does not show, done after it: one step per event-loop turn.

Opening a project, the user waits for the reading pane with the document's text and spans
(issue 11: ≤ 2× a bare text view). What the first frame shows but does not need yet (the
document list's rows, the team status) is built after the reading pane's first paint, a
short step per event-loop turn, so the window stays responsive in between. Any step asked for
before its turn (`run`: a key that needs the part) runs at once, so nothing waits for its turn
to work."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, SignalInstance


class AfterFirstFrame(QObject):
    """Named steps run after the first emission of `painted`, one per event-loop turn, in the
    order added. `run(name)` does a step now if it has not run yet; each runs once."""

    def __init__(self, painted: SignalInstance, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: dict[str, Callable[[], None]] = {}
        self._painted = painted
        self._started = False
        painted.connect(self._start)

    def add(self, name: str, step: Callable[[], None]) -> None:
        self._steps[name] = step
        if self._started and len(self._steps) == 1:
            QTimer.singleShot(0, self, self._next)

    def pending(self) -> list[str]:
        """The steps not run yet, in their order."""
        return list(self._steps)

    def run(self, name: str) -> None:
        """Run the step now (it is then skipped in its turn); nothing if it ran already."""
        step = self._steps.pop(name, None)
        if step is not None:
            step()

    def run_all(self) -> None:
        """Everything now (the window is closing, or a test wants the built window)."""
        while self._steps:
            self.run(next(iter(self._steps)))

    def _start(self) -> None:
        self._painted.disconnect(self._start)
        self._started = True
        if self._steps:
            QTimer.singleShot(0, self, self._next)

    def _next(self) -> None:
        if self._steps:
            self.run(next(iter(self._steps)))
        if self._steps:
            QTimer.singleShot(0, self, self._next)
