"""The schema editor's "Add tag type…" and "Add link type…" dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import TAG_KINDS
from annotator.gui.dialogs.common import ColorButton, MessageBar, plain_buttons, run_here
from annotator.gui.dialogs.schema_fields import (
    KIND_LABELS,
    EndpointList,
    HotkeyEdit,
    free_hotkey,
    key_from_label,
    unused_color,
)
from annotator.gui.panels.common import muted_label
from annotator.gui.session import ProjectSession
from annotator.services.command import Command
from annotator.services.schema_commands import AddLinkType, AddTagType

ANY_NOTE = "Tick none to allow any tag type."


class _NewItemDialog(QDialog):
    """Label (the key follows it until edited), key and colour; OK adds the item as one
    undoable step, or shows why not and stays open. `created` is the new key."""

    noun = "item"

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.created = ""
        self.setWindowTitle(f"New {self.noun}")
        self.label = QLineEdit(self)
        self.label.setObjectName("new_label")
        self.key = QLineEdit(self)
        self.key.setObjectName("new_key")
        self.color = ColorButton(f"Colour of the new {self.noun}", self)
        self.color.set_color(unused_color(session.schema))
        self.message = MessageBar(self)
        self.form = QFormLayout()
        self.form.addRow("Label", self.label)
        self.form.addRow("Key", self.key)
        key_note = muted_label("Letters, digits, _ or -. The key cannot change later.", self)
        self.form.addRow("", key_note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(f"Add {self.noun}")
        plain_buttons(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._add_fields()
        colour_row = QHBoxLayout()
        colour_row.addWidget(self.color)
        colour_row.addStretch(1)
        self.form.addRow("Colour", colour_row)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._key_follows_label = True
        self.label.textEdited.connect(self._label_edited)
        self.key.textEdited.connect(self._key_edited)
        self.label.textChanged.connect(self._enable)
        self.key.textChanged.connect(self._enable)
        self._enable()
        self.setMinimumWidth(440)

    def _add_fields(self) -> None:
        """Rows between the key and the colour."""

    def _command(self) -> Command:
        raise NotImplementedError

    def _label_edited(self, text: str) -> None:
        if self._key_follows_label:
            self.key.setText(key_from_label(text))

    def _key_edited(self) -> None:
        self._key_follows_label = False

    def _enable(self) -> None:
        self.ok.setEnabled(bool(self.label.text().strip() and self.key.text().strip()))

    def accept(self) -> None:
        if not self.ok.isEnabled():
            return
        refusal = run_here(self.session, self._command())
        if refusal:
            self.message.refuse(refusal)
            return
        self.created = self.key.text().strip()
        super().accept()


class NewTagTypeDialog(_NewItemDialog):
    noun = "tag type"

    def _add_fields(self) -> None:
        self.kind = QComboBox(self)
        self.kind.setObjectName("new_kind")
        for kind in TAG_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.kind.setCurrentIndex(self.kind.findData("custom"))
        self.hotkey = HotkeyEdit(self)
        self.hotkey.setObjectName("new_hotkey")
        self.hotkey.setText(free_hotkey(self.session.schema))
        self.form.addRow("Kind", self.kind)
        hotkey_row = QHBoxLayout()
        hotkey_row.addWidget(self.hotkey)
        hotkey_row.addWidget(muted_label("Press a key; Backspace for none.", self), 1)
        self.form.addRow("Hotkey", hotkey_row)

    def _command(self) -> Command:
        return AddTagType(
            self.key.text().strip(),
            self.label.text().strip(),
            self.kind.currentData(),
            self.color.color(),
            hotkey=self.hotkey.text() or None,
        )


class NewLinkTypeDialog(_NewItemDialog):
    noun = "link type"

    def _add_fields(self) -> None:
        self.directed = QRadioButton("Directed: from source to target", self)
        self.directed.setObjectName("new_directed")
        self.symmetric = QRadioButton("Symmetric: either way", self)
        self.symmetric.setObjectName("new_symmetric")
        self.directed.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.directed)
        group.addButton(self.symmetric)
        direction = QVBoxLayout()
        direction.setSpacing(2)
        direction.addWidget(self.directed)
        direction.addWidget(self.symmetric)
        self.form.addRow("Direction", direction)
        tags = self.session.schema.tag_types
        self.sources = EndpointList(self)
        self.sources.setObjectName("new_sources")
        self.sources.set_tags(tags, ())
        self.targets = EndpointList(self)
        self.targets.setObjectName("new_targets")
        self.targets.set_tags(tags, ())
        self.form.addRow("From", self.sources)
        self.form.addRow("To", self.targets)
        self.form.addRow("", muted_label(ANY_NOTE, self))

    def _command(self) -> Command:
        return AddLinkType(
            self.key.text().strip(),
            self.label.text().strip(),
            self.color.color(),
            directed=self.directed.isChecked(),
            sources=self.sources.checked(),
            targets=self.targets.checked(),
        )
