"""Document properties: edit title, author, outlet, URL, date and language (the text never)."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.errors import AnnotatorError
from annotator.gui.dialogs.common import MessageBar, plain_buttons, run_here
from annotator.gui.session import ProjectSession
from annotator.services.document_commands import METADATA_FIELDS, EditDocumentMetadata

LABELS = {
    "title": "&Title",
    "author": "&Author",
    "outlet": "&Outlet",
    "url": "&URL",
    "published": "&Published",
    "language": "&Language",
}
PLACEHOLDERS = {
    "outlet": "Newspaper, site or agency",
    "url": "https://…",
    "published": "YYYY-MM-DD",
    "language": "en, ru, de, …",
}


class DocumentPropertiesDialog(QDialog):
    """Edits one document's metadata as one undoable step (EditDocumentMetadata).

    Only the fields the user changed are written, so undo restores exactly those. A refusal
    (an empty title, a date that is not YYYY-MM-DD) is shown under the form and the dialog
    stays open. The source file, encoding, length and hash are shown but cannot be changed,
    and neither can the text: offsets of every annotation depend on it."""

    def __init__(self, session: ProjectSession, uuid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.uuid = session, uuid
        with session.read() as read:
            self.info = read.document_info(uuid)
        self.setObjectName("document_properties")
        self.setWindowTitle(f"Properties — {self.info.title}")
        self.setMinimumWidth(520)
        self.edits: dict[str, QLineEdit] = {}

        form = QFormLayout()
        for name in METADATA_FIELDS:
            edit = QLineEdit(str(getattr(self.info, name)), self)
            edit.setObjectName(f"field_{name}")
            edit.setPlaceholderText(PLACEHOLDERS.get(name, ""))
            edit.setClearButtonEnabled(name != "title")
            self.edits[name] = edit
            label = QLabel(LABELS[name], self)
            label.setBuddy(edit)
            form.addRow(label, edit)
        self.edits["published"].setValidator(  # typing stays free; acceptance checks the date
            QRegularExpressionValidator(QRegularExpression(r"\d{0,4}(-\d{0,2}(-\d{0,2})?)?"), self)
        )
        self.edits["published"].setMaxLength(10)
        self.edits["language"].setMaxLength(35)  # a BCP 47 tag at most

        facts = QFormLayout()
        for label, value in (
            ("Source file", self.info.source_filename or "—"),
            ("Encoding", self.info.source_encoding or "—"),
            ("Characters", f"{self.info.length:,}"),
            ("Imported", self.info.imported[:19].replace("T", " ") or "—"),
            ("SHA-256", self.info.sha256),
        ):
            fact = QLabel(value, self)
            fact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            fact.setObjectName(f"fact_{label.lower().replace(' ', '_').replace('-', '')}")
            facts.addRow(f"{label}:", fact)
        note = QLabel("The text itself cannot be changed: annotations point into it.", self)
        note.setWordWrap(True)
        note.setEnabled(False)

        self.message = MessageBar(self)
        buttons = plain_buttons(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
            )
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addLayout(facts)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.edits["title"].setFocus()

    def changed_fields(self) -> dict[str, str]:
        """The fields whose (trimmed) value differs from what is stored."""
        values = {name: edit.text().strip() for name, edit in self.edits.items()}
        return {k: v for k, v in values.items() if v != str(getattr(self.info, k))}

    def accept(self) -> None:
        changed = self.changed_fields()
        if changed:
            try:
                command = EditDocumentMetadata(self.uuid, **changed)
            except AnnotatorError as error:  # refused before it ran: shown like a refusal
                self.message.refuse(str(error))
                return
            refusal = run_here(self.session, command)
            if refusal:
                self.message.refuse(refusal)
                return
        super().accept()
