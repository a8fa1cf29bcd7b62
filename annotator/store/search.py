"""Search queries: ranked full-text hits over documents_fts, annotation filters, bulk texts.

The only SQL of project search and "annotate all occurrences". Every statement goes straight to
the DBAPI connection of the session's transaction (like the bulk paths): the first page of a
search must come back in a few milliseconds, and the MATCH expression is always a bound
parameter built by `annotator.services.search.parse_query`, never spliced into the SQL.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from annotator.domain.wording import quoted
from annotator.errors import ValidationError

#: bm25 weights of the indexed columns (title, text): a word in the title counts ten times.
TITLE_WEIGHT, TEXT_WEIGHT = 10.0, 1.0

#: Ranked in a subquery so only the page's rows are joined with documents (ranking a word
#: every document holds costs about 25 ms at 10,000 documents; the join of every match
#: before the sort would add a few more, tests/perf/bench_search.py).
_RANKED = (
    "SELECT d.uuid, d.title, r.score FROM (SELECT rowid AS id, bm25(documents_fts, ?, ?) "
    "AS score FROM documents_fts WHERE documents_fts MATCH ? ORDER BY score, rowid "
    "LIMIT ? OFFSET ?) r JOIN documents d ON d.id = r.id ORDER BY r.score, r.id"
)
#: A query matching more documents than this is listed in project order (document id), with
#: bm25 computed for the page's rows only: ranking scores every match (FTS5's bm25 has no
#: top-k shortcut), which for a one-letter prefix or a word nearly every document holds
#: costs tens of milliseconds at 10,000 documents, and gives such terms almost no weight
#: anyway (their inverse document frequency is about zero). Up to this many are ranked.
RANK_AT_MOST = 2_000
#: Whether there is a match after the first RANK_AT_MOST (in rowid order: no scoring).
_BEYOND = "SELECT 1 FROM documents_fts WHERE documents_fts MATCH ? LIMIT 1 OFFSET ?"
_IN_ORDER = (
    "SELECT d.uuid, d.title, r.score FROM (SELECT rowid AS id, bm25(documents_fts, ?, ?) "
    "AS score FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid "
    "LIMIT ? OFFSET ?) r JOIN documents d ON d.id = r.id ORDER BY r.id"
)
_COUNT = "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?"
_ATTRIBUTE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class RankedDocument:
    """One document matching a search, best first (lower bm25 score is better)."""

    document: str
    title: str
    score: float


@dataclass(frozen=True)
class AnnotationFilter:
    """What annotations to find; every given condition must hold (AND). Text conditions match
    anywhere in the field, ignoring ASCII case (SQLite LIKE)."""

    words: tuple[str, ...] = ()  # in the quote
    tag: str | None = None  # tag key or label
    annotator: str | None = None  # annotator name
    annotator_uuid: str | None = None  # one layer exactly (names need not be unique)
    notes: tuple[str, ...] = ()
    entity: str | None = None  # entity name (substring)
    attributes: tuple[tuple[str, str], ...] = ()  # (key, value): value equal, or one of a list
    document: str | None = None  # document uuid


@dataclass(frozen=True)
class AnnotationRow:
    """A span found by an annotation search, with what a result list shows."""

    span: str
    document: str
    title: str
    tag: str
    annotator: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    note: str
    entity: str


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class SearchReads:
    """Search queries; mixed into store sessions."""

    connection: Connection

    def _driver(self) -> Any:
        return self.connection.connection.driver_connection

    def _check_index(self) -> None:
        """Runs before every full-text query. A writing open has checked (or rebuilt) the
        index already; a read-only session checks it here instead (see ReadSession)."""

    # -- documents ---------------------------------------------------------------------------
    def ranked_documents(self, match: str, limit: int, offset: int = 0) -> list[RankedDocument]:
        """Documents matching an FTS5 expression, best first. A malformed expression raises
        ValidationError (callers pass parsed expressions, so this is a last line of defence)."""
        return self._documents(_RANKED, match, limit, offset)

    def documents_in_order(self, match: str, limit: int, offset: int = 0) -> list[RankedDocument]:
        """Documents matching an FTS5 expression in project order (document id), each with
        its bm25 score; only the page's rows are scored."""
        return self._documents(_IN_ORDER, match, limit, offset)

    def matches_more_than(self, match: str, count: int) -> bool:
        """Whether more than `count` documents match (counts no further, scores none)."""
        self._check_index()
        try:
            return self._driver().execute(_BEYOND, (match, count)).fetchone() is not None
        except sqlite3.OperationalError as error:
            raise ValidationError(f"cannot search for that: {error}") from None

    def _documents(self, sql: str, match: str, limit: int, offset: int) -> list[RankedDocument]:
        self._check_index()
        try:
            found = self._driver().execute(sql, (TITLE_WEIGHT, TEXT_WEIGHT, match, limit, offset))
            return [RankedDocument(*row) for row in found]
        except sqlite3.OperationalError as error:
            raise ValidationError(f"cannot search for that: {error}") from None

    def count_matches(self, match: str) -> int:
        """How many documents match an FTS5 expression."""
        self._check_index()
        try:
            return int(self._driver().execute(_COUNT, (match,)).fetchone()[0])
        except sqlite3.OperationalError as error:
            raise ValidationError(f"cannot search for that: {error}") from None

    def texts_of(self, documents: Sequence[str]) -> dict[str, str]:
        """uuid → text for the given documents (one page of results)."""
        if not documents:
            return {}
        marks = ",".join("?" * len(documents))
        sql = f"SELECT uuid, text FROM documents WHERE uuid IN ({marks})"
        return dict(self._driver().execute(sql, tuple(documents)).fetchall())

    def iter_texts(self, documents: Sequence[str] | None = None) -> Iterator[tuple[str, str, str]]:
        """(uuid, title, text) of every document (or the given ones), in insertion order,
        streamed so a whole-project scan holds one text at a time."""
        if documents is None:
            cursor = self._driver().execute("SELECT uuid, title, text FROM documents ORDER BY id")
            yield from cursor
            return
        for start in range(0, len(documents), 500):
            chunk = tuple(documents[start : start + 500])
            marks = ",".join("?" * len(chunk))
            yield from self._driver().execute(
                f"SELECT uuid, title, text FROM documents WHERE uuid IN ({marks}) ORDER BY id",
                chunk,
            )

    # -- index upkeep for batches -----------------------------------------------------------
    def index_documents(self, documents: Sequence[str]) -> None:
        """Add the index entries of documents inserted with `insert_document(index=False)`,
        in one statement per 500 documents (the same entries `insert_document` would add)."""
        for start in range(0, len(documents), 500):
            chunk = tuple(documents[start : start + 500])
            marks = ",".join("?" * len(chunk))
            self._driver().execute(
                "INSERT INTO documents_fts (rowid, title, text) SELECT id, title, text "
                f"FROM documents WHERE uuid IN ({marks})",
                chunk,
            )

    # -- annotations -------------------------------------------------------------------------
    def extents_of(self, annotator: str, tag: str) -> set[tuple[str, int, int]]:
        """(document uuid, start, end) of the single-fragment spans of one tag in one layer:
        what "annotate all occurrences" must not suggest again."""
        sql = (
            'SELECT d.uuid, s.start, s."end" FROM spans s '
            "JOIN documents d ON d.id = s.document_id "
            "JOIN annotators a ON a.id = s.annotator_id "
            "JOIN tag_types g ON g.id = s.tag_type_id "
            "WHERE a.uuid = ? AND g.key = ? AND NOT EXISTS "
            "(SELECT 1 FROM span_fragments f WHERE f.span_id = s.id AND f.ordinal = 1)"
        )
        return {tuple(row) for row in self._driver().execute(sql, (annotator, tag))}

    def find_annotations(
        self, where: AnnotationFilter, limit: int, offset: int = 0
    ) -> list[AnnotationRow]:
        """Spans matching every condition of `where`, in document then text order."""
        conditions: list[str] = []
        params: list[object] = []
        for word in where.words:
            conditions.append("s.quote LIKE ? ESCAPE '\\'")
            params.append(_like(word))
        for word in where.notes:
            conditions.append("s.note LIKE ? ESCAPE '\\'")
            params.append(_like(word))
        if where.tag is not None:
            conditions.append("(g.key = ? COLLATE NOCASE OR g.label = ? COLLATE NOCASE)")
            params += [where.tag, where.tag]
        if where.annotator is not None:
            conditions.append("a.name = ? COLLATE NOCASE")
            params.append(where.annotator)
        if where.annotator_uuid is not None:
            conditions.append("a.uuid = ?")
            params.append(where.annotator_uuid)
        if where.entity is not None:
            conditions.append("e.name LIKE ? ESCAPE '\\'")
            params.append(_like(where.entity))
        if where.document is not None:
            conditions.append("d.uuid = ?")
            params.append(where.document)
        for key, value in where.attributes:
            if not _ATTRIBUTE_KEY.match(key):
                raise ValidationError(f"{quoted(key)} is not an attribute key")
            # json_each walks a list (multi-choice) or yields the one scalar value.
            conditions.append(
                f"EXISTS (SELECT 1 FROM json_each(s.attributes, '$.\"{key}\"') j "
                "WHERE CAST(j.value AS TEXT) = ? COLLATE NOCASE "
                "OR (j.type IN ('true', 'false') AND j.type = lower(?)))"
            )
            params += [value, value]
        sql = (
            'SELECT s.uuid, d.uuid, d.title, g.key, a.name, s.start, s."end", s.quote, s.prefix, '
            "s.suffix, s.note, coalesce(e.name, '') FROM spans s "
            "JOIN documents d ON d.id = s.document_id "
            "JOIN annotators a ON a.id = s.annotator_id "
            "JOIN tag_types g ON g.id = s.tag_type_id "
            "LEFT JOIN entities e ON e.id = s.entity_id"
            + (" WHERE " + " AND ".join(conditions) if conditions else "")
            + ' ORDER BY d.id, s.start, s."end", s.uuid LIMIT ? OFFSET ?'
        )
        found = self._driver().execute(sql, (*params, limit, offset))
        return [AnnotationRow(*row) for row in found]
