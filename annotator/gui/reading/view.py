"""ReadingView: the read-only reading pane with span tints, stacked underlines and link arcs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFontMetricsF,
    QPen,
    QResizeEvent,
    QShowEvent,
    QTextBlock,
    QTextCursor,
    QTextLayout,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QFrame, QPlainTextEdit, QTextEdit, QWidget

from annotator.gui.reading import overlay
from annotator.gui.reading.arc_band import ArcBands
from annotator.gui.reading.arc_paint import Band, Drawn
from annotator.gui.reading.blocks import BlockDecorator, VisibleBlock, respace, walk_visible
from annotator.gui.reading.interaction import InteractionMixin
from annotator.gui.reading.offsets import OffsetMap
from annotator.gui.reading.painting import PaintingMixin
from annotator.gui.reading.scrolling import ScrollingMixin
from annotator.gui.reading.span_index import DisplayLink, DisplaySpan, RangeList, SpanIndex
from annotator.gui.reading.theme import DARK, DEFAULT_POINT_SIZE, LIGHT, reading_font

__all__ = ["ReadingView"]

_FLAGS = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


class ReadingView(InteractionMixin, ScrollingMixin, PaintingMixin, QPlainTextEdit):
    """A calm, fast, read-only view of one document with its spans and links.

    All offsets in the public API are code points of the document text (Python ``str``
    indices); conversion to Qt's UTF-16 positions happens here through one OffsetMap. The text
    is never edited to show highlights: a span's background tint (the innermost span wins) is a
    per-block ``QTextLayout`` format computed lazily just before the block is first painted, and
    stacked underlines (one per span, by nesting level) and link arcs are painted over the text
    for the visible region only. Lines are spaced apart after Qt's layout pass (see
    ``blocks.respace``); a line where links have an end gets a taller band above it, with
    one row per level of arcs (``arc_layout``), so that arcs and labels never cover glyphs.

    Clicking a span selects it (``span_clicked``; ``""`` when the click hit no span); clicking
    the same spot again cycles through the spans overlapping there. Alt+drag from one span to
    another requests a link (``link_drag_requested(source, target)``).
    """

    span_clicked = Signal(str)
    selection_changed = Signal(int, int)
    link_drag_requested = Signal(str, str)
    #: A click on an arc's label: the link's id.
    link_clicked = Signal(str)
    hovered_span = Signal(str)
    #: Ctrl+wheel: the window zooms (and remembers it) instead of QPlainTextEdit's own zoom,
    #: which would change the font behind the view's back.
    zoom_requested = Signal(int)
    #: After each paint of the text (the window starts deferred work after the first one).
    painted = Signal()

    #: Longest line of the reading column, in average characters.
    column_chars = 75

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(_FLAGS)
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setCenterOnScroll(True)  # lets the last lines scroll up to mid-screen
        self.setAutoFillBackground(True)
        self.viewport().setMouseTracking(True)
        self.document().setDocumentMargin(10)  # room for the stubs of arcs at the edges
        self._theme = LIGHT
        self._zoom = 0
        self._text = ""
        self._map = OffsetMap("")
        self._index = SpanIndex()
        self._links: list[DisplayLink] = []
        self._links_by_span: dict[str, list[DisplayLink]] | None = None
        self._link_rows: dict[str, int] | None = None  # link id → index in _links, on demand
        self._decorator = BlockDecorator()
        self._arc_bands = ArcBands()
        self._drawn = Drawn()  # the arcs, labels and stubs of the last paint
        self._visible: list[VisibleBlock] = []
        self._selected: str | None = None
        self._show_all = False
        self._hits = RangeList()
        self._current_hit: tuple[int, int] | None = None
        self._suggestions = RangeList()
        self._suggestion_color: str | None = None
        self._marks: list[tuple[QPen, RangeList]] = []
        self._hover = ""
        self._drag: list | None = None  # [source span id, start QPointF, current QPointF]
        self._press: QPointF | None = None
        self._last_click: tuple[str, ...] = ()
        self._pending_scroll: int | None = None
        self._tooltips: Callable[[str], str] | None = None
        self.selectionChanged.connect(self._emit_selection)
        self._apply_font()
        self._apply_theme()

    # ----------------------------------------------------------------- document and spans
    def set_document(
        self, text: str, spans: Iterable[DisplaySpan], links: Iterable[DisplayLink] = ()
    ) -> None:
        """Show ``text`` (LF-normalised) with its spans and links; resets all view state.

        Spans sorted by start open fastest (the index sort is then linear).
        """
        self._text = text
        self._map = OffsetMap(text)
        self._index = SpanIndex(spans)
        self._links = list(links)
        self._links_by_span = self._link_rows = None
        self._decorator.reset()
        self._arc_bands.reset()
        self._drawn = Drawn()
        self._visible = []
        self._selected = None
        self._hits, self._current_hit, self._suggestions = RangeList(), None, RangeList()
        self._marks = []
        self._hover, self._drag, self._last_click = "", None, ()
        self.setExtraSelections([])
        self.setPlainText(text)
        QTimer.singleShot(0, self._finish_indexing)

    def _finish_indexing(self) -> None:
        """Idle-time completion of the look-up tables not needed for the first frame."""
        self._index.ensure_ids()
        self._link_map()

    def add_span(self, span: DisplaySpan) -> None:
        """Show a new span (or replace the span with the same id)."""
        old = self._index.get(span.id)
        self._index.add(span)
        self._changed([old, span] if old else [span])

    def add_spans(self, spans: Sequence[DisplaySpan]) -> None:
        """Show many new spans at once (a long document's next chunk): one index merge and
        one repaint, and only blocks already decorated are recomputed."""
        if not spans:
            return
        self._index.extend(spans)
        first = min(s.start for s in spans)
        last = max(s.end for s in spans)
        if self._decorator.invalidate_decorated(
            self, self._map.to_qt(first), self._map.to_qt(last)
        ):
            self._arc_bands.reset()
            self.viewport().update()
        if self._selected is not None and any(s.id == self._selected for s in spans):
            self._update_selection_extras()

    def update_span(self, span: DisplaySpan) -> None:
        """Replace the span with ``span.id`` (tag, colour, fragments or tooltip changed)."""
        self.add_span(span)

    def remove_span(self, span_id: str) -> None:
        """Stop showing a span; its links are no longer drawn."""
        span = self._index.remove(span_id)
        if span is None:
            return
        if self._selected == span_id:
            self._selected = None
            self._update_selection_extras()
        self._changed([span])

    def _changed(self, spans: Sequence[DisplaySpan]) -> None:
        """Re-format the blocks the spans touch and repaint just those (or all, for arcs)."""
        numbers: set[int] = set()
        for span in spans:
            for start, end in span.fragments:
                qs, qe = self._map.to_qt(start), self._map.to_qt(end)
                numbers.update(self._decorator.invalidate(self, qs, qe))
        self._arc_bands.forget(sorted(numbers))
        if any(s.id == self._selected for s in spans):
            self._update_selection_extras()
        if any(self._link_map().get(s.id) for s in spans):
            self._arc_bands.reset()  # its arcs' other halves route toward it
            self.viewport().update()
            return
        rect = QRectF()
        for vb in self._visible:
            if vb.block.blockNumber() in numbers:
                rect = rect.united(vb.rect)
        if not rect.isNull():
            gap = self._metrics.gap
            area = rect.adjusted(-4, -gap, 4, gap).toAlignedRect()
            self.viewport().update(area.intersected(self.viewport().rect()))

    def set_tooltip_provider(self, provider: Callable[[str], str] | None) -> None:
        """Compose span tooltips on hover with ``provider(span id)`` instead of reading
        ``DisplaySpan.tooltip`` (building 50,000 tooltips at open costs more than the text)."""
        self._tooltips = provider

    def _tooltip_of(self, span: DisplaySpan) -> str:
        return self._tooltips(span.id) if self._tooltips is not None else span.tooltip

    def set_links(self, links: Iterable[DisplayLink]) -> None:
        """Replace all links."""
        self._links = list(links)
        self._links_by_span = self._link_rows = None
        self._arc_bands.reset()
        self.viewport().update()

    def add_links(self, links: Iterable[DisplayLink]) -> None:
        """Show more links, or new versions of shown ones (a long document's next page of
        links): the look-up tables grow in place, and only the routed blocks where their spans
        start are routed again (a block's arcs are those of the spans starting in it), and
        painted again if they are on screen; the result is what `set_links` of every link shows
        (building every link's arc at the end of a load blocked the window for 75-93 ms, and
        a repaint per page cost more than the page)."""
        new = list(links)
        if not new:
            return
        if self._link_rows is None:
            self._link_rows = {x.id: i for i, x in enumerate(self._links)}
        rows, by_span = self._link_rows, self._links_by_span
        for link in new:
            row = rows.get(link.id)
            if row is not None:  # replaced: rebuild the map by span when next needed
                self._links[row] = link
                by_span = self._links_by_span = None
                continue
            rows[link.id] = len(self._links)
            self._links.append(link)
            if by_span is not None:
                by_span.setdefault(link.source, []).append(link)
                if link.target != link.source:
                    by_span.setdefault(link.target, []).append(link)
        get = self._index.get
        starts = {span.start for x in new for end in (x.source, x.target) if (span := get(end))}
        numbers = self._arc_bands.forget_starting(starts)
        if any(vb.block.blockNumber() in numbers for vb in self._visible):
            self.viewport().update()

    def _link_map(self) -> dict[str, list[DisplayLink]]:
        if self._links_by_span is None:
            by_span: dict[str, list[DisplayLink]] = {}
            for link in self._links:
                by_span.setdefault(link.source, []).append(link)
                if link.target != link.source:
                    by_span.setdefault(link.target, []).append(link)
            self._links_by_span = by_span
        return self._links_by_span

    def set_selected_span(self, span_id: str | None) -> None:
        """Emphasise one span (stronger tint, thicker underline, its link arcs) or none."""
        self._selected = span_id or None
        self._update_selection_extras()
        self.viewport().update()

    def set_show_all_links(self, show: bool) -> None:
        """Draw the arcs of every visible link, not only those of the selected span."""
        self._show_all = bool(show)
        self.viewport().update()

    def set_search_hits(self, hits: Sequence[tuple[int, int]], current: int = -1) -> None:
        """Mark search hits (code point ranges); ``hits[current]`` is marked more strongly."""
        self._hits = RangeList(hits)
        self._current_hit = tuple(hits[current]) if 0 <= current < len(hits) else None
        self.viewport().update()

    def set_suggestions(self, ranges: Sequence[tuple[int, int]], color: str | None = None) -> None:
        """Mark suggested spans (not yet accepted) with a dashed outline, in ``color`` (e.g.
        the tag's) or the theme's suggestion colour."""
        self._suggestions = RangeList(ranges)
        self._suggestion_color = color
        self.viewport().update()

    def set_marks(self, marks: Sequence[tuple[QPen, Sequence[tuple[int, int]]]]) -> None:
        """Outline code point ranges, each group with its pen (e.g. a compare mode's
        differences: solid, dashed and dotted outlines); reset by set_document."""
        self._marks = [(pen, RangeList(ranges)) for pen, ranges in marks if ranges]
        self.viewport().update()

    def marked_ranges(self) -> list[tuple[QPen, list[tuple[int, int]]]]:
        """The outlined ranges by pen, as set_marks was given them (non-empty groups)."""
        return [(pen, list(ranges.ranges)) for pen, ranges in self._marks]

    def text(self) -> str:
        """The document text exactly as given to set_document (offsets index into it)."""
        return self._text

    def shows_span(self, span_id: str) -> bool:
        """Whether the span with this id is shown (in the index)."""
        return span_id in self._index

    def spans_at(self, cp: int) -> list[str]:
        """Ids of the spans covering the character at ``cp``, innermost first."""
        return [s.id for s in self._index.at(cp)]

    # ------------------------------------------------------------- selection and scrolling
    def selection(self) -> tuple[int, int] | None:
        """The selected text range in code points, or None when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._map.to_cp(cursor.selectionStart()), self._map.to_cp(cursor.selectionEnd())

    def set_selection(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (code points); the caret goes to ``end``."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def _emit_selection(self) -> None:
        cursor = self.textCursor()
        start, end = (
            self._map.to_cp(cursor.selectionStart()),
            self._map.to_cp(cursor.selectionEnd()),
        )
        self.selection_changed.emit(start, end)

    def _prepare(self, block: QTextBlock) -> QTextLayout:
        """Format, lay out and space one block ahead of painting; returns its layout."""
        self._decorator.decorate(block, self._index, self._map, self._theme)
        self.document().documentLayout().blockBoundingRect(block)
        respace(block.layout(), self._spacing(block))
        return block.layout()

    def _decorate(self, block: QTextBlock) -> list:
        return self._decorator.decorate(block, self._index, self._map, self._theme)

    def _spacing(self, block: QTextBlock) -> Callable[[int], float]:
        """The gap above each line of a laid-out block: the base gap plus its arc rows."""
        decor = self._decorate(block)  # cached; formats a block met here first
        if block.layout().lineCount() == 0:
            self.document().documentLayout().blockBoundingRect(block)
        routed = self._arc_bands.routed(
            block, decor, self._map, self._link_map(), self._index.get, self._label_width
        )
        return ArcBands.spacing(routed, self._metrics.gap, self._band)

    def _walk(self, extra_below: int = 1) -> list[VisibleBlock]:
        """The visible blocks, formatted, laid out and spaced for their arcs."""
        return walk_visible(self, self._spacing, self._decorate, extra_below)

    def _label_width(self, text: str) -> float:
        return self._label_metrics.horizontalAdvance(text) + 8

    # ------------------------------------------------------------------- look and feel
    def set_zoom(self, steps: int) -> None:
        """Font size = default × 1.1^steps (steps clamped to −6 … +12)."""
        self._zoom = max(-6, min(12, int(steps)))
        self._apply_font()

    def wheelEvent(self, e: QWheelEvent) -> None:
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = e.angleDelta().y() // 120
            if steps:
                self.zoom_requested.emit(steps)
            e.accept()
            return
        super().wheelEvent(e)

    def zoom(self) -> int:
        return self._zoom

    def is_dark(self) -> bool:
        return self._theme is DARK

    def shows_all_links(self) -> bool:
        return self._show_all

    def set_dark(self, dark: bool) -> None:
        """Switch between the light and the dark palette."""
        self._theme = DARK if dark else LIGHT
        self._apply_theme()

    def _apply_font(self) -> None:
        self.setFont(reading_font(DEFAULT_POINT_SIZE * 1.1**self._zoom))
        self._refresh_metrics()

    def _refresh_metrics(self) -> None:
        font = self.font()
        self._metrics = overlay.Metrics.for_font(font)
        self._pitch = QFontMetricsF(font).height() + self._metrics.gap
        self._label_font = reading_font(max(6.5, font.pointSizeF() * 0.66))
        self._label_metrics = QFontMetricsF(self._label_font)
        self._band = Band(row=float(int(self._label_metrics.height()) + 3))
        self._decorator.forget_geometry()
        self._arc_bands.reset()
        self._update_margins()

    def _apply_theme(self) -> None:
        self.setPalette(self._theme.palette(QApplication.palette()))
        self._decorator.reset()
        self._update_selection_extras()
        self.viewport().update()

    def _update_selection_extras(self) -> None:
        span = self._index.get(self._selected) if self._selected else None
        extras = []
        if span is not None:
            fmt = self._theme.tint_format(span.color, self._theme.selected_alpha)
            for start, end in span.fragments:
                sel = QTextEdit.ExtraSelection()
                sel.cursor = QTextCursor(self.document())
                sel.cursor.setPosition(self._map.to_qt(start))
                sel.cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
                sel.format = fmt
                extras.append(sel)
        self.setExtraSelections(extras)

    def _update_margins(self) -> None:
        fm = QFontMetricsF(self.font())
        column = fm.averageCharWidth() * self.column_chars + 2 * self.document().documentMargin()
        bar = self.verticalScrollBar()
        available = self.width() - (bar.sizeHint().width() if bar.isVisible() else 0)
        side = max(12, int((available - column) / 2))
        if self.viewportMargins().left() != side:
            self.setViewportMargins(side, 0, side, 0)

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.FontChange and hasattr(self, "_decorator"):
            self._refresh_metrics()

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self._pending_scroll is not None:  # after the layout has settled
            QTimer.singleShot(0, self._scroll_pending)

    def _scroll_pending(self) -> None:
        if self._pending_scroll is not None:
            self.scroll_to(self._pending_scroll)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self._update_margins()
        self._decorator.forget_geometry()  # lines re-wrap at the new width

    def viewport_rect_of(self, start: int, end: int) -> QRect:
        """Bounding rectangle (viewport coordinates) of the visible part of a code point range."""
        rects = overlay.range_rects(self._visible, self._map.to_qt(start), self._map.to_qt(end))
        out = QRectF()
        for rect, _ in rects:
            out = out.united(rect)
        return out.toAlignedRect()
