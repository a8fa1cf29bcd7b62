"""SQLAlchemy mapping of schema.sql (tested to match it column for column)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base; every table is STRICT like in schema.sql."""


STRICT = {"sqlite_strict": True}


def _author() -> Mapped[int | None]:
    return mapped_column(Integer, ForeignKey("annotators.id", ondelete="SET NULL"))


def _rowid() -> Mapped[int]:
    """`id INTEGER PRIMARY KEY` as in schema.sql: a rowid alias declared without NOT NULL."""
    return mapped_column(Integer, primary_key=True, nullable=True)


class ProjectInfo(Base):
    __tablename__ = "project_info"
    __table_args__ = (STRICT,)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AnnotatorRow(Base):
    __tablename__ = "annotators"
    __table_args__ = (STRICT,)
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    identifier: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    created: Mapped[str] = mapped_column(Text)
    modified: Mapped[str] = mapped_column(Text)


class TagTypeRow(Base):
    __tablename__ = "tag_types"
    __table_args__ = (
        CheckConstraint("kind IN ('actor', 'event', 'claim', 'custom')"),
        STRICT,
    )
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    label: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    color: Mapped[str] = mapped_column(Text)
    hotkey: Mapped[str | None] = mapped_column(Text)
    guideline: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    position: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    created: Mapped[str] = mapped_column(Text)
    modified: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = _author()


class LinkTypeRow(Base):
    __tablename__ = "link_types"
    __table_args__ = (CheckConstraint("directed IN (0, 1)"), STRICT)
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    label: Mapped[str] = mapped_column(Text)
    directed: Mapped[int] = mapped_column(Integer, server_default=sql_text("1"))
    color: Mapped[str] = mapped_column(Text)
    guideline: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    position: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    created: Mapped[str] = mapped_column(Text)
    modified: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = _author()


class LinkTypeEndpointRow(Base):
    __tablename__ = "link_type_endpoints"
    __table_args__ = (
        PrimaryKeyConstraint("link_type_id", "role", "tag_type_id"),
        CheckConstraint("role IN ('source', 'target')"),
        STRICT,
    )
    link_type_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("link_types.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(Text)
    tag_type_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("tag_types.id", ondelete="CASCADE")
    )


class AttributeDefRow(Base):
    __tablename__ = "attribute_defs"
    __table_args__ = (
        CheckConstraint(
            "value_type IN ('choice', 'multi_choice', 'text', 'number', 'date', 'boolean')"
        ),
        CheckConstraint("required IN (0, 1)"),
        CheckConstraint("(tag_type_id IS NULL) <> (link_type_id IS NULL)"),
        UniqueConstraint("tag_type_id", "key"),
        UniqueConstraint("link_type_id", "key"),
        STRICT,
    )
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    tag_type_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("tag_types.id", ondelete="CASCADE")
    )
    link_type_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("link_types.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text)
    value_type: Mapped[str] = mapped_column(Text)
    choices: Mapped[str] = mapped_column(Text, server_default=sql_text("'[]'"))
    required: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    default_value: Mapped[str | None] = mapped_column(Text)
    guideline: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    position: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))
    created: Mapped[str] = mapped_column(Text)
    modified: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = _author()


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (STRICT,)
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(Text, unique=True)
    author: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    outlet: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    url: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    published: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    language: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    source_filename: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    source_encoding: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    extra: Mapped[str] = mapped_column(Text, server_default=sql_text("'{}'"))
    imported: Mapped[str] = mapped_column(Text)
    created: Mapped[str] = mapped_column(Text)
    modified: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = _author()


class EntityRow(Base):
    __tablename__ = "entities"
    __table_args__ = (STRICT,)
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    aliases: Mapped[str] = mapped_column(Text, server_default=sql_text("'[]'"))
    external_ids: Mapped[str] = mapped_column(Text, server_default=sql_text("'{}'"))
    note: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    created: Mapped[str] = mapped_column(Text)
    modified: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = _author()


