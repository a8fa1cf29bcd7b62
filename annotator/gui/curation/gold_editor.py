"""The gold editor: start from one annotator's version and change it before it goes into gold —
a span's tag, extent, attributes and note, or a link's attributes and note."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.agreement.units import UnitLink, UnitSpan
from annotator.domain.model import AttributeDef, Schema
from annotator.gui.curation.versions import excerpt
from annotator.gui.panels.attribute_editors import AttributeEditor, make_editor


class GoldEditDialog(QDialog):
    """`changes()` gives the keyword arguments of the edit (EditSpan / EditLink style); only
    what differs from the version started from."""

    def __init__(
        self,
        version: UnitSpan | UnitLink,
        who: str,
        text: str,
        schema: Schema,
        note: str = "",
        *,
        attributes_only: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("curation_gold_editor")
        self.version, self.text, self.schema, self.note_before = version, text, schema, note
        # An attribute unit edits the gold span's attributes (its extent and tag are decided).
        self.is_span = isinstance(version, UnitSpan) and not attributes_only
        self.setWindowTitle("Edit into gold")
        self.form = QFormLayout()
        self.editors: dict[str, AttributeEditor] = {}
        self.attribute_box = QWidget()
        self.attribute_form = QFormLayout(self.attribute_box)
        self.attribute_form.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(f"Starting from <b>{who}</b>'s version; the result goes into gold.")
        if self.is_span:
            self._span_fields(version)
        elif isinstance(version, UnitSpan):
            tag = schema.tag(version.tag)
            self.form.addRow("Tag:", QLabel(tag.label if tag else version.tag))
            self._fill_attributes(tag.attributes if tag else (), version.attributes)
        else:
            link_type = schema.link_type(version.type)
            self.form.addRow("Link type:", QLabel(link_type.label if link_type else version.type))
            self._fill_attributes(link_type.attributes if link_type else (), version.attributes)
        self.form.addRow("Attributes:", self.attribute_box)
        self.note = QLineEdit(note, objectName="gold_note")
        self.form.addRow("&Note:", self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Accept into &gold")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _span_fields(self, span: UnitSpan) -> None:
        self.tag = QComboBox(objectName="gold_tag")
        for tag in self.schema.tag_types:
            self.tag.addItem(tag.label, tag.key)
        self.tag.setCurrentIndex(max(self.tag.findData(span.tag), 0))
        self.tag.currentIndexChanged.connect(self._tag_changed)
        # The outer bounds of the span; inner fragment boundaries of a discontinuous span stay.
        self.start = QSpinBox(objectName="gold_start")
        self.end = QSpinBox(objectName="gold_end")
        for box in (self.start, self.end):
            box.setRange(0, len(self.text))
        self.start.setValue(span.start)
        self.end.setValue(span.end)
        self.preview = QLabel(objectName="gold_preview")
        self.preview.setWordWrap(True)
        self.start.valueChanged.connect(self._show_preview)
        self.end.valueChanged.connect(self._show_preview)
        self.form.addRow("&Tag:", self.tag)
        self.form.addRow("&Start:", self.start)
        self.form.addRow("&End:", self.end)
        self.form.addRow("Text:", self.preview)
        self._show_preview()
        tag = self.schema.tag(span.tag)
        self._fill_attributes(tag.attributes if tag else (), span.attributes)

    def _fill_attributes(self, definitions: tuple[AttributeDef, ...], values: Any) -> None:
        while self.attribute_form.rowCount():
            self.attribute_form.removeRow(0)
        self.editors = {}
        for definition in definitions:
            editor = make_editor(definition)
            editor.set_value(values.get(definition.key))
            self.editors[definition.key] = editor
            self.attribute_form.addRow(definition.label + ":", editor)
        if not definitions:
            self.attribute_form.addRow(QLabel("(none for this type)"))

    def _tag_changed(self) -> None:
        tag = self.schema.tag(self.tag.currentData())
        kept = {k: e.value() for k, e in self.editors.items()}
        self._fill_attributes(tag.attributes if tag else (), kept)

    def _show_preview(self) -> None:
        start, end = self.start.value(), self.end.value()
        shown = excerpt(self.text, start, end, 200) if end > start else "(empty: end ≤ start)"
        self.preview.setText(shown)

    def accept(self) -> None:
        if self.is_span and self.end.value() <= self.start.value():
            self.preview.setText("The end must come after the start.")
            return
        super().accept()

    def fragments(self) -> list[tuple[int, int]]:
        """The version's fragments with the outer bounds moved to the chosen start and end."""
        parts = [list(f) for f in self.version.fragments]
        parts[0][0], parts[-1][1] = self.start.value(), self.end.value()
        return [(a, b) for a, b in parts if b > a]

    def changes(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        attributes = {key: editor.value() for key, editor in self.editors.items()}
        before = dict(self.version.attributes)
        if self.is_span:
            if self.tag.currentData() != self.version.tag:
                found["tag"] = self.tag.currentData()
            fragments = self.fragments()
            if tuple(fragments) != tuple(self.version.fragments):
                found["fragments"] = fragments
        if {k: v for k, v in attributes.items() if v is not None} != before or "tag" in found:
            found["attributes"] = attributes
        if self.note.text() != self.note_before:
            found["note"] = self.note.text()
        return found
