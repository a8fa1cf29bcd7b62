"""The schema editor's forms: a tag type's or link type's fields, each saved when it is left."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import TAG_KINDS, LinkType, Schema, TagType
from annotator.gui.dialogs.colour_check import colour_warning
from annotator.gui.dialogs.common import ColorButton, CommitTextEdit, MessageBar, run_here
from annotator.gui.dialogs.schema_attributes import AttributesTable
from annotator.gui.dialogs.schema_fields import (
    KEY_EXPLANATION,
    KIND_LABELS,
    EndpointList,
    HotkeyEdit,
)
from annotator.gui.dialogs.schema_new import ANY_NOTE
from annotator.gui.panels.common import WARNING, chip_pixmap, muted_label
from annotator.gui.session import ProjectSession
from annotator.services.command import Command
from annotator.services.schema_commands import EditLinkType, EditTagType


class ItemForm(QWidget):
    """What tag and link types share: title, label, key, colour, guideline, attributes, and a
    message line for refusals. A refused edit puts the saved value back."""

    owner = "tag"
    noun = "tag type"

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.item: TagType | LinkType | None = None
        self._usage = 0
        self.chip = QLabel(self)
        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.usage = muted_label("", self)
        self.message = MessageBar(self)
        self.label = QLineEdit(self)
        self.label.setObjectName(f"{self.owner}_label")
        self.key = QLabel(self)  # read-only: keys never change once the item exists
        self.key.setObjectName(f"{self.owner}_key")
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.key.setToolTip(KEY_EXPLANATION)
        self.color = ColorButton("Colour", self)
        self.color.setObjectName(f"{self.owner}_color")
        self.color_warning = QLabel(self)
        self.color_warning.setObjectName(f"{self.owner}_color_warning")
        self.color_warning.setWordWrap(True)
        self.color_warning.setStyleSheet(f"color: {WARNING}")
        self.color_warning.hide()
        self.guideline = CommitTextEdit(6, self)
        self.guideline.setObjectName(f"{self.owner}_guideline")
        self.guideline.setPlaceholderText("When to use it, with examples (saved when you leave)")
        self.attributes = AttributesTable(session, self.message, self)
        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self.chip)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.usage)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setVerticalSpacing(8)
        self.form.addRow("Label", self.label)
        key_note = muted_label(KEY_EXPLANATION, self)
        key_note.setWordWrap(True)
        key_column = QVBoxLayout()
        key_column.setSpacing(2)
        key_column.addWidget(self.key)
        key_column.addWidget(key_note)
        self.form.addRow("Key", key_column)
        self._add_fields()
        self.form.addRow("Colour", _left(self.color))
        self.form.addRow("", self.color_warning)
        self.form.addRow("Guideline", self.guideline)
        self.form.addRow("Attributes", self.attributes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addSpacing(4)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.label.editingFinished.connect(self._label_finished)
        self.color.color_chosen.connect(lambda color: self.save(color=color))
        self.guideline.committed.connect(lambda text: self.save(guideline=text))

    def _add_fields(self) -> None:
        """Rows between the key and the colour."""

    def _edit(self, key: str, fields: dict[str, Any]) -> Command:
        raise NotImplementedError

    # -- showing -----------------------------------------------------------------------------
    def show_item(self, item: TagType | LinkType, schema: Schema, usage: int) -> None:
        """Show the saved values (a field the user is editing right now is left alone)."""
        if self.item is None or self.item.key != item.key:
            self.message.clear_message()
        self.item = item
        self.chip.setPixmap(chip_pixmap(item.color, 16, 16))
        self.title.setText(item.label)
        self.set_usage(usage)
        _set_line(self.label, item.label)
        self.key.setText(item.key)
        self.color.set_color(item.color)
        items = schema.tag_types if self.owner == "tag" else schema.link_types
        others = {other.label: other.color for other in items if other.key != item.key}
        warning = colour_warning(item.color, others, fills=self.owner == "tag")
        self.color_warning.setText(f"⚠ {warning}" if warning else "")
        self.color_warning.setVisible(bool(warning))
        self.guideline.set_committed_text(item.guideline)
        self.attributes.set_owner(self.owner, item.key, item.label, item.attributes)
        self._show_fields(item, schema)

    def _show_fields(self, item: Any, schema: Schema) -> None:
        """Fill the rows added by `_add_fields`."""

    def set_usage(self, usage: int) -> None:
        self._usage = usage
        unit = "span" if self.owner == "tag" else "link"
        used = f"used by {usage} {unit}{'' if usage == 1 else 's'}" if usage else "not used yet"
        self.usage.setText(f"{self.noun.capitalize()} · {used}")

    # -- saving ------------------------------------------------------------------------------
    def save(self, **fields: Any) -> bool:
        """Save changed fields as one undoable step; on refusal say why and show the saved
        values again."""
        if self.item is None:
            return False
        refusal = run_here(self.session, self._edit(self.item.key, fields))
        if not refusal:
            self.message.clear_message()
            return True
        self.message.refuse(refusal)
        self._restore()
        return False

    def _restore(self) -> None:
        if self.item is None:
            return
        schema = self.session.schema
        key = self.item.key
        saved = schema.tag(key) if self.owner == "tag" else schema.link_type(key)
        self.label.setModified(False)  # the refused text gives way to the saved one
        self.show_item(saved or self.item, schema, self._usage)

    def _label_finished(self) -> None:
        text = " ".join(self.label.text().split())
        if self.item is None or text == self.item.label:
            return
        if not text:
            self.message.refuse(f"a {self.noun} needs a label")
            self._restore()
            return
        if self.save(label=text):
            self.label.setModified(False)  # saved: later refreshes may show the stored text


class TagForm(ItemForm):
    owner = "tag"
    noun = "tag type"

    def _add_fields(self) -> None:
        self.kind = QComboBox(self)
        self.kind.setObjectName("tag_kind")
        self.kind.setMinimumWidth(160)
        for kind in TAG_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.kind.activated.connect(lambda _: self._kind_chosen())
        self.hotkey = HotkeyEdit(self)
        self.hotkey.setObjectName("tag_hotkey")
        self.hotkey.hotkey_entered.connect(self._hotkey_entered)
        self.form.addRow("Kind", _left(self.kind))
        hint = muted_label("Press a key to set it; Backspace for none.", self)
        self.form.addRow("Hotkey", _left(self.hotkey, hint))

    def _show_fields(self, item: TagType, schema: Schema) -> None:
        with QSignalBlocker(self.kind):
            self.kind.setCurrentIndex(max(self.kind.findData(item.kind), 0))
        self.hotkey.setText(item.hotkey or "")

    def _edit(self, key: str, fields: dict[str, Any]) -> Command:
        return EditTagType(key, **fields)

    def _kind_chosen(self) -> None:
        if self.item is not None and self.kind.currentData() != self.item.kind:
            self.save(kind=self.kind.currentData())

    def _hotkey_entered(self, text: str) -> None:
        if self.item is not None and (text or None) != self.item.hotkey:
            self.save(hotkey=text or None)


class LinkForm(ItemForm):
    owner = "link"
    noun = "link type"

    def _add_fields(self) -> None:
        self.directed = QRadioButton("Directed: from source to target", self)
        self.directed.setObjectName("link_directed")
        self.symmetric = QRadioButton("Symmetric: either way (e.g. “same as”)", self)
        self.symmetric.setObjectName("link_symmetric")
        self.direction = QButtonGroup(self)
        self.direction.addButton(self.directed)
        self.direction.addButton(self.symmetric)
        self.direction.buttonClicked.connect(self._direction_chosen)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(self.directed)
        column.addWidget(self.symmetric)
        self.form.addRow("Direction", column)
        self.sources = EndpointList(self)
        self.sources.setObjectName("link_sources")
        self.targets = EndpointList(self)
        self.targets.setObjectName("link_targets")
        self.sources.edited.connect(lambda keys: self._endpoints("sources", keys))
        self.targets.edited.connect(lambda keys: self._endpoints("targets", keys))
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.addWidget(muted_label("From (source)", self), 0, 0)
        grid.addWidget(muted_label("To (target)", self), 0, 1)
        grid.addWidget(self.sources, 1, 0)
        grid.addWidget(self.targets, 1, 1)
        grid.addWidget(muted_label(ANY_NOTE, self), 2, 0, 1, 2)
        self.form.addRow("Allowed", grid)

    def _show_fields(self, item: LinkType, schema: Schema) -> None:
        with QSignalBlocker(self.direction):
            (self.directed if item.directed else self.symmetric).setChecked(True)
        self.sources.set_tags(schema.tag_types, item.sources)
        self.targets.set_tags(schema.tag_types, item.targets)

    def _edit(self, key: str, fields: dict[str, Any]) -> Command:
        return EditLinkType(key, **fields)

    def _direction_chosen(self) -> None:
        directed = self.directed.isChecked()
        if self.item is not None and directed != self.item.directed:
            self.save(directed=directed)

    def _endpoints(self, role: str, keys: tuple[str, ...]) -> None:
        if self.item is not None and tuple(keys) != getattr(self.item, role):
            self.save(**{role: tuple(keys)})


def _set_line(edit: QLineEdit, text: str) -> None:
    """Put the saved text in a line edit unless the user is changing it right now."""
    if not (edit.hasFocus() and edit.isModified()):
        edit.setText(text)
        edit.setCursorPosition(0)


def _left(*widgets: QWidget) -> QHBoxLayout:
    """Widgets side by side at the left of a form row (not stretched to its width)."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row
