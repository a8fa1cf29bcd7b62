"""Bulk read for the interop exporters: documents with their spans and links, streamed."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from annotator.domain.model import Document, DocumentInfo, Link, Span

#: One document with its spans (by start, end, uuid) and links (by uuid).
DocumentRows = tuple[Document, list[Span], list[Link]]


@dataclass(frozen=True)
class LayerExtent:
    """What `document_layers` will yield, counted up front: the annotators (uuids) of its spans
    and links, how many spans, and how many links join two of those spans in their document."""

    annotators: frozenset[str]
    spans: int
    links: int


def _document_filter(documents: Collection[str] | None) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause (its column left as "{}") choosing `documents` (None: all), and its
    parameters."""
    if documents is None:
        return "", ()
    # One JSON parameter, so any number of documents fits in the statement; the cursors then
    # only visit the chosen documents (through the document indexes).
    where = "WHERE {} IN (SELECT id FROM documents WHERE uuid IN (SELECT value FROM json_each(?)))"
    return where, (orjson.dumps(sorted(documents)).decode(),)


class LayerReads:
    """`document_layers`: what `document`, `spans` and `links` return for every document, from
    three ordered cursors merge-joined here instead of three queries per document (those
    queries were about three quarters of a doccano export's time). Mixed into store sessions."""

    def _raw(self) -> Any:
        raise NotImplementedError

    def document_layers(
        self,
        documents: Collection[str] | None = None,
        annotators: Collection[str] | None = None,
    ) -> Iterator[DocumentRows]:
        """Each document (in `documents` if given; project order, as `documents()`) with the
        spans and links of the layers in `annotators` (uuids; None: every layer). The objects
        equal those of `document(uuid)`, `spans(uuid)` and `links(uuid)`; one document's rows
        are in memory at a time."""
        raw = self._raw()
        names = dict(raw.execute("SELECT id, uuid FROM annotators").fetchall())
        tags = dict(raw.execute("SELECT id, key FROM tag_types").fetchall())
        link_types = dict(raw.execute("SELECT id, key FROM link_types").fetchall())
        entities = dict(raw.execute("SELECT id, uuid FROM entities").fetchall())
        layer_ids = None if annotators is None else {i for i, u in names.items() if u in annotators}
        where, parameters = _document_filter(documents)
        # A span's fragments join its row (one row per fragment; most spans have one), so
        # spans need no second cursor; ordinal keeps the fragments in their order.
        spans = raw.cursor().execute(
            "SELECT s.document_id, s.id, s.uuid, s.annotator_id, s.tag_type_id, s.quote, "
            "s.prefix, s.suffix, s.attributes, s.note, s.entity_id, s.created, s.modified, "
            'f.start, f."end" FROM spans s LEFT JOIN span_fragments f ON f.span_id = s.id '
            f"{where.format('s.document_id')} "
            'ORDER BY s.document_id, s.start, s."end", s.uuid, f.ordinal',
            parameters,
        )
        # Inner joins to the endpoints, as in `links()`.
        links = raw.cursor().execute(
            "SELECT l.document_id, l.uuid, l.link_type_id, a.uuid, b.uuid, l.annotator_id, "
            "l.attributes, l.note, l.created, l.modified FROM links l "
            "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
            f"{where.format('l.document_id')} ORDER BY l.document_id, l.uuid",
            parameters,
        )
        # length() as in `document_info` (SQLite counts characters), not len() in Python.
        rows = raw.cursor().execute(
            "SELECT id, uuid, title, sha256, length(text), author, outlet, url, published, "
            "language, source_filename, source_encoding, extra, imported, created, modified, "
            f"author_id, text FROM documents {where.format('id')} ORDER BY id",
            parameters,
        )
        loads = orjson.loads
        span_row, link_row = next(spans, None), next(links, None)
        for d in rows:
            doc_id, doc_uuid = d[0], d[1]
            info = DocumentInfo(
                uuid=doc_uuid,
                title=d[2],
                sha256=d[3],
                length=d[4],
                author=d[5],
                outlet=d[6],
                url=d[7],
                published=d[8],
                language=d[9],
                source_filename=d[10],
                source_encoding=d[11],
                extra=None if d[12] is None else loads(d[12]),
                imported=d[13],
                created=d[14],
                modified=d[15],
                author_uuid=names.get(d[16]),
            )
            doc_spans: list[Span] = []
            while span_row is not None and span_row[0] < doc_id:
                span_row = next(spans, None)
            while span_row is not None and span_row[0] == doc_id:
                s, span_id = span_row, span_row[1]
                fragments = [] if s[13] is None else [(s[13], s[14])]
                span_row = next(spans, None)
                while span_row is not None and span_row[1] == span_id:
                    fragments.append((span_row[13], span_row[14]))
                    span_row = next(spans, None)
                if layer_ids is not None and s[3] not in layer_ids:
                    continue
                doc_spans.append(
                    Span(
                        uuid=s[2],
                        document=doc_uuid,
                        annotator=names[s[3]],
                        tag=tags[s[4]],
                        fragments=tuple(fragments),
                        quote=s[5],
                        prefix=s[6],
                        suffix=s[7],
                        attributes=None if s[8] is None else loads(s[8]),
                        note=s[9],
                        entity=entities.get(s[10]),
                        created=s[11],
                        modified=s[12],
                    )
                )
            doc_links: list[Link] = []
            while link_row is not None and link_row[0] < doc_id:
                link_row = next(links, None)
            while link_row is not None and link_row[0] == doc_id:
                x = link_row
                link_row = next(links, None)
                if layer_ids is not None and x[5] not in layer_ids:
                    continue
                doc_links.append(
                    Link(
                        uuid=x[1],
                        document=doc_uuid,
                        type=link_types[x[2]],
                        source=x[3],
                        target=x[4],
                        annotator=names[x[5]],
                        attributes=None if x[6] is None else loads(x[6]),
                        note=x[7],
                        created=x[8],
                        modified=x[9],
                    )
                )
            yield Document(info, d[17]), doc_spans, doc_links

    def layer_extent(
        self,
        documents: Collection[str] | None = None,
        annotators: Collection[str] | None = None,
    ) -> LayerExtent:
        """Counted in SQL, for exporters that must write a total or number the annotators before
        the first document, without holding every document (`document_layers`' arguments). A
        link counts when its layer and both its spans' layers are chosen and both spans are in
        the link's document: the links `export_common.iter_document_layers` keeps."""
        raw = self._raw()
        names = dict(raw.execute("SELECT id, uuid FROM annotators").fetchall())
        chosen = (
            set(names) if annotators is None else {i for i, u in names.items() if u in annotators}
        )
        where, parameters = _document_filter(documents)
        used: set[int] = set()
        spans = 0
        for annotator_id, count in raw.execute(
            f"SELECT annotator_id, count(*) FROM spans {where.format('document_id')} "
            "GROUP BY annotator_id",
            parameters,
        ):
            if annotator_id in chosen:
                used.add(annotator_id)
                spans += count
        links = 0
        for annotator_id, source, target, count in raw.execute(
            "SELECT l.annotator_id, a.annotator_id, b.annotator_id, count(*) FROM links l "
            "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
            "AND a.document_id = l.document_id AND b.document_id = l.document_id "
            f"{where.format('l.document_id')} GROUP BY 1, 2, 3",
            parameters,
        ):
            if annotator_id in chosen and source in chosen and target in chosen:
                used.add(annotator_id)
                links += count
        return LayerExtent(frozenset(names[i] for i in used), spans, links)
