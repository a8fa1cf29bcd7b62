"""The checklist's pass over texts and spans: each text read once, every span checked in it.

Offsets, quotes, prefixes and suffixes are compared in Python code points (never with SQLite's
`length()` or `substr()` over a text, which cost the text's size per span and stop at a NUL).
The other text columns of spans (and their attributes' JSON) are the table pass's, which runs
on another thread (`content_checks`).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator

from annotator.domain.content_rules import text_problem
from annotator.domain.offsets import CONTEXT_LENGTH, FRAGMENT_JOINER
from annotator.errors import InvalidContentError
from annotator.store.check_watch import CheckWatch

#: Code points of document text held in memory at once while their spans are checked.
BATCH_CHARS = 64 * 1024 * 1024
FETCH_ROWS = 4096
#: spans' text columns this pass decodes (the table pass's UTF-8 check skips them).
SPAN_TEXT_COLUMNS = frozenset(("quote", "prefix", "suffix"))
# Context, quote and suffix joined by U+001F, which no stored text may hold (text_problem): a
# joined value equals the expected one only if each part does, and the ASCII separator keeps a
# broken UTF-8 sequence in one part from being completed by the next.
_SPANS = (
    'SELECT document_id, id, start, "end", prefix || char(31) || quote || char(31) || suffix '
    "FROM spans WHERE {column} BETWEEN ? AND ?"
)


#: span id -> its fragments, in order, for every span that has more than one.
Multi = dict[int, list[tuple[int, int]]]


class SpanPassAborted(Exception):
    """The other pass of the checklist failed first: this one stopped without a verdict."""


class SpanPass:
    """Documents (characters, size, hash) and the spans of each, in batches of documents."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        name: str,
        watch: CheckWatch,
        label: Callable[[str, int], str],
    ) -> None:
        self.connection, self.name, self.watch, self.label = connection, name, watch, label
        #: Set by the other pass when it fails: this one stops at its next batch of rows.
        self.abort: threading.Event | None = None

    def fail(self, message: str) -> InvalidContentError:
        return InvalidContentError(f"{self.name}: {message}")

    def run(self, fragments: Callable[[], Multi] | None = None) -> None:
        """Check every document and span. `fragments()`: the fragments of the spans that have
        several (`multi_fragments`), when another thread reads them; asked for once the first
        batch of documents is read."""
        # The bar counts documents and spans (each span costs about what a document does).
        documents, spans = self.connection.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM spans)"
        ).fetchone()
        self.watch.stage("Checking the annotations", documents + spans)
        multi: Multi | None = None
        try:
            for texts, whole in self._document_batches():
                if multi is None:
                    multi = fragments() if fragments else multi_fragments(self.connection)
                self._spans_of(texts, multi, whole)
        except sqlite3.OperationalError as error:
            if "decode" not in str(error).lower():
                raise
            raise self.fail("spans or documents hold text that is not valid UTF-8") from None

    def _document_batches(self) -> Iterator[tuple[dict[int, str], bool]]:
        """Documents in id order, checked, in batches of at most BATCH_CHARS code points;
        `whole`: the batch holds every document."""
        cursor = self.connection.execute("SELECT id, uuid, text, sha256 FROM documents ORDER BY id")
        texts: dict[int, str] = {}
        held, first = 0, True
        for doc_id, uuid, text, sha in cursor:
            problem = text_problem(text)
            if problem is not None:
                raise self.fail(f"document {short_text(uuid)}: {problem}")
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha:
                raise self.fail(f"document {short_text(uuid)}'s text does not match its hash")
            texts[doc_id] = text
            held += len(text)
            self.watch.advance()
            if self.abort is not None and self.abort.is_set():
                raise SpanPassAborted
            if held >= BATCH_CHARS:
                yield texts, False
                texts, held, first = {}, 0, False
        if texts or first:
            yield texts, first

    def _spans_of(self, texts: dict[int, str], multi: Multi, whole: bool) -> None:
        if not texts:
            return
        # The whole project: a plain table scan (`+` keeps SQLite off the index, whose order
        # costs a table lookup per span); a batch of documents: the index's range.
        column = "+document_id" if whole else "document_id"
        cursor = self.connection.execute(
            _SPANS.replace("{column}", column), (min(texts), max(texts))
        )
        context, joiner = CONTEXT_LENGTH, FRAGMENT_JOINER
        while rows := cursor.fetchmany(FETCH_ROWS):
            for doc_id, span_id, start, end, joined in rows:
                text = texts.get(doc_id)
                if text is None:  # an id between two of the batch's documents: none of ours
                    continue
                if end > len(text):
                    raise self._span(span_id, "has an offset outside its document's text")
                fragments = multi.get(span_id)
                quote = (
                    text[start:end]
                    if fragments is None
                    else joiner.join([text[s:e] for s, e in fragments])
                )
                before = text[start - context if start > context else 0 : start]
                if joined != f"{before}\x1f{quote}\x1f{text[end : end + context]}":
                    self._mismatch(span_id, joined, quote)
            self.watch.advance(len(rows))
            if self.abort is not None and self.abort.is_set():
                raise SpanPassAborted

    def _span(self, span_id: int, problem: str) -> InvalidContentError:
        space = "" if problem.startswith("'") else " "
        return self.fail(f"span {self.label('spans', span_id)}{space}{problem}")

    def _mismatch(self, span_id: int, joined: str | None, quote: str) -> None:
        # None: a NULL the page checks let through would make the joined value NULL.
        parts = joined.split("\x1f") if isinstance(joined, str) else []
        if len(parts) != 3 or parts[1] != quote:
            raise self._span(span_id, "'s quote differs from the text it points at")
        raise self._span(span_id, "'s context (prefix or suffix) differs from the text around it")


def multi_fragments(connection: sqlite3.Connection) -> Multi:
    """The fragments of every span that has more than one, in order."""
    multi: Multi = {}
    cursor = connection.execute(
        'SELECT span_id, start, "end" FROM span_fragments WHERE span_id IN '
        "(SELECT span_id FROM span_fragments WHERE ordinal = 1) ORDER BY span_id, ordinal"
    )
    while rows := cursor.fetchmany(FETCH_ROWS):
        for span_id, start, end in rows:
            multi.setdefault(span_id, []).append((start, end))
    return multi


def short_text(value: object, limit: int = 40) -> str:
    """A value from the file fit for a one-line message (a uuid, a key)."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
