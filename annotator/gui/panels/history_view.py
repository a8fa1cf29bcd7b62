"""The inspector's History section: who changed the span (and its links), what, and when."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from annotator.gui.panels.common import local_time, muted_label, one_line, tooltip_lines
from annotator.gui.panels.span_links import LinkLine
from annotator.gui.session import ProjectSession
from annotator.services.provenance import HistoryLine, history_lines

#: Rows shown; older ones are counted (the command line lists them all).
MAX_ROWS = 30


def detail_lines(line: HistoryLine) -> list[str]:
    """The tooltip: the exact time, then each changed field before → after."""
    e = line.entry
    lines = [f"{line.when} · {line.author} · {e.action}"]
    detail = dict(e.detail)
    before, after = detail.pop("before", None), detail.pop("after", None)
    if isinstance(before, dict) and isinstance(after, dict):
        for key in dict.fromkeys([*before, *after]):
            lines.append(f"{key}: {_value(before.get(key))} → {_value(after.get(key))}")
    elif before is not None or after is not None:
        lines.append(f"{_value(before)} → {_value(after)}")
    lines += [f"{key}: {_value(value)}" for key, value in detail.items() if key != "document"]
    return lines


def _value(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return one_line(str(value), 120)


class HistoryView(QWidget):
    """Newest first: the summary, then "when · who" (and which link) in grey; the detail of a
    change shows on hover."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history")
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(6)
        self.rows: list[QWidget] = []
        self._texts: list[str] = []
        self.empty = muted_label("No recorded changes.", self)
        self.more = muted_label("", self)
        self.more.setWordWrap(True)
        self.column.addWidget(self.empty)
        self.column.addWidget(self.more)

    def show_for(self, session: ProjectSession, span: str, links: list[LinkLine]) -> None:
        """Read and show the history of `span` and of the links shown with it."""
        about = {line.link: f"link {one_line(line.text, 60)}" for line in links}
        with session.read() as read:
            lines = history_lines(read, [span, *about])
        self.set_lines(lines, about)

    def set_lines(self, lines: list[HistoryLine], about: dict[str, str]) -> None:
        texts = [self._text(line, about) for line in lines]
        if texts == self._texts:
            return  # unchanged: keep the widgets (and an open tooltip)
        self._texts = texts
        for row in self.rows:
            self.column.removeWidget(row)
            row.deleteLater()
        self.rows = []
        for index, line in enumerate(lines[:MAX_ROWS]):
            row = self._row(line, about.get(line.entry.object_uuid))
            self.column.insertWidget(index, row)
            self.rows.append(row)
        self.empty.setVisible(not lines)
        hidden = len(lines) - MAX_ROWS
        self.more.setVisible(hidden > 0)
        if hidden > 0:
            self.more.setText(
                f"{hidden} older changes not shown; “annotator history” on the command line "
                "lists them all."
            )

    def texts(self) -> list[str]:
        """What each row says, "summary — when · who", newest first (shown rows only)."""
        return self._texts[:MAX_ROWS]

    def _text(self, line: HistoryLine, about: dict[str, str]) -> str:
        return f"{self._summary(line)} — {self._meta(line, about.get(line.entry.object_uuid))}"

    @staticmethod
    def _summary(line: HistoryLine) -> str:
        summary = line.entry.summary or line.entry.action
        return summary[:1].upper() + summary[1:]

    @staticmethod
    def _meta(line: HistoryLine, link: str | None) -> str:
        parts = [local_time(line.entry.at), line.author]
        return " · ".join([*parts, link] if link else parts)

    def _row(self, line: HistoryLine, link: str | None) -> QWidget:
        row = QWidget(self)
        row.setObjectName("history_row")
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        summary = QLabel(self._summary(line), row)
        summary.setWordWrap(True)
        meta = muted_label(self._meta(line, link), row)
        meta.setWordWrap(True)
        layout.addWidget(summary)
        layout.addWidget(meta)
        row.setToolTip(tooltip_lines(detail_lines(line)))
        return row
