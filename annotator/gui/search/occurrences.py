"""The Occurrences panel: suggestions from "annotate all occurrences", reviewed by keyboard.

Keys in the list: A accepts the current suggestion, R or Delete rejects it, J/K (or the arrows)
move, Enter shows it in the reading pane. "Accept all" tags every remaining suggestion. Each
accept is one undo step; "Accept all" is one undo step for the whole batch (a Compound
command). Suggestions are drawn in the reading pane with a dashed outline in the tag's colour.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import Span
from annotator.errors import AnnotatorError
from annotator.gui.panels.common import muted_label
from annotator.gui.search.kwic import KWIC_ROLE, KwicDelegate, kwic_plain
from annotator.gui.session import ProjectSession
from annotator.services.occurrences import Suggestion, Template, accept, suggest, template_of

_INDEX_ROLE = Qt.ItemDataRole.UserRole + 22


class _SuggestionList(QTreeWidget):
    """Review keys (see the module docstring) turned into the panel's slots."""

    def __init__(self, panel: OccurrencesPanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, panel = event.key(), self._panel
        actions = {
            Qt.Key.Key_A: panel.accept_current,
            Qt.Key.Key_R: panel.reject_current,
            Qt.Key.Key_Delete: panel.reject_current,
            Qt.Key.Key_Backspace: panel.reject_current,
            Qt.Key.Key_J: lambda: panel.move(1),
            Qt.Key.Key_K: lambda: panel.move(-1),
            Qt.Key.Key_Return: panel.jump_current,
            Qt.Key.Key_Enter: panel.jump_current,
        }
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in actions and modifiers == Qt.KeyboardModifier.NoModifier:
            actions[key]()
            return
        super().keyPressEvent(event)


class OccurrencesPanel(QWidget):
    """Emits `jump_requested(document, start, end)` and `ranges_changed()` (the reading pane
    redraws the suggestions of its document: `ranges_for(document)`, `color`)."""

    jump_requested = Signal(str, int, int)
    ranges_changed = Signal()

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("occurrences_panel")
        self.session = session
        self.template: Template | None = None
        self.color: str | None = None
        self._suggestions: list[Suggestion] = []
        self.source = QLabel("Select a span and press Ctrl+Shift+O", self)
        self.source.setWordWrap(True)
        self.case = QCheckBox("Match case", self)
        self.case.setChecked(True)
        self.words = QCheckBox("Whole words", self)
        self.words.setChecked(True)
        self.scope = QComboBox(self)
        self.scope.addItem("This document", "document")
        self.scope.addItem("Whole project", "project")
        self.count = muted_label("", self)
        self.list = _SuggestionList(self)
        self.list.setObjectName("suggestion_list")
        self.list.setHeaderHidden(True)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setItemDelegate(KwicDelegate(self.list))
        self.accept_button = QPushButton("&Accept (A)", self)
        self.reject_button = QPushButton("&Reject (R)", self)
        self.accept_all_button = QPushButton("Accept a&ll", self)
        options = QHBoxLayout()
        for widget in (self.case, self.words, self.scope):
            options.addWidget(widget)
        options.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.accept_button, self.reject_button, self.accept_all_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.source)
        layout.addLayout(options)
        layout.addWidget(self.count)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.list)
        for box in (self.case, self.words):
            box.toggled.connect(self.refresh)
        self.scope.currentIndexChanged.connect(self.refresh)
        self.accept_button.clicked.connect(self.accept_current)
        self.reject_button.clicked.connect(self.reject_current)
        self.accept_all_button.clicked.connect(self.accept_all)
        self.list.itemDoubleClicked.connect(lambda *_: self.jump_current())
        self.list.currentItemChanged.connect(lambda *_: self._follow())
        self._update_buttons()

    # -- starting ----------------------------------------------------------------------------
    def start_from_span(self, span: Span) -> None:
        """Suggest the other occurrences of a span's text (and its entity's names)."""
        try:
            template = template_of(self.session.project, span)
        except AnnotatorError as error:
            self.session.error.emit(str(error))
            return
        self.start(template)

    def start(self, template: Template) -> None:
        self.template = template
        tag = self.session.schema.tag(template.tag)
        self.color = tag.color if tag else None
        names = ", ".join(f"“{n}”" for n in template.needles)
        self.source.setText(f"{tag.label if tag else template.tag}: {names}")
        self.refresh()
        self.list.setFocus()

    def refresh(self) -> None:
        """Find the suggestions again with the current options."""
        if self.template is None:
            return
        try:
            found = suggest(
                self.session.project,
                self.template,
                scope=self.scope.currentData(),
                document=self.session.current_document or None,
                case_sensitive=self.case.isChecked(),
                whole_word=self.words.isChecked(),
            )
        except AnnotatorError as error:
            self.session.error.emit(str(error))
            found = []
        self._suggestions = found
        self._fill()

    def _fill(self, current: int = 0) -> None:
        self.list.clear()
        for index, s in enumerate(self._suggestions):
            line = f"{s.title} · {kwic_plain(s.before, s.match, s.after)}"
            item = QTreeWidgetItem(self.list, [line])
            item.setToolTip(0, line)  # the whole line, where the column shows part of it
            item.setData(0, KWIC_ROLE, (s.before, s.match, s.after, f"{s.title} · "))
            item.setData(0, _INDEX_ROLE, index)
        if self._suggestions:
            self.list.setCurrentItem(
                self.list.topLevelItem(min(current, len(self._suggestions) - 1))
            )
        total = len(self._suggestions)
        self.count.setText(
            f"{total} suggestion{'' if total == 1 else 's'}" if total else "No suggestions left"
        )
        self._update_buttons()
        self.ranges_changed.emit()

    def _update_buttons(self) -> None:
        has = bool(self._suggestions)
        for button in (self.accept_button, self.reject_button, self.accept_all_button):
            button.setEnabled(has)

    # -- reviewing ---------------------------------------------------------------------------
    def suggestions(self) -> list[Suggestion]:
        return list(self._suggestions)

    def ranges_for(self, document: str) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self._suggestions if s.document == document]

    def _current_index(self) -> int:
        item = self.list.currentItem()
        return -1 if item is None else self.list.indexOfTopLevelItem(item)

    def move(self, delta: int) -> None:
        if self._suggestions:
            row = max(0, min(len(self._suggestions) - 1, self._current_index() + delta))
            self.list.setCurrentItem(self.list.topLevelItem(row))

    def accept_current(self) -> None:
        """Tag the current suggestion (one undo step)."""
        row = self._current_index()
        if row < 0 or self.template is None:
            return
        if self.session.run(accept(self.template, [self._suggestions[row]])):
            del self._suggestions[row]
            self._fill(row)

    def reject_current(self) -> None:
        """Drop the current suggestion (nothing is written)."""
        row = self._current_index()
        if row >= 0:
            del self._suggestions[row]
            self._fill(row)

    def accept_all(self) -> None:
        """Tag every remaining suggestion as one undo step."""
        if (
            self._suggestions
            and self.template is not None
            and self.session.run(accept(self.template, self._suggestions))
        ):
            self._suggestions = []
            self._fill()

    def jump_current(self) -> None:
        row = self._current_index()
        if row >= 0:
            s = self._suggestions[row]
            self.jump_requested.emit(s.document, s.start, s.end)

    def _follow(self) -> None:
        """Keep the current suggestion in view when it is in the document being read."""
        row = self._current_index()
        if row >= 0 and self._suggestions[row].document == self.session.current_document:
            self.jump_current()
