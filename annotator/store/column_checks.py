"""The checklist's UTF-8 and JSON column checks: one chunked scan per table, done in SQLite and C.

Each chunk of rows comes back as one row of aggregates: every text column joined by SQLite with
NUL between values (so a broken UTF-8 sequence cannot be completed by the next value) and decoded
by the sqlite3 module; the JSON values that are not the writers' default joined the same way and
parsed by C loops (`map(orjson.loads, ...)`). No Python object per row and one step per chunk:
the work stays in SQLite, which releases the GIL, beside the span pass on the other thread. A
chunk that does not pass is read again row by row, which finds and names the row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import orjson

from annotator.errors import InvalidContentError

#: Rows per chunk: one aggregate row each.
CHUNK_ROWS = 50_000
FETCH_ROWS = 4096
_JSON_KINDS = {"object": dict, "array": list}
_INVALID = object()


class ColumnScan:
    """One table's text columns (UTF-8) and JSON columns (valid, of their kind)."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        table: str,
        texts: list[str],
        json: list[tuple[str, str, str]],
        *,
        fail: Callable[[str], InvalidContentError],
        label: Callable[[str, int], str],
        poll: Callable[[], None],
    ) -> None:
        """`texts`: columns to decode; `json`: (column, kind, default) of the JSON columns."""
        self.connection, self.table, self.texts, self.json = connection, table, texts, json
        self.fail, self.label, self.poll = fail, label, poll
        aggregates = [f'group_concat("{c}", char(0))' for c in texts]
        self.parameters: list[str] = []
        for column, _, default in json:
            kept = f'"{column}" IS NOT NULL AND "{column}" <> ?'
            aggregates += [
                f'group_concat(CASE WHEN {kept} THEN "{column}" END, char(0))',
                f"count(CASE WHEN {kept} THEN 1 END)",
            ]
            self.parameters += [default, default]
        self.query = f"SELECT {', '.join(aggregates)} FROM {table} WHERE rowid BETWEEN ? AND ?"

    def run(self) -> None:
        for bounds in rowid_chunks(self.connection, self.table, CHUNK_ROWS):
            if not self._chunk_passes(bounds):
                self._rows(bounds)
            self.poll()

    def _chunk_passes(self, bounds: tuple[int, int]) -> bool:
        """Whether the chunk's values all pass; False also when in doubt (then `_rows`)."""
        try:
            row = self.connection.execute(self.query, (*self.parameters, *bounds)).fetchone()
        except sqlite3.DataError:  # the joined chunk is too big: row by row
            return False
        except sqlite3.OperationalError as error:
            self._refuse_undecodable(error)
        found = row[len(self.texts) :]
        for (_, kind, _), joined, count in zip(self.json, found[::2], found[1::2], strict=True):
            if not count:
                continue
            # A value holding a NUL (never valid JSON) splits in more parts than values.
            values = joined.split("\x00")
            if len(values) != count:
                return False
            try:
                kinds = set(map(type, map(orjson.loads, values)))
            except orjson.JSONDecodeError:
                return False
            wanted = _JSON_KINDS.get(kind)
            if wanted is not None and kinds != {wanted}:
                return False
        return True

    def _rows(self, bounds: tuple[int, int]) -> None:
        """The chunk row by row: raise for the first value that breaks a rule."""
        if self.texts:
            plain = ", ".join(f'"{c}"' for c in self.texts)
            cursor = self.connection.execute(
                f"SELECT {plain} FROM {self.table} WHERE rowid BETWEEN ? AND ?", bounds
            )
            while self._fetch(cursor):
                pass
        for column, kind, default in self.json:
            cursor = self.connection.execute(
                f'SELECT rowid, "{column}" FROM {self.table} WHERE rowid BETWEEN ? AND ? '
                f'AND "{column}" IS NOT NULL AND "{column}" <> ?',
                (*bounds, default),
            )
            wanted = _JSON_KINDS.get(kind)
            while rows := self._fetch(cursor):
                for rowid, value in rows:
                    try:
                        parsed = orjson.loads(value)
                    except orjson.JSONDecodeError:
                        parsed = _INVALID
                    if parsed is _INVALID or (wanted is not None and type(parsed) is not wanted):
                        what = f"not a JSON {kind}" if parsed is not _INVALID else "not valid JSON"
                        raise self.fail(
                            f"{self.table} {self.label(self.table, rowid)} has a {column} "
                            f"that is {what}"
                        )

    def _fetch(self, cursor: sqlite3.Cursor) -> list:
        try:
            return cursor.fetchmany(FETCH_ROWS)
        except sqlite3.OperationalError as error:
            self._refuse_undecodable(error)
            raise  # not reached

    def _refuse_undecodable(self, error: sqlite3.OperationalError) -> None:
        if "decode" not in str(error).lower():
            raise error
        raise self.fail(f"{self.table} holds text that is not valid UTF-8") from None


def rowid_chunks(
    connection: sqlite3.Connection, table: str, rows: int
) -> Iterator[tuple[int, int]]:
    """(first, last) rowids of consecutive chunks of `rows` rows, found from the rows
    themselves: stepping through the rowid range instead would take ~10^15 steps for a
    hostile file whose rowids sit at both ends of the 64-bit range."""
    (first,) = connection.execute(f"SELECT min(rowid) FROM {table}").fetchone()
    while first is not None:
        row = connection.execute(
            f"SELECT rowid FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT 1 OFFSET ?",
            (first, rows - 1),
        ).fetchone()
        if row is None:  # the last, shorter chunk
            (last,) = connection.execute(f"SELECT max(rowid) FROM {table}").fetchone()
            yield first, last
            return
        yield first, row[0]
        (first,) = connection.execute(
            f"SELECT min(rowid) FROM {table} WHERE rowid > ?", (row[0],)
        ).fetchone()
