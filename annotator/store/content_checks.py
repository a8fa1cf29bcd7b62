"""Content validation of the open checklist, linear in text + rows.

Two passes run side by side on two read-only connections for a large file (SQLite releases the
GIL while it steps, so the second core is used):
* the span pass (`span_checks`), on the calling thread: each document's text read once into
  Python, every span of it checked there in code points, spans read once, row by row;
* the table pass, in a thread: statements that return one row each, so that SQLite does the
  work with the GIL released: the CHECK constraints of schema.sql, the fragment rules, links
  (same document, endpoints their type allows), and UTF-8 in every other text column and JSON
  in every JSON column (`column_checks`: one chunked scan per table). It first reads the
  fragments of the multi-fragment spans, for the span pass.
The verdict and its message are those of a plain run on one thread (table checks first)."""

from __future__ import annotations

import signal
import sqlite3
import threading
from collections.abc import Callable

from annotator.errors import InvalidContentError
from annotator.store.check_rules import JSON_COLUMNS, TableRules, table_rules
from annotator.store.check_watch import CheckWatch
from annotator.store.column_checks import ColumnScan
from annotator.store.span_checks import (
    SPAN_TEXT_COLUMNS,
    Multi,
    SpanPass,
    SpanPassAborted,
    multi_fragments,
    short_text,
)


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
    tables = _TablePass(name, watch, second)
    tables.start()
    try:
        spans.abort = tables.ended
        try:
            spans.run(fragments=tables.fragments)
        except InvalidContentError:
            # The verdict of a plain run, whichever pass ends first: the table checks come
            # first there, so their error, if any, is the one to report.
            tables.wait()
            if tables.error is None or isinstance(tables.error, _Aborted):
                raise
        tables.wait()
    except SpanPassAborted:
        pass  # the table pass failed first: its error is raised below
    except BaseException:
        tables.stop()
        raise
    finally:
        tables.join()
    if tables.error is not None and not isinstance(tables.error, _Aborted):
        raise tables.error


#: Seconds between two looks at cancel and the deadline while the span pass waits.
WAIT_POLL_S = 0.05


class _TablePass(threading.Thread):
    """The table checks on a connection of their own, beside the span pass.

    Its statements return one row each (a verdict or a chunk's aggregates), so SQLite does
    the work with the GIL released and the span pass's Python runs at full speed beside it.
    No progress handler (a Python callback would take the GIL every few thousand steps): the
    calling thread, which watches cancel and the deadline, stops it by `stop`, which
    interrupts its statement; between statements it looks at `ended`."""

    def __init__(
        self, name: str, watch: CheckWatch, second: Callable[[], sqlite3.Connection]
    ) -> None:
        super().__init__(name="checklist-tables", daemon=True)
        self.check_name, self.watch, self.second = name, watch, second
        self.ended = threading.Event()
        self.error: BaseException | None = None
        self._multi: Multi | None = None
        self._multi_read = threading.Event()
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # interrupt never meets a closed connection

    def run(self) -> None:
        if hasattr(signal, "pthread_sigmask"):
            # Ctrl+C goes to the thread that acts on it (Python runs signal handlers on the
            # main thread only; one delivered here would wait for the main thread's next turn).
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            connection = self.second()
            with self._lock:
                self._connection = connection
            # First what the span pass needs (it reads the documents meanwhile).
            self._multi = multi_fragments(connection)
            self._multi_read.set()
            _Checker(connection, self.check_name, self.watch, self.ended).run_tables()
        except BaseException as error:  # handed to the calling thread
            self.error = error
            self.ended.set()
        finally:
            with self._lock:
                if self._connection is not None:
                    self._connection.close()
                    self._connection = None

    def fragments(self) -> Multi:
        """The fragments of the spans that have several, once read (for the span pass)."""
        while not self._multi_read.wait(WAIT_POLL_S):
            self.watch.poll()
            if self.ended.is_set():
                raise SpanPassAborted
        assert self._multi is not None
        return self._multi

    def wait(self) -> None:
        """Until the pass ends, watching cancel and the deadline meanwhile (its own
        connection has no progress handler to do it)."""
        while self.is_alive():
            self.join(WAIT_POLL_S)
            self.watch.poll()

    def stop(self) -> None:
        """End the pass soon: at its next chunk, or now if SQLite is inside a statement
        (repeated: an interrupt between two statements is lost)."""
        self.ended.set()
        while self.is_alive():
            with self._lock:
                if self._connection is not None:
                    self._connection.interrupt()
            self.join(WAIT_POLL_S)


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
            self.columns()
        except sqlite3.OperationalError:
            if self.ended is not None and self.ended.is_set():
                raise _Aborted from None  # stopped by the calling thread
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

    # -- UTF-8 and JSON, one scan per table --------------------------------------------------------
    def columns(self) -> None:
        """Decode every text value once and parse every JSON value once, one chunked scan per
        table. Each chunk is one row of aggregates (joined by SQLite with NUL between values,
        so a broken UTF-8 sequence cannot be completed by the next value, and decoded by the
        sqlite3 module; JSON values that are not the writers' default parsed by C loops):
        the work stays in SQLite and C, off the GIL the span pass needs, with no row objects.
        A chunk that does not pass is read again row by row, which names the row.
        Skipped: what the span pass decodes (document texts, spans' quote, prefix, suffix)."""
        for rules in self.tables:
            texts = [
                c
                for c in rules.text_columns
                if (rules.name, c) != ("documents", "text")
                and not (rules.name == "spans" and c in SPAN_TEXT_COLUMNS)
                and (rules.name, c) not in JSON_COLUMNS
            ]
            json = [
                (column, *shape)
                for (table, column), shape in JSON_COLUMNS.items()
                if table == rules.name
            ]
            if texts or json:
                ColumnScan(self.connection, rules.name, texts, json, fail=self.fail,
                           label=self.label, poll=self.poll).run()  # fmt: skip


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
