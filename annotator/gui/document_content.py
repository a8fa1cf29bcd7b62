"""LoadedDocument: the open document's text, spans and links, held once for every view.

The reading pane, the Annotations and Links tables and the window's counts all show the same
document. Each used to read its spans (and the links table every link) from the store on every
document switch and edit, which cost seconds for a document with 50,000 spans. The session now
reads a document's content once, in one pass of plain cursors, and keeps it in step with each
change set by re-reading only the spans and links the change set names; the views read it from
here. The text is this one `str` (the reading pane keeps a reference, not a copy).
"""

from __future__ import annotations

from collections.abc import Iterable

from annotator.domain.changes import ChangeSet
from annotator.domain.model import Link, Span
from annotator.services.sessions import ReadSession

#: The first read takes the spans starting in this many code points (more than a screen)…
FIRST_SCREEN = 30_000
#: …but at most this many; later reads take at most this many spans (or links) at a time…
CHUNK = 2_000
#: …and as many as `StepSize` expects to take this long, with what handles them (a fixed 2,000
#: blocked the event loop for 475 ms at once on a loaded machine: 140 ms to read, the rest to
#: show them).
STEP_SECONDS = 0.025
#: The fewest a step reads: below this the per-step overhead (a query, a repaint) dominates.
MIN_STEP = 50


class StepSize:
    """How many spans (or links) the next loading step reads, sized by what the last step cost
    per item, so that a step takes about STEP_SECONDS whatever the machine's load: a slower
    machine takes more, smaller steps instead of freezing longer."""

    __slots__ = ("size",)

    def __init__(self, first: int = 200) -> None:
        self.size = max(1, min(first, CHUNK))

    def measured(self, items: int, seconds: float) -> None:
        """A step of `items` took `seconds`: size the next one (growing at most twofold a step,
        so that one cheap step, say one that met spans an edit had brought in, does not
        make the next one huge)."""
        if items <= 0 or seconds <= 0:
            return
        wanted = STEP_SECONDS * items / seconds
        self.size = int(max(min(MIN_STEP, CHUNK), min(CHUNK, wanted, self.size * 2)))


