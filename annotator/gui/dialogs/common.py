"""Shared by the dialogs: commands with refusals shown in place, message bar, colour button."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QColorDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from annotator.gui.panels.common import WARNING, dot_icon
from annotator.gui.session import ProjectSession
from annotator.services.command import Command


def run_here(session: ProjectSession, command: Command) -> str:
    """Run `command` through `session.run` (saved and undoable); "" when done, else the refusal.

    The caller shows the refusal beside the control the user touched, so it is not broadcast
    on `session.error` as well (the main window would otherwise show it a second time)."""
    outcome = session.run(command, report=False)
    return "" if outcome is True else outcome.reason or "The change was refused."


def swatch_icon(color: str) -> QIcon:
    """A colour dot that keeps its colour when its row is selected."""
    pixmap = dot_icon(color).pixmap(16, 16)
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon


def plain_buttons(box: QDialogButtonBox) -> QDialogButtonBox:
    """Dialog buttons as words only (some platform themes add icons to OK and Cancel)."""
    for button in box.buttons():
        button.setIcon(QIcon())
    return box


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class MessageBar(QLabel):
    """A one-to-few-line note under a form: a refusal (warning colour) or a quiet confirmation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_bar")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def refuse(self, text: str) -> None:
        self.setStyleSheet(f"color: {WARNING};")
        self._show(f"⚠ {capitalised(text)}")

    def inform(self, text: str) -> None:
        self.setStyleSheet("")
        self._show(capitalised(text))

    def clear_message(self) -> None:
        self.clear()
        self.hide()

    def _show(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(text if len(text) > 200 else "")
        self.show()


class ColorButton(QPushButton):
    """A swatch and its #rrggbb; a click opens the colour picker and emits `color_chosen`."""

    color_chosen = Signal(str)

    def __init__(self, title: str = "Choose a colour", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self._color = title, "#808080"
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clicked.connect(self._pick)

    def color(self) -> str:
        return self._color

    def set_color(self, color: str) -> None:
        self._color = color
        self.setIcon(dot_icon(color, 14, 16))
        self.setText(f" {color.upper()}")

    def _pick(self) -> None:
        chosen = QColorDialog.getColor(QColor(self._color), self, self.title)
        if chosen.isValid() and chosen.name().lower() != self._color.lower():
            self.set_color(chosen.name())
            self.color_chosen.emit(chosen.name())


class CommitTextEdit(QPlainTextEdit):
    """A multi-line box that emits `committed(text)` when it loses focus or on Ctrl+Enter,
    only if the text differs from what `set_committed_text` last put there."""

    committed = Signal(str)

    def __init__(self, lines: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._saved = ""
        self.setTabChangesFocus(True)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)

    def set_committed_text(self, text: str) -> None:
        """Show `text` as saved, unless the user is in the middle of changing it."""
        editing = self.hasFocus() and self.toPlainText() != self._saved
        self._saved = text
        if not editing:
            with QSignalBlocker(self):
                self.setPlainText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._commit()
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._commit()

    def _commit(self) -> None:
        text = self.toPlainText()
        if text != self._saved:
            self._saved = text
            self.committed.emit(text)
