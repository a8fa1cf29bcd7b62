"""The schema editor's attribute table (per tag or link type) and its add / edit dialog."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import AttributeDef
from annotator.domain.wording import quoted
from annotator.gui.dialogs.common import MessageBar, plain_buttons, run_here
from annotator.gui.dialogs.schema_fields import (
    DEFAULT_HINTS,
    VALUE_TYPE_LABELS,
    default_text,
    key_from_label,
    parse_default,
    split_choices,
)
from annotator.gui.panels.common import muted_label
from annotator.gui.session import ProjectSession
from annotator.services.schema_commands import AddAttribute, DeleteAttribute, EditAttribute

COLUMNS = ("Key", "Label", "Type", "Choices", "Required", "Default")
CHOICE_TYPES = ("choice", "multi_choice")


class AttributeDialog(QDialog):
    """Add (`existing` None) or edit one attribute definition. OK saves it as one undoable
    step; a refusal is shown in the dialog, which stays open."""

    def __init__(
        self,
        session: ProjectSession,
        owner: str,
        owner_key: str,
        owner_label: str,
        existing: AttributeDef | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attribute_dialog")
        self.session, self.owner, self.owner_key, self.existing = (
            session,
            owner,
            owner_key,
            existing,
        )
        adding = existing is None
        self.setWindowTitle(
            f"New attribute of {owner_label}" if adding else f"Attribute of {owner_label}"
        )
        self.label = QLineEdit(self)
        self.label.setObjectName("attribute_label")
        self.key = QLineEdit(self)
        self.key.setObjectName("attribute_key")
        self.value_type = QComboBox(self)
        self.value_type.setObjectName("attribute_type")
        for value_type, text in VALUE_TYPE_LABELS.items():
            self.value_type.addItem(text, value_type)
        self.choices = QLineEdit(self)
        self.choices.setObjectName("attribute_choices")
        self.choices.setPlaceholderText("e.g. person, organisation, state")
        self.required = QCheckBox("Required (flagged while missing, never blocking)", self)
        self.required.setObjectName("attribute_required")
        self.default = QLineEdit(self)
        self.default.setObjectName("attribute_default")
        self.guideline = QPlainTextEdit(self)
        self.guideline.setTabChangesFocus(True)
        self.guideline.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.message = MessageBar(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add" if adding else "Save")
        plain_buttons(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Label", self.label)
        form.addRow("Key", self.key)
        key_note = "Letters, digits, _ or -; fixed once created." if adding else ""
        if key_note:
            form.addRow("", muted_label(key_note, self))
        form.addRow("Type", self.value_type)
        if not adding:
            form.addRow("", muted_label("The type cannot change once created.", self))
        form.addRow("Choices", self.choices)
        form.addRow("", self.required)
        form.addRow("Default", self.default)
        form.addRow("Guideline", self.guideline)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._key_follows_label = adding
        if existing is not None:
            self.label.setText(existing.label)
            self.key.setText(existing.key)
            self.key.setReadOnly(True)
            self.key.setEnabled(False)  # shown muted: a key never changes
            self.value_type.setCurrentIndex(self.value_type.findData(existing.value_type))
            self.value_type.setEnabled(False)
            self.choices.setText(", ".join(existing.choices))
            self.required.setChecked(existing.required)
            self.default.setText(default_text(existing.default))
            self.guideline.setPlainText(existing.guideline)
        self.label.textEdited.connect(self._label_edited)
        self.key.textEdited.connect(self._key_edited)
        self.value_type.currentIndexChanged.connect(self._type_changed)
        self._type_changed()
        self.setMinimumWidth(460)

    def _label_edited(self, text: str) -> None:
        if self._key_follows_label:
            self.key.setText(key_from_label(text))

    def _key_edited(self) -> None:
        self._key_follows_label = False

    def _type_changed(self) -> None:
        value_type = self.value_type.currentData()
        self.choices.setEnabled(value_type in CHOICE_TYPES)
        self.default.setPlaceholderText(f"none ({DEFAULT_HINTS[value_type]})")

    def values(self) -> dict[str, Any]:
        """The form's fields as the attribute commands take them (ValueError if unreadable)."""
        value_type = self.value_type.currentData()
        return {
            "label": self.label.text().strip(),
            "choices": split_choices(self.choices.text()) if value_type in CHOICE_TYPES else (),
            "required": self.required.isChecked(),
            "default": parse_default(value_type, self.default.text()),
            "guideline": self.guideline.toPlainText().strip(),
        }

    def accept(self) -> None:
        try:
            values = self.values()
        except ValueError as error:
            self.message.refuse(str(error))
            return
        if not values["label"]:
            self.message.refuse("an attribute needs a label")
            return
        if self.existing is None:
            command = AddAttribute(
                self.owner,
                self.owner_key,
                self.key.text().strip(),
                values.pop("label"),
                self.value_type.currentData(),
                **values,
            )
        else:
            changed = {
                name: value
                for name, value in values.items()
                if value != getattr(self.existing, name)
            }
            if not changed:
                super().accept()
                return
            command = EditAttribute(self.owner, self.owner_key, self.existing.key, **changed)
        refusal = run_here(self.session, command)
        if refusal:
            self.message.refuse(refusal)
            return
        super().accept()


