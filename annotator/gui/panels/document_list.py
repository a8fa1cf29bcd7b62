"""DocumentListModel: every document of the project with the current annotator's status and
its span count (counted on a worker thread after the first paint, then kept by change sets)."""

from __future__ import annotations

import threading
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QWidget

from annotator.domain.changes import ChangeSet
from annotator.domain.model import DocumentInfo
from annotator.gui.panels.common import (
    SEARCH_ROLE,
    SORT_ROLE,
    STATUS_LABELS,
    UUID_ROLE,
    status_icon,
    tooltip_html,
)
from annotator.gui.session import ProjectSession

__all__ = ["STATUS_ORDER", "DocumentListModel"]

AnyIndex = QModelIndex | QPersistentModelIndex
STATUS_ORDER = {"new": 0, "in_progress": 1, "done": 2}


@dataclass(frozen=True)
class _Row:
    """What one row shows (a display cache, refreshed from change sets)."""

    uuid: str
    title: str
    status: str
    spans: int
    outlet: str
    published: str
    author: str

    @classmethod
    def of(cls, info: DocumentInfo, status: str, spans: int) -> _Row:
        title = " ".join(info.title.split()) or info.source_filename or "Untitled"
        return cls(info.uuid, title, status, spans, info.outlet, info.published, info.author)

    @classmethod
    def of_summary(cls, summary: tuple, status: str, spans: int) -> _Row:
        uuid, title, filename, outlet, published, author = summary
        title = " ".join(title.split()) or filename or "Untitled"
        return cls(uuid, title, status, spans, outlet, published, author)


