"""RowTableModel: a lazy, incrementally updated table of domain objects keyed by uuid.

Built for documents with tens of thousands of spans: the model holds the domain objects in the
shown order and builds a row's display cells only when a view asks for them (the table shows a
few dozen rows; a 50,000-row reset used to format every cell of every row). Sorting happens
here, once, with Python keys (a QSortFilterProxyModel sorting 50,000 rows calls `data()` about
a million times); rows are inserted at their sorted place and removed in contiguous runs, so an
edit never resets the table.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from annotator.gui.panels.common import (
    ANNOTATOR_ROLE,
    KIND_ROLE,
    SEARCH_ROLE,
    SORT_ROLE,
    UUID_ROLE,
    dot_icon,
)

AnyIndex = QModelIndex | QPersistentModelIndex
_ASCENDING = Qt.SortOrder.AscendingOrder


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
    """Subclasses say how to build a Row (`_make_row`) and the natural order (`_natural`)."""

    COLUMNS: tuple[str, ...] = ()
    COLOR_COLUMN = -1  # the column that carries the colour dot
    NATURAL_COLUMN = -1  # the column whose order is the natural order (no Row needed)
    #: Keep each item's natural key once computed (for keys that cost look-ups, e.g. a link's
    #: by its spans' starts: inserting 20,000 links at their places computed 290,000 of them).
    CACHE_NATURAL = False

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[Any] = []
        self._cache: dict[str, Row] = {}
        self._positions: dict[str, int] | None = None
        self._by_uuid: dict[str, Any] = {}  # the items by uuid (kept on every change)
        self._naturals: dict[str, tuple] = {}  # natural keys by uuid (CACHE_NATURAL)
        self._sort_column = -1
        self._sort_order = _ASCENDING
        #: Calls of data(), and display rows built: the regression tests count them (rows
        #: built only when shown).
        self.data_calls = 0
        self.rows_built = 0

    # -- what subclasses provide ---------------------------------------------------------------
    def _make_row(self, item: Any) -> Row:
        raise NotImplementedError

    def _natural(self, item: Any) -> tuple:
        raise NotImplementedError

    def _kind_of(self, item: Any) -> str:
        raise NotImplementedError

    # -- lookups ------------------------------------------------------------------------------
    def row_of(self, uuid: str) -> int | None:
        if self._positions is not None:
            return self._positions.get(uuid)
        item = self._by_uuid.get(uuid)
        if item is None:
            return None
        # The rows are sorted by a key unique to each item: a bisect finds it in O(log n)
        # (rebuilding a uuid → row table after each insert cost 5-20 ms at 50-200k rows).
        row = self._insert_position(item)
        if row < len(self._items) and self._items[row] is item:
            return row
        self._positions = {x.uuid: i for i, x in enumerate(self._items)}  # not expected
        return self._positions.get(uuid)

    def uuid_at(self, row: int) -> str:
        return self._items[row].uuid

    def uuids(self) -> list[str]:
        return [item.uuid for item in self._items]

    def item(self, uuid: str) -> Any | None:
        row = self.row_of(uuid)
        return None if row is None else self._items[row]

    def row_at(self, row: int) -> Row:
        """The display row (built and cached on first use)."""
        item = self._items[row]
        cached = self._cache.get(item.uuid)
        if cached is None:
            cached = self._cache[item.uuid] = self._make_row(item)
            self.rows_built += 1
        return cached

    def accepts(self, row: int, kind: str, annotator: str, text: str) -> bool:
        """Whether a row passes a filter (empty criteria pass); for the filter proxy."""
        item = self._items[row]
        if annotator and item.annotator != annotator:
            return False
        if kind and self._kind_of(item) != kind:
            return False
        return not text or text in self.row_at(row).search

    # -- sorting ------------------------------------------------------------------------------
    def _natural_key(self) -> Callable[[Any], tuple]:
        if not self.CACHE_NATURAL:
            return self._natural
        naturals, compute = self._naturals, self._natural

        def natural(item: Any) -> tuple:
            found = naturals.get(item.uuid)
            if found is None:
                found = naturals[item.uuid] = compute(item)
            return found

        return natural

    def _key(self) -> Callable[[Any], Any]:
        column, natural = self._sort_column, self._natural_key()
        if column < 0 or column == self.NATURAL_COLUMN:
            return natural
        cache, make = self._cache, self._make_row

        def key(item: Any) -> tuple:
            row = cache.get(item.uuid)
            if row is None:
                row = cache[item.uuid] = make(item)
            return (row.sort[column], natural(item))

        return key

    def sort(self, column: int, order: Qt.SortOrder = _ASCENDING) -> None:
        """Sort by a column's sort key (-1: the natural order); persistent indexes follow."""
        if (column, order) == (self._sort_column, self._sort_order):
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(index, self._items[index.row()].uuid) for index in persistent]
        self._items.sort(key=self._key(), reverse=order != _ASCENDING)
        self._positions = None
        for index, uuid in held:
            row = self.row_of(uuid)
            moved = self.index(row, index.column()) if row is not None else QModelIndex()
            self.changePersistentIndex(index, moved)
        self.layoutChanged.emit()

    def _insert_position(self, item: Any) -> int:
        key = self._key()
        wanted = key(item)
        descending = self._sort_order != _ASCENDING
        if not descending:  # the C bisect: no Python loop around the key calls
            return bisect_left(self._items, wanted, key=key)
        lo, hi = 0, len(self._items)
        while lo < hi:
            mid = (lo + hi) // 2
            other = key(self._items[mid])
            if (other > wanted) if descending else (other < wanted):
                lo = mid + 1
            else:
                hi = mid
        return lo

    # -- updating -----------------------------------------------------------------------------
    def _reset(self, items: Iterable[Any]) -> None:
        """Replace every row (a document switch or a layer change: not an edit)."""
        self.beginResetModel()
        self._items = sorted(items, key=self._key(), reverse=self._sort_order != _ASCENDING)
        self._by_uuid = {item.uuid: item for item in self._items}
        self._cache.clear()
        self._naturals.clear()
        self._positions = None
        self.endResetModel()

    def _remove(self, uuids: Iterable[str]) -> None:
        rows = sorted({r for u in uuids if (r := self.row_of(u)) is not None}, reverse=True)
        for first, last in _runs(rows):
            self.beginRemoveRows(QModelIndex(), first, last)
            for item in self._items[first : last + 1]:
                self._cache.pop(item.uuid, None)
                self._naturals.pop(item.uuid, None)
                self._by_uuid.pop(item.uuid, None)
            del self._items[first : last + 1]
            self._positions = None
            self.endRemoveRows()

    def _upsert(self, items: Iterable[Any]) -> None:
        """Insert new items at their sorted place; refresh (or move) known ones."""
        new, moved = [], []
        items = list(items)
        for item in items:  # their keys may have changed (e.g. a link's span moved)
            self._naturals.pop(item.uuid, None)
        for item in items:
            row = self.row_of(item.uuid)
            if row is None:
                new.append(item)
                continue
            self._cache.pop(item.uuid, None)
            old, self._items[row] = self._items[row], item
            self._by_uuid[item.uuid] = item
            key = self._key()
            before = row > 0 and _out_of_order(key, self._items[row - 1], item, self._sort_order)
            after = row + 1 < len(self._items) and _out_of_order(
                key, item, self._items[row + 1], self._sort_order
            )
            if before or after:
                self._items[row] = old
                self._by_uuid[old.uuid] = old
                moved.append(item)
            else:
                last = len(self.COLUMNS) - 1
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
        if moved:
            self._remove(item.uuid for item in moved)
            new.extend(moved)
        self._insert(new)

    def _insert(self, items: list[Any]) -> None:
        if not items:
            return
        key, descending = self._key(), self._sort_order != _ASCENDING
        items = sorted(items, key=key, reverse=descending)
        if not self._items or not _out_of_order(key, self._items[-1], items[0], self._sort_order):
            groups = [(len(self._items), items)]  # all after the last row: one append
        else:
            at: dict[int, list[Any]] = {}
            for item in items:
                at.setdefault(self._insert_position(item), []).append(item)
            groups = sorted(at.items(), reverse=True)
        for position, group in groups:
            self.beginInsertRows(QModelIndex(), position, position + len(group) - 1)
            self._items[position:position] = group
            self._by_uuid.update((item.uuid, item) for item in group)
            self._positions = None
            self.endInsertRows()

    # -- the model interface ------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

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
        self.data_calls += 1
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        if role == UUID_ROLE:
            return self._items[index.row()].uuid
        if role == ANNOTATOR_ROLE:
            return self._items[index.row()].annotator
        row, column = self.row_at(index.row()), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column]
        if role == SORT_ROLE:
            return row.sort[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tips[column] or None
        if role == Qt.ItemDataRole.DecorationRole and column == self.COLOR_COLUMN:
            return dot_icon(row.color)
        if role == KIND_ROLE:
            return row.kind
        if role == SEARCH_ROLE:
            return row.search
        return None


def _out_of_order(key: Callable[[Any], Any], a: Any, b: Any, order: Qt.SortOrder) -> bool:
    """Whether `a` must come after `b` in this order."""
    return key(a) > key(b) if order == _ASCENDING else key(a) < key(b)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Descending row numbers → (first, last) runs of consecutive rows, last run first."""
    out: list[tuple[int, int]] = []
    for row in rows:
        if out and out[-1][0] == row + 1:
            out[-1] = (row, out[-1][1])
        else:
            out.append((row, row))
    return out
