"""The inspector: the selected span's tag, quote, attributes, note, entity, links and history."""

from __future__ import annotations

import dataclasses
from functools import partial
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.changes import ChangeSet
from annotator.domain.model import Link, Span, TagType
from annotator.errors import NotFoundError
from annotator.gui.panels.attribute_editors import AttributeEditor, make_editor
from annotator.gui.panels.common import (
    ElidedLabel,
    QuietComboBox,
    chip_pixmap,
    dot_icon,
    local_time,
    muted_label,
)
from annotator.gui.panels.entity_editor import EntityEditor
from annotator.gui.panels.history_view import HistoryView
from annotator.gui.panels.span_links import SpanLinks, link_lines
from annotator.gui.retag import retag
from annotator.gui.session import ProjectSession
from annotator.services.link_commands import DeleteLinks
from annotator.services.span_commands import EditSpan


class NoteEdit(QPlainTextEdit):
    """A note box that reports `finished` when it loses focus or on Ctrl+Enter."""

    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setPlaceholderText("Add a note… (Ctrl+Enter saves)")
        lines = 4
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.finished.emit()
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.finished.emit()


def hotkey_range(tags: tuple[TagType, ...]) -> str:
    """The tag hotkeys as a person says them: "1–4" for a run of digits, else "1, 2, x"."""
    keys = [t.hotkey for t in tags if t.hotkey]
    if not keys:
        return "a tag's key"
    digits = sorted(int(k) for k in keys if k.isdigit())
    if len(digits) == len(keys) > 1 and digits == list(range(digits[0], digits[-1] + 1)):
        return f"{digits[0]}–{digits[-1]}"
    return ", ".join(keys)


def offsets_text(span: Span) -> str:
    length = sum(end - start for start, end in span.fragments)
    parts = ", ".join(f"{start}–{end}" for start, end in span.fragments)
    count = len(span.fragments)
    prefix = f"{count} fragments: " if count > 1 else "Characters "
    return f"{prefix}{parts} · {length} long"


#: The details page's widgets (see `Inspector.__getattr__`).
_DETAILS = frozenset(
    ("chip", "tag_combo", "quote", "offsets", "attribute_form", "no_attributes", "note",
     "entity", "links", "no_links", "history", "meta", "details")
)  # fmt: skip