class SpanRow(Base):
    __tablename__ = "spans"
    __table_args__ = (
        CheckConstraint("start >= 0"),
        CheckConstraint('"end" > start'),
        Index("spans_document_start", "document_id", "start"),
        Index("spans_tag_type", "tag_type_id"),
        Index("spans_annotator", "annotator_id"),
        Index("spans_entity", "entity_id"),
        STRICT,
    )
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    document_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("documents.id", ondelete="CASCADE")
    )
    annotator_id: Mapped[int] = mapped_column(Integer, ForeignKey("annotators.id"))
    tag_type_id: Mapped[int] = mapped_column(Integer, ForeignKey("tag_types.id"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    suffix: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    attributes: Mapped[str] = mapped_column(Text, server_default=sql_text("'{}'"))
    note: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    entity_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("entities.id", ondelete="SET NULL")
    )
    created: Mapped[str] = mapped_column(Text)
    modified: Mapped[str] = mapped_column(Text)


class SpanFragmentRow(Base):
    __tablename__ = "span_fragments"
    __table_args__ = (
        PrimaryKeyConstraint("span_id", "ordinal"),
        CheckConstraint("ordinal >= 0"),
        CheckConstraint("start >= 0"),
        CheckConstraint('"end" > start'),
        STRICT,
    )
    span_id: Mapped[int] = mapped_column(Integer, ForeignKey("spans.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class LinkRow(Base):
    __tablename__ = "links"
    __table_args__ = (
        CheckConstraint("source_span_id <> target_span_id"),
        Index("links_document", "document_id"),
        Index("links_source", "source_span_id"),
        Index("links_target", "target_span_id"),
        STRICT,
    )
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    document_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("documents.id", ondelete="CASCADE")
    )
    link_type_id: Mapped[int] = mapped_column(Integer, ForeignKey("link_types.id"))
    source_span_id: Mapped[int] = mapped_column(Integer, ForeignKey("spans.id", ondelete="CASCADE"))
    target_span_id: Mapped[int] = mapped_column(Integer, ForeignKey("spans.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(Integer, ForeignKey("annotators.id"))
    attributes: Mapped[str] = mapped_column(Text, server_default=sql_text("'{}'"))
    note: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    created: Mapped[str] = mapped_column(Text)
    modified: Mapped[str] = mapped_column(Text)


class DocumentStatusRow(Base):
    __tablename__ = "document_status"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'in_progress', 'done')"),
        UniqueConstraint("document_id", "annotator_id"),
        STRICT,
    )
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    document_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("documents.id", ondelete="CASCADE")
    )
    annotator_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("annotators.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(Text)
    modified: Mapped[str] = mapped_column(Text)


class TombstoneRow(Base):
    __tablename__ = "tombstones"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('span', 'link', 'entity', 'document', 'tag_type', 'link_type', "
            "'attribute_def', 'annotator')"
        ),
        STRICT,
    )
    uuid: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    deleted: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = _author()


class HistoryRow(Base):
    __tablename__ = "history"
    __table_args__ = (
        CheckConstraint("object_kind IN ('span', 'link', 'entity', 'document', 'document_status')"),
        CheckConstraint(
            "action IN ('create', 'update', 'delete', 'restore', 'adjudicate', 'merge', 'import')"
        ),
        Index("history_object", "object_uuid", "at"),
        STRICT,
    )
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    object_uuid: Mapped[str] = mapped_column(Text)
    object_kind: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    detail: Mapped[str] = mapped_column(Text, server_default=sql_text("'{}'"))
    annotator_id: Mapped[int | None] = _author()
    at: Mapped[str] = mapped_column(Text)


class MergeReportRow(Base):
    __tablename__ = "merge_reports"
    __table_args__ = (STRICT,)
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    merged: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(Text)
    source_uuid: Mapped[str] = mapped_column(Text, server_default=sql_text("''"))
    author_id: Mapped[int | None] = _author()
    report: Mapped[str] = mapped_column(Text, server_default=sql_text("'{}'"))


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("unit_kind IN ('span', 'attribute', 'link')"),
        CheckConstraint("verdict IN ('accept', 'edit', 'reject')"),
        UniqueConstraint("document_id", "unit_kind", "unit_key"),
        STRICT,
    )
    id: Mapped[int] = _rowid()
    uuid: Mapped[str] = mapped_column(Text, unique=True)
    document_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("documents.id", ondelete="CASCADE")
    )
    unit_kind: Mapped[str] = mapped_column(Text)
    unit_key: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(Text)
    gold_uuid: Mapped[str | None] = mapped_column(Text)
    source_uuid: Mapped[str | None] = mapped_column(Text)
    source_annotator_id: Mapped[int | None] = _author()
    decided_by: Mapped[int | None] = _author()
    decided: Mapped[str] = mapped_column(Text)


class ChangeCounterRow(Base):
    """Format version 3: inserts and updates per table, counted by schema.sql's triggers."""

    __tablename__ = "change_counters"
    __table_args__ = (CheckConstraint("changes >= 0"), STRICT)
    table_name: Mapped[str] = mapped_column(Text, primary_key=True)
    changes: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))


project_info = ProjectInfo.__table__
annotators = AnnotatorRow.__table__
tag_types = TagTypeRow.__table__
link_types = LinkTypeRow.__table__
link_type_endpoints = LinkTypeEndpointRow.__table__
attribute_defs = AttributeDefRow.__table__
documents = DocumentRow.__table__
entities = EntityRow.__table__
spans = SpanRow.__table__
span_fragments = SpanFragmentRow.__table__
links = LinkRow.__table__
document_status = DocumentStatusRow.__table__
tombstones = TombstoneRow.__table__
history = HistoryRow.__table__
merge_reports = MergeReportRow.__table__
decisions = DecisionRow.__table__
change_counters = ChangeCounterRow.__table__