class LoadedDocument:
    """Spans and links by uuid (spans in reading order as loaded; later ones appended).

    A long document loads in steps so that its first screen shows at once: `read_head` reads
    the text and the spans of the first screen, `read_more` the next chunk of spans in reading
    order, and the links come last (`spans_complete`, `links_complete` tell how far it got).
    """

    __slots__ = (
        "_frontier",
        "_link_frontier",
        "_links_by_span",
        "arrived_links",
        "last_cascaded",
        "last_removed",
        "links",
        "links_complete",
        "spans",
        "text",
        "total",
        "uuid",
    )

    def __init__(
        self,
        uuid: str,
        text: str,
        spans: Iterable[Span],
        links: Iterable[Link] = (),
        *,
        total: int | None = None,
        complete: bool = True,
    ) -> None:
        self.uuid = uuid
        self.text = text
        self.spans: dict[str, Span] = {s.uuid: s for s in spans}
        self.links: dict[str, Link] = {x.uuid: x for x in links}
        self.total = len(self.spans) if total is None else total
        #: The spans the last `apply` removed (views that count spans by annotator use it).
        self.last_removed: dict[str, Span] = {}
        #: The links the last `apply` dropped with their spans (ON DELETE CASCADE).
        self.last_cascaded: set[str] = set()
        self.links_complete = complete
        #: The links the last `read_more` read (a page of a long document's links), in the
        #: order read: the views add them as they come instead of all at the end.
        self.arrived_links: list[Link] = []
        self._frontier: tuple[int, int, str] | None = None
        self._link_frontier = 0  # links are read by row id, after this one
        self._links_by_span: dict[str, list[str]] | None = None  # built on first use
        if not complete and self.spans:
            last = next(reversed(self.spans.values()))
            self._frontier = (last.start, last.end, last.uuid)
        elif not complete:
            self._frontier = (-1, -1, "")

    @classmethod
    def read(cls, read: ReadSession, uuid: str) -> LoadedDocument:
        """Everything at once."""
        content = read.document_content(uuid)
        return cls(uuid, content.text, content.spans, content.links)

    @classmethod
    def read_head(cls, read: ReadSession, uuid: str) -> LoadedDocument:
        """The text and the spans of the first screen; `read_more` brings the rest."""
        text, spans, total = read.document_head(uuid, below=FIRST_SCREEN, limit=CHUNK)
        if len(spans) >= total:  # a short document: everything now
            return cls(uuid, text, spans, read.document_links(uuid))
        return cls(uuid, text, spans, total=total, complete=False)

    @property
    def spans_complete(self) -> bool:
        return self._frontier is None

    @property
    def complete(self) -> bool:
        return self._frontier is None and self.links_complete

    def read_more(self, read: ReadSession, limit: int = CHUNK) -> list[Span]:
        """Read the next `limit` spans (or, once they are all in, links); returns the spans new
        to this content (spans an edit brought in already are not repeated); the links read
        are in `arrived_links`."""
        self.arrived_links = []
        if self._frontier is None:
            if not self.links_complete:
                if not self._link_frontier:
                    self.links = {}  # links an edit brought in come again, fresh
                links, self._link_frontier = read.document_links_page(
                    self.uuid, after=self._link_frontier, limit=limit
                )
                self._links_by_span = None
                for link in links:
                    self.links[link.uuid] = link
                self.arrived_links = links
                if len(links) < limit:
                    self.links_complete = True
            return []
        chunk = read.document_spans_after(self.uuid, self._frontier, limit, text=self.text)
        if len(chunk) < limit:
            self._frontier = None
        else:
            last = chunk[-1]
            self._frontier = (last.start, last.end, last.uuid)
        new = [s for s in chunk if s.uuid not in self.spans]
        for span in new:
            self.spans[span.uuid] = span
        return new

    @staticmethod
    def stale_after(changes: ChangeSet) -> bool:
        """Whether a change set may change spans it does not name (reload instead)."""
        # A schema edit can rename a tag key every span carries; entity edits set or clear
        # the spans' entity references.
        return bool(changes.schema or changes.entities)

    def apply(self, changes: ChangeSet, read: ReadSession) -> None:
        """Bring the content up to date with a change set about this document."""
        self.last_removed = {}
        self.last_cascaded = set()
        if changes.links_added or changes.links_changed or changes.links_removed:
            self._links_by_span = None
        for uuid in changes.spans_removed:
            span = self.spans.pop(uuid, None)
            if span is not None:
                self.last_removed[uuid] = span
        for uuid in changes.links_removed:
            self.links.pop(uuid, None)
        spans = (changes.spans_added | changes.spans_changed) - changes.spans_removed
        if spans:
            for span in read.spans_by_uuid(spans):
                if span.document == self.uuid:
                    self.spans[span.uuid] = span
                else:  # moved out of this document (never today, but cheap to honour)
                    self.spans.pop(span.uuid, None)
        links = (changes.links_added | changes.links_changed) - changes.links_removed
        if links:
            for link in read.links_by_uuid(links):
                if link.document == self.uuid:
                    self.links[link.uuid] = link
        if changes.spans_removed and self._frontier is None:
            # Links of deleted spans go with them (ON DELETE CASCADE).
            gone = {x.uuid for u in changes.spans_removed for x in self.links_of(u)}
            for uuid in gone:
                del self.links[uuid]
            if gone:
                self._links_by_span = None
            self.last_cascaded = gone

    def links_of(self, span: str) -> list[Link]:
        """The links from or to a span (an index built on first use, dropped on link changes:
        a scan of every link per look-up cost 10 ms at 20,000 links)."""
        if self._links_by_span is None:
            index: dict[str, list[str]] = {}
            for link in self.links.values():
                index.setdefault(link.source, []).append(link.uuid)
                if link.target != link.source:
                    index.setdefault(link.target, []).append(link.uuid)
            self._links_by_span = index
        links = self.links
        return [links[u] for u in self._links_by_span.get(span, ()) if u in links]

    def span_list(self) -> list[Span]:
        return list(self.spans.values())

    def link_list(self) -> list[Link]:
        return list(self.links.values())
