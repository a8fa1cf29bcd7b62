"""Table models of the current document's spans and links, and the proxy that filters them."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)

from annotator.domain.changes import ChangeSet
from annotator.domain.model import Link, Span
from annotator.gui.document_content import LoadedDocument, StepSize
from annotator.gui.panels.common import (
    ANNOTATOR_ROLE,
    FALLBACK_COLOR,
    KIND_ROLE,
    SEARCH_ROLE,
    SORT_ROLE,
    attributes_text,
    one_line,
    tooltip_html,
    tooltip_lines,
    value_text,
)
from annotator.gui.panels.row_model import Row, RowTableModel
from annotator.gui.session import ProjectSession

__all__ = ["AnnotationFilter", "LinkTableModel", "Row", "RowTableModel", "SpanTableModel"]

AnyIndex = QModelIndex | QPersistentModelIndex


class DocumentTableModel(RowTableModel):
    """Rows of the current document, read from the session's loaded content (never the store
    per row) and updated from change sets.

    While a long document loads, what arrives (spans, then links) joins the table in slices,
    one per event-loop turn, each as many rows as take about STEP_SECONDS (see StepSize), each
    inserted at its sorted place: never a reset or a sort of every row in one turn (a reset
    of 20,000 links at the end of the load blocked the window for 108-136 ms)."""

    #: While a long document loads, its rows join the table at most this often (each insert
    #: repaints the table's visible rows)…
    ARRIVAL_MS = 400

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._names: dict[str, str] = {}
        self._arrived: deque[str] = deque()
        self._step = StepSize()  # …and as many as take about STEP_SECONDS a turn
        self._arrival = QTimer(self, singleShot=True, interval=self.ARRIVAL_MS)
        self._arrival.timeout.connect(self._take_arrived)
        #: The most rows one turn added while loading (the regression tests bound it).
        self.most_taken = 0
        session.document_changed.connect(self._on_document)
        session.changed.connect(self._on_changes)
        session.layer.changed.connect(self.reload)  # rows of the shown layer(s) only

    def _on_document(self, _uuid: str) -> None:
        self.reload()

    def _annotator_name(self, uuid: str) -> str:
        return self._names.get(uuid, "?")

    def _read_names(self) -> None:
        with self.session.read() as read:
            self._names = {a.uuid: a.name for a in read.annotators()}

    def reload(self) -> None:
        self._arrived.clear()  # the content read now holds them
        self._arrival.stop()
        self._read_names()
        content = self.session.content()
        self._reset(self.session.layer.filter(self._items_of(content)) if content else [])

    @property
    def pending(self) -> int:
        """Rows that arrived while loading and are not in the table yet."""
        return len(self._arrived)

    def take_all_arrived(self) -> None:
        """Add every row still waiting now (a jump to one of them cannot wait)."""
        self._take_arrived(everything=True)

    def _arrive(self, items: list) -> None:
        """More rows of a long document: they join the table at the next slices."""
        self._arrived.extend(x.uuid for x in items)
        if not self._arrival.isActive():
            self._arrival.start(self.ARRIVAL_MS)

    def _take_arrived(self, everything: bool = False) -> None:
        """Add a turn's worth of the rows that arrived (see StepSize) and the rest at the next
        turns (6,000 spans at once froze the window for half a second)."""
        self._arrival.stop()
        content = self.session.content()
        arrived = self._arrived
        if content is None or not arrived:
            arrived.clear()
            return
        take = min(len(arrived), len(arrived) if everything else self._step.size)
        uuids = [arrived.popleft() for _ in range(take)]
        started = time.perf_counter()
        found = self._loaded_items(content, uuids)  # as edited since; gone if deleted
        shown = [x for x in self.session.layer.filter(found) if self.row_of(x.uuid) is None]
        self._insert(shown)
        self.most_taken = max(self.most_taken, len(uuids))
        self._step.measured(len(uuids), time.perf_counter() - started)
        if self._arrived:
            self._arrival.start(0)

    def _items_of(self, content: LoadedDocument) -> list:
        raise NotImplementedError

    def _loaded_items(self, content: LoadedDocument, uuids: list[str]) -> list:
        raise NotImplementedError

    def _on_changes(self, changes: ChangeSet) -> None:
        raise NotImplementedError


class SpanTableModel(DocumentTableModel):
    """The spans of the current document (every annotator's), in reading order."""

    COLUMNS = ("Quote", "Tag", "Attributes", "Annotator", "Start", "Note")
    QUOTE, TAG, ATTRIBUTES, ANNOTATOR, START, NOTE = range(6)
    COLOR_COLUMN = TAG
    NATURAL_COLUMN = START

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(session, parent)
        session.spans_loaded.connect(self._arrive)  # in reading order: appended when so sorted
        self.reload()

    def _items_of(self, content: LoadedDocument) -> list:
        return content.span_list()

    def _loaded_items(self, content: LoadedDocument, uuids: list[str]) -> list:
        spans = content.spans
        return [spans[u] for u in uuids if u in spans]

    def _natural(self, span: Span) -> tuple:
        return (span.fragments[0][0], span.fragments[-1][1], span.uuid)

    def _kind_of(self, span: Span) -> str:
        return span.tag

    def _on_changes(self, changes: ChangeSet) -> None:
        document = self.session.current_document
        if changes.schema or changes.annotators:
            self.reload()
            return
        content = self.session.content()
        if content is None or document not in changes.documents:
            return
        if document in changes.documents_added:
            self.reload()
            return
        self._take_arrived()
        self._remove(changes.spans_removed)
        touched = (changes.spans_added | changes.spans_changed) - changes.spans_removed
        spans = [content.spans[u] for u in touched if u in content.spans]
        shown = self.session.layer.filter(spans)
        self._remove({s.uuid for s in spans} - {s.uuid for s in shown})
        self._upsert(shown)

    def _make_row(self, span: Span) -> Row:
        schema = self.session.schema
        tag = schema.tag(span.tag)
        label = tag.label if tag else span.tag
        quote = one_line(span.quote)
        attrs = attributes_text(span.attributes)
        note = one_line(span.note, 120)
        name = self._annotator_name(span.annotator)
        details = []
        for key, value in span.attributes.items():
            definition = tag.attribute(key) if tag else None
            details.append(f"{definition.label if definition else key}: {value_text(value)}")
        return Row(
            uuid=span.uuid,
            kind=span.tag,
            annotator=span.annotator,
            color=tag.color if tag else FALLBACK_COLOR,
            cells=(quote, label, attrs, name, str(span.start), note),
            sort=(quote.lower(), label.lower(), attrs.lower(), name.lower(), span.start, note),
            tips=(tooltip_html(span.quote), "", tooltip_lines(details), "", "", tooltip_html(note)),
        )


class LinkTableModel(DocumentTableModel):
    """The links of the current document, by the source span's position."""

    COLUMNS = ("Source", "Type", "Target", "Annotator", "Note")
    SOURCE, TYPE, TARGET, ANNOTATOR, NOTE = range(5)
    COLOR_COLUMN = TYPE
    CACHE_NATURAL = True  # by the spans' starts: two look-ups a key

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(session, parent)
        self._spans: dict[str, Span] = {}
        session.links_arrived.connect(self._arrive)  # a page at a time, once the spans are in
        self.reload()

    def reload(self) -> None:
        content = self.session.content()
        self._spans = content.spans if content is not None else {}
        super().reload()

    def _items_of(self, content: LoadedDocument) -> list:
        return content.link_list()

    def _loaded_items(self, content: LoadedDocument, uuids: list[str]) -> list:
        links = content.links
        return [links[u] for u in uuids if u in links]

    def _natural(self, link: Link) -> tuple:
        source, target = self._spans.get(link.source), self._spans.get(link.target)
        return (source.start if source else -1, target.start if target else -1, link.uuid)

    def _kind_of(self, link: Link) -> str:
        return link.type

    def _on_changes(self, changes: ChangeSet) -> None:
        document = self.session.current_document
        if changes.schema or changes.annotators:
            self.reload()
            return
        content = self.session.content()
        if content is None or document not in changes.documents:
            return
        if document in changes.documents_added or content.spans is not self._spans:
            self.reload()
            return
        gone = set(changes.links_removed) | content.last_cascaded  # with their spans
        self._remove(gone)
        touched = (changes.links_added | changes.links_changed) - gone
        # A link row shows its spans' quotes and sorts by their starts: refresh those too.
        spans = changes.spans_changed
        if spans:
            touched |= {x.uuid for x in self._items if x.source in spans or x.target in spans}
        links = [content.links[u] for u in touched if u in content.links]
        shown = self.session.layer.filter(links)
        self._remove({x.uuid for x in links} - {x.uuid for x in shown})
        self._upsert(shown)

    def _make_row(self, link: Link) -> Row:
        schema = self.session.schema
        link_type = schema.link_type(link.type)
        label = link_type.label if link_type else link.type
        source, target = self._spans.get(link.source), self._spans.get(link.target)
        source_quote = one_line(source.quote) if source else "?"
        target_quote = one_line(target.quote) if target else "?"
        name = self._annotator_name(link.annotator)
        note = one_line(link.note, 120)
        return Row(
            uuid=link.uuid,
            kind=link.type,
            annotator=link.annotator,
            color=link_type.color if link_type else FALLBACK_COLOR,
            cells=(source_quote, label, target_quote, name, note),
            sort=(
                source_quote.lower(),
                label.lower(),
                target_quote.lower(),
                name.lower(),
                note,
                self._natural(link),
            ),
            tips=(
                tooltip_html(source.quote if source else ""),
                tooltip_html(link_type.guideline if link_type else ""),
                tooltip_html(target.quote if target else ""),
                "",
                tooltip_html(note),
            ),
        )


class AnnotationFilter(QSortFilterProxyModel):
    """Sorts by SORT_ROLE and keeps rows of one tag (or link type), one annotator and
    containing a piece of text; an empty criterion keeps every row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._kind = ""
        self._annotator = ""
        self._text = ""

    def set_criteria(
        self, kind: str | None = None, annotator: str | None = None, text: str | None = None
    ) -> None:
        """Change the criteria given (None leaves one as it is)."""
        self.beginFilterChange()
        if kind is not None:
            self._kind = kind
        if annotator is not None:
            self._annotator = annotator
        if text is not None:
            self._text = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def is_filtering(self) -> bool:
        return bool(self._kind or self._annotator or self._text)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the source (once, with Python keys) and keep its order here."""
        source = self.sourceModel()
        if isinstance(source, RowTableModel):
            super().sort(-1)
            source.sort(column, order)
        else:
            super().sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not (self._kind or self._annotator or self._text):
            return True
        source = self.sourceModel()
        if isinstance(source, RowTableModel):
            return source.accepts(source_row, self._kind, self._annotator, self._text)
        index = source.index(source_row, 0, source_parent)
        if self._kind and index.data(KIND_ROLE) != self._kind:
            return False
        if self._annotator and index.data(ANNOTATOR_ROLE) != self._annotator:
            return False
        return not self._text or self._text in index.data(SEARCH_ROLE)
