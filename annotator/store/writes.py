"""Row writes for one store session: documents, spans, links, entities, statuses.

The statements of interactive edits and imports (documents, spans, links, statuses,
tombstones, and the uuid -> id lookups they need) are plain SQL on the session's DBAPI
connection, inside the session's transaction: a Core statement costs about 0.15 ms of Python
per execution to build and look up in the compiled cache, and even `exec_driver_sql` about
35 µs, several times the SQLite work of a one-row insert, against an edit budget of 0.5 ms
over raw sqlite3 (tests/perf/bench_store_edit.py). Their errors are sqlite3's.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Iterable

from sqlalchemy import Connection, Table, delete, insert, update

from annotator.domain.model import (
    Annotator,
    Document,
    DocumentStatus,
    Entity,
    Link,
    Span,
    TagType,
)
from annotator.domain.wording import quoted
from annotator.errors import NotFoundError
from annotator.store import rows
from annotator.store import tables as t
from annotator.store.rows import dumps


class Writes:
    """Write statements; mixed into a writable store session (one transaction)."""

    connection: Connection

    @property
    def _sql(self) -> sqlite3.Connection:
        """The DBAPI connection of this session's transaction."""
        return self.connection.connection.driver_connection

    # -- id resolution -----------------------------------------------------------------------
    def _id(self, table: Table, uuid: str | None, what: str) -> int | None:
        if uuid is None:
            return None
        found = self._sql.execute(f"SELECT id FROM {table.name} WHERE uuid = ?", (uuid,)).fetchone()
        if found is None:
            raise NotFoundError(f"no {what} {uuid}")
        return found[0]

    def _key_id(self, table: Table, key: str, what: str) -> int:
        found = self._sql.execute(f"SELECT id FROM {table.name} WHERE key = ?", (key,)).fetchone()
        if found is None:
            raise NotFoundError(f"no {what} {quoted(key)}")
        return found[0]

    def _ids(self, lookups: tuple[tuple[str, str, object, str], ...]) -> list[int | None]:
        """Several lookups in one statement: (table, column, value, what) each, column "uuid"
        or "key". Raises NotFoundError for the first one missing, in order, like `_id` and
        `_key_id` one by one would (a None uuid is looked up as None without an error)."""
        sql = "SELECT " + ", ".join(
            f"(SELECT id FROM {table} WHERE {column} = ?)" for table, column, _, _ in lookups
        )
        found = self._sql.execute(sql, tuple(v for _, _, v, _ in lookups)).fetchone()
        for (_, column, value, what), value_id in zip(lookups, found, strict=True):
            if value_id is None and (column == "key" or value is not None):
                raise NotFoundError(
                    f"no {what} {quoted(value)}" if column == "key" else f"no {what} {value}"
                )
        return list(found)

    # -- reads a command needs inside its transaction ----------------------------------------
    # Straight on the DBAPI connection of this session's transaction, like the bulk reads:
    # through SQLAlchemy, these two reads cost 0.1 ms more per edit (a fifth of its budget).
    def text_of(self, document: str) -> str:
        """`document_text(document)`: the same text, or the same NotFoundError; from memory
        when the store has it there (store/texts: an edit does not re-read the text)."""
        texts = getattr(self, "_texts", None)
        if texts is not None:
            return texts.text(self._sql, document)
        found = self._sql.execute(
            "SELECT text FROM documents WHERE uuid = ?", (document,)
        ).fetchone()
        if found is None:
            raise NotFoundError(f"no document {document}")
        return found[0]

    def tag_type(self, key: str) -> TagType | None:
        """The tag type `key` exactly as `schema().tag(key)` builds it, from one small query
        instead of the whole schema (about 1 ms; a command such as creating a span needs one
        tag type). None if there is no such tag type."""
        found = self._sql.execute(_TAG_TYPE, (key,)).fetchall()
        if not found:
            return None
        uuid, key, label, kind, color, hotkey, guideline, created, modified, author = found[0][:10]
        return TagType(
            uuid=uuid,
            key=key,
            label=label,
            kind=kind,
            color=color,
            hotkey=hotkey,
            guideline=guideline,
            attributes=tuple(
                rows.attribute_def(_AttributeRow(*row[10:20]), row[20])
                for row in found
                if row[10] is not None
            ),
            created=created,
            modified=modified,
            author=author,
        )

    # -- project and annotators --------------------------------------------------------------
    def set_project_info(self, key: str, value: str) -> None:
        pi = t.project_info
        self.connection.execute(delete(pi).where(pi.c.key == key))
        self.connection.execute(insert(pi).values(key=key, value=value))

    def insert_annotator(self, annotator: Annotator) -> None:
        self.connection.execute(
            insert(t.annotators).values(
                uuid=annotator.uuid,
                name=annotator.name,
                identifier=annotator.identifier,
                created=annotator.created,
                modified=annotator.modified,
            )
        )

    def delete_annotator(self, uuid: str) -> None:
        """Remove an annotator nothing refers to any more (the undo of an import that added
        them; history rows that name them keep no author)."""
        a = t.annotators
        self.connection.execute(delete(a).where(a.c.uuid == uuid))

    def update_annotator(self, annotator: Annotator) -> None:
        a = t.annotators
        self.connection.execute(
            update(a)
            .where(a.c.uuid == annotator.uuid)
            .values(
                name=annotator.name, identifier=annotator.identifier, modified=annotator.modified
            )
        )

    # -- documents ---------------------------------------------------------------------------
    def insert_document(self, document: Document, *, index: bool = True) -> None:
        """Insert a document and its full-text index entry; `index=False` leaves the entry to
        a later `index_documents` of the whole batch (one statement: about half the cost of
        one per document, tests/perf/bench_search.py)."""
        info = document.info
        self._sql.execute(
            _INSERT_DOCUMENT,
            (
                info.uuid,
                info.title,
                document.text,
                info.sha256,
                info.author,
                info.outlet,
                info.url,
                info.published,
                info.language,
                info.source_filename,
                info.source_encoding,
                dumps(info.extra),
                info.imported,
                info.created,
                info.modified,
                self._id(t.annotators, info.author_uuid, "annotator"),
            ),
        )
        if index:
            self._sql.execute(_INDEX_DOCUMENT, (info.uuid,))

    def update_document_metadata(self, uuid: str, fields: dict[str, object]) -> None:
        values = {k: (dumps(v) if k == "extra" else v) for k, v in fields.items()}
        d = t.documents
        if "title" in values:  # the title is indexed for project search: replace its entry
            self._sql.execute(_UNINDEX_DOCUMENT, (uuid,))
        self.connection.execute(update(d).where(d.c.uuid == uuid).values(**values))
        if "title" in values:
            self._sql.execute(_INDEX_DOCUMENT, (uuid,))

    def delete_document(self, uuid: str) -> None:
        d = t.documents
        self._sql.execute(_UNINDEX_DOCUMENT, (uuid,))
        self.connection.execute(delete(d).where(d.c.uuid == uuid))

    # -- spans -------------------------------------------------------------------------------
    def _span_values(self, span: Span) -> tuple:
        """The spans row after uuid (in _SPAN_COLUMNS order)."""
        document_id, annotator_id, tag_type_id, entity_id = self._ids(
            (
                ("documents", "uuid", span.document, "document"),
                ("annotators", "uuid", span.annotator, "annotator"),
                ("tag_types", "key", span.tag, "tag type"),
                ("entities", "uuid", span.entity, "entity"),
            )
        )
        return (
            document_id,
            annotator_id,
            tag_type_id,
            span.start,
            span.end,
            span.quote,
            span.prefix,
            span.suffix,
            dumps(span.attributes),
            span.note,
            entity_id,
            span.created,
            span.modified,
        )

    def _write_fragments(self, span_id: int, span: Span) -> None:
        self._sql.executemany(
            _INSERT_FRAGMENT,
            [(span_id, i, start, end) for i, (start, end) in enumerate(span.fragments)],
        )

    def insert_span(self, span: Span) -> None:
        result = self._sql.execute(_INSERT_SPAN, (span.uuid, *self._span_values(span)))
        self._write_fragments(result.lastrowid, span)

    def update_span(self, span: Span) -> None:
        span_id = self._id(t.spans, span.uuid, "span")
        self._sql.execute(_UPDATE_SPAN, (*self._span_values(span), span_id))
        self._sql.execute("DELETE FROM span_fragments WHERE span_id = ?", (span_id,))
        self._write_fragments(span_id, span)

    def delete_span(self, uuid: str) -> None:
        self._sql.execute("DELETE FROM spans WHERE uuid = ?", (uuid,))

    def touch_spans(self, uuids: list[str], modified: str) -> None:
        """Set the spans' modified time (a change the database made for them, such as the
        entity reference an entity deletion cleared: merges pick the newer version by it)."""
        self._sql.executemany(
            "UPDATE spans SET modified = ? WHERE uuid = ?", [(modified, u) for u in uuids]
        )

    def restamp(
        self,
        when: str,
        spans: Iterable[str] = (),
        links: Iterable[str] = (),
        entities: Iterable[str] = (),
    ) -> None:
        """Give rows an undo or a redo wrote back the modified time `when`: the restored
        version is a new change, so a merge or a team sync takes it over the version it
        replaced (which a colleague may already hold). Uuids not present are ignored."""
        for table, uuids in (("spans", spans), ("links", links), ("entities", entities)):
            wanted = list(uuids)
            if wanted:  # one statement however many rows (uuids hold no NUL: json_each is safe)
                self._sql.execute(
                    f"UPDATE {table} SET modified = ? WHERE modified < ? "
                    "AND uuid IN (SELECT value FROM json_each(?))",
                    (when, when, dumps(wanted)),
                )

    # -- links -------------------------------------------------------------------------------
    def _link_values(self, link: Link) -> tuple:
        """The links row after uuid (in _LINK_COLUMNS order)."""
        document_id, link_type_id, source_id, target_id, annotator_id = self._ids(
            (
                ("documents", "uuid", link.document, "document"),
                ("link_types", "key", link.type, "link type"),
                ("spans", "uuid", link.source, "span"),
                ("spans", "uuid", link.target, "span"),
                ("annotators", "uuid", link.annotator, "annotator"),
            )
        )
        return (
            document_id,
            link_type_id,
            source_id,
            target_id,
            annotator_id,
            dumps(link.attributes),
            link.note,
            link.created,
            link.modified,
        )

    def insert_link(self, link: Link) -> None:
        self._sql.execute(_INSERT_LINK, (link.uuid, *self._link_values(link)))

    def update_link(self, link: Link) -> None:
        self._sql.execute(_UPDATE_LINK, (*self._link_values(link), link.uuid))

    def delete_link(self, uuid: str) -> None:
        self._sql.execute("DELETE FROM links WHERE uuid = ?", (uuid,))

    # -- entities ----------------------------------------------------------------------------
    def _entity_values(self, entity: Entity) -> dict[str, object]:
        return {
            "name": entity.name,
            "kind": entity.kind,
            "aliases": dumps(list(entity.aliases)),
            "external_ids": dumps(entity.external_ids),
            "note": entity.note,
            "created": entity.created,
            "modified": entity.modified,
            "author_id": self._id(t.annotators, entity.author, "annotator"),
        }

    def insert_entity(self, entity: Entity) -> None:
        self.connection.execute(
            insert(t.entities).values(uuid=entity.uuid, **self._entity_values(entity))
        )

    def update_entity(self, entity: Entity) -> None:
        e = t.entities
        self.connection.execute(
            update(e).where(e.c.uuid == entity.uuid).values(**self._entity_values(entity))
        )

    def delete_entity(self, uuid: str) -> None:
        e = t.entities
        self.connection.execute(delete(e).where(e.c.uuid == uuid))

    # -- statuses and tombstones -------------------------------------------------------------
    def put_status(self, status: DocumentStatus) -> None:
        document_id = self._id(t.documents, status.document, "document")
        annotator_id = self._id(t.annotators, status.annotator, "annotator")
        self._sql.execute(
            "DELETE FROM document_status WHERE document_id = ? AND annotator_id = ?",
            (document_id, annotator_id),
        )
        self._sql.execute(
            "INSERT INTO document_status (uuid, document_id, annotator_id, status, modified) "
            "VALUES (?, ?, ?, ?, ?)",
            (status.uuid, document_id, annotator_id, status.status, status.modified),
        )

    def delete_status(self, document: str, annotator: str) -> None:
        self._sql.execute(
            "DELETE FROM document_status WHERE document_id = ? AND annotator_id = ?",
            (
                self._id(t.documents, document, "document"),
                self._id(t.annotators, annotator, "annotator"),
            ),
        )

    def add_tombstone(self, uuid: str, kind: str, deleted: str, author: str | None) -> None:
        self._sql.execute("DELETE FROM tombstones WHERE uuid = ?", (uuid,))
        self._sql.execute(
            "INSERT INTO tombstones (uuid, kind, deleted, author_id) VALUES (?, ?, ?, ?)",
            (uuid, kind, deleted, self._id(t.annotators, author, "annotator")),
        )

    def remove_tombstone(self, uuid: str) -> None:
        self._sql.execute("DELETE FROM tombstones WHERE uuid = ?", (uuid,))


