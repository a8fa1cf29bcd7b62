"""Set-at-a-time span writes for bulk user actions (accept all occurrences, and its undo/redo).

Each batch is a handful of statements whatever its size: the rows travel as one JSON array
parameter that SQLite unpacks with `json_each`, so 1,000 accepted suggestions cost the same
number of statements as 10 (tests/core/test_edit_counts.py counts them), and no per-row
statement is prepared, bound and stepped from Python. Ids are looked up once per distinct
document, annotator, tag type and entity, not once per span.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

import orjson

from annotator.domain.model import Span
from annotator.errors import NotFoundError
from annotator.store.rows import dumps

#: Rows per statement, and a bound on the characters of one batch's JSON (well under the
#: connection's SQLITE_LIMIT_LENGTH, store/engine.py), whichever comes first.
BATCH_ROWS = 5_000
BATCH_CHARS = 16_000_000

_EACH = "json_extract(value, '$[{}]')"


def _columns(count: int) -> str:
    return ", ".join(_EACH.format(i) for i in range(count))


_INSERT_SPANS = (
    'INSERT INTO spans (uuid, document_id, annotator_id, tag_type_id, start, "end", quote, '
    "prefix, suffix, attributes, note, entity_id, created, modified) "
    f"SELECT {_columns(14)} FROM json_each(?)"
)
_INSERT_FRAGMENTS = (
    'INSERT INTO span_fragments (span_id, ordinal, start, "end") '
    "SELECT s.id, json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), "
    "json_extract(j.value, '$[3]') FROM json_each(?) j "
    "JOIN spans s ON s.uuid = json_extract(j.value, '$[0]')"
)
_INSERT_SPAN_ROW = (
    'INSERT INTO spans (uuid, document_id, annotator_id, tag_type_id, start, "end", quote, '
    "prefix, suffix, attributes, note, entity_id, created, modified) "
    f"VALUES ({', '.join('?' * 14)})"
)
_IN_LIST = "SELECT value FROM json_each(?)"


def holds_nul(rows: Iterable[Sequence]) -> bool:
    """Whether a text value of these rows holds a NUL: SQLite's JSON functions (json_extract,
    json_each) cut such a text at the NUL, so these rows must be bound one by one instead of
    travelling as one JSON array (a field may hold NUL; only a document's text may not)."""
    return any(isinstance(value, str) and "\x00" in value for row in rows for value in row)


def _json(rows: list) -> str:
    return orjson.dumps(rows).decode("utf-8")


def batches(items: Sequence, size_of=lambda item: 0) -> Iterator[Sequence]:
    """`items` cut into runs of at most BATCH_ROWS items and about BATCH_CHARS characters."""
    start, chars = 0, 0
    for index, item in enumerate(items):
        chars += size_of(item)
        if index > start and (index - start >= BATCH_ROWS or chars > BATCH_CHARS):
            yield items[start:index]
            start, chars = index, size_of(item)
    if start < len(items):
        yield items[start:]


def _span_size(span: Span) -> int:
    return len(span.quote) + len(span.prefix) + len(span.suffix) + len(span.note) + 200


class BatchWrites:
    """Span writes by the batch; mixed into the write session (one transaction)."""

    @property
    def _sql(self) -> sqlite3.Connection:  # the same DBAPI connection as Writes._sql
        return self.connection.connection.driver_connection  # type: ignore[attr-defined]

    def _id_map(self, table: str, column: str, values: Iterable[str], what: str) -> dict:
        """{value: id} for every distinct value, in one statement; NotFoundError (naming the
        first missing value) when one is not in the table."""
        wanted = sorted(set(values))
        if not wanted:
            return {}
        found = dict(
            self._sql.execute(
                f"SELECT {column}, id FROM {table} WHERE {column} IN ({_IN_LIST})",
                (_json(wanted),),
            )
        )
        for value in wanted:
            if value not in found:
                shown = repr(value) if column == "key" else value
                raise NotFoundError(f"no {what} {shown}")
        return found

    def insert_spans(self, spans: Sequence[Span]) -> None:
        """Insert new spans (with their fragments), as `insert_span` does one by one."""
        for batch in batches(spans, _span_size):
            documents = self._id_map("documents", "uuid", (s.document for s in batch), "document")
            annotators = self._id_map(
                "annotators", "uuid", (s.annotator for s in batch), "annotator"
            )
            tags = self._id_map("tag_types", "key", (s.tag for s in batch), "tag type")
            entities = self._id_map(
                "entities", "uuid", (s.entity for s in batch if s.entity is not None), "entity"
            )
            rows = [
                [
                    s.uuid,
                    documents[s.document],
                    annotators[s.annotator],
                    tags[s.tag],
                    s.start,
                    s.end,
                    s.quote,
                    s.prefix,
                    s.suffix,
                    dumps(s.attributes),
                    s.note,
                    None if s.entity is None else entities[s.entity],
                    s.created,
                    s.modified,
                ]
                for s in batch
            ]
            if holds_nul(rows):
                self._sql.executemany(_INSERT_SPAN_ROW, rows)
            else:
                self._sql.execute(_INSERT_SPANS, (_json(rows),))
            fragments = [
                [s.uuid, ordinal, start, end]
                for s in batch
                for ordinal, (start, end) in enumerate(s.fragments)
            ]
            self._sql.execute(_INSERT_FRAGMENTS, (_json(fragments),))

    def delete_spans(self, uuids: Sequence[str]) -> None:
        """Delete spans by uuid (their fragments go with them), as `delete_span` does."""
        for batch in batches(uuids):
            self._sql.execute(f"DELETE FROM spans WHERE uuid IN ({_IN_LIST})", (_json(batch),))

    def add_tombstones(
        self, uuids: Sequence[str], kind: str, deleted: str, author: str | None
    ) -> None:
        """`add_tombstone` for many objects of one kind, deleted at once by one author."""
        author_id = None
        if author is not None:
            author_id = self._id_map("annotators", "uuid", [author], "annotator")[author]
        for batch in batches(uuids):
            values = _json(list(batch))
            self._sql.execute(f"DELETE FROM tombstones WHERE uuid IN ({_IN_LIST})", (values,))
            self._sql.execute(
                "INSERT INTO tombstones (uuid, kind, deleted, author_id) "
                "SELECT value, ?, ?, ? FROM json_each(?)",
                (kind, deleted, author_id, values),
            )

    def remove_tombstones(self, uuids: Sequence[str]) -> None:
        """`remove_tombstone` for many uuids."""
        for batch in batches(uuids):
            self._sql.execute(
                f"DELETE FROM tombstones WHERE uuid IN ({_IN_LIST})", (_json(list(batch)),)
            )
