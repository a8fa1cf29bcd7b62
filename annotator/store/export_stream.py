"""The export's read side, one document at a time and never one large thing whole.

Four cursors in document order (documents, spans, links, statuses) are merge-joined here, as
the store research note advises (§2b). A document comes out as an `ExportedDocument` whose
spans, links and statuses are iterators over the shared cursors, so a document with 200,000
spans never has them all in memory at once. Nor is its text fetched as one value:
`text_chunks` reads it through SQLite's incremental blob I/O, whole when it is short, else
in pieces (the text in the documents cursor, or even `length(CAST(text AS BLOB))` to
decide, would make SQLite load the whole value). Before this, exporting one 20 MB document
peaked at 555 MB of memory (the text as a Python str, up to four bytes a character, its
JSON, every span as a dict).
"""

from __future__ import annotations

import codecs
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

#: Texts up to this many bytes of UTF-8 are read in one piece (most documents are small);
#: longer ones in TEXT_CHUNK_BYTES pieces (decoding one costs up to about ten times its size
#: while it runs, for a text with emoji).
TEXT_INLINE_BYTES = 256 * 1024
TEXT_CHUNK_BYTES = 256 * 1024

_SPANS = (
    'SELECT document_id, id, uuid, tag_type_id, start, "end", quote, prefix, suffix, '
    "annotator_id, attributes, note, entity_id, created, modified FROM spans "
    'ORDER BY document_id, start, "end", uuid'
)
_LINKS = (
    "SELECT l.document_id, l.uuid, l.link_type_id, a.uuid, b.uuid, l.annotator_id, "
    "l.attributes, l.note, l.created, l.modified FROM links l "
    "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
    "ORDER BY l.document_id, l.uuid"
)
_STATUSES = (
    "SELECT document_id, uuid, annotator_id, status, modified FROM document_status "
    "ORDER BY document_id, uuid"
)
#: Everything but the text (read by `text_chunks`); the NULL keeps the column numbers.
_DOCUMENTS = (
    "SELECT id, uuid, title, NULL, sha256, author, outlet, url, published, language, "
    "source_filename, source_encoding, extra, imported, created, modified, author_id "
    "FROM documents ORDER BY id"
)


@dataclass
class ExportedDocument:
    """One document in exchange shape. `head` is {"id", "title"}, then comes the text
    (`text_chunks()`), then `rest` (sha256, metadata, created, modified, author), then
    `spans`, `links` and `status`: iterators over shared cursors, to be consumed in that
    order before the next document is asked for."""

    head: dict[str, Any]
    rowid: int
    rest: dict[str, Any]
    spans: Iterator[dict[str, Any]]
    links: Iterator[dict[str, Any]]
    status: Iterator[dict[str, Any]]
    _raw: Any

    def text_chunks(self) -> Iterator[str]:
        """The text in pieces (whole characters each), read incrementally from the file: one
        piece when it is short."""
        with self._raw.blobopen("documents", "text", self.rowid, readonly=True) as blob:
            if len(blob) <= TEXT_INLINE_BYTES:
                yield blob.read().decode("utf-8")
                return
            decoder = codecs.getincrementaldecoder("utf-8")()
            while piece := blob.read(TEXT_CHUNK_BYTES):
                yield decoder.decode(piece)
        yield decoder.decode(b"", final=True)

    def whole(self) -> dict[str, Any]:
        """The document as one dict (what `export_documents` hands out)."""
        return {
            **self.head,
            "text": "".join(self.text_chunks()),
            **self.rest,
            "spans": list(self.spans),
            "links": list(self.links),
            "status": list(self.status),
        }


class _Merged:
    """Rows of one cursor ordered by document id, handed out document by document."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self._row = next(cursor, None)

    def of(self, doc_id: int) -> Iterator[tuple]:
        while self._row is not None and self._row[0] < doc_id:  # rows nobody consumed
            self._row = next(self._cursor, None)
        while self._row is not None and self._row[0] == doc_id:
            row = self._row
            self._row = next(self._cursor, None)
            yield row


class ExportStream:
    """`export_stream`; mixed into store sessions (with BulkReads, which gives `_raw`)."""

    def _raw(self) -> Any:
        raise NotImplementedError

    def export_stream(self) -> Iterator[ExportedDocument]:
        """Every document in insertion order, streamed (see the module docstring)."""
        raw = self._raw()

        def mapping(sql: str) -> dict:
            return dict(raw.execute(sql).fetchall())

        annotators = mapping("SELECT id, uuid FROM annotators")
        tags = mapping("SELECT id, key FROM tag_types")
        link_types = mapping("SELECT id, key FROM link_types")
        entities = mapping("SELECT id, uuid FROM entities")
        multi: dict[int, list[list[int]]] = defaultdict(list)
        for span_id, start, end in raw.execute(
            'SELECT span_id, start, "end" FROM span_fragments WHERE span_id IN '
            "(SELECT span_id FROM span_fragments WHERE ordinal = 1) ORDER BY span_id, ordinal"
        ):
            multi[span_id].append([start, end])
        spans = _Merged(raw.cursor().execute(_SPANS))
        links = _Merged(raw.cursor().execute(_LINKS))
        statuses = _Merged(raw.cursor().execute(_STATUSES))
        fragment = orjson.Fragment

        def span_items(doc_id: int) -> Iterator[dict[str, Any]]:
            for s in spans.of(doc_id):
                yield {
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

        def link_items(doc_id: int) -> Iterator[dict[str, Any]]:
            for x in links.of(doc_id):
                yield {
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

        def status_items(doc_id: int) -> Iterator[dict[str, Any]]:
            for x in statuses.of(doc_id):
                yield {"id": x[1], "annotator": annotators[x[2]], "status": x[3], "modified": x[4]}

        for d in raw.cursor().execute(_DOCUMENTS):
            doc_id = d[0]
            yield ExportedDocument(
                head={"id": d[1], "title": d[2]},
                rowid=doc_id,
                rest={
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
                },
                spans=span_items(doc_id),
                links=link_items(doc_id),
                status=status_items(doc_id),
                _raw=raw,
            )
