"""Content validation of the open checklist, linear in text + rows.

Two passes run side by side on two read-only connections (SQLite releases the GIL while it
steps, so the second core is used):
* the span pass (`span_checks`): each document's text read once into Python, every span of it
  checked there in code points, spans read once;
* the table pass: one SQLite scan per rule set: the CHECK constraints of schema.sql, the
  fragment rules, links (same document, endpoints their type allows), UTF-8 in every other
  text column and JSON in every other JSON column, parsed with the readers' own parser.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator

import orjson

from annotator.errors import InvalidContentError
from annotator.store.check_rules import JSON_COLUMNS, TableRules, table_rules
from annotator.store.check_watch import CheckWatch
from annotator.store.span_checks import (
    SPAN_TEXT_COLUMNS,
    SpanPass,
    SpanPassAborted,
    short_text,
)

FETCH_ROWS = 4096
UTF8_CHUNK_ROWS = 50_000
_JSON_KINDS = {"object": dict, "array": list}


def validate_content(
    connection: sqlite3.Connection,
    name: str,
    watch: CheckWatch | None = None,
    *,
    second: Callable[[], sqlite3.Connection] | None = None,
) -> None:
    """Rows must obey the model and schema.sql; raise InvalidContentError at the first that
    does not. Never writes; the connection may be read-only. `second` opens another read-only
    connection to the same file: the table pass then runs on it, in a thread."""
    watch = watch or CheckWatch(name)
    checker = _Checker(connection, name, watch)
    spans = SpanPass(connection, name, watch, checker.label)
    if second is None:
        checker.run_tables()
        spans.run()
        return
    errors: list[BaseException] = []
    other: list[sqlite3.Connection] = []
    ended = threading.Event()

    def tables() -> None:
        try:
            helper = second()
            other.append(helper)
            helper.set_progress_handler(lambda: int(watch.stopped or ended.is_set()), 20_000)
            _Checker(helper, name, watch, ended).run_tables()
        except BaseException as error:  # handed to the calling thread
            errors.append(error)
            ended.set()
        finally:
            for helper in other:
                helper.close()

    thread = threading.Thread(target=tables, name="checklist-tables", daemon=True)
    thread.start()
    try:
        spans.abort = ended
        spans.run()
    except SpanPassAborted:
        pass  # the table pass failed first: its error is raised below
    except BaseException:
        ended.set()
        raise
    finally:
        thread.join()
    if errors and not isinstance(errors[0], _Aborted):
        raise errors[0]


class _Aborted(Exception):
    """The other pass failed first: this one stops without a verdict of its own."""


class _Checker:
    def __init__(
        self,
        connection: sqlite3.Connection,
        name: str,
        watch: CheckWatch,
        ended: threading.Event | None = None,
    ) -> None:
        self.connection, self.name, self.watch = connection, name, watch
        self.ended = ended
        # An older format version (a merge checks one before upgrading its copy) lacks the
        # tables later versions added: their rules do not apply to it.
        present = {row[0] for row in connection.execute("SELECT name FROM sqlite_schema")}
        self.tables = [rules for rules in table_rules() if rules.name in present]

    def fail(self, message: str) -> InvalidContentError:
        return InvalidContentError(f"{self.name}: {' '.join(message.split())}")

    def label(self, table: str, rowid: int) -> str:
        """How a message names a row: its uuid where it has one."""
        rules = next(r for r in self.tables if r.name == table)
        if rules.has_uuid:
            row = self.connection.execute(
                f"SELECT uuid FROM {table} WHERE rowid = ?", (rowid,)
            ).fetchone()
            if row is not None:
                return short_text(row[0])
        return f"row {rowid}"

    def run_tables(self) -> None:
        try:
            self.constraints()
            self.fragments()
            self.links()
            self.utf8()
            self.json()
        except sqlite3.OperationalError:
            if self.ended is not None and self.ended.is_set() and not self.watch.stopped:
                raise _Aborted from None
            raise

    def poll(self) -> None:
        if self.ended is None:  # the only pass, on the calling thread: report progress
            self.watch.poll()
        elif self.ended.is_set():
            raise _Aborted

    # -- schema.sql's CHECK constraints ----------------------------------------------------------
    def constraints(self) -> None:
        for rules in self.tables:
            if rules.checks:
                self._table_constraints(rules)
            self.poll()

    def _table_constraints(self, rules: TableRules) -> None:
        # NOT (x) is NULL when x is NULL: like SQLite's CHECK, only a false result breaks it.
        where = " OR ".join(f"NOT ({check})" for check in rules.checks)
        columns = ", ".join(f"({check})" for check in rules.checks)
        row = self.connection.execute(
            f"SELECT rowid, {columns} FROM {rules.name} WHERE {where} LIMIT 1"
        ).fetchone()
        if row is None:
            return
        broken = next(c for c, ok in zip(rules.checks, row[1:], strict=True) if ok == 0)
        if rules.name == "links" and "target_span_id" in broken:
            raise self.fail(f"link {self.label('links', row[0])} joins a span to itself")
        raise self.fail(
            f"{rules.name} {self.label(rules.name, row[0])} breaks the rule {broken} "
            "of the project format"
        )

    # -- fragments -------------------------------------------------------------------------------
    def fragments(self) -> None:
        """Every span has fragments 0..n-1, sorted, not overlapping, spanning its extent."""
        row = self.connection.execute(
            "SELECT f.span_id FROM span_fragments f JOIN spans s ON s.id = f.span_id WHERE "
            'f.start < s.start OR f."end" > s."end" OR (f.ordinal = 0 AND f.start <> s.start) '
            "OR (f.ordinal > 0 AND NOT EXISTS (SELECT 1 FROM span_fragments g WHERE "
            'g.span_id = f.span_id AND g.ordinal = f.ordinal - 1 AND g."end" <= f.start)) '
            'OR (f."end" <> s."end" AND NOT EXISTS (SELECT 1 FROM span_fragments g WHERE '
            "g.span_id = f.span_id AND g.ordinal = f.ordinal + 1)) LIMIT 1"
        ).fetchone()
        if row is not None:
            uuid = self.label("spans", row[0])
            raise self.fail(f"span {uuid} has fragments that do not match its extent")
        # Each fragment's span exists (foreign_key_check) and (span, 0) is unique: as many
        # first fragments as spans means every span has one.
        firsts, spans = self.connection.execute(
            "SELECT (SELECT count(*) FROM span_fragments WHERE ordinal = 0), "
            "(SELECT count(*) FROM spans)"
        ).fetchone()
        if firsts != spans:
            row = self.connection.execute(
                "SELECT id FROM spans s WHERE NOT EXISTS (SELECT 1 FROM span_fragments f "
                "WHERE f.span_id = s.id AND f.ordinal = 0) LIMIT 1"
            ).fetchone()
            uuid = self.label("spans", row[0]) if row else "?"
            raise self.fail(f"span {uuid} has fragments that do not match its extent")

    # -- links -----------------------------------------------------------------------------------
    def links(self) -> None:
        """Links join spans of their own document, tagged as their link type allows: one
        scan, the endpoint rule evaluated only where the first test passes."""
        row = self.connection.execute(_LINKS).fetchone()
        if row is None:
            return
        uuid = self.label("links", row[0])
        if row[1]:
            raise self.fail(f"link {uuid} joins spans of different documents")
        raise self.fail(f"link {uuid} joins tags its link type does not allow")

    # -- UTF-8 -----------------------------------------------------------------------------------
    def utf8(self) -> None:
        """Decode every text value once: joined per chunk by SQLite (NUL between values, so a
        broken sequence cannot be completed by the next value), decoded by the sqlite3 module.
        Skipped: what the span pass decodes, and JSON columns (the JSON pass decodes every
        value but the ASCII default)."""
        for rules in self.tables:
            columns = [
                c
                for c in rules.text_columns
                if (rules.name, c) != ("documents", "text")
                and not (rules.name == "spans" and c in SPAN_TEXT_COLUMNS)
                and (rules.name, c) not in JSON_COLUMNS
            ]
            if columns:
                self._utf8_table(rules.name, columns)

    def _utf8_table(self, table: str, columns: list[str]) -> None:
        joined = ", ".join(f'group_concat("{c}", char(0))' for c in columns)
        plain = ", ".join(f'"{c}"' for c in columns)
        for bounds in self._rowid_chunks(table):
            try:
                try:
                    self.connection.execute(
                        f"SELECT {joined} FROM {table} WHERE rowid BETWEEN ? AND ?", bounds
                    ).fetchone()
                except sqlite3.DataError:  # the joined chunk is too big: value by value
                    cursor = self.connection.execute(
                        f"SELECT {plain} FROM {table} WHERE rowid BETWEEN ? AND ?", bounds
                    )
                    while cursor.fetchmany(FETCH_ROWS):
                        pass
            except sqlite3.OperationalError as error:
                if "decode" not in str(error).lower():
                    raise
                raise self.fail(f"{table} holds text that is not valid UTF-8") from None
            self.poll()

    def _rowid_chunks(self, table: str) -> Iterator[tuple[int, int]]:
        """(first, last) rowids of consecutive chunks of UTF8_CHUNK_ROWS rows, found from the
        rows themselves: stepping through the rowid range instead would take ~10^15 steps
        for a hostile file whose rowids sit at both ends of the 64-bit range."""
        (first,) = self.connection.execute(f"SELECT min(rowid) FROM {table}").fetchone()
        while first is not None:
            row = self.connection.execute(
                f"SELECT rowid FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT 1 OFFSET ?",
                (first, UTF8_CHUNK_ROWS - 1),
            ).fetchone()
            if row is None:  # the last, shorter chunk
                (last,) = self.connection.execute(f"SELECT max(rowid) FROM {table}").fetchone()
                yield first, last
                return
            yield first, row[0]
            (first,) = self.connection.execute(
                f"SELECT min(rowid) FROM {table} WHERE rowid > ?", (row[0],)
            ).fetchone()

    # -- JSON ------------------------------------------------------------------------------------
    def json(self) -> None:
        present = {rules.name for rules in self.tables}
        for (table, column), (kind, default) in JSON_COLUMNS.items():
            if table not in present:
                continue
            cursor = self.connection.execute(
                f'SELECT rowid, "{column}" FROM {table} WHERE "{column}" IS NOT NULL '
                f'AND "{column}" <> ?',
                (default,),
            )
            wanted = _JSON_KINDS.get(kind)
            while rows := self._fetch(cursor, table):
                for rowid, value in rows:
                    try:
                        parsed = orjson.loads(value)
                    except orjson.JSONDecodeError:
                        parsed = _INVALID
                    if parsed is _INVALID or (wanted is not None and type(parsed) is not wanted):
                        what = f"not a JSON {kind}" if parsed is not _INVALID else "not valid JSON"
                        raise self.fail(
                            f"{table} {self.label(table, rowid)} has a {column} that is {what}"
                        )
                self.poll()

    def _fetch(self, cursor: sqlite3.Cursor, table: str) -> list:
        """The next rows; text that is not UTF-8 is refused as such (this pass decodes the
        JSON columns for the UTF-8 pass)."""
        try:
            return cursor.fetchmany(FETCH_ROWS)
        except sqlite3.OperationalError as error:
            if "decode" not in str(error).lower():
                raise
            raise self.fail(f"{table} holds text that is not valid UTF-8") from None


_INVALID = object()


#: A link whose tags its type does not allow: a role with endpoint rows allows only their tag
#: types; an undirected type is allowed either way round (domain.model.LinkType.allows).
_FITS = (
    "((NOT EXISTS (SELECT 1 FROM link_type_endpoints e WHERE e.link_type_id = l.link_type_id "
    "AND e.role = 'source') OR EXISTS (SELECT 1 FROM link_type_endpoints e WHERE "
    "e.link_type_id = l.link_type_id AND e.role = 'source' AND e.tag_type_id = {src})) AND "
    "(NOT EXISTS (SELECT 1 FROM link_type_endpoints e WHERE e.link_type_id = l.link_type_id "
    "AND e.role = 'target') OR EXISTS (SELECT 1 FROM link_type_endpoints e WHERE "
    "e.link_type_id = l.link_type_id AND e.role = 'target' AND e.tag_type_id = {dst})))"
)
_LINKS = (
    "SELECT l.id, a.document_id <> l.document_id OR b.document_id <> l.document_id AS apart "
    "FROM links l JOIN link_types t ON t.id = l.link_type_id "
    "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
    "WHERE a.document_id <> l.document_id OR b.document_id <> l.document_id OR ("
    f"NOT {_FITS.format(src='a.tag_type_id', dst='b.tag_type_id')} AND (t.directed = 1 "
    f"OR NOT {_FITS.format(src='b.tag_type_id', dst='a.tag_type_id')})) LIMIT 1"
)