#: The attribute_defs columns `rows.attribute_def` reads, by name.
_AttributeRow = namedtuple(
    "_AttributeRow",
    "uuid key label value_type choices required default_value guideline created modified",
)


def _insert(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' if c == "end" else c for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


_SPAN_COLUMNS = (
    "document_id",
    "annotator_id",
    "tag_type_id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "attributes",
    "note",
    "entity_id",
    "created",
    "modified",
)
_LINK_COLUMNS = (
    "document_id",
    "link_type_id",
    "source_span_id",
    "target_span_id",
    "annotator_id",
    "attributes",
    "note",
    "created",
    "modified",
)
_INSERT_DOCUMENT = _insert(
    "documents",
    (
        "uuid",
        "title",
        "text",
        "sha256",
        "author",
        "outlet",
        "url",
        "published",
        "language",
        "source_filename",
        "source_encoding",
        "extra",
        "imported",
        "created",
        "modified",
        "author_id",
    ),
)
#: documents_fts is an external-content index: its rows are added and removed with the values
#: the document has (FTS5's 'delete' command needs the indexed text to find the entries).
_INDEX_DOCUMENT = (
    "INSERT INTO documents_fts (rowid, title, text) SELECT id, title, text FROM documents "
    "WHERE uuid = ?"
)
_UNINDEX_DOCUMENT = (
    "INSERT INTO documents_fts (documents_fts, rowid, title, text) "
    "SELECT 'delete', id, title, text FROM documents WHERE uuid = ?"
)
_INSERT_SPAN = _insert("spans", ("uuid", *_SPAN_COLUMNS))
_UPDATE_SPAN = (
    "UPDATE spans SET "
    + ", ".join(f'"{c}" = ?' if c == "end" else f"{c} = ?" for c in _SPAN_COLUMNS)
    + " WHERE id = ?"
)
_INSERT_FRAGMENT = _insert("span_fragments", ("span_id", "ordinal", "start", "end"))
_INSERT_LINK = _insert("links", ("uuid", *_LINK_COLUMNS))
_UPDATE_LINK = (
    "UPDATE links SET " + ", ".join(f"{c} = ?" for c in _LINK_COLUMNS) + " WHERE uuid = ?"
)
#: A tag type (10 columns) left-joined with its attribute definitions (10 columns, then their
#: author's uuid) in schema order.
_TAG_TYPE = (
    "SELECT t.uuid, t.key, t.label, t.kind, t.color, t.hotkey, t.guideline, t.created, "
    "t.modified, ta.uuid, d.uuid, d.key, d.label, d.value_type, d.choices, d.required, "
    "d.default_value, d.guideline, d.created, d.modified, da.uuid FROM tag_types t "
    "LEFT JOIN annotators ta ON ta.id = t.author_id "
    "LEFT JOIN attribute_defs d ON d.tag_type_id = t.id "
    "LEFT JOIN annotators da ON da.id = d.author_id "
    "WHERE t.key = ? ORDER BY d.position, d.id"
)
