"""Bulk paths for import and export: plain tuples through executemany, streaming cursors.

Never the ORM unit of work (7-13x slower than raw, store research note 2a). Export reads
every table once in document order and hands out one document at a time, so memory does not
grow with the project; JSON columns are passed through as pre-serialised orjson Fragments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from sqlalchemy import Connection

from annotator.domain.model import Link, Span
from annotator.store.layer_reads import LayerReads
from annotator.store.rows import dumps

CHUNK = 10_000


def _chunks(items: list, size: int = 900) -> Iterator[list]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


class BulkReads(LayerReads):
    """Streaming reads for export; mixed into store sessions."""

    connection: Connection

    def _raw(self) -> Any:
        return self.connection.connection.driver_connection

    def _map(self, sql: str) -> dict:
        return dict(self._raw().execute(sql).fetchall())

    def export_documents(self) -> Iterator[dict[str, Any]]:
        """Every document in exchange shape (spans, links, status nested), in insertion order."""
        raw = self._raw()
        annotators = self._map("SELECT id, uuid FROM annotators")
        tags = self._map("SELECT id, key FROM tag_types")
        link_types = self._map("SELECT id, key FROM link_types")
        entities = self._map("SELECT id, uuid FROM entities")
        multi: dict[int, list[list[int]]] = defaultdict(list)
        for span_id, start, end in raw.execute(
            'SELECT span_id, start, "end" FROM span_fragments WHERE span_id IN '
            "(SELECT span_id FROM span_fragments WHERE ordinal = 1) ORDER BY span_id, ordinal"
        ):
            multi[span_id].append([start, end])
        spans = raw.cursor().execute(
            'SELECT document_id, id, uuid, tag_type_id, start, "end", quote, prefix, suffix, '
            "annotator_id, attributes, note, entity_id, created, modified FROM spans "
            'ORDER BY document_id, start, "end", uuid'
        )
        links = raw.cursor().execute(
            "SELECT l.document_id, l.uuid, l.link_type_id, a.uuid, b.uuid, l.annotator_id, "
            "l.attributes, l.note, l.created, l.modified FROM links l "
            "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
            "ORDER BY l.document_id, l.uuid"
        )
        statuses = raw.cursor().execute(
            "SELECT document_id, uuid, annotator_id, status, modified FROM document_status "
            "ORDER BY document_id, uuid"
        )
        documents = raw.cursor().execute(
            "SELECT id, uuid, title, text, sha256, author, outlet, url, published, language, "
            "source_filename, source_encoding, extra, imported, created, modified, author_id "
            "FROM documents ORDER BY id"
        )
        span_row, link_row, status_row = next(spans, None), next(links, None), next(statuses, None)
        fragment = orjson.Fragment
        for d in documents:
            doc_id = d[0]
            doc_spans = []
            while span_row is not None and span_row[0] < doc_id:
                span_row = next(spans, None)
            while span_row is not None and span_row[0] == doc_id:
                s = span_row
                doc_spans.append(
                    {
                        "id": s[2],
                        "tag": tags[s[3]],
                        "fragments": multi.get(s[1]) or [[s[4], s[5]]],
                        "text": s[6],
                        "prefix": s[7],
                        "suffix": s[8],
                        "annotator": annotators[s[9]],
                        "attributes": fragment(s[10]),
                        "note": s[11],
                        "entity": entities.get(s[12]) if s[12] is not None else None,
                        "created": s[13],
                        "modified": s[14],
                    }
                )
                span_row = next(spans, None)
            doc_links = []
            while link_row is not None and link_row[0] < doc_id:
                link_row = next(links, None)
            while link_row is not None and link_row[0] == doc_id:
                x = link_row
                doc_links.append(
                    {
                        "id": x[1],
                        "type": link_types[x[2]],
                        "source": x[3],
                        "target": x[4],
                        "annotator": annotators[x[5]],
                        "attributes": fragment(x[6]),
                        "note": x[7],
                        "created": x[8],
                        "modified": x[9],
                    }
                )
                link_row = next(links, None)
            doc_status = []
            while status_row is not None and status_row[0] < doc_id:
                status_row = next(statuses, None)
            while status_row is not None and status_row[0] == doc_id:
                x = status_row
                doc_status.append(
                    {"id": x[1], "annotator": annotators[x[2]], "status": x[3], "modified": x[4]}
                )
                status_row = next(statuses, None)
            yield {
                "id": d[1],
                "title": d[2],
                "text": d[3],
                "sha256": d[4],
                "metadata": {
                    "author": d[5],
                    "outlet": d[6],
                    "url": d[7],
                    "published": d[8],
                    "language": d[9],
                    "source_filename": d[10],
                    "source_encoding": d[11],
                    "imported": d[13],
                    "extra": fragment(d[12]),
                },
                "created": d[14],
                "modified": d[15],
                "author": annotators.get(d[16]) if d[16] is not None else None,
                "spans": doc_spans,
                "links": doc_links,
                "status": doc_status,
            }

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
