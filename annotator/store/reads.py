"""Queries that turn rows into domain values (read side of a store session)."""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, and_, func, select

from annotator.domain.model import (
    Annotator,
    Document,
    DocumentInfo,
    DocumentStatus,
    Entity,
    Link,
    LinkType,
    Schema,
    Span,
    TagType,
)
from annotator.errors import NotFoundError
from annotator.store import rows
from annotator.store import tables as t
from annotator.store.texts import DocumentTexts

_author = t.AnnotatorRow.alias()
_source = t.SpanRow.alias()
_target = t.SpanRow.alias()


class _PlainTable:
    """`SELECT every column` of one table as plain SQL, rows as named tuples (`row.key`, as
    SQLAlchemy's rows offer). The reads every window makes before its first frame (project
    info, annotators, schema, statuses) run as plain SQL on the DBAPI connection: SQLAlchemy
    compiles each statement the first time a process runs it (~1 ms each on this VM, ~12 ms
    before the first frame), which plain SQL does not need."""

    def __init__(self, table: Any) -> None:
        names = list(table.columns.keys())
        self.row = namedtuple(f"{table.name}_row", names)  # type: ignore[misc]
        self.select = f"SELECT {', '.join(names)} FROM {table.name}"

    def rows(self, raw: Any, order: str) -> list[Any]:
        make = self.row._make
        return [make(r) for r in raw.execute(f"{self.select} ORDER BY {order}")]


_ATTRIBUTE_DEFS = _PlainTable(t.attribute_defs)
_TAG_TYPES = _PlainTable(t.tag_types)
_LINK_TYPES = _PlainTable(t.link_types)
_STATUSES = (
    "SELECT st.uuid, d.uuid, a.uuid, st.status, st.modified FROM document_status st "
    "JOIN documents d ON d.id = st.document_id JOIN annotators a ON a.id = st.annotator_id"
)


