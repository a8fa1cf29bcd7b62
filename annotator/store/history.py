"""History (provenance) rows: written on the DBAPI connection (one statement per batch of rows),
read back per object (newest first) or whole (for exports)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from sqlalchemy import Connection

from annotator.domain.ids import new_uuid, now
from annotator.domain.provenance import ACTIONS, OBJECT_KINDS, HistoryEntry
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.store.batch_writes import batches, holds_nul
from annotator.store.rows import dumps, loads

#: The author is looked up inside the insert, so a row costs one statement and no round trip.
_INSERT = (
    "INSERT INTO history (uuid, object_uuid, object_kind, action, summary, detail, "
    "annotator_id, at) VALUES (?, ?, ?, ?, ?, ?, (SELECT id FROM annotators WHERE uuid = ?), ?)"
)
#: A row whose author's id is known already.
_INSERT_ROW = (
    "INSERT INTO history (uuid, object_uuid, object_kind, action, summary, detail, "
    "annotator_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
#: Import by uuid: a row already present (same uuid) is left as it is.
_INSERT_NEW = _INSERT.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
#: Many rows in one statement: each element of the JSON array parameter is one row's values
#: in `_values` order (a bulk action's history costs a constant number of statements).
_INSERT_EACH = (
    "INSERT INTO history (uuid, object_uuid, object_kind, action, summary, detail, "
    "annotator_id, at) SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), "
    "json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), "
    "json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'), "
    "(SELECT id FROM annotators WHERE uuid = json_extract(j.value, '$[6]')), "
    "json_extract(j.value, '$[7]') FROM json_each(?) j"
)
_INSERT_EACH_NEW = _INSERT_EACH.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
_SELECT = (
    "SELECT h.uuid, h.object_uuid, h.object_kind, h.action, h.summary, h.detail, a.uuid, h.at, "
    "h.id FROM history h LEFT JOIN annotators a ON a.id = h.annotator_id"
)

_TABLES = {
    "span": "spans",
    "link": "links",
    "entity": "entities",
    "document": "documents",
    "document_status": "document_status",
}


def _entry(row: tuple) -> HistoryEntry:
    uuid, object_uuid, kind, action, summary, detail, annotator, at, _ = row
    return HistoryEntry(uuid, object_uuid, kind, action, summary, loads(detail), annotator, at)


def check_entry(entry: HistoryEntry) -> None:
    """Refuse a row the history table would refuse, with a message that names it."""
    if entry.object_kind not in OBJECT_KINDS:
        raise ValidationError(f"history: unknown object kind {quoted(entry.object_kind)}")
    if entry.action not in ACTIONS:
        raise ValidationError(f"history: unknown action {quoted(entry.action)}")


def _values(entry: HistoryEntry) -> tuple[Any, ...]:
    return (
        entry.uuid,
        entry.object_uuid,
        entry.object_kind,
        entry.action,
        entry.summary,
        dumps(entry.detail),
        entry.annotator,
        entry.at,
    )


class HistoryReads:
    """History queries; mixed into every store session."""

    connection: Connection

    @property
    def _dbapi(self) -> sqlite3.Connection:
        return self.connection.connection.driver_connection

    def history_of(self, object_uuid: str) -> list[HistoryEntry]:
        """Every row about one object, newest first (ties: the later written first)."""
        found = self._dbapi.execute(
            f"{_SELECT} WHERE h.object_uuid = ? ORDER BY h.at DESC, h.id DESC", (object_uuid,)
        )
        return [_entry(row) for row in found]

    def history(self, object_uuids: Iterable[str] | None = None) -> list[HistoryEntry]:
        """Every row in the order written (or only those about `object_uuids`)."""
        if object_uuids is None:
            return [_entry(row) for row in self._dbapi.execute(f"{_SELECT} ORDER BY h.id")]
        wanted = list(dict.fromkeys(object_uuids))
        found: list[tuple] = []
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found += self._dbapi.execute(
                f"{_SELECT} WHERE h.object_uuid IN ({marks}) ORDER BY h.id", chunk
            ).fetchall()
        return [_entry(row) for row in sorted(found, key=lambda row: row[8])]

    def iter_history(self, batch: int = 5000) -> Iterator[HistoryEntry]:
        """Every row in the order written, read in batches (exports stream it)."""
        cursor = self._dbapi.cursor().execute(f"{_SELECT} ORDER BY h.id")
        while rows := cursor.fetchmany(batch):
            yield from (_entry(row) for row in rows)

    def recent_history(self, limit: int) -> list[HistoryEntry]:
        """The latest `limit` rows of the whole project, newest first."""
        found = self._dbapi.execute(f"{_SELECT} ORDER BY h.at DESC, h.id DESC LIMIT ?", (limit,))
        return [_entry(row) for row in found]

    def object_exists(self, kind: str, uuid: str) -> bool:
        """Whether the object a history row is about is in the file now."""
        table = _TABLES[kind]
        found = self._dbapi.execute(f"SELECT 1 FROM {table} WHERE uuid = ?", (uuid,))
        return found.fetchone() is not None

    def history_count(self) -> int:
        return int(self._dbapi.execute("SELECT count(*) FROM history").fetchone()[0])


class HistoryWrites(HistoryReads):
    """History writes; mixed into the write session (the edit's own transaction)."""

    def record_history(
        self,
        kind: str,
        uuid: str,
        action: str,
        summary: str = "",
        detail: dict[str, Any] | None = None,
        annotator_uuid: str | None = None,
        at: str | None = None,
    ) -> HistoryEntry:
        """Record one change of object `uuid` (of `kind`) and return the row written."""
        entry = HistoryEntry(
            new_uuid(), uuid, kind, action, summary, dict(detail or {}), annotator_uuid, at or now()
        )
        self.record_history_many([entry])
        return entry

    def record_import_rows(
        self, rows: list[tuple[str, str, str]], annotator_uuid: str, at: str
    ) -> int:
        """Write one `import` row per (kind, object uuid, summary), all by one author at one
        time, lean enough for an import of a million objects: the row uuids are one fresh
        UUIDv7 whose last 48 bits count the rows (unique, time-ordered, no per-row random)."""
        if not rows:
            return 0
        for kind, _, _ in rows:
            if kind not in OBJECT_KINDS:
                raise ValidationError(f"history: unknown object kind {quoted(kind)}")
        found = self._dbapi.execute("SELECT id FROM annotators WHERE uuid = ?", (annotator_uuid,))
        author = found.fetchone()
        head = new_uuid()[:24]
        self._dbapi.executemany(
            _INSERT_ROW,
            (
                (f"{head}{i:012x}", uuid, kind, "import", summary, "{}", author and author[0], at)
                for i, (kind, uuid, summary) in enumerate(rows)
            ),
        )
        return len(rows)

    def fold_history_rows(
        self, keep: str, drop: Iterable[str], summary: str, detail: dict[str, Any]
    ) -> None:
        """Rewrite row `keep` with a new summary and detail and delete the rows `drop`
        (consecutive edits of one object merged into one step, e.g. a keyboard resize)."""
        self._dbapi.execute(
            "UPDATE history SET summary = ?, detail = ? WHERE uuid = ?",
            (summary, dumps(detail), keep),
        )
        self._dbapi.executemany("DELETE FROM history WHERE uuid = ?", [(u,) for u in drop])

    def record_history_many(self, entries: Iterable[HistoryEntry], *, keep: bool = False) -> int:
        """Write many rows, one statement per batch; returns how many were given. With `keep`,
        rows whose uuid is already in the file are left untouched (imports and merges by uuid)."""
        values = []
        for entry in entries:
            check_entry(entry)
            values.append(_values(entry))
        if len(values) == 1 or holds_nul(values):  # json_each would cut a text at its NUL
            self._dbapi.executemany(_INSERT_NEW if keep else _INSERT, values)
            return len(values)
        for batch in batches(values, lambda row: len(row[4]) + len(row[5]) + 200):
            self._dbapi.execute(
                _INSERT_EACH_NEW if keep else _INSERT_EACH,
                (orjson.dumps(list(batch)).decode("utf-8"),),
            )
        return len(values)
