"""Progress, cancel and an optional deadline for the open checklist, inside SQLite and out.

Running out of time or being cancelled is never reported as damage: the watch raises its own
typed errors (`CheckTimeoutError`, `CheckCancelledError`), which say that the check did not
finish and that the file was left as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from annotator.errors import CheckCancelledError, CheckTimeoutError

#: `steps(done, total, text)` moves a progress bar (total 0: busy); returning False cancels.
Steps = Callable[[int, int, str], "bool | None"]

#: SQLite VM instructions between two looks at the clock and the cancel flag.
HANDLER_EVERY = 20_000


class CheckWatch:
    """What one run of the checklist reports to, and what may stop it."""

    def __init__(self, name: str, steps: Steps | None = None, deadline_s: float | None = None):
        self.name = name
        self._steps = steps
        self.deadline_s = deadline_s
        self._ends = None if deadline_s is None else time.monotonic() + deadline_s
        self._stopped: type[Exception] | None = None
        self._interrupted = False
        self._text = ""
        self._done, self._total = 0, 0

    # -- progress ------------------------------------------------------------------------------
    def stage(self, text: str, total: int = 0) -> None:
        """A new stage of the check: its label and how many units it will count (0: unknown)."""
        self._text, self._done, self._total = text, 0, total
        self.poll()

    def advance(self, units: int = 1) -> None:
        self._done += units
        self.poll()

    def poll(self) -> None:
        """Report progress; raise if the user cancelled or the deadline passed."""
        if self._should_stop():
            self.raise_stopped()

    def _should_stop(self) -> bool:
        if self._stopped is not None:
            return True
        if self._ends is not None and time.monotonic() > self._ends:
            self._stopped = CheckTimeoutError
        elif self._steps is not None:
            done = min(self._done, self._total) if self._total else 0
            if self._steps(done, self._total, self._text) is False:
                self._stopped = CheckCancelledError
        return self._stopped is not None

    @property
    def stopped(self) -> bool:
        return self._stopped is not None

    def raise_stopped(self) -> None:
        if self._stopped is CheckTimeoutError:
            raise CheckTimeoutError(
                f"{self.name}: the check did not finish within {self.deadline_s:g} s, so the "
                "file was neither opened nor judged; nothing was changed (check it again with "
                "more time, e.g. `annotator check` without --deadline)"
            )
        raise CheckCancelledError(f"{self.name}: opening was cancelled; nothing was changed")

    # -- inside SQLite -------------------------------------------------------------------------
    def install(self, connection: sqlite3.Connection) -> None:
        """Let a long statement be stopped: SQLite then raises 'interrupted', which
        `translate` turns into the typed error."""

        def handler() -> int:
            try:
                return 1 if self._should_stop() else 0
            except KeyboardInterrupt:  # Ctrl+C: sqlite3 would swallow it in a handler
                self._interrupted = True
                return 1

        connection.set_progress_handler(handler, HANDLER_EVERY)

    def translate(self, error: sqlite3.Error) -> None:
        """Raise the typed error if this watch stopped the statement that failed (or
        KeyboardInterrupt again, if Ctrl+C arrived while SQLite was working)."""
        if self._stopped is not None and not self._interrupted:
            self.raise_stopped()
        # Nothing else interrupts the checklist's connections: an "interrupted" that the watch
        # did not ask for is a Ctrl+C that sqlite3 swallowed inside the handler.
        if self._interrupted or "interrupt" in str(error).lower():
            raise KeyboardInterrupt
