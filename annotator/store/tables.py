"""The tables of schema.sql as SQLAlchemy Core tables (tested to match it column for column).

Core `Table`s, not ORM declarative classes: the store runs Core statements on connections
only, and leaving out `sqlalchemy.orm` saves its import (about 11 MB, issue 14's budget for
the app's imports). `SpanRow.start` style column access is kept (`Columns`)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.sql.expression import Alias

metadata = MetaData()


class Columns:
    """A table's columns as attributes (`SpanRow.start`), as the ORM classes offered them;
    `__table__` is the table (or alias) itself."""

    def __init__(self, table: Table | Alias) -> None:
        self.__table__ = table

    def __getattr__(self, name: str) -> Column:
        try:
            return self.__table__.c[name]
        except KeyError:
            raise AttributeError(name) from None

    def __clause_element__(self) -> Table | Alias:
        """Where a FROM or join expects a table, SQLAlchemy takes this one."""
        return self.__table__

    def alias(self) -> Columns:
        """The same columns of an alias of the table (a self-join: links' two spans)."""
        return Columns(self.__table__.alias())


def _table(name: str, *columns_and_constraints: object) -> Columns:
    """A STRICT table, like every table of schema.sql."""
    return Columns(Table(name, metadata, *columns_and_constraints, sqlite_strict=True))


def _author(name: str) -> Column:
    return Column(name, Integer, ForeignKey("annotators.id", ondelete="SET NULL"), nullable=True)


ProjectInfo = _table(
    "project_info",
    Column("key", Text, primary_key=True, nullable=False),
    Column("value", Text, nullable=False),
)


AnnotatorRow = _table(
    "annotators",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("name", Text, nullable=False),
    Column("identifier", Text, server_default=sql_text("''"), nullable=False),
    Column("created", Text, nullable=False),
    Column("modified", Text, nullable=False),
)


TagTypeRow = _table(
    "tag_types",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("key", Text, unique=True, nullable=False),
    Column("label", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("color", Text, nullable=False),
    Column("hotkey", Text, nullable=True),
    Column("guideline", Text, server_default=sql_text("''"), nullable=False),
    Column("position", Integer, server_default=sql_text("0"), nullable=False),
    Column("created", Text, nullable=False),
    Column("modified", Text, nullable=False),
    _author("author_id"),
    CheckConstraint("kind IN ('actor', 'event', 'claim', 'custom')"),
)


LinkTypeRow = _table(
    "link_types",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("key", Text, unique=True, nullable=False),
    Column("label", Text, nullable=False),
    Column("directed", Integer, server_default=sql_text("1"), nullable=False),
    Column("color", Text, nullable=False),
    Column("guideline", Text, server_default=sql_text("''"), nullable=False),
    Column("position", Integer, server_default=sql_text("0"), nullable=False),
    Column("created", Text, nullable=False),
    Column("modified", Text, nullable=False),
    _author("author_id"),
    CheckConstraint("directed IN (0, 1)"),
)


LinkTypeEndpointRow = _table(
    "link_type_endpoints",
    Column(
        "link_type_id", Integer, ForeignKey("link_types.id", ondelete="CASCADE"), nullable=False
    ),
    Column("role", Text, nullable=False),
    Column("tag_type_id", Integer, ForeignKey("tag_types.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("link_type_id", "role", "tag_type_id"),
    CheckConstraint("role IN ('source', 'target')"),
)


AttributeDefRow = _table(
    "attribute_defs",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("tag_type_id", Integer, ForeignKey("tag_types.id", ondelete="CASCADE"), nullable=True),
    Column("link_type_id", Integer, ForeignKey("link_types.id", ondelete="CASCADE"), nullable=True),
    Column("key", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("value_type", Text, nullable=False),
    Column("choices", Text, server_default=sql_text("'[]'"), nullable=False),
    Column("required", Integer, server_default=sql_text("0"), nullable=False),
    Column("default_value", Text, nullable=True),
    Column("guideline", Text, server_default=sql_text("''"), nullable=False),
    Column("position", Integer, server_default=sql_text("0"), nullable=False),
    Column("created", Text, nullable=False),
    Column("modified", Text, nullable=False),
    _author("author_id"),
    CheckConstraint(
        "value_type IN ('choice', 'multi_choice', 'text', 'number', 'date', 'boolean')"
    ),
    CheckConstraint("required IN (0, 1)"),
    CheckConstraint("(tag_type_id IS NULL) <> (link_type_id IS NULL)"),
    UniqueConstraint("tag_type_id", "key"),
    UniqueConstraint("link_type_id", "key"),
)


DocumentRow = _table(
    "documents",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("sha256", Text, unique=True, nullable=False),
    Column("author", Text, server_default=sql_text("''"), nullable=False),
    Column("outlet", Text, server_default=sql_text("''"), nullable=False),
    Column("url", Text, server_default=sql_text("''"), nullable=False),
    Column("published", Text, server_default=sql_text("''"), nullable=False),
    Column("language", Text, server_default=sql_text("''"), nullable=False),
    Column("source_filename", Text, server_default=sql_text("''"), nullable=False),
    Column("source_encoding", Text, server_default=sql_text("''"), nullable=False),
    Column("extra", Text, server_default=sql_text("'{}'"), nullable=False),
    Column("imported", Text, nullable=False),
    Column("created", Text, nullable=False),
    Column("modified", Text, nullable=False),
    _author("author_id"),
)


EntityRow = _table(
    "entities",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", Text, server_default=sql_text("''"), nullable=False),
    Column("aliases", Text, server_default=sql_text("'[]'"), nullable=False),
    Column("external_ids", Text, server_default=sql_text("'{}'"), nullable=False),
    Column("note", Text, server_default=sql_text("''"), nullable=False),
    Column("created", Text, nullable=False),
    Column("modified", Text, nullable=False),
    _author("author_id"),
)


SpanRow = _table(
    "spans",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("annotator_id", Integer, ForeignKey("annotators.id"), nullable=False),
    Column("tag_type_id", Integer, ForeignKey("tag_types.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("prefix", Text, server_default=sql_text("''"), nullable=False),
    Column("suffix", Text, server_default=sql_text("''"), nullable=False),
    Column("attributes", Text, server_default=sql_text("'{}'"), nullable=False),
    Column("note", Text, server_default=sql_text("''"), nullable=False),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="SET NULL"), nullable=True),
    Column("created", Text, nullable=False),
    Column("modified", Text, nullable=False),
    CheckConstraint("start >= 0"),
    CheckConstraint('"end" > start'),
    Index("spans_document_start", "document_id", "start"),
    Index("spans_tag_type", "tag_type_id"),
    Index("spans_annotator", "annotator_id"),
    Index("spans_entity", "entity_id"),
)


SpanFragmentRow = _table(
    "span_fragments",
    Column("span_id", Integer, ForeignKey("spans.id", ondelete="CASCADE"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    PrimaryKeyConstraint("span_id", "ordinal"),
    CheckConstraint("ordinal >= 0"),
    CheckConstraint("start >= 0"),
    CheckConstraint('"end" > start'),
)


LinkRow = _table(
    "links",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("link_type_id", Integer, ForeignKey("link_types.id"), nullable=False),
    Column("source_span_id", Integer, ForeignKey("spans.id", ondelete="CASCADE"), nullable=False),
    Column("target_span_id", Integer, ForeignKey("spans.id", ondelete="CASCADE"), nullable=False),
    Column("annotator_id", Integer, ForeignKey("annotators.id"), nullable=False),
    Column("attributes", Text, server_default=sql_text("'{}'"), nullable=False),
    Column("note", Text, server_default=sql_text("''"), nullable=False),
    Column("created", Text, nullable=False),
    Column("modified", Text, nullable=False),
    CheckConstraint("source_span_id <> target_span_id"),
    Index("links_document", "document_id"),
    Index("links_source", "source_span_id"),
    Index("links_target", "target_span_id"),
)


DocumentStatusRow = _table(
    "document_status",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column(
        "annotator_id", Integer, ForeignKey("annotators.id", ondelete="CASCADE"), nullable=False
    ),
    Column("status", Text, nullable=False),
    Column("modified", Text, nullable=False),
    CheckConstraint("status IN ('new', 'in_progress', 'done')"),
    UniqueConstraint("document_id", "annotator_id"),
)


TombstoneRow = _table(
    "tombstones",
    Column("uuid", Text, primary_key=True, nullable=False),
    Column("kind", Text, nullable=False),
    Column("deleted", Text, nullable=False),
    _author("author_id"),
    CheckConstraint(
        "kind IN ('span', 'link', 'entity', 'document', 'tag_type', 'link_type', "
        "'attribute_def', 'annotator')"
    ),
)


HistoryRow = _table(
    "history",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("object_uuid", Text, nullable=False),
    Column("object_kind", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("summary", Text, server_default=sql_text("''"), nullable=False),
    Column("detail", Text, server_default=sql_text("'{}'"), nullable=False),
    _author("annotator_id"),
    Column("at", Text, nullable=False),
    CheckConstraint("object_kind IN ('span', 'link', 'entity', 'document', 'document_status')"),
    CheckConstraint(
        "action IN ('create', 'update', 'delete', 'restore', 'adjudicate', 'merge', 'import')"
    ),
    Index("history_object", "object_uuid", "at"),
)


MergeReportRow = _table(
    "merge_reports",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("merged", Text, nullable=False),
    Column("source_name", Text, nullable=False),
    Column("source_uuid", Text, server_default=sql_text("''"), nullable=False),
    _author("author_id"),
    Column("report", Text, server_default=sql_text("'{}'"), nullable=False),
)


DecisionRow = _table(
    "decisions",
    Column("id", Integer, primary_key=True, nullable=True),
    Column("uuid", Text, unique=True, nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("unit_kind", Text, nullable=False),
    Column("unit_key", Text, nullable=False),
    Column("verdict", Text, nullable=False),
    Column("gold_uuid", Text, nullable=True),
    Column("source_uuid", Text, nullable=True),
    _author("source_annotator_id"),
    _author("decided_by"),
    Column("decided", Text, nullable=False),
    CheckConstraint("unit_kind IN ('span', 'attribute', 'link')"),
    CheckConstraint("verdict IN ('accept', 'edit', 'reject')"),
    UniqueConstraint("document_id", "unit_kind", "unit_key"),
)


#: Format version 4: inserts and updates per table, counted by schema.sql's triggers.
ChangeCounterRow = _table(
    "change_counters",
    Column("table_name", Text, primary_key=True, nullable=False),
    Column("changes", Integer, server_default=sql_text("0"), nullable=False),
    CheckConstraint("changes >= 0"),
)

#: Format version 5: each span's analytics node key (store/span_keys.py), kept by triggers.
SpanKeyRow = _table(
    "span_keys",
    Column("span_id", Integer, primary_key=True, nullable=True),
    Column("tag_type_id", Integer, nullable=False),
    Column("annotator_id", Integer, nullable=False),
    Column("document_id", Integer, nullable=False),
    Column("entity_id", Integer, nullable=True),
    Column("text_hash", Integer, nullable=False),
    Index(
        "span_keys_text",
        "tag_type_id",
        "text_hash",
        "annotator_id",
        "document_id",
        sqlite_where=sql_text("entity_id IS NULL"),
    ),
)


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
span_keys = SpanKeyRow.__table__
