"""Paste the clipboard as a new document: HTML through the HTML importer, plain text as text."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.dialogs.common import plain_buttons
from annotator.gui.session import ProjectSession
from annotator.io.documents.html import import_html_string
from annotator.io.documents.registry import ImportedDocument, ImportRefused
from annotator.io.documents.text import TITLE_MAX, import_text
from annotator.services.document_commands import AddDocuments

CLIPBOARD_NAME = "clipboard"


def clipboard_document(mime: QMimeData | None) -> ImportedDocument:
    """The clipboard's content as a document, or ImportRefused saying why not.

    HTML (copied from a browser or a word processor) wins over its plain-text twin, so the
    page's metadata and paragraphs come along; when the HTML holds no readable text the plain
    text is used instead."""
    html = mime.html() if mime is not None and mime.hasHtml() else ""
    text = mime.text() if mime is not None and mime.hasText() else ""
    if html.strip():
        try:
            return import_html_string(html, f"{CLIPBOARD_NAME}.html")
        except ImportRefused:
            if not text.strip():
                raise
    if not text.strip():
        raise ImportRefused(None, "the clipboard holds no text")
    return import_text(text, f"{CLIPBOARD_NAME}.txt", "utf-8")


class PasteTitleDialog(QDialog):
    """Asks for the new document's title, prefilled from its first line; OK needs a title."""

    def __init__(self, document: ImportedDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setObjectName("paste_title_dialog")
        self.setWindowTitle("Paste as new document")
        self.title_edit = QLineEdit(document.title, self)
        self.title_edit.setObjectName("paste_title")
        self.title_edit.setMaxLength(TITLE_MAX)
        self.title_edit.selectAll()
        words = len(document.text.split())
        summary = QLabel(f"{words:,} words, {len(document.text):,} characters", self)
        summary.setEnabled(False)
        self.buttons = plain_buttons(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
            )
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.title_edit.textChanged.connect(self._enable_ok)
        layout = QVBoxLayout(self)
        label = QLabel("&Title of the new document:", self)
        label.setBuddy(self.title_edit)
        layout.addWidget(label)
        layout.addWidget(self.title_edit)
        layout.addWidget(summary)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def _enable_ok(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()))

    def titled_document(self) -> ImportedDocument:
        return replace(self.document, title=" ".join(self.title_edit.text().split()))


def paste_as_document(session: ProjectSession, parent: QWidget) -> PasteTitleDialog | None:
    """Read the clipboard and open the title dialog (window-modal); OK adds the document as one
    undoable step. Returns the dialog, or None when the clipboard holds nothing to add."""
    try:
        document = clipboard_document(QApplication.clipboard().mimeData())
    except ImportRefused as refused:
        session.error.emit(f"Nothing to paste as a document: {refused.reason}")
        return None
    with session.read() as read:
        existing = read.document_by_sha256(document.sha256)
    if existing:  # adding nothing must not leave an empty step on the undo stack
        session.open_document(existing)
        session.message.emit("This text is already in the project: opened it")
        return None
    dialog = PasteTitleDialog(document, parent)
    dialog.accepted.connect(lambda: _add(session, dialog.titled_document()))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def _add(session: ProjectSession, document: ImportedDocument) -> None:
    command = AddDocuments([document])
    if session.run(command) and command.report.added:
        session.open_document(command.report.added[0])
        session.message.emit(f"Added “{document.title}” from the clipboard")
