"""Retag a span from the GUI: what happens to attribute values the new tag cannot hold is
asked once (drop them, or move them to the note, with "remember my choice"), kept in the
settings and changeable from Annotate ▸ When a retag drops values."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QCheckBox, QMenu, QMessageBox, QWidget

from annotator.domain.attributes import fit_attributes
from annotator.domain.model import Span
from annotator.domain.wording import quoted
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.services.span_commands import EditSpan, link_refusal

#: The choices, as the menu and the settings name them.
CHOICES = (("ask", "Ask me"), ("drop", "Drop them"), ("note", "Move them to the note"))


def retag(session: ProjectSession, span: Span, tag_key: str, parent: QWidget | None) -> bool:
    """Retag `span` as `tag_key` in one undoable step; False if refused or cancelled."""
    tag = session.schema.tag(tag_key)
    if tag is None:
        session.message.emit("That tag is no longer in the schema")
        return False
    _, dropped = fit_attributes(tag.attributes, span.attributes)
    choice = Settings().retag_dropped
    if dropped and choice not in ("drop", "note"):
        with session.read() as read:
            refusal = link_refusal(session.project, read, span.uuid, tag_key)
        if refusal:  # say so rather than ask about values the retag would not touch
            session.error.emit(refusal)
            return False
        old = session.schema.tag(span.tag)
        names = [
            f"{d.label if (d := old and old.attribute(k)) else k} {quoted(v)}"
            for k, v in dropped.items()
        ]
        choice = ask_what_to_do(parent, ", ".join(names), tag.label)
        if choice is None:
            session.message.emit("Retag cancelled: nothing changed")
            return False
    return session.run(EditSpan(span.uuid, tag=tag_key, dropped_to_note=choice == "note"))


def ask_what_to_do(parent: QWidget | None, what: str, tag_label: str) -> str | None:
    """Ask whether values the new tag cannot hold are dropped or moved to the note: "drop",
    "note", or None (cancelled). A ticked "remember" box keeps the answer in the settings."""
    box = QMessageBox(parent)
    box.setObjectName("retag_question")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Retag")
    box.setText(f"{tag_label} has no place for {what}.")
    box.setInformativeText("Drop the value, or keep it as a line in the span's note?")
    drop = box.addButton("Drop", QMessageBox.ButtonRole.AcceptRole)
    note = box.addButton("Move to note", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(note)
    remember = QCheckBox("Remember my choice (Annotate ▸ When a retag drops values)")
    remember.setChecked(True)
    box.setCheckBox(remember)
    box.exec()
    clicked = box.clickedButton()
    choice = "drop" if clicked is drop else "note" if clicked is note else None
    if choice is not None and remember.isChecked():
        Settings().retag_dropped = choice
    return choice


class RetagChoiceMenu(QMenu):
    """Annotate ▸ When a retag drops values: ask, drop them, or move them to the note."""

    def __init__(self, parent_menu: QMenu) -> None:
        super().__init__("When a retag &drops values", parent_menu)
        self.setObjectName("retag_choice_menu")
        group = QActionGroup(self)
        self.choices: dict[str, QAction] = {}
        for key, text in CHOICES:
            action = self.addAction(text)
            action.setCheckable(True)
            action.setObjectName(f"retag_{key}")
            group.addAction(action)
            action.triggered.connect(lambda _=False, k=key: self._choose(k))
            self.choices[key] = action
        self.aboutToShow.connect(self._sync)
        self._sync()
        parent_menu.addSeparator()
        parent_menu.addMenu(self)

    def _sync(self) -> None:
        current = Settings().retag_dropped
        self.choices.get(current, self.choices["ask"]).setChecked(True)

    def _choose(self, key: str) -> None:
        Settings().retag_dropped = key