class AttributesTable(QWidget):
    """The attributes of one tag or link type, with Add / Edit / Delete."""

    def __init__(
        self, session: ProjectSession, messages: MessageBar, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.messages = session, messages
        self.owner, self.owner_key, self.owner_label = "tag", "", ""
        self.attributes: tuple[AttributeDef, ...] = ()
        self.dialog: AttributeDialog | None = None
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("attributes_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.add_button = QPushButton("Add attribute…", self)
        self.edit_button = QPushButton("Edit…", self)
        self.delete_button = QPushButton("Delete", self)
        self.add_button.clicked.connect(lambda: self.open_dialog(None))
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.table.itemDoubleClicked.connect(self.edit_current)
        self.table.itemSelectionChanged.connect(self._enable)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.add_button, self.edit_button, self.delete_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def set_owner(
        self, owner: str, key: str, label: str, attributes: tuple[AttributeDef, ...]
    ) -> None:
        selected = self.current()
        self.owner, self.owner_key, self.owner_label = owner, key, label
        self.attributes = attributes
        self.table.setRowCount(len(attributes))
        for row, a in enumerate(attributes):
            cells = (
                a.key,
                a.label,
                VALUE_TYPE_LABELS.get(a.value_type, a.value_type),
                ", ".join(a.choices),
                "yes" if a.required else "",
                default_text(a.default),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(a.guideline if column < 2 else text)
                self.table.setItem(row, column, item)
            if selected is not None and a.key == selected.key:
                self.table.selectRow(row)
        rows = max(len(attributes), 2)
        height = self.table.horizontalHeader().sizeHint().height()
        height += rows * self.table.verticalHeader().defaultSectionSize() + 4
        self.table.setFixedHeight(min(height, 260))
        self._enable()

    def current(self) -> AttributeDef | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.attributes):
            return None
        return self.attributes[rows[0].row()]

    def select(self, key: str) -> None:
        for row, attribute in enumerate(self.attributes):
            if attribute.key == key:
                self.table.selectRow(row)

    def _enable(self) -> None:
        chosen = self.current() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def open_dialog(self, existing: AttributeDef | None) -> AttributeDialog:
        """Open the add / edit dialog (window-modal, not blocking) and return it."""
        self.dialog = AttributeDialog(
            self.session, self.owner, self.owner_key, self.owner_label, existing, self
        )
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.accepted.connect(self.messages.clear_message)
        self.dialog.open()
        return self.dialog

    def edit_current(self) -> None:
        attribute = self.current()
        if attribute is not None:
            self.open_dialog(attribute)

    def delete_current(self) -> None:
        attribute = self.current()
        if attribute is None:
            return
        refusal = run_here(self.session, DeleteAttribute(self.owner, self.owner_key, attribute.key))
        if refusal:
            self.messages.refuse(refusal)
        else:
            self.messages.inform(
                f"Deleted the attribute {quoted(attribute.label)} and its values "
                "(Undo brings them back)."
            )
