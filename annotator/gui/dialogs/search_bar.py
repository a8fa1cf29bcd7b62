"""The in-document search bar: incremental regex search over the text, in code points."""

from __future__ import annotations

import re
from bisect import bisect_left

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QHideEvent, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from annotator.gui.panels.common import WARNING, muted_label

MAX_HITS = 10_000


def find_hits(
    text: str, query: str, *, case_sensitive: bool = False, whole_word: bool = False
) -> tuple[list[tuple[int, int]], bool]:
    """(start, end) code-point offsets of `query` in `text`, left to right, non-overlapping;
    the flag is True when the list stopped at MAX_HITS. A whole word has no letter, digit or
    underscore right before or after it (so "-war" and "war." work too)."""
    if not query:
        return [], False
    pattern = re.escape(query)
    if whole_word:
        pattern = rf"(?<!\w){pattern}(?!\w)"
    flags = 0 if case_sensitive else re.IGNORECASE
    hits: list[tuple[int, int]] = []
    for match in re.finditer(pattern, text, flags):
        if len(hits) == MAX_HITS:
            return hits, True
        hits.append(match.span())
    return hits, False


class SearchBar(QWidget):
    """Emits `hits_changed(hits, current)` and `current_hit(start, end)` (code points) for the
    reading pane; hidden, it emits no hits (and clears them once when it hides).

    Keys: Enter / F3 next, Shift+Enter / Shift+F3 previous (wrapping), Esc hides.
    F3 works anywhere in the window while the bar is shown."""

    hits_changed = Signal(list, int)
    current_hit = Signal(int, int)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("search_bar")
        self._text = ""
        self._hits: list[tuple[int, int]] = []
        self._current = -1
        self._capped = False
        self._anchor = 0
        self.edit = QLineEdit(self)
        self.edit.setObjectName("search_edit")
        self.edit.setPlaceholderText("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(260)
        self.edit.setMaximumWidth(460)
        self.count = muted_label("", self)
        self.count.setObjectName("search_count")
        self.count.setMinimumWidth(110)
        self.previous_button = self._button("↑", "Previous match (Shift+Enter, Shift+F3)")
        self.next_button = self._button("↓", "Next match (Enter, F3)")
        self.case_button = self._button("Aa", "Match case", checkable=True)
        self.word_button = self._button("W", "Whole words only", checkable=True)
        self.close_button = self._button("✕", "Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(4)
        layout.addWidget(QLabel("Find:", self))
        layout.addWidget(self.edit)
        layout.addWidget(self.count)
        for button in (self.previous_button, self.next_button):
            layout.addWidget(button)
        layout.addSpacing(8)
        layout.addWidget(self.case_button)
        layout.addWidget(self.word_button)
        layout.addStretch(1)
        layout.addWidget(self.close_button)
        self.edit.textChanged.connect(self._research)
        self.case_button.toggled.connect(self._research)
        self.word_button.toggled.connect(self._research)
        self.next_button.clicked.connect(self.find_next)
        self.previous_button.clicked.connect(self.find_previous)
        self.close_button.clicked.connect(self.hide)
        self.setFocusProxy(self.edit)
        for keys, slot in (("F3", self.find_next), ("Shift+F3", self.find_previous)):
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    def _button(self, text: str, tip: str, *, checkable: bool = False) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(checkable)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button

    # -- public ------------------------------------------------------------------------------
    def set_text(self, text: str) -> None:
        """The document text to search (a new document starts from its beginning)."""
        if text != self._text:
            self._text, self._anchor, self._current = text, 0, -1
            self._research()

    def set_query(self, query: str) -> None:
        self.edit.setText(query)

    def hits(self) -> list[tuple[int, int]]:
        return list(self._hits)

    def current_index(self) -> int:
        return self._current

    def find_next(self) -> None:
        self._step(1)

    def find_previous(self) -> None:
        self._step(-1)

    # -- searching ---------------------------------------------------------------------------
    def _research(self) -> None:
        self._hits, self._capped = find_hits(
            self._text,
            self.edit.text(),
            case_sensitive=self.case_button.isChecked(),
            whole_word=self.word_button.isChecked(),
        )
        if self._hits:
            # the first hit at or after where the user was, so typing narrows in place
            starts = [start for start, _ in self._hits]
            self._current = bisect_left(starts, self._anchor) % len(self._hits)
        else:
            self._current = -1
        self._publish()

    def _step(self, delta: int) -> None:
        if not self._hits:
            return
        self._current = (self._current + delta) % len(self._hits)
        self._anchor = self._hits[self._current][0]
        self._publish()

    def _publish(self) -> None:
        self._show_count()
        if self.isHidden():
            return
        self.hits_changed.emit(list(self._hits), self._current)
        if self._current >= 0:
            self.current_hit.emit(*self._hits[self._current])

    def _show_count(self) -> None:
        query, total = self.edit.text(), len(self._hits)
        self.count.setStyleSheet(f"color: {WARNING};" if query and not total else "")
        if not query:
            text, tip = "", ""
        elif not total:
            text, tip = "No matches", ""
        elif self._capped:
            text = f"{self._current + 1:,} of {MAX_HITS:,}+"
            tip = f"Only the first {MAX_HITS:,} matches are marked; refine the search to see more."
        else:
            text, tip = f"{self._current + 1:,} of {total:,}", ""
        self.count.setText(text)
        self.count.setToolTip(tip)

    # -- keys and visibility -----------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F3):
            self._step(-1 if shift else 1)
        elif key == Qt.Key.Key_Escape:
            self.hide()
        else:
            super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.edit.selectAll()
        if self._hits:
            self._publish()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if not event.spontaneous():
            self.hits_changed.emit([], -1)
            self.closed.emit()