class DocumentListModel(QAbstractTableModel):
    """Every document of the project, one row each; statuses are the current annotator's."""

    COLUMNS = ("Title", "Status", "Spans", "Outlet", "Published")
    counts_loaded = Signal()  # every document's span count is in
    _counted = Signal(int, object)  # from the counting thread: generation, counts or None
    TITLE, STATUS, SPANS, OUTLET, PUBLISHED = range(5)

    def __init__(
        self, session: ProjectSession, parent: QWidget | None = None, *, defer_counts: bool = False
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._rows: list[_Row] = []
        self._index: dict[str, int] = {}
        self._compact = False
        #: Span counts of every document are read by `count_in_background` (the window calls
        #: it after its first paint: counting a large project's spans would hold up the first
        #: screen).
        self._counts_known = not defer_counts
        self._counting = False
        self._generation = 0  # a full reload makes a count already under way stale
        self._changed_while_counting: set[str] = set()
        self._counted.connect(self._on_counted)
        session.changed.connect(self._on_changes)
        session.layer.changed.connect(self.reload)  # counts follow the layers shown
        self._read_rows()

    def set_compact(self, compact: bool) -> None:
        """Show the status as a dot alone (for a narrow panel); its name stays in the tooltip."""
        if compact != self._compact:
            self._compact = compact
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, self.STATUS, self.STATUS)
            if self._rows:
                last = len(self._rows) - 1
                self.dataChanged.emit(self.index(0, self.STATUS), self.index(last, self.STATUS))

    # -- reading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read every row (counts included); rows whose documents are unchanged keep their
        place."""
        self._counts_known = True
        self._generation += 1
        self._read_rows()

    def _read_rows(self) -> None:
        with self.session.read() as read:
            documents = read.document_summaries()
            me = self.session.annotator
            counts = (
                read.span_counts(self.session.layer.annotators())  # the layers shown
                if self._counts_known
                else {}
            )
            statuses = {s.document: s.status for s in read.statuses() if s.annotator == me}
        unknown = -1
        rows = [
            _Row.of_summary(
                d, statuses.get(d[0], "new"), counts.get(d[0], 0) if counts else unknown
            )
            for d in documents
        ]
        if [r.uuid for r in rows] == [r.uuid for r in self._rows]:
            changed = [row for row, new in enumerate(rows) if new != self._rows[row]]
            for row in changed:
                self._rows[row] = rows[row]
            self._rows_changed(changed)
            return
        self.beginResetModel()
        self._rows = rows
        self._index = {r.uuid: i for i, r in enumerate(rows)}
        self.endResetModel()

    def load_counts(self) -> None:
        """Read every document's span count (of the layers shown) now."""
        self._counts_known = True
        with self.session.read() as read:
            counts = read.span_counts(self.session.layer.annotators())
        self._replace_counts(counts)
        self.counts_loaded.emit()

    def count_in_background(self) -> None:
        """Read every document's span count on a worker thread, then show them
        (`counts_loaded`): counting a million spans takes seconds, which the window must not
        freeze for. SQLite lets this read run beside the GUI thread's own reads and edits."""
        if self._counts_known or self._counting:
            return
        self._counting = True
        self._changed_while_counting = set()
        generation, annotators = self._generation, self.session.layer.annotators()
        read = self.session.read

        def work() -> None:
            try:
                with read() as session:
                    counts = session.span_counts(annotators)
            except Exception:  # the project was closed meanwhile: no counts
                counts = None
            with suppress(RuntimeError):  # the model is gone (the window closed)
                self._counted.emit(generation, counts)

        threading.Thread(target=work, name="span-counts", daemon=True).start()

    def _on_counted(self, generation: int, counts: dict[str, int] | None) -> None:
        self._counting = False
        if counts is None or generation != self._generation or self._counts_known:
            return
        self._counts_known = True
        self._replace_counts(counts)
        changed = [u for u in self._changed_while_counting if u in self._index]
        if changed:  # edited after the worker's snapshot: count those again
            with self.session.read() as read:
                for uuid, count in read.span_counts_of(
                    changed, self.session.layer.annotators()
                ).items():
                    self._replace(uuid, spans=count)
        self.counts_loaded.emit()

    @property
    def counts_known(self) -> bool:
        return self._counts_known

    def _refresh_metadata(self, uuids: frozenset[str]) -> None:
        with self.session.read() as read:
            infos = [read.document_info(u) for u in uuids if u in self._index]
        for info in infos:
            row = self._index[info.uuid]
            old = self._rows[row]
            new = _Row.of(info, old.status, old.spans)
            if new != old:
                self._rows[row] = new
                self._row_changed(row)

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.documents_added or changes.documents_removed or changes.annotators:
            self.reload()
            return
        if changes.statuses:
            self._refresh_statuses(changes.statuses)
        if self._counting and (changes.spans_added or changes.spans_removed):
            self._changed_while_counting |= changes.documents
        if changes.spans_added or changes.spans_removed:
            # Only the counts of the documents the spans belong to (a full reload counted
            # every span of the project on each tag key).
            self._refresh_counts(changes)
        elif changes.documents and not (
            changes.spans_changed or changes.links_added or changes.links_changed
        ):  # metadata edits (span edits leave titles and counts alone)
            self._refresh_metadata(changes.documents)

    def _refresh_counts(self, changes: ChangeSet) -> None:
        wanted = [u for u in changes.documents if u in self._index]
        if not wanted:
            return
        shown = self.session.layer.annotators()
        unknown = []
        for uuid in wanted:
            old = self._rows[self._index[uuid]].spans
            content = self.session.loaded(uuid)
            if old < 0 or content is None:
                unknown.append(uuid)
                continue
            # The open document's spans are in memory: count the change, not the spans.
            added = (content.spans.get(u) for u in changes.spans_added)
            plus = sum(1 for s in added if s and (shown is None or s.annotator in shown))
            removed = content.last_removed.values()
            minus = sum(1 for s in removed if shown is None or s.annotator in shown)
            self._replace(uuid, spans=old + plus - minus)
        if unknown and self._counts_known:
            with self.session.read() as read:
                counts = read.span_counts_of(unknown, shown)
            for uuid, count in counts.items():
                self._replace(uuid, spans=count)

    def _refresh_statuses(self, uuids: frozenset[str]) -> None:
        me = self.session.annotator
        with self.session.read() as read:
            found = {u: s.status for u in uuids for s in read.statuses(u) if s.annotator == me}
        for uuid in uuids:
            self._replace(uuid, status=found.get(uuid, "new"))

    def _replace_counts(self, counts: dict[str, int]) -> None:
        """Set many rows' span counts with one dataChanged over the changed range: one signal
        per row made the first search after opening a 10,000-document project wait ~150 ms on
        10,000 view updates."""
        changed = []
        for uuid, count in counts.items():
            row = self._index.get(uuid)
            if row is not None and self._rows[row].spans != count:
                self._rows[row] = replace(self._rows[row], spans=count)
                changed.append(row)
        self._rows_changed(changed)

    def _rows_changed(self, rows: list[int]) -> None:
        if rows:
            last = len(self.COLUMNS) - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))

    def _replace(self, uuid: str, **values: Any) -> None:
        row = self._index.get(uuid)
        if row is None:
            return
        new = replace(self._rows[row], **values)
        if new != self._rows[row]:
            self._rows[row] = new
            self._row_changed(row)

    def span_total(self) -> int:
        """Spans of the shown layers over every document (the window's status bar; -1 until
        the counts are read)."""
        if not self._counts_known:
            return -1
        return sum(r.spans for r in self._rows)

    def spans_of(self, uuid: str) -> int:
        row = self._index.get(uuid)
        return self._rows[row].spans if row is not None else 0

    def title_of(self, uuid: str) -> str:
        row = self._index.get(uuid)
        return self._rows[row].title if row is not None else ""

    def document_uuids(self) -> list[str]:
        """Documents in the project's order."""
        return [r.uuid for r in self._rows]

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    # -- lookups -----------------------------------------------------------------------------
    def row_of(self, uuid: str) -> int | None:
        return self._index.get(uuid)

    def uuid_at(self, row: int) -> str:
        return self._rows[row].uuid

    # -- the model interface -----------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "✓" if section == self.STATUS and self._compact else self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == self.STATUS:
            return "Your status: new, in progress or done"
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            return status_icon(row.status)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TITLE:
            byline = ", ".join(x for x in (row.author, row.outlet, row.published) if x)
            return tooltip_html(row.title + (f" — {byline}" if byline else ""))
        if role == Qt.ItemDataRole.ToolTipRole and column == self.STATUS:
            return STATUS_LABELS.get(row.status, row.status)
        if role == UUID_ROLE:
            return row.uuid
        if role == SEARCH_ROLE:
            parts = (row.title, row.author, row.outlet, row.published, STATUS_LABELS[row.status])
            return " ".join(parts).lower()
        return None

    def _display(self, row: _Row, column: int) -> str:
        if column == self.STATUS:
            return "" if self._compact else STATUS_LABELS.get(row.status, row.status)
        if column == self.SPANS:
            return str(row.spans) if row.spans >= 0 else "…"
        return (row.title, "", "", row.outlet, row.published)[column]

    def _sort_key(self, row: _Row, column: int) -> Any:
        if column == self.TITLE:
            return row.title.lower()
        if column == self.STATUS:
            return STATUS_ORDER.get(row.status, 0)
        if column == self.SPANS:
            return row.spans
        return self._display(row, column).lower()
