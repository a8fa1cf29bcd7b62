"""Row writes for one store session: documents, spans, links, entities, statuses."""

from __future__ import annotations

from sqlalchemy import Connection, Table, delete, insert, select, update

from annotator.domain.model import (
    Annotator,
    Document,
    DocumentStatus,
    Entity,
    Link,
    Span,
)
from annotator.errors import NotFoundError
from annotator.store import tables as t
from annotator.store.rows import dumps


class Writes:
    """Write statements; mixed into a writable store session (one transaction)."""

    connection: Connection

    # -- id resolution -----------------------------------------------------------------------
    def _id(self, table: Table, uuid: str | None, what: str) -> int | None:
        if uuid is None:
            return None
        found = self.connection.execute(select(table.c.id).where(table.c.uuid == uuid)).scalar()
        if found is None:
            raise NotFoundError(f"no {what} {uuid}")
        return found

    def _key_id(self, table: Table, key: str, what: str) -> int:
        found = self.connection.execute(select(table.c.id).where(table.c.key == key)).scalar()
        if found is None:
            raise NotFoundError(f"no {what} {key!r}")
        return found

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
    def insert_document(self, document: Document) -> None:
        info = document.info
        self.connection.execute(
            insert(t.documents).values(
                uuid=info.uuid,
                title=info.title,
                text=document.text,
                sha256=info.sha256,
                author=info.author,
                outlet=info.outlet,
                url=info.url,
                published=info.published,
                language=info.language,
                source_filename=info.source_filename,
                source_encoding=info.source_encoding,
                extra=dumps(info.extra),
                imported=info.imported,
                created=info.created,
                modified=info.modified,
                author_id=self._id(t.annotators, info.author_uuid, "annotator"),
            )
        )

    def update_document_metadata(self, uuid: str, fields: dict[str, object]) -> None:
        values = {k: (dumps(v) if k == "extra" else v) for k, v in fields.items()}
        d = t.documents
        self.connection.execute(update(d).where(d.c.uuid == uuid).values(**values))

    def delete_document(self, uuid: str) -> None:
        d = t.documents
        self.connection.execute(delete(d).where(d.c.uuid == uuid))

    # -- spans -------------------------------------------------------------------------------
    def _span_values(self, span: Span) -> dict[str, object]:
        return {
            "document_id": self._id(t.documents, span.document, "document"),
            "annotator_id": self._id(t.annotators, span.annotator, "annotator"),
            "tag_type_id": self._key_id(t.tag_types, span.tag, "tag type"),
            "start": span.start,
            "end": span.end,
            "quote": span.quote,
            "prefix": span.prefix,
            "suffix": span.suffix,
            "attributes": dumps(span.attributes),
            "note": span.note,
            "entity_id": self._id(t.entities, span.entity, "entity"),
            "created": span.created,
            "modified": span.modified,
        }

    def _write_fragments(self, span_id: int, span: Span) -> None:
        self.connection.execute(
            insert(t.span_fragments),
            [
                {"span_id": span_id, "ordinal": i, "start": start, "end": end}
                for i, (start, end) in enumerate(span.fragments)
            ],
        )

    def insert_span(self, span: Span) -> None:
        result = self.connection.execute(
            insert(t.spans).values(uuid=span.uuid, **self._span_values(span))
        )
        self._write_fragments(result.inserted_primary_key[0], span)

    def update_span(self, span: Span) -> None:
        s = t.spans
        span_id = self._id(s, span.uuid, "span")
        self.connection.execute(
            update(s).where(s.c.id == span_id).values(**self._span_values(span))
        )
        f = t.span_fragments
        self.connection.execute(delete(f).where(f.c.span_id == span_id))
        self._write_fragments(span_id, span)

    def delete_span(self, uuid: str) -> None:
        s = t.spans
        self.connection.execute(delete(s).where(s.c.uuid == uuid))

    # -- links -------------------------------------------------------------------------------
    def _link_values(self, link: Link) -> dict[str, object]:
        return {
            "document_id": self._id(t.documents, link.document, "document"),
            "link_type_id": self._key_id(t.link_types, link.type, "link type"),
            "source_span_id": self._id(t.spans, link.source, "span"),
            "target_span_id": self._id(t.spans, link.target, "span"),
            "annotator_id": self._id(t.annotators, link.annotator, "annotator"),
            "attributes": dumps(link.attributes),
            "note": link.note,
            "created": link.created,
            "modified": link.modified,
        }

    def insert_link(self, link: Link) -> None:
        self.connection.execute(insert(t.links).values(uuid=link.uuid, **self._link_values(link)))

    def update_link(self, link: Link) -> None:
        lk = t.links
        self.connection.execute(
            update(lk).where(lk.c.uuid == link.uuid).values(**self._link_values(link))
        )

    def delete_link(self, uuid: str) -> None:
        lk = t.links
        self.connection.execute(delete(lk).where(lk.c.uuid == uuid))

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
        st = t.document_status
        document_id = self._id(t.documents, status.document, "document")
        annotator_id = self._id(t.annotators, status.annotator, "annotator")
        self.connection.execute(
            delete(st).where(st.c.document_id == document_id, st.c.annotator_id == annotator_id)
        )
        self.connection.execute(
            insert(st).values(
                uuid=status.uuid,
                document_id=document_id,
                annotator_id=annotator_id,
                status=status.status,
                modified=status.modified,
            )
        )

    def delete_status(self, document: str, annotator: str) -> None:
        st = t.document_status
        self.connection.execute(
            delete(st).where(
                st.c.document_id == self._id(t.documents, document, "document"),
                st.c.annotator_id == self._id(t.annotators, annotator, "annotator"),
            )
        )

    def add_tombstone(self, uuid: str, kind: str, deleted: str, author: str | None) -> None:
        ts = t.tombstones
        self.connection.execute(delete(ts).where(ts.c.uuid == uuid))
        self.connection.execute(
            insert(ts).values(
                uuid=uuid,
                kind=kind,
                deleted=deleted,
                author_id=self._id(t.annotators, author, "annotator"),
            )
        )

    def remove_tombstone(self, uuid: str) -> None:
        ts = t.tombstones
        self.connection.execute(delete(ts).where(ts.c.uuid == uuid))
