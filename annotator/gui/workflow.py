"""Document workflow: status per annotator, next / previous / next unfinished document."""

from __future__ import annotations

from collections.abc import Callable

from annotator.gui.session import ProjectSession
from annotator.services.entity_commands import SetStatus


class Workflow:
    """`order()` gives the documents in the project's order (the window passes its document
    list's, which it keeps from change sets; by default it is read from the file)."""

    def __init__(
        self, session: ProjectSession, order: Callable[[], list[str]] | None = None
    ) -> None:
        self.session = session
        self._order_of = order

    def _order(self) -> list[str]:
        if self._order_of is not None:
            return self._order_of()
        with self.session.read() as read:
            return read.document_order()

    def set_status(self, status: str) -> None:
        if self.session.current_document:
            self.session.run(SetStatus(self.session.current_document, status))

    def step(self, delta: int) -> None:
        order = self._order()
        if not order:
            return
        current = self.session.current_document
        index = order.index(current) + delta if current in order else 0
        if 0 <= index < len(order):
            self.session.open_document(order[index])
        else:
            self.session.message.emit("No more documents in that direction")

    def next_unfinished(self) -> None:
        order = self._order()
        with self.session.read() as read:
            done = {
                s.document
                for s in read.statuses()
                if s.annotator == self.session.annotator and s.status == "done"
            }
        current = self.session.current_document
        start = order.index(current) + 1 if current in order else 0
        for uuid in order[start:] + order[:start]:
            if uuid not in done and uuid != current:
                self.session.open_document(uuid)
                return
        self.session.message.emit("Every other document is done")