class Inspector(QWidget):
    """Shows and edits the session's selected span. It keeps only the displayed span; every edit
    is one undoable command, committed when an editor finishes (not per keystroke)."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.span: Span | None = None
        self.editors: dict[str, AttributeEditor] = {}
        self._editors_for: str | None = None  # the tag key the editors were built for
        # While its dock is hidden (closed, behind another tab, focus mode) the inspector shows
        # nothing: the span to show waits here until the dock is shown (see set_shown).
        self._hidden = False
        self._pending: tuple[str, bool] | None = None
        # The details page is built for the first span shown: a window's first frame shows the
        # empty state alone (nothing is selected yet), and does not wait for the editors.
        self._details_built = False
        self._build()
        session.span_selected.connect(self._on_span_selected)
        session.changed.connect(self._on_changes)
        session.layer.changed.connect(self._on_layer)
        self._fill_tags()
        self._show(session.selected_span, fresh=True)

    # -- layout ------------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        """A widget of the details page asked for before any span was shown: build it now."""
        if name in _DETAILS and not self.__dict__.get("_details_built", True):
            self._build_details()
            return getattr(self, name)
        raise AttributeError(name)

    def _build(self) -> None:
        self.stack = QStackedWidget(self)
        self.empty = QLabel(self)
        self.empty.setObjectName("empty_state")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty.setMargin(24)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _build_details(self) -> None:
        self._details_built = True
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(12, 10, 12, 12)
        column.setSpacing(4)
        self.chip = QLabel(content)
        self.tag_combo = QuietComboBox(content, shrink=True)
        self.tag_combo.setObjectName("tag_combo")
        self.tag_combo.activated.connect(self._on_retag)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.chip)
        header.addWidget(self.tag_combo, 1)
        column.addLayout(header)
        column.addSpacing(6)
        self.quote = ElidedLabel(4, content)
        self.quote.setObjectName("quote")
        font = QFont(self.quote.font())
        font.setPointSizeF(font.pointSizeF() + 1)
        self.quote.setFont(font)
        column.addWidget(self.quote)
        self.offsets = muted_label("", content)
        column.addWidget(self.offsets)

        self.attribute_form = QFormLayout()
        self.attribute_form.setContentsMargins(0, 0, 0, 0)
        self.attribute_form.setHorizontalSpacing(10)
        self.attribute_form.setVerticalSpacing(6)
        self.attribute_form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        self.attribute_form.setLabelAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.no_attributes = muted_label("This tag has no attributes.", content)
        self._section(column, "Attributes")
        column.addLayout(self.attribute_form)
        column.addWidget(self.no_attributes)

        self._section(column, "Note")
        self.note = NoteEdit(content)
        self.note.setObjectName("note")
        self.note.finished.connect(self.commit_note)
        column.addWidget(self.note)

        self._section(column, "Entity")
        self.entity = EntityEditor(self.session, content)
        column.addWidget(self.entity)

        self._section(column, "Links")
        self.links = SpanLinks(content)
        self.links.jump_requested.connect(self.session.jump_to_span)
        self.links.delete_requested.connect(self._delete_link)
        self.no_links = muted_label("No links. Alt+drag to another span to link it.", content)
        self.no_links.setWordWrap(True)
        column.addWidget(self.links)
        column.addWidget(self.no_links)

        self._section(column, "History")
        self.history = HistoryView(content)
        column.addWidget(self.history)

        column.addSpacing(12)
        self.meta = muted_label("", content)
        self.meta.setObjectName("meta")
        self.meta.setWordWrap(True)
        column.addWidget(self.meta)
        column.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        self.details = scroll
        self.stack.addWidget(scroll)
        self._fill_tag_combo()
        self._apply_editable()

    def _section(self, column: QVBoxLayout, title: str) -> None:
        column.addSpacing(12)
        label = QLabel(title, column.parentWidget())
        font = QFont(label.font())
        font.setWeight(QFont.Weight.DemiBold)
        label.setFont(font)
        column.addWidget(label)

    # -- reacting to the session -------------------------------------------------------------
    def _on_span_selected(self, uuid: str) -> None:
        self.commit_pending()
        self._show(uuid, fresh=True)

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.schema:
            self._editors_for = None
            self._fill_tags()
        if changes.entities and self._details_built:
            self.entity.registry_changed()
        if self._hidden:  # shown again later, the inspector reads the span afresh
            if self._pending is None and self.span is not None:
                self._pending = (self.span.uuid, False)
            return
        span = self.span
        if span is None:
            return
        if (
            span.uuid in changes.spans_changed
            or span.document in changes.documents
            or changes.schema
            or changes.entities
            or changes.annotators
        ):
            self._show(span.uuid, fresh=False)

    def _on_layer(self) -> None:
        if self._details_built:
            self._apply_editable()
        self._show(self.session.selected_span, fresh=True)

    def _apply_editable(self) -> None:
        editable = self.session.layer.editable
        self.note.setReadOnly(not editable)  # refused edits would otherwise look kept
        self.tag_combo.setEnabled(editable)

    def _fill_tags(self) -> None:
        tags = self.session.schema.tag_types
        if self._details_built:
            self._fill_tag_combo()
        self.empty.setText(
            "Select a span to see its details.\n"
            f"Select text and press {hotkey_range(tags)} to tag it."
        )

    def _fill_tag_combo(self) -> None:
        tags = self.session.schema.tag_types
        self.tag_combo.blockSignals(True)
        self.tag_combo.clear()
        for tag in tags:
            self.tag_combo.addItem(dot_icon(tag.color), tag.label, tag.key)
            self.tag_combo.setItemData(
                self.tag_combo.count() - 1, tag.guideline or None, Qt.ItemDataRole.ToolTipRole
            )
        self.tag_combo.blockSignals(False)

    # -- showing -----------------------------------------------------------------------------
    def set_shown(self, shown: bool) -> None:
        """Its dock became visible or not (QDockWidget.visibilityChanged, tabs included): a
        hidden inspector does no work per selection or edit, and catches up when shown."""
        self._hidden = not shown
        if shown and self._pending is not None:
            uuid, fresh = self._pending
            self._pending = None
            self._show(uuid, fresh=fresh)

    def _show(self, uuid: str, *, fresh: bool) -> None:
        """Show a span; `fresh` (a new selection) replaces every editor's value, otherwise an
        editor the user is typing in keeps what it holds."""
        if self._hidden:
            waiting = self._pending[1] if self._pending is not None else False
            self._pending = (uuid, fresh or waiting)
            return
        span = None
        content = self.session.loaded(self.session.current_document)
        if uuid and content is not None and content.links_complete and uuid in content.spans:
            # The open document's spans and links are in memory (see ProjectSession.content).
            span = content.spans[uuid]
            links = content.links_of(uuid)
            others = {u for link in links for u in (link.source, link.target)} - {uuid}
            other_spans = {u: content.spans[u] for u in others if u in content.spans}
            with self.session.read() as read:
                names = {a.uuid: a.name for a in read.annotators()}
        elif uuid:
            try:
                with self.session.read() as read:
                    span = read.span(uuid)
                    links = read.links_of_spans([uuid])
                    others = {u for link in links for u in (link.source, link.target)} - {uuid}
                    other_spans = {s.uuid: s for s in read.spans_by_uuid(others)}
                    names = {a.uuid: a.name for a in read.annotators()}
            except NotFoundError:
                span = None
        if span is not None and not self.session.layer.shows(span.annotator):
            span = None  # another layer's span: not shown while its layer is not
        self.span = span
        if span is None:
            self.stack.setCurrentWidget(self.empty)
            return
        if not self._details_built:
            self._build_details()
        schema = self.session.schema
        tag = schema.tag(span.tag)
        height = self.tag_combo.sizeHint().height() - 6
        self.chip.setPixmap(chip_pixmap(tag.color if tag else "#808080", 5, height))
        self.chip.setToolTip(tag.guideline if tag else "")
        if not self.tag_combo.view().isVisible():
            self.tag_combo.select_data(span.tag)
        self.quote.set_full_text(f"“{span.quote}”")
        self.offsets.setText(offsets_text(span))
        self._show_attributes(span, tag, fresh)
        if (fresh or not self.note.hasFocus()) and self.note.toPlainText() != span.note:
            self.note.setPlainText(span.note)
        self.entity.set_span(span, tag)
        self._show_links(span, self.session.layer.filter(links), other_spans)
        self._show_meta(span, names.get(span.annotator, "?"))
        self.history.show_for(self.session, span.uuid, self.links.lines)
        self.stack.setCurrentWidget(self.details)

    def _show_attributes(self, span: Span, tag: TagType | None, fresh: bool) -> None:
        if self._editors_for != span.tag:
            self._build_editors(tag)
            self._editors_for = span.tag
            fresh = True
        for key, editor in self.editors.items():
            if fresh or not editor.is_editing():
                editor.set_value(span.attributes.get(key))

    def _build_editors(self, tag: TagType | None) -> None:
        while self.attribute_form.rowCount():
            self.attribute_form.removeRow(0)
        self.editors = {}
        definitions = tag.attributes if tag else ()
        for definition in definitions:
            editor = make_editor(definition, self.details.widget())
            editor.setObjectName(f"attribute_{definition.key}")
            editor.committed.connect(partial(self._commit_attribute, definition.key))
            label = QLabel(definition.label + (" *" if definition.required else ""))
            label.setToolTip(
                ("Required. " if definition.required else "") + (definition.guideline or "")
            )
            self.attribute_form.addRow(label, editor)
            self.editors[definition.key] = editor
        self.no_attributes.setVisible(not definitions)
        fields = [editor.focusProxy() or editor for editor in self.editors.values()]
        chain = [self.tag_combo, *fields, self.note]
        for first, second in pairwise(chain):  # Tab walks the form top to bottom
            QWidget.setTabOrder(first, second)

    def _show_links(self, span: Span, links: list[Link], others: dict[str, Span]) -> None:
        lines = link_lines(span.uuid, links, others, self.session.schema)
        self.links.set_lines(lines)
        self.no_links.setVisible(not lines)

    def _show_meta(self, span: Span, name: str) -> None:
        created = local_time(span.created)
        text = f"Tagged by {name} · created {created}"
        if span.modified and span.modified != span.created:
            text += f" · modified {local_time(span.modified)}"
        self.meta.setText(text)

    # -- editing -----------------------------------------------------------------------------
    def commit_pending(self) -> None:
        """Save what the user typed but has not yet finished (before the selection moves on);
        nothing when the span itself was deleted."""
        if self.span is None:
            return
        try:
            with self.session.read() as read:
                read.span_document_and_tag(self.span.uuid)
        except NotFoundError:
            self.span = None
            return
        for editor in self.editors.values():
            editor.commit()
        self.commit_note()
        self.entity.commit_aliases()

    def _commit_attribute(self, key: str, value: Any) -> None:
        span = self.span
        if span is None:
            return
        if self.session.run(EditSpan(span.uuid, attributes={key: value})):
            values = {**span.attributes, key: value}
            self.span = dataclasses.replace(
                span, attributes={k: v for k, v in values.items() if v is not None}
            )
        elif key in self.editors:
            self.editors[key].set_value(span.attributes.get(key))

    def commit_note(self) -> None:
        span = self.span
        if span is None:
            return
        text = self.note.toPlainText().strip()
        if text != span.note and self.session.run(EditSpan(span.uuid, note=text)):
            self.span = dataclasses.replace(span, note=text)

    def _on_retag(self, index: int) -> None:
        span, key = self.span, self.tag_combo.itemData(index)
        if span is None or key == span.tag:
            return
        if not retag(self.session, span, key, self):
            self.tag_combo.select_data(span.tag)

    def _delete_link(self, uuid: str) -> None:
        self.session.run(DeleteLinks([uuid]))
