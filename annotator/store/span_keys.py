"""The span_keys table (format version 5): each span's analytics node key, written by the write
sessions for every span they insert or change, filled for older files by the migration.

A write connection gets two TEMP triggers (on insert, and on an update of what a key holds)
that hand the span's id and quote to a Python function: it computes the key
(domain/node_keys.py) and keeps it until the session commits, which writes the rows in one
statement per 50,000 spans. Every write path of the app therefore keeps the table without
knowing of it; a writer without the triggers (another tool) leaves rows missing, never stale
(schema.sql's triggers drop the row of a span that changes or goes), and `keys_complete` tells
the views to fold in Python then."""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable
from typing import Any

import orjson

from annotator.domain.node_keys import quote_hash

#: Rows per INSERT statement (one JSON array parameter) and per chunk of a fill.
CHUNK = 50_000
_PENDING = "annotator_span_keys_pending"
_FUNCTION = "annotator_span_written"
_KEYED_COLUMNS = "quote, tag_type_id, annotator_id, document_id, entity_id"

_INSERT = (
    "INSERT OR REPLACE INTO span_keys (span_id, tag_type_id, annotator_id, document_id, "
    "entity_id, text_hash) SELECT s.id, s.tag_type_id, s.annotator_id, s.document_id, "
    "s.entity_id, json_extract(j.value, '$[1]') FROM json_each(?) j "
    "JOIN spans s ON s.id = json_extract(j.value, '$[0]')"
)


class Pending:
    """Ids and key hashes of the spans written in the current transaction (two flat arrays:
    an import of a million spans keeps 16 MB, not a million tuples)."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.hashes = array("q")

    def add(self, span_id: int, quote: str) -> None:
        self.ids.append(span_id)
        self.hashes.append(quote_hash(quote))

    def clear(self) -> None:
        self.ids = array("q")
        self.hashes = array("q")


def track_writes(raw: sqlite3.Connection, info: dict[str, Any]) -> Pending:
    """Install the tracking on this DBAPI connection once (`info`: the pool's per-connection
    dict) and return its pending keys, cleared. Run outside a transaction: the TEMP triggers
    must not be rolled back with a failed first session."""
    pending = info.get(_PENDING)
    if pending is None:
        pending = Pending()
        raw.create_function(_FUNCTION, 2, _recorder(pending))
        raw.execute(
            "CREATE TEMP TRIGGER IF NOT EXISTS annotator_span_keys_insert AFTER INSERT ON "
            f"main.spans BEGIN SELECT {_FUNCTION}(NEW.id, NEW.quote); END"
        )
        raw.execute(
            "CREATE TEMP TRIGGER IF NOT EXISTS annotator_span_keys_update AFTER UPDATE OF "
            f"{_KEYED_COLUMNS} ON main.spans BEGIN SELECT {_FUNCTION}(NEW.id, NEW.quote); END"
        )
        info[_PENDING] = pending
    pending.clear()
    return pending


def _recorder(pending: Pending) -> Callable[[int, str], None]:
    def record(span_id: int, quote: str) -> None:
        pending.add(span_id, quote)

    return record


def flush(raw: sqlite3.Connection, pending: Pending) -> None:
    """Write the keys of the spans written in this transaction (the last write of a span
    wins; a span deleted since is skipped by the join)."""
    if not pending.ids:
        return
    latest = dict(zip(pending.ids, pending.hashes, strict=True))
    pending.clear()
    _insert(raw, list(latest.items()))


def _insert(raw: sqlite3.Connection, rows: list[tuple[int, int]]) -> None:
    for start in range(0, len(rows), CHUNK):
        raw.execute(_INSERT, (orjson.dumps(rows[start : start + CHUNK]).decode(),))


def fill_missing(
    raw: sqlite3.Connection, progress: Callable[[int, int], None] | None = None
) -> int:
    """Add the key of every span without one (the migration: all of them), in chunks of
    CHUNK spans; `progress(done, total)` after each. Returns the rows added."""
    total = raw.execute(
        "SELECT count(*) FROM spans s WHERE NOT EXISTS "
        "(SELECT 1 FROM span_keys k WHERE k.span_id = s.id)"
    ).fetchone()[0]
    done, after = 0, -1
    while done < total:
        rows = raw.execute(
            "SELECT s.id, s.quote FROM spans s WHERE s.id > ? AND NOT EXISTS "
            "(SELECT 1 FROM span_keys k WHERE k.span_id = s.id) ORDER BY s.id LIMIT ?",
            (after, CHUNK),
        ).fetchall()
        if not rows:
            break
        _insert(raw, [(span_id, quote_hash(quote)) for span_id, quote in rows])
        done += len(rows)
        after = rows[-1][0]
        if progress is not None:
            progress(done, total)
    return done


def keys_complete(raw: sqlite3.Connection) -> bool:
    """Whether every span has its key (rows are never stale, so equal counts say so)."""
    spans, keys = raw.execute(
        "SELECT (SELECT count(*) FROM spans), (SELECT count(*) FROM span_keys)"
    ).fetchone()
    return spans == keys
