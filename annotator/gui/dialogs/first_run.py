"""Who is annotating: asked on first run and from "Change annotator…"."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.dialogs.common import plain_buttons
from annotator.gui.panels.common import muted_label

EXPLANATION = (
    "Every span and link you make records who made it, so that a team can compare, merge and "
    "adjudicate its work. Use your name or initials — the same one on every computer you use."
)


class AnnotatorNameDialog(QDialog):
    """The name box with OK disabled while it is empty (spaces do not count)."""

    def __init__(self, parent: QWidget | None, current: str, *, first_run: bool) -> None:
        super().__init__(parent)
        self.setObjectName("annotator_name_dialog")
        self.setWindowTitle("Welcome to Annotator" if first_run else "Change annotator")
        heading = QLabel("<b>Who is annotating?</b>", self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        heading.setFont(font)
        explanation = QLabel(EXPLANATION, self)
        explanation.setWordWrap(True)
        self.edit = QLineEdit(current, self)
        self.edit.setObjectName("annotator_name")
        self.edit.setPlaceholderText("Your name or initials")
        self.edit.selectAll()
        later = "You can change it later in Help ▸ Change annotator…"
        note = muted_label(
            later if first_run else "Work you have already done keeps its annotator.", self
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Start annotating" if first_run else "Change")
        plain_buttons(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(explanation)
        layout.addSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(note)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        self.edit.textChanged.connect(self._enable)
        self._enable()
        self.setMinimumWidth(440)

    def name(self) -> str:
        return " ".join(self.edit.text().split())

    def _enable(self) -> None:
        self.ok.setEnabled(bool(self.name()))

    def accept(self) -> None:
        if self.name():
            super().accept()


def ask_annotator_name(parent: QWidget | None, current: str) -> str | None:
    """The annotator's name (whitespace tidied), or None when cancelled. A window-less first
    run passes parent None; from "Change annotator…" it is the main window."""
    dialog = AnnotatorNameDialog(parent, current, first_run=parent is None)
    try:
        return dialog.name() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
