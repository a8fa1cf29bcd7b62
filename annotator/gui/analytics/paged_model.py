"""PagedTableModel: a flat table model whose view fetches its rows a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex

# Rows a paged table shows more of as it scrolls: the claims service's page, whose full rows
# it builds a page at a time.
from annotator.services.analytics.claim_pages import PAGE


class PagedTableModel(QAbstractTableModel):
    """`rows` holds every row in its shown order; the view sees `fetched` of them and asks
    for PAGE more as it scrolls (canFetchMore/fetchMore), so cells are built only for rows
    the view has reached. Subclasses set the rows with `show_rows` inside a model reset."""

    rows: Sequence[Any] = ()
    fetched = 0

    def show_rows(self, rows: Sequence[Any]) -> None:
        self.rows = rows
        self.fetched = min(PAGE, len(rows))

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.fetched < len(self.rows)

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        more = min(PAGE, len(self.rows) - self.fetched)
        if parent.isValid() or more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self.fetched, self.fetched + more - 1)
        self.fetched += more
        self.endInsertRows()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.fetched
