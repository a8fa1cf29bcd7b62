"""Table models of the current document's spans and links, and the proxy that filters them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from annotator.domain.changes import ChangeSet
from annotator.domain.model import Link, Schema, Span
from annotator.gui.panels.common import (
    ANNOTATOR_ROLE,
    FALLBACK_COLOR,
    KIND_ROLE,
    SEARCH_ROLE,
    SORT_ROLE,
    UUID_ROLE,
    attributes_text,
    dot_icon,
    one_line,
    tooltip_html,
    tooltip_lines,
    value_text,
)
from annotator.gui.session import ProjectSession

AnyIndex = QModelIndex | QPersistentModelIndex
#: Above this many touched rows one reset is cheaper than row-by-row signals.
RESET_THRESHOLD = 200


@dataclass(frozen=True)
class Row:
    """What one table row shows: display cells, sort keys and tooltips (a display cache)."""

    uuid: str
    kind: str  # tag key or link type key
    annotator: str
    color: str
    cells: tuple[str, ...]
    sort: tuple[Any, ...]
    tips: tuple[str, ...]

    @property
    def search(self) -> str:
        return " ".join(self.cells).lower()


class RowTableModel(QAbstractTableModel):
    """A table of Rows keyed by uuid that updates row by row where it can."""

    COLUMNS: tuple[str, ...] = ()
    COLOR_COLUMN = -1  # the column that carries the colour dot

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self._names: dict[str, str] = {}
        session.document_changed.connect(self._on_document)
        session.changed.connect(self._on_changes)
        session.layer.changed.connect(self.reload)  # rows of the shown layer(s) only

    def _on_document(self, _uuid: str) -> None:
        self.reload()

    def reload(self) -> None:
        raise NotImplementedError

    def _on_changes(self, changes: ChangeSet) -> None:
        raise NotImplementedError

    # -- lookups -----------------------------------------------------------------------------
    def row_of(self, uuid: str) -> int | None:
        return self._index.get(uuid)

    def uuid_at(self, row: int) -> str:
        return self._rows[row].uuid

    def uuids(self) -> list[str]:
        return [r.uuid for r in self._rows]

    def _annotator_name(self, uuid: str) -> str:
        return self._names.get(uuid, "?")

    # -- updating ----------------------------------------------------------------------------
    def _reset(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        self._index = {r.uuid: i for i, r in enumerate(self._rows)}

    def _remove(self, uuids: Iterable[str]) -> None:
        for row in sorted((self._index[u] for u in uuids if u in self._index), reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self._reindex()
            self.endRemoveRows()

    def _upsert(self, rows: Iterable[Row]) -> None:
        new: list[Row] = []
        for row in rows:
            at = self._index.get(row.uuid)
            if at is None:
                new.append(row)
            elif self._rows[at] != row:
                self._rows[at] = row
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.COLUMNS) - 1))
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self._reindex()
            self.endInsertRows()

    def _sync(self, rows: list[Row]) -> None:
        """Make the table hold exactly `rows`, moving as few rows as possible."""
        wanted = {r.uuid for r in rows}
        gone = [u for u in self._index if u not in wanted]
        if len(gone) + abs(len(rows) - len(self._rows)) > RESET_THRESHOLD:
            self._reset(rows)
            return
        self._remove(gone)
        self._upsert(rows)

    # -- the model interface -----------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column]
        if role == SORT_ROLE:
            return row.sort[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tips[column] or None
        if role == Qt.ItemDataRole.DecorationRole and column == self.COLOR_COLUMN:
            return dot_icon(row.color)
        if role == UUID_ROLE:
            return row.uuid
        if role == KIND_ROLE:
            return row.kind
        if role == ANNOTATOR_ROLE:
            return row.annotator
        if role == SEARCH_ROLE:
            return row.search
        return None


class SpanTableModel(RowTableModel):
    """The spans of the current document (every annotator's), in reading order."""

    COLUMNS = ("Quote", "Tag", "Attributes", "Annotator", "Start", "Note")
    QUOTE, TAG, ATTRIBUTES, ANNOTATOR, START, NOTE = range(6)
    COLOR_COLUMN = TAG

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(session, parent)
        self.reload()

    def reload(self) -> None:
        document = self.session.current_document
        with self.session.read() as read:
            self._names = {a.uuid: a.name for a in read.annotators()}
            spans = self.session.layer.filter(read.spans(document)) if document else []
        schema = self.session.schema
        self._reset([self._row(s, schema) for s in spans])

    def _on_changes(self, changes: ChangeSet) -> None:
        document = self.session.current_document
        if changes.schema or changes.annotators:
            self.reload()
            return
        if not document or document not in changes.documents:
            return
        touched = changes.spans_added | changes.spans_changed
        if len(touched) + len(changes.spans_removed) > RESET_THRESHOLD:
            self.reload()
            return
        self._remove(changes.spans_removed)
        if touched:
            with self.session.read() as read:
                spans = [s for s in read.spans_by_uuid(touched) if s.document == document]
            spans = self.session.layer.filter(spans)
            schema = self.session.schema
            self._upsert(sorted((self._row(s, schema) for s in spans), key=lambda r: r.sort[4]))

    def _row(self, span: Span, schema: Schema) -> Row:
        tag = schema.tag(span.tag)
        label = tag.label if tag else span.tag
        quote = one_line(span.quote)
        attrs = attributes_text(span.attributes)
        note = one_line(span.note, 120)
        name = self._annotator_name(span.annotator)
        details = []
        for key, value in span.attributes.items():
            definition = tag.attribute(key) if tag else None
            details.append(f"{definition.label if definition else key}: {value_text(value)}")
        return Row(
            uuid=span.uuid,
            kind=span.tag,
            annotator=span.annotator,
            color=tag.color if tag else FALLBACK_COLOR,
            cells=(quote, label, attrs, name, str(span.start), note),
            sort=(quote.lower(), label.lower(), attrs.lower(), name.lower(), span.start, note),
            tips=(tooltip_html(span.quote), "", tooltip_lines(details), "", "", tooltip_html(note)),
        )


class LinkTableModel(RowTableModel):
    """The links of the current document, by the source span's position."""

    COLUMNS = ("Source", "Type", "Target", "Annotator", "Note")
    SOURCE, TYPE, TARGET, ANNOTATOR, NOTE = range(5)
    COLOR_COLUMN = TYPE

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(session, parent)
        self.reload()

    def _read_rows(self) -> list[Row]:
        document = self.session.current_document
        if not document:
            return []
        with self.session.read() as read:
            self._names = {a.uuid: a.name for a in read.annotators()}
            links = self.session.layer.filter(read.links(document))
            ends = {u for link in links for u in (link.source, link.target)}
            spans = {s.uuid: s for s in read.spans_by_uuid(ends)}
        schema = self.session.schema
        rows = [self._row(link, spans, schema) for link in links]
        return sorted(rows, key=lambda r: r.sort[-1])

    def reload(self) -> None:
        self._reset(self._read_rows())

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.schema or changes.annotators:
            self.reload()
        elif self.session.current_document in changes.documents:
            # Quotes of linked spans may have changed too; links are few, so re-read them all.
            self._sync(self._read_rows())

    def _row(self, link: Link, spans: dict[str, Span], schema: Schema) -> Row:
        link_type = schema.link_type(link.type)
        label = link_type.label if link_type else link.type
        source, target = spans.get(link.source), spans.get(link.target)
        source_quote = one_line(source.quote) if source else "?"
        target_quote = one_line(target.quote) if target else "?"
        name = self._annotator_name(link.annotator)
        note = one_line(link.note, 120)
        position = (source.start if source else -1, target.start if target else -1, link.uuid)
        return Row(
            uuid=link.uuid,
            kind=link.type,
            annotator=link.annotator,
            color=link_type.color if link_type else FALLBACK_COLOR,
            cells=(source_quote, label, target_quote, name, note),
            sort=(
                source_quote.lower(),
                label.lower(),
                target_quote.lower(),
                name.lower(),
                note,
                position,
            ),
            tips=(
                tooltip_html(source.quote if source else ""),
                tooltip_html(link_type.guideline if link_type else ""),
                tooltip_html(target.quote if target else ""),
                "",
                tooltip_html(note),
            ),
        )


class AnnotationFilter(QSortFilterProxyModel):
    """Sorts by SORT_ROLE and keeps rows of one tag (or link type), one annotator and
    containing a piece of text; an empty criterion keeps every row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._kind = ""
        self._annotator = ""
        self._text = ""

    def set_criteria(
        self, kind: str | None = None, annotator: str | None = None, text: str | None = None
    ) -> None:
        """Change the criteria given (None leaves one as it is)."""
        self.beginFilterChange()
        if kind is not None:
            self._kind = kind
        if annotator is not None:
            self._annotator = annotator
        if text is not None:
            self._text = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def is_filtering(self) -> bool:
        return bool(self._kind or self._annotator or self._text)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        if self._kind and index.data(KIND_ROLE) != self._kind:
            return False
        if self._annotator and index.data(ANNOTATOR_ROLE) != self._annotator:
            return False
        return not self._text or self._text in index.data(SEARCH_ROLE)
