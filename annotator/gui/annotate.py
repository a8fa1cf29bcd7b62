"""The annotation controller: shows the current document in the reading pane and turns keys,
clicks and drags there into undoable commands (tag, retag, add fragment, resize, delete, link)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

from annotator.domain.changes import ChangeSet
from annotator.domain.model import Link, Schema, Span
from annotator.gui.panels.common import local_time
from annotator.gui.reading import DisplayLink, DisplaySpan, ReadingView, snap_to_words
from annotator.gui.reading.snapping import word_edge
from annotator.gui.retag import retag
from annotator.gui.session import ProjectSession
from annotator.services.link_commands import CreateLink, DeleteLinks
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan, ResizeSpan


def _value_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class AnnotationController(QObject):
    """Owns no data: reads the current document through the session and mirrors it (the
    layer(s) the session's LayerState shows; `loaded(diff)` after each full load, with the
    LayerDiff in compare mode, else None)."""

    loaded = Signal(object)

    def __init__(self, session: ProjectSession, view: ReadingView) -> None:
        super().__init__(view)
        self.session, self.view = session, view
        self.snap = True
        self._names: dict[str, str] = {}
        session.document_changed.connect(self.load_document)
        session.changed.connect(self._on_changes)
        session.span_selected.connect(self._on_span_selected)
        session.spans_loaded.connect(self._on_spans_loaded)
        session.links_arrived.connect(self._on_links_arrived)
        session.layer.changed.connect(self._on_layer)
        view.span_clicked.connect(self._on_span_clicked)
        view.link_drag_requested.connect(self.link_by_drag)
        view.link_clicked.connect(session.select_link)
        view.installEventFilter(self)
        view.set_tooltip_provider(self.tooltip_of)

    # -- mirroring the project ---------------------------------------------------------------
    def _shown(self, uuid: str) -> Span | None:
        """The shown span with this uuid: the pane's index says which are shown, the session's
        content holds them (a dict of its own here cost ~40 bytes a span, 2 MB at 50,000)."""
        if not uuid or not self.view.shows_span(uuid):
            return None
        content = self.session.content()
        return content.spans.get(uuid) if content is not None else None

    def display_span(self, span: Span, schema: Schema) -> DisplaySpan:
        """What the pane draws for a span (the tooltip is composed on hover, `tooltip_of`)."""
        tag = schema.tag(span.tag)
        label = tag.label if tag else span.tag
        color = tag.color if tag else "#808080"
        return DisplaySpan(span.uuid, span.fragments, color, label)

    def tooltip_of(self, uuid: str) -> str:
        """The hover text of a shown span: tag, attributes, note, who and when."""
        content = self.session.content()
        span = content.spans.get(uuid) if content else None
        if span is None:
            return ""
        tag = self.session.schema.tag(span.tag)
        lines = [tag.label if tag else span.tag]
        for key, value in span.attributes.items():
            definition = tag.attribute(key) if tag else None
            lines.append(f"{definition.label if definition else key}: {_value_text(value)}")
        if span.note:
            lines.append(f"Note: {span.note}")
        lines.append(f"by {self._names.get(span.annotator, '?')} · {local_time(span.modified)}")
        return "\n".join(lines)

    def display_links(self, links: list[Link], schema: Schema) -> list[DisplayLink]:
        result = []
        for link in links:
            link_type = schema.link_type(link.type)
            label = link_type.label if link_type else link.type
            color = link_type.color if link_type else "#808080"
            result.append(DisplayLink(link.uuid, link.source, link.target, label, color))
        return result

    def load_document(self, uuid: str) -> None:
        schema = self.session.schema
        if uuid and self.session.layer.comparing:
            self.session.content()
            self.session.finish_loading()  # the layer diff needs every span
        content = self.session.content() if uuid else None
        if content is None:
            self.view.set_document("", [], [])
            self.loaded.emit(None)
            return
        with self.session.read() as read:
            self._names = {a.uuid: a.name for a in read.annotators()}
        spans, links, diff = self.session.layer.pane_content(
            content.span_list(), content.link_list()
        )
        display = self.display_span
        self.view.set_document(
            content.text, [display(s, schema) for s in spans], self.display_links(links, schema)
        )
        self.view.setFocus()
        self.loaded.emit(diff)

    def _on_layer(self) -> None:
        self.session.select_link("")
        self.session.select_span("")
        top = self.view.top_cp()
        self.load_document(self.session.current_document)
        # Keep the reading position once the panes have their new widths (side by side).
        QTimer.singleShot(0, lambda: self.view.scroll_top_to(top))

    def _on_changes(self, changes: ChangeSet) -> None:
        document = self.session.current_document
        if not document:
            return
        full = changes.schema or changes.annotators or document in changes.documents_added
        if full or (document in changes.documents and self.session.layer.comparing):
            self.load_document(document)
            self.view.set_selected_span(self.session.selected_span or None)
            return
        if document not in changes.documents:
            return
        content = self.session.content()
        if content is None:
            return
        schema = self.session.schema
        for uuid in changes.spans_removed:
            self.view.remove_span(uuid)  # nothing when it was not shown
        wanted = (changes.spans_added | changes.spans_changed) - changes.spans_removed
        found = [content.spans[u] for u in wanted if u in content.spans]
        for span in self.session.layer.filter(found):
            known = self.view.shows_span(span.uuid)
            shown = self.display_span(span, schema)
            (self.view.update_span if known else self.view.add_span)(shown)
        if changes.links_added | changes.links_changed | changes.links_removed:
            self._refresh_links()

    def _on_spans_loaded(self, spans: list[Span]) -> None:
        """More spans of a long document arrived (see ProjectSession.content)."""
        if self.session.layer.comparing:
            return  # compare mode read every span before showing the document
        schema = self.session.schema
        shows = self.view.shows_span
        shown = [s for s in self.session.layer.filter(spans) if not shows(s.uuid)]
        self.view.add_spans([self.display_span(s, schema) for s in shown])

    def _on_links_arrived(self, links: list[Link]) -> None:
        """A page of a long document's links arrived (every span is in by then): their arcs
        join the pane's (the pane routes only the blocks it paints)."""
        if self.session.layer.comparing:
            return  # compare mode read every link before showing the document
        shows = self.view.shows_span
        links = self.session.layer.filter(links)
        shown = [x for x in links if shows(x.source) and shows(x.target)]
        self.view.add_links(self.display_links(shown, self.session.schema))

    def _refresh_links(self) -> None:
        content = self.session.content()
        if content is None:
            return
        shows = self.view.shows_span
        links = self.session.layer.filter(content.link_list())
        links = [x for x in links if shows(x.source) and shows(x.target)]
        self.view.set_links(self.display_links(links, self.session.schema))

    def _on_span_selected(self, uuid: str) -> None:
        if uuid and not self.view.shows_span(uuid):
            self.session.finish_loading()  # a jump to a span the loading has not reached
        self.view.set_selected_span(uuid or None)
        span = self._shown(uuid)
        if span is not None:  # scroll only if it is out of view, and the least
            self.view.reveal(span.fragments[0][0], span.fragments[0][1])

    def _on_span_clicked(self, uuid: str) -> None:
        self.session.select_span(uuid)

    # -- keyboard ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            return self._key(event)  # type: ignore[arg-type]
        return False

    def _key(self, event: QKeyEvent) -> bool:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        text = event.text()
        if event.key() == Qt.Key.Key_Tab and modifiers == Qt.KeyboardModifier.NoModifier:
            self.cycle()
            return True
        if not text or not text.isprintable() or text.isspace():
            # Ctrl+digit gives no text on some platforms: fall back to the key code.
            if modifiers == Qt.KeyboardModifier.ControlModifier and 0x20 < event.key() < 0x7F:
                text = chr(event.key()).lower()
            else:
                return False
        tag = self.session.schema.tag_for_hotkey(text) or self.session.schema.tag_for_hotkey(
            text.lower()
        )
        if tag is None:
            return False
        if modifiers == Qt.KeyboardModifier.ControlModifier:
            self.add_fragment()
            return True
        if modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            self.tag_selection(tag.key)
            return True
        return False

    # -- actions -----------------------------------------------------------------------------
    def current_selection(self) -> tuple[int, int] | None:
        selection = self.view.selection()
        if selection is None or selection[0] == selection[1]:
            return None
        start, end = selection
        if self.snap:
            start, end = snap_to_words(self.view.text(), start, end)
        return (start, end) if end > start else None

    def tag_selection(self, tag: str) -> None:
        """Tag the selected text; with no text selected, retag the selected span."""
        document = self.session.current_document
        selection = self.current_selection()
        if document and selection is not None:
            command = CreateSpan(document, tag, [selection])
            if self.session.run(command):
                self.view.set_selection(selection[1], selection[1])
                self.session.flush()
                self.session.select_span(command.uuid)
        elif self.session.selected_span:
            span = self._shown(self.session.selected_span)
            if span is not None and span.tag != tag:
                retag(self.session, span, tag, self.view)
        else:
            self.session.message.emit("Select some text first, then press a tag key")

    def add_fragment(self) -> None:
        """Add the selected text as one more fragment of the selected span (discontinuous)."""
        span = self._shown(self.session.selected_span)
        selection = self.current_selection()
        if span is None or selection is None:
            self.session.message.emit("Select a span, then select more text and press Ctrl+key")
            return
        if self.session.run(
            EditSpan(span.uuid, fragments=[*span.fragments, selection], label="Add fragment")
        ):
            self.view.set_selection(selection[1], selection[1])

    def adjust(self, edge: str, delta: int, by_word: bool = False) -> None:
        """Move the selected span's start or end (first/last fragment) by ``delta`` code
        points, or to the next word boundary that way. Consecutive resizes of one span are one
        undo step and one history row (ResizeSpan)."""
        self.session.flush()  # a key repeat may come before the last resize was shown
        span = self._shown(self.session.selected_span)
        if span is None:
            self.session.message.emit("Select a span first, then resize it")
            return
        fragments = [list(f) for f in span.fragments]
        index, side = (0, 0) if edge == "start" else (-1, 1)
        text = self.view.text()
        old = fragments[index][side]
        fragments[index][side] = word_edge(text, old, edge, delta) if by_word else old + delta
        start, end = fragments[index]
        if not (0 <= start < end <= len(text)) or fragments[index][side] == old:
            return
        self.session.run(ResizeSpan(span.uuid, fragments))

    def delete_selected(self) -> None:
        if self.session.selected_link:
            self.session.run(DeleteLinks([self.session.selected_link]))
        elif self.session.selected_span:
            self.session.run(DeleteSpans([self.session.selected_span]))

    def cycle(self) -> None:
        chosen = self.view.cycle_span_at_cursor()
        if chosen:
            self.session.select_span(chosen)

    def clear_selection(self) -> None:
        self.session.select_link("")
        self.session.select_span("")
        position = self.view.selection()
        if position is not None:
            self.view.set_selection(position[1], position[1])

    def link_by_drag(self, source: str, target: str) -> None:
        from annotator.gui.dialogs.link_picker import choose_link_type

        link_type = choose_link_type(self.session, source, target, self.view)
        if link_type and link_type.startswith("←"):  # a type the schema allows the other way
            self.session.run(CreateLink(target, source, link_type[1:]))
        elif link_type:
            self.session.run(CreateLink(source, target, link_type))
