"""Status-bar feedback: what every action did, in a few words ("Tagged “Russia” as Actor",
"Deleted “Moscow”", "Undone: Tag as Actor"), and a refusal that the next action clears."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStatusBar

from annotator.domain.wording import counted, quoted
from annotator.services.command import Command
from annotator.services.link_commands import CreateLink, DeleteLinks
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan

if TYPE_CHECKING:
    from annotator.gui.session import ProjectSession

#: How long a note stays (ms); the next action's note replaces it sooner.
SHOW_FOR = 6000

#: Past tense of the labels of span edits other than a retag (services/span_commands).
_EDITED = {
    "Resize span": "Resized the span",
    "Add fragment": "Added a fragment to the span",
    "Edit attributes": "Attribute saved",
    "Edit note": "Note saved",
    "Set entity": "Entity set",
    "Edit span": "Span edited",
}


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return quoted(text if len(text) <= limit else text[: limit - 1] + "…")


def done_text(command: Command) -> str:
    """What a command just did, for the status bar (past tense, naming what it touched)."""
    if isinstance(command, CreateSpan) and command.span is not None:
        return f"Tagged {_short(command.span.quote)} as {command.label.removeprefix('Tag as ')}"
    if isinstance(command, DeleteSpans):
        spans = command.spans
        what = _short(spans[0].quote) if len(spans) == 1 else f"{len(spans)} spans"
        links = len(command.links)
        return f"Deleted {what}" + (f" and {links} {counted('links', links)}" if links else "")
    if isinstance(command, EditSpan):
        summary = command.summary()
        return _EDITED.get(summary, summary)
    if isinstance(command, CreateLink):
        return f"Linked: {command.label.removeprefix('Link (').removesuffix(')')}"
    if isinstance(command, DeleteLinks):
        count = len(command.uuids)
        return "Deleted the link" if count == 1 else f"Deleted {count} links"
    if command.label.startswith("Mark "):
        return "Marked " + command.label.removeprefix("Mark ")
    return f"Done: {command.label}"


class StatusFeedback(QObject):
    """Shows the session's notes and refusals in the status bar; a refusal stays only until
    the next action (a note, a selection, another document), so no stale error lingers."""

    def __init__(self, session: ProjectSession, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.bar = bar
        self._refusal = ""
        session.message.connect(self.show)
        session.span_selected.connect(self._clear_refusal)
        session.link_selected.connect(self._clear_refusal)
        session.document_changed.connect(self._clear_refusal)

    def show(self, text: str) -> None:
        self._refusal = ""
        self.bar.showMessage(text, SHOW_FOR)

    def refuse(self, text: str) -> None:
        self._refusal = text
        self.bar.showMessage(text, 2 * SHOW_FOR)

    def _clear_refusal(self, *_: object) -> None:
        if self._refusal and self.bar.currentMessage() == self._refusal:
            self.bar.clearMessage()
        self._refusal = ""
