"""How a curation unit reads: one line for the queue, and every annotator's version side by side
(tag or link type, text, attributes) in a table with one column per annotator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
)

from annotator.domain.agreement.units import UnitLink, UnitSpan
from annotator.domain.curation import Unit
from annotator.domain.model import Schema

KIND_NAMES = {"span": "Span", "attribute": "Attributes", "link": "Link"}
ROWS = ("Tag / type", "Text", "Attributes")
NONE = "— none —"


def excerpt(text: str, start: int, end: int, limit: int = 90) -> str:
    shown = " ".join(text[start:end].split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def span_text(text: str, span: UnitSpan) -> str:
    return " … ".join(excerpt(text, start, end) for start, end in span.fragments)


def attributes_text(attributes: Mapping) -> str:
    if not attributes:
        return "(none)"
    return "; ".join(
        f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in sorted(attributes.items())
    )


def unit_where(unit: Unit, text: str, spans: Mapping[str, UnitSpan]) -> str:
    """The queue's "What" column: the unit's text, or a link's two ends."""
    if unit.kind == "link" and unit.endpoints is not None:
        source, target = (spans.get(u) for u in unit.endpoints)
        ends = [span_text(text, s) if s else "?" for s in (source, target)]
        return f"{ends[0]} → {ends[1]}"
    if unit.kind == "attribute" and unit.gold in spans:  # the gold span the unit edits
        return span_text(text, spans[unit.gold])
    extent = unit.extent
    return excerpt(text, *extent) if extent else ""


def version_cells(
    version: UnitSpan | UnitLink | None, text: str, spans: Mapping[str, UnitSpan], schema: Schema
) -> tuple[str, str, str]:
    """(tag or link type, text, attributes) of one annotator's version."""
    if version is None:
        return NONE, "", ""
    if isinstance(version, UnitSpan):
        tag = schema.tag(version.tag)
        return (
            (tag.label if tag else version.tag),
            span_text(text, version),
            attributes_text(version.attributes),
        )
    link_type = schema.link_type(version.type)
    ends = [spans.get(u) for u in (version.source, version.target)]
    shown = " → ".join(span_text(text, s) if s else "?" for s in ends)
    label = link_type.label if link_type else version.type
    return label, shown, attributes_text(version.attributes)


class VersionsTable(QTableWidget):
    """Rows: tag, text, attributes; one column per annotator, numbered as the accept keys."""

    def __init__(self) -> None:
        super().__init__(len(ROWS), 0)
        self.setObjectName("curation_versions")
        self.setVerticalHeaderLabels(list(ROWS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(self.focusPolicy().NoFocus)
        self.setWordWrap(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # As tall as its three rows: the queue above gets the room.
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)

    def show_unit(
        self,
        unit: Unit | None,
        names: Sequence[str],
        text: str,
        spans: Mapping[str, UnitSpan],
        schema: Schema,
    ) -> None:
        self.setColumnCount(len(names))
        differing = set()
        if unit is not None:
            shown = [version_cells(v, text, spans, schema) for v in unit.versions if v is not None]
            differing = {row for row in range(len(ROWS)) if len({c[row] for c in shown}) > 1}
        self.setHorizontalHeaderLabels([f"{i + 1} · {name}" for i, name in enumerate(names)])
        for column in range(len(names)):
            version = unit.versions[column] if unit and column < len(unit.versions) else None
            cells = version_cells(version, text, spans, schema) if unit else ("", "", "")
            for row, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if unit is not None and version is not None and row in differing:
                    font = QFont(item.font())
                    font.setBold(True)  # where the versions differ
                    item.setFont(font)
                if version is None and row == 0 and unit is not None:
                    item.setForeground(QBrush(QColor("#888888")))
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                self.setItem(row, column, item)
