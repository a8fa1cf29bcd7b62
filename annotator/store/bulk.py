"""Bulk paths for import and export: plain tuples through executemany, streaming cursors.

Never the ORM unit of work (7-13x slower than raw, store research note 2a). Export reads
every table once in document order and hands out one document at a time (store/export_stream),
so memory does not grow with the project; JSON columns are passed through as pre-serialised
orjson Fragments.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection

from annotator.domain.model import Link, Span
from annotator.store.export_stream import ExportStream
from annotator.store.layer_reads import LayerReads
from annotator.store.rows import dumps

CHUNK = 10_000


def _chunks(items: list, size: int = 900) -> Iterator[list]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


class BulkReads(LayerReads, ExportStream):
    """Streaming reads for export; mixed into store sessions."""

    connection: Connection

    def _raw(self) -> Any:
        return self.connection.connection.driver_connection

    def _map(self, sql: str) -> dict:
        return dict(self._raw().execute(sql).fetchall())

    def export_documents(self) -> Iterator[dict[str, Any]]:
        """Every document in exchange shape (spans, links, status nested), in insertion order,
        each one whole in memory (`export_stream` streams a document's parts)."""
        for document in self.export_stream():
            yield document.whole()

    def export_tombstones(self) -> list[dict[str, Any]]:
        annotators = self._map("SELECT id, uuid FROM annotators")
        rows = self._raw().execute(
            "SELECT uuid, kind, deleted, author_id FROM tombstones ORDER BY uuid"
        )
        return [
            {"id": u, "kind": k, "deleted": d, "author": annotators.get(a) if a else None}
            for u, k, d, a in rows
        ]

    def versions(self, table: str) -> dict[str, str]:
        """uuid → modified for every row of a table that travels (spans, links, entities)."""
        assert table in ("spans", "links", "entities", "document_status", "documents")
        return self._map(f"SELECT uuid, modified FROM {table}")

    def change_marker(self) -> tuple[tuple[str, int], ...] | None:
        """The inserts and updates counted so far in every counted table (format version 4's
        change_counters; a command's deletions come with history or tombstone rows): an equal
        marker later means the project is as it was. None where the file has no counters."""
        try:
            rows = self._raw().execute(
                "SELECT table_name, changes FROM change_counters ORDER BY table_name"
            )
            return tuple((str(name), int(changes)) for name, changes in rows)
        except sqlite3.OperationalError:
            return None

    def tombstone_uuids(self) -> set[str]:
        return {row[0] for row in self._raw().execute("SELECT uuid FROM tombstones")}

    def document_hashes(self) -> dict[str, str]:
        """sha256 → document uuid."""
        return self._map("SELECT sha256, uuid FROM documents")


class BulkWrites(BulkReads):
    """executemany inserts with ids assigned here, so fragments and links need no lookups."""

    def _next_id(self, table: str) -> int:
        return int(
            self._raw().execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
        )

    def bulk_insert_spans(self, spans: Iterable[Span]) -> int:
        """Insert new spans (uuids not yet in the file); returns how many."""
        raw = self._raw()
        documents = self._map("SELECT uuid, id FROM documents")
        annotators = self._map("SELECT uuid, id FROM annotators")
        tags = self._map("SELECT key, id FROM tag_types")
        entities = self._map("SELECT uuid, id FROM entities")
        next_id = self._next_id("spans")
        span_rows: list[tuple] = []
        fragment_rows: list[tuple] = []
        count = 0
        for span in spans:
            span_rows.append(
                (
                    next_id,
                    span.uuid,
                    documents[span.document],
                    annotators[span.annotator],
                    tags[span.tag],
                    span.start,
                    span.end,
                    span.quote,
                    span.prefix,
                    span.suffix,
                    dumps(span.attributes),
                    span.note,
                    entities[span.entity] if span.entity is not None else None,
                    span.created,
                    span.modified,
                )
            )
            for ordinal, (start, end) in enumerate(span.fragments):
                fragment_rows.append((next_id, ordinal, start, end))
            next_id += 1
            count += 1
            if len(span_rows) >= CHUNK:
                self._flush_spans(raw, span_rows, fragment_rows)
        self._flush_spans(raw, span_rows, fragment_rows)
        return count

    @staticmethod
    def _flush_spans(raw: Any, span_rows: list[tuple], fragment_rows: list[tuple]) -> None:
        if span_rows:
            raw.executemany(
                "INSERT INTO spans (id, uuid, document_id, annotator_id, tag_type_id, start, "
                '"end", quote, prefix, suffix, attributes, note, entity_id, created, modified) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                span_rows,
            )
            raw.executemany(
                'INSERT INTO span_fragments (span_id, ordinal, start, "end") VALUES (?, ?, ?, ?)',
                fragment_rows,
            )
        span_rows.clear()
        fragment_rows.clear()

    def bulk_insert_links(self, links: Iterable[Link]) -> int:
        raw = self._raw()
        documents = self._map("SELECT uuid, id FROM documents")
        annotators = self._map("SELECT uuid, id FROM annotators")
        types = self._map("SELECT key, id FROM link_types")
        rows: list[tuple] = []
        count = 0
        span_ids: dict[str, int] = {}
        pending = list(links)
        # Sorted, the lookups walk the uuid index in order (UUIDv7: insertion order): about
        # half the time of random order for 1M spans (tests/perf/bench_store_import.py).
        wanted = sorted({u for link in pending for u in (link.source, link.target)})
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            span_ids.update(
                raw.execute(f"SELECT uuid, id FROM spans WHERE uuid IN ({marks})", chunk)
            )
        for link in pending:
            rows.append(
                (
                    link.uuid,
                    documents[link.document],
                    types[link.type],
                    span_ids[link.source],
                    span_ids[link.target],
                    annotators[link.annotator],
                    dumps(link.attributes),
                    link.note,
                    link.created,
                    link.modified,
                )
            )
            count += 1
        raw.executemany(
            "INSERT INTO links (uuid, document_id, link_type_id, source_span_id, target_span_id, "
            "annotator_id, attributes, note, created, modified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        return count
