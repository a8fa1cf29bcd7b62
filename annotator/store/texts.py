"""DocumentTexts: the texts of the documents being worked on, kept in memory between sessions.

Reading a document's text costs about 4 ms per MB (SQLite walks the overflow pages, Python
decodes the UTF-8), and an edit needs it for the span's quote and context: without this, one
span edit in a 5 MB document re-read 20 ms of text, and accepting 1,000 suggestions read it
1,000 times. The reading pane reads the text of the document it shows through the same cache,
so both hold the very same `str` object rather than two copies.

A document's text never changes after import (no statement updates `documents.text`), so an
entry stays right for as long as its document exists. It is checked on every use: the row
holding its sha256 must still be its document (one lookup in the sha256 index, a few µs), so
a document deleted and imported again under the same uuid with another text, by this process
or another, is read afresh.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict

from annotator.errors import NotFoundError

#: Texts are kept while their total length stays under this many code points (the most
#: recently used one is always kept, however long): the document on screen, and a few small
#: ones beside it, without holding several large texts alive.
BUDGET = 4_000_000


class DocumentTexts:
    """The texts of the most recently used documents, by uuid, checked by sha256."""

    def __init__(self, budget: int = BUDGET) -> None:
        self._budget = budget
        self._entries: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()  # a bulk accept may edit on a worker thread
        #: Texts read from the file (not served from memory): the regression tests count them.
        self.reads = 0

    def text(self, sql: sqlite3.Connection, document: str) -> str:
        """The text of `document`, read through `sql` (inside the caller's transaction) only
        when it is not in memory. NotFoundError when there is no such document."""
        with self._lock:
            entry = self._entries.get(document)
        if entry is not None:
            # Looked up by sha256 (its unique index), which reads only the head of the row:
            # reading the sha256 column itself would walk the text's overflow pages first
            # (it comes after the text in the row: about 8 ms at 5 MB).
            found = sql.execute("SELECT uuid FROM documents WHERE sha256 = ?", (entry[0],))
            if (found.fetchone() or (None,))[0] == document:
                with self._lock:
                    if document in self._entries:
                        self._entries.move_to_end(document)
                return entry[1]
        row = sql.execute("SELECT sha256, text FROM documents WHERE uuid = ?", (document,))
        row = row.fetchone()
        if row is None:
            raise NotFoundError(f"no document {document}")
        self.reads += 1
        self._keep(document, row[0], row[1])
        return row[1]

    def _keep(self, document: str, sha256: str, text: str) -> None:
        with self._lock:
            self._entries[document] = (sha256, text)
            self._entries.move_to_end(document)
            total = sum(len(entry[1]) for entry in self._entries.values())
            while len(self._entries) > 1 and total > self._budget:
                _, (_, dropped) = self._entries.popitem(last=False)
                total -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