class Reads:
    """Read queries; mixed into every store session."""

    connection: Connection
    #: The store's texts in memory (store/texts); None in a session outside an open store.
    _texts: DocumentTexts | None = None

    def _driver(self) -> Any:
        """The DBAPI connection under this session's transaction (see `_PlainTable`)."""
        return self.connection.connection.driver_connection

    # -- project -----------------------------------------------------------------------------
    def project_info(self) -> dict[str, str]:
        return dict(self._driver().execute("SELECT key, value FROM project_info").fetchall())

    def annotators(self) -> list[Annotator]:
        query = "SELECT uuid, name, identifier, created, modified FROM annotators ORDER BY id"
        return [Annotator(*row) for row in self._driver().execute(query)]

    def annotator_uuids(self) -> dict[int, str]:
        return dict(self._driver().execute("SELECT id, uuid FROM annotators").fetchall())

    # -- schema ------------------------------------------------------------------------------
    def schema(self) -> Schema:
        authors = self.annotator_uuids()
        attrs_by_tag: dict[int, list] = defaultdict(list)
        attrs_by_link: dict[int, list] = defaultdict(list)
        raw = self._driver()
        for row in _ATTRIBUTE_DEFS.rows(raw, "position, id"):
            target = attrs_by_tag[row.tag_type_id] if row.tag_type_id else None
            if target is None:
                target = attrs_by_link[row.link_type_id]
            target.append(rows.attribute_def(row, authors.get(row.author_id)))
        tag_keys: dict[int, str] = {}
        tag_types = []
        for row in _TAG_TYPES.rows(raw, "position, id"):
            tag_keys[row.id] = row.key
            tag_types.append(
                TagType(
                    uuid=row.uuid,
                    key=row.key,
                    label=row.label,
                    kind=row.kind,
                    color=row.color,
                    hotkey=row.hotkey,
                    guideline=row.guideline,
                    attributes=tuple(attrs_by_tag[row.id]),
                    created=row.created,
                    modified=row.modified,
                    author=authors.get(row.author_id),
                )
            )
        endpoints: dict[tuple[int, str], list[str]] = defaultdict(list)
        for link_type_id, role, tag_type_id in raw.execute(
            # In the tag types' display order, which survives a delete and its undo.
            "SELECT e.link_type_id, e.role, e.tag_type_id FROM link_type_endpoints e "
            "JOIN tag_types tt ON tt.id = e.tag_type_id ORDER BY tt.position, tt.id"
        ):
            endpoints[(link_type_id, role)].append(tag_keys[tag_type_id])
        link_types = []
        for row in _LINK_TYPES.rows(raw, "position, id"):
            link_types.append(
                LinkType(
                    uuid=row.uuid,
                    key=row.key,
                    label=row.label,
                    directed=bool(row.directed),
                    color=row.color,
                    guideline=row.guideline,
                    sources=tuple(endpoints[(row.id, "source")]),
                    targets=tuple(endpoints[(row.id, "target")]),
                    attributes=tuple(attrs_by_link[row.id]),
                    created=row.created,
                    modified=row.modified,
                    author=authors.get(row.author_id),
                )
            )
        return Schema(tuple(tag_types), tuple(link_types))

    # -- documents ---------------------------------------------------------------------------
    def _document_query(self):
        d = t.documents.c
        return select(
            d.uuid,
            d.title,
            d.sha256,
            func.length(d.text).label("length"),
            d.author,
            d.outlet,
            d.url,
            d.published,
            d.language,
            d.source_filename,
            d.source_encoding,
            d.extra,
            d.imported,
            d.created,
            d.modified,
            d.author_id,
        )

    def documents(self) -> list[DocumentInfo]:
        authors = self.annotator_uuids()
        query = self._document_query().order_by(t.documents.c.id)
        return [
            rows.document_info(r, authors.get(r.author_id)) for r in self.connection.execute(query)
        ]

    def document_count(self) -> int:
        """How many documents (without reading their texts, as `documents()` does for their
        lengths)."""
        return int(self.connection.execute(select(func.count()).select_from(t.documents)).scalar())

    def document_info(self, uuid: str) -> DocumentInfo:
        row = self.connection.execute(
            self._document_query().where(t.documents.c.uuid == uuid)
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no document {uuid}")
        return rows.document_info(row, self.annotator_uuids().get(row.author_id))

    def document(self, uuid: str) -> Document:
        info = self.document_info(uuid)
        text = self.connection.execute(
            select(t.documents.c.text).where(t.documents.c.uuid == uuid)
        ).scalar_one()
        return Document(info, text)

    def document_by_sha256(self, sha256: str) -> str | None:
        d = t.documents.c
        return self.connection.execute(select(d.uuid).where(d.sha256 == sha256)).scalar()

    def document_text(self, uuid: str) -> str:
        if self._texts is not None:
            return self._texts.text(self.connection.connection.driver_connection, uuid)
        text = self.connection.execute(
            select(t.documents.c.text).where(t.documents.c.uuid == uuid)
        ).scalar()
        if text is None:
            raise NotFoundError(f"no document {uuid}")
        return text

    def span_counts(self, annotators: Collection[str] | None = None) -> dict[str, int]:
        """Spans per document uuid (every document, 0 included); only the spans of the given
        annotators (uuids) if any are given."""
        d, s, a = t.documents.c, t.spans.c, t.annotators.c
        joined = s.document_id == d.id
        if annotators is not None:
            chosen = select(a.id).where(a.uuid.in_(list(annotators)))
            joined = joined & s.annotator_id.in_(chosen)
        query = (
            select(d.uuid, func.count(s.id))
            .select_from(t.documents.outerjoin(t.spans, joined))
            .group_by(d.id)
        )
        return dict(self.connection.execute(query).all())

    # -- spans -------------------------------------------------------------------------------
    def _span_query(self):
        s, d, a, g, e = t.spans.c, t.documents.c, t.annotators.c, t.tag_types.c, t.entities.c
        return select(
            s.id,
            s.uuid,
            d.uuid.label("document_uuid"),
            a.uuid.label("annotator_uuid"),
            g.key.label("tag_key"),
            s.quote,
            s.prefix,
            s.suffix,
            s.attributes,
            s.note,
            e.uuid.label("entity_uuid"),
            s.created,
            s.modified,
        ).select_from(
            t.spans.join(t.documents, d.id == s.document_id)
            .join(t.annotators, a.id == s.annotator_id)
            .join(t.tag_types, g.id == s.tag_type_id)
            .outerjoin(t.entities, e.id == s.entity_id)
        )

    def _with_fragments(self, span_rows: list, fragment_filter) -> list[Span]:
        f = t.span_fragments.c
        fragments: dict[int, list[tuple[int, int]]] = defaultdict(list)
        query = (
            select(f.span_id, f.start, f.end).where(fragment_filter).order_by(f.span_id, f.ordinal)
        )
        for span_id, start, end in self.connection.execute(query):
            fragments[span_id].append((start, end))
        return [rows.span(r, tuple(fragments[r.id])) for r in span_rows]

    def spans(self, document: str, annotator: str | None = None) -> list[Span]:
        """Spans of one document (of one annotator's layer if given), by start offset.

        Plain SQL on the DBAPI connection, tuples straight into `Span`s: the views call this
        for every document they show (11,000 spans through SQLAlchemy rows took about 0.2 s
        of CPU, several times SQLite's own work)."""
        raw = self.connection.connection.driver_connection
        found = raw.execute("SELECT id FROM documents WHERE uuid = ?", (document,)).fetchone()
        if found is None:
            return []
        doc_id = found[0]
        fragments: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for span_id, start, end in raw.execute(_FRAGMENTS_OF_DOCUMENT, (doc_id,)):
            fragments[span_id].append((start, end))
        if annotator is None:
            found_rows = raw.execute(_SPANS_OF_DOCUMENT.format(layer=""), (doc_id,))
        else:
            layer = " AND a.uuid = ?"
            found_rows = raw.execute(_SPANS_OF_DOCUMENT.format(layer=layer), (doc_id, annotator))
        loads = rows.loads
        return [
            Span(
                uuid=uuid,
                document=document,
                annotator=annotator_uuid,
                tag=tag,
                fragments=tuple(fragments[span_id]),
                quote=quote,
                prefix=prefix,
                suffix=suffix,
                attributes=loads(attributes),
                note=note,
                entity=entity,
                created=created,
                modified=modified,
            )
            for (
                span_id,
                uuid,
                annotator_uuid,
                tag,
                quote,
                prefix,
                suffix,
                attributes,
                note,
                entity,
                created,
                modified,
            ) in found_rows
        ]

    def spans_by_uuid(self, uuids: Iterable[str]) -> list[Span]:
        wanted = list(uuids)
        if not wanted:
            return []
        s = t.spans.c
        span_rows = list(self.connection.execute(self._span_query().where(s.uuid.in_(wanted))))
        ids = [r.id for r in span_rows]
        return self._with_fragments(span_rows, t.span_fragments.c.span_id.in_(ids))

    def spans_with_entity(self, entity: str) -> list[Span]:
        e = t.entities.c
        query = select(t.spans.c.uuid).join(t.entities, e.id == t.spans.c.entity_id)
        return self.spans_by_uuid(self.connection.execute(query.where(e.uuid == entity)).scalars())

    def span(self, uuid: str) -> Span:
        found = self.spans_by_uuid([uuid])
        if not found:
            raise NotFoundError(f"no span {uuid}")
        return found[0]

    def span_document_and_tag(self, uuid: str) -> tuple[str, str]:
        s, d, g = t.spans.c, t.documents.c, t.tag_types.c
        row = self.connection.execute(
            select(d.uuid, g.key)
            .select_from(t.spans.join(t.documents, d.id == s.document_id))
            .join(t.tag_types, g.id == s.tag_type_id)
            .where(s.uuid == uuid)
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no span {uuid}")
        return row[0], row[1]

    # -- links -------------------------------------------------------------------------------
    def _link_query(self):
        lc, d, a, lt = t.links.c, t.documents.c, t.annotators.c, t.link_types.c
        return select(
            lc.id,
            lc.uuid,
            d.uuid.label("document_uuid"),
            lt.key.label("type_key"),
            _source.uuid.label("source_uuid"),
            _target.uuid.label("target_uuid"),
            a.uuid.label("annotator_uuid"),
            lc.attributes,
            lc.note,
            lc.created,
            lc.modified,
        ).select_from(
            t.links.join(t.documents, d.id == lc.document_id)
            .join(t.link_types, lt.id == lc.link_type_id)
            .join(_source, _source.id == lc.source_span_id)
            .join(_target, _target.id == lc.target_span_id)
            .join(t.annotators, a.id == lc.annotator_id)
        )

    def links(self, document: str, annotator: str | None = None) -> list[Link]:
        query = self._link_query().where(t.documents.c.uuid == document)
        if annotator is not None:
            query = query.where(t.annotators.c.uuid == annotator)
        return [rows.link(r) for r in self.connection.execute(query.order_by(t.links.c.uuid))]

    def links_by_uuid(self, uuids: Iterable[str]) -> list[Link]:
        wanted = list(uuids)
        query = self._link_query().where(t.links.c.uuid.in_(wanted))
        return [rows.link(r) for r in self.connection.execute(query)] if wanted else []

    def links_of_spans(self, span_uuids: Iterable[str]) -> list[Link]:
        wanted = list(span_uuids)
        if not wanted:
            return []
        query = (
            self._link_query()
            .where(_source.uuid.in_(wanted) | _target.uuid.in_(wanted))
            .order_by(t.links.c.uuid)
        )
        return [rows.link(r) for r in self.connection.execute(query)]

    # -- entities and status -----------------------------------------------------------------
    def entities(self) -> list[Entity]:
        authors = self.annotator_uuids()
        e = t.entities
        query = select(e).order_by(e.c.name, e.c.id)
        return [rows.entity(r, authors.get(r.author_id)) for r in self.connection.execute(query)]

    def entity(self, uuid: str) -> Entity:
        row = self.connection.execute(
            select(t.entities).where(t.entities.c.uuid == uuid)
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no entity {uuid}")
        return rows.entity(row, self.annotator_uuids().get(row.author_id))

    def statuses(self, document: str | None = None) -> list[DocumentStatus]:
        if document is None:
            cursor = self._driver().execute(f"{_STATUSES} ORDER BY st.id")
        else:
            cursor = self._driver().execute(
                f"{_STATUSES} WHERE d.uuid = ? ORDER BY st.id", (document,)
            )
        return [DocumentStatus(*r) for r in cursor]

    def status(self, document: str, annotator: str) -> DocumentStatus | None:
        return next((s for s in self.statuses(document) if s.annotator == annotator), None)

    def tombstoned(self, uuid: str) -> bool:
        ts = t.tombstones.c
        return self.connection.execute(select(ts.uuid).where(ts.uuid == uuid)).first() is not None

    def count_spans(self, **where: str) -> int:
        """Spans with a given tag key or entity uuid (for schema-change messages)."""
        s = t.spans.c
        query = select(func.count()).select_from(t.spans)
        if "tag" in where:
            query = query.join(t.tag_types, t.tag_types.c.id == s.tag_type_id).where(
                t.tag_types.c.key == where["tag"]
            )
        if "entity" in where:
            query = query.join(t.entities, t.entities.c.id == s.entity_id).where(
                t.entities.c.uuid == where["entity"]
            )
        return int(self.connection.execute(query).scalar_one())

    def count_links_of_type(self, key: str) -> int:
        lt = t.link_types.c
        query = (
            select(func.count())
            .select_from(t.links.join(t.link_types, lt.id == t.links.c.link_type_id))
            .where(and_(lt.key == key))
        )
        return int(self.connection.execute(query).scalar_one())


#: The spans of one document (`Reads.spans`), in the order the views list them; `{layer}`
#: narrows to one annotator.
_SPANS_OF_DOCUMENT = (
    "SELECT s.id, s.uuid, a.uuid, g.key, s.quote, s.prefix, s.suffix, s.attributes, s.note, "
    "e.uuid, s.created, s.modified FROM spans s JOIN annotators a ON a.id = s.annotator_id "
    "JOIN tag_types g ON g.id = s.tag_type_id LEFT JOIN entities e ON e.id = s.entity_id "
    'WHERE s.document_id = ?{layer} ORDER BY s.start, s."end", s.uuid'
)
_FRAGMENTS_OF_DOCUMENT = (
    'SELECT f.span_id, f.start, f."end" FROM span_fragments f JOIN spans s ON s.id = f.span_id '
    "WHERE s.document_id = ? ORDER BY f.span_id, f.ordinal"
)
