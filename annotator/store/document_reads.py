"""One document's content (text, spans, links) in one pass of plain cursors, for the GUI.

The reading pane and the tables need every span and link of the shown document at once; the
general queries in `reads` go through SQLAlchemy's Core row objects (about 20 µs per span),
which made opening a 50,000-span document take seconds. These queries use the DBAPI cursor and
positional tuples, join the small lookup tables (annotators, tag and link types, entities) in
Python, and read the fragments of discontinuous spans only (the span row carries the extent of
a one-fragment span). The spans are `TextSpan`s of the document's text: their quote, prefix and
suffix are sliced from it, not read and held (`domain/compact.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import orjson

from annotator.domain.compact import NO_ATTRIBUTES, TextSpan
from annotator.domain.model import Link, Span
from annotator.errors import NotFoundError

__all__ = ["DocumentContent", "DocumentReads"]

_EMPTY = "{}"


@dataclass(frozen=True)
class DocumentContent:
    """A document's text with its spans (by start, end, uuid) and links (by uuid)."""

    uuid: str
    text: str
    spans: list[Span]
    links: list[Link]


def _attributes(text: str) -> Any:
    return NO_ATTRIBUTES if text == _EMPTY else orjson.loads(text)


class DocumentReads:
    """Mixed into store sessions (their SQLAlchemy `connection` wraps the DBAPI one)."""

    connection: Any

    def _plain(self) -> Any:
        return self.connection.connection.driver_connection

    def document_content(self, uuid: str) -> DocumentContent:
        """Text, spans and links of one document."""
        raw = self._plain()
        doc_id, text = self._document_row(raw, uuid)
        return DocumentContent(
            uuid,
            text,
            self._content_spans(raw, doc_id, uuid, text),
            self._content_links(raw, doc_id, uuid),
        )

    def document_head(self, uuid: str, *, below: int, limit: int) -> tuple[str, list[Span], int]:
        """(text, first spans, number of spans): the spans starting before code point `below`,
        at most `limit` of them, in reading order; the rest come from `document_spans_after`."""
        raw = self._plain()
        doc_id, text = self._document_row(raw, uuid)
        (total,) = raw.execute(
            "SELECT count(*) FROM spans WHERE document_id = ?", (doc_id,)
        ).fetchone()
        spans = self._content_spans(raw, doc_id, uuid, text, "AND start < ?", (below,), limit)
        return text, spans, total

    def document_spans_after(
        self, uuid: str, after: tuple[int, int, str], limit: int, *, text: str | None = None
    ) -> list[Span]:
        """The next `limit` spans in reading order after (start, end, uuid) `after`; `text` is
        the document's text when the caller holds it (else it is read through the cache)."""
        raw = self._plain()
        if text is None:
            doc_id, text = self._document_row(raw, uuid)
        else:
            row = raw.execute("SELECT id FROM documents WHERE uuid = ?", (uuid,)).fetchone()
            if row is None:
                raise NotFoundError(f"no document {uuid}")
            doc_id = row[0]
        where = 'AND (start, "end", uuid) > (?, ?, ?)'
        return self._content_spans(raw, doc_id, uuid, text, where, after, limit)

    def document_links(self, uuid: str, *, after: str = "", limit: int = -1) -> list[Link]:
        """Links of one document by uuid: all, or the next `limit` after uuid `after`."""
        raw = self._plain()
        row = raw.execute("SELECT id FROM documents WHERE uuid = ?", (uuid,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document {uuid}")
        return self._content_links(raw, row[0], uuid, after, limit)

    def document_links_page(self, uuid: str, *, after: int, limit: int) -> tuple[list[Link], int]:
        """The next `limit` links of one document in the order they are stored, after the one
        with row id `after` (0: from the first), and the row id to go on after. A page costs
        its own rows (the links index holds the row id): a page by uuid sorted every link of
        the document each time (46 ms a page at 20,000 links)."""
        raw = self._plain()
        row = raw.execute("SELECT id FROM documents WHERE uuid = ?", (uuid,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document {uuid}")
        (last,) = raw.execute(
            "SELECT max(id) FROM (SELECT id FROM links WHERE document_id = ? AND id > ? "
            "ORDER BY id LIMIT ?)",
            (row[0], after, limit),
        ).fetchone()
        if last is None:
            return [], after
        return self._content_links(raw, row[0], uuid, rows=(after, last)), last

    def _document_row(self, raw: Any, uuid: str) -> tuple[int, str]:
        """(id, text), the text through `Reads.document_text` (the store's shared cache of the
        texts being worked on): the reading pane and the edits then hold one copy, and the
        first edit after opening a document does not read its text again."""
        row = raw.execute("SELECT id FROM documents WHERE uuid = ?", (uuid,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document {uuid}")
        return row[0], self.document_text(uuid)  # type: ignore[attr-defined]  # Reads'

    def document_summaries(self) -> list[tuple[str, str, str, str, str, str]]:
        """(uuid, title, source file name, outlet, published, author) of every document, in
        the project's order: what a document list shows, without touching any text."""
        return (
            self._plain()
            .execute(
                "SELECT uuid, title, source_filename, outlet, published, author FROM documents "
                "ORDER BY id"
            )
            .fetchall()
        )

    def document_order(self) -> list[str]:
        """Document uuids in the project's order (without reading any text)."""
        return [u for (u,) in self._plain().execute("SELECT uuid FROM documents ORDER BY id")]

    def span_counts_of(
        self, documents: Collection[str], annotators: Collection[str] | None = None
    ) -> dict[str, int]:
        """Spans per given document (0 included); only the given annotators' if any."""
        raw = self._plain()
        by = ""
        extra: tuple = ()
        if annotators is not None:
            wanted = list(annotators)
            marks = ",".join("?" * len(wanted))
            by = f" AND s.annotator_id IN (SELECT id FROM annotators WHERE uuid IN ({marks}))"
            extra = tuple(wanted)
        out = {}
        for uuid in documents:
            row = raw.execute(
                "SELECT count(s.id) FROM documents d LEFT JOIN spans s ON s.document_id = d.id"
                + by
                + " WHERE d.uuid = ?",
                (*extra, uuid),
            ).fetchone()
            out[uuid] = row[0] if row else 0
        return out

    @staticmethod
    def _content_spans(
        raw: Any,
        doc_id: int,
        doc_uuid: str,
        text: str,
        where: str = "",
        params: tuple = (),
        limit: int = -1,
    ) -> list[Span]:
        """TextSpans of `text` (their quote and context are sliced from it, not read)."""
        annotators = dict(raw.execute("SELECT id, uuid FROM annotators").fetchall())
        tags = dict(raw.execute("SELECT id, key FROM tag_types").fetchall())
        rows = raw.execute(
            'SELECT id, uuid, annotator_id, tag_type_id, start, "end", attributes, note, '
            f"entity_id, created, modified FROM spans WHERE document_id = ? "
            f'{where} ORDER BY start, "end", uuid LIMIT ?',
            (doc_id, *params, limit),
        ).fetchall()
        referenced = sorted({r[8] for r in rows if r[8] is not None})
        entities: dict[int, str] = {}
        for at in range(0, len(referenced), 500):
            part = referenced[at : at + 500]
            marks = ",".join("?" * len(part))
            entities.update(
                raw.execute(f"SELECT id, uuid FROM entities WHERE id IN ({marks})", part)
            )
        multi: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if rows:
            # Fragments of the discontinuous spans among these rows (most spans have one,
            # whose extent is on the span row).
            first, last = rows[0][4], rows[-1][4]
            for span_id, start, end in raw.execute(
                'SELECT f.span_id, f.start, f."end" FROM span_fragments f WHERE f.span_id IN '
                "(SELECT s.id FROM spans s JOIN span_fragments g ON g.span_id = s.id "
                "AND g.ordinal = 1 WHERE s.document_id = ? AND s.start BETWEEN ? AND ?) "
                "ORDER BY f.span_id, f.ordinal",
                (doc_id, first, last),
            ):
                multi[span_id].append((start, end))
        # Equal time stamps share one string (a bulk import stamps thousands of spans alike).
        stamps: dict[str, str] = {}
        span = TextSpan.of
        out = []
        for (
            span_id,
            uuid,
            annotator_id,
            tag_id,
            start,
            end,
            attributes,
            note,
            entity_id,
            created,
            modified,
        ) in rows:
            fragments = tuple(multi[span_id]) if span_id in multi else ((start, end),)
            out.append(
                span(
                    text,
                    uuid,
                    doc_uuid,
                    annotators[annotator_id],
                    tags[tag_id],
                    fragments,
                    _attributes(attributes),
                    note,
                    entities.get(entity_id) if entity_id is not None else None,
                    stamps.setdefault(created, created),
                    stamps.setdefault(modified, modified),
                )
            )
        return out

    @staticmethod
    def _content_links(
        raw: Any,
        doc_id: int,
        doc_uuid: str,
        after: str = "",
        limit: int = -1,
        rows: tuple[int, int] | None = None,
    ) -> list[Link]:
        """The links after uuid `after` (at most `limit`), or those whose row ids lie in
        `rows` (first exclusive, last inclusive) in row id order."""
        annotators = dict(raw.execute("SELECT id, uuid FROM annotators").fetchall())
        types = dict(raw.execute("SELECT id, key FROM link_types").fetchall())
        select = (
            "SELECT l.uuid, l.link_type_id, a.uuid, b.uuid, l.annotator_id, l.attributes, "
            "l.note, l.created, l.modified FROM links l "
            "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
        )
        if rows is None:
            found = raw.execute(
                select + "WHERE l.document_id = ? AND l.uuid > ? ORDER BY l.uuid LIMIT ?",
                (doc_id, after, limit),
            )
        else:
            found = raw.execute(
                select + "WHERE l.document_id = ? AND l.id > ? AND l.id <= ? ORDER BY l.id",
                (doc_id, *rows),
            )
        rows_found = found.fetchall()
        new, put = object.__new__, object.__setattr__

        def link(**fields: Any) -> Link:  # as in _content_spans: the same object, faster
            made = new(Link)
            put(made, "__dict__", fields)
            return made

        return [
            link(
                uuid=uuid,
                document=doc_uuid,
                type=types[type_id],
                source=source,
                target=target,
                annotator=annotators[annotator_id],
                attributes=_attributes(attributes),
                note=note,
                created=created,
                modified=modified,
            )
            for (
                uuid,
                type_id,
                source,
                target,
                annotator_id,
                attributes,
                note,
                created,
                modified,
            ) in rows_found
        ]
