"""Editors for attribute values, one per value type; each reports a finished edit once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import AttributeDef
from annotator.gui.panels.common import WARNING, QuietComboBox, shrinkable
from annotator.gui.panels.optional_inputs import (
    NO_DATE,
    NOT_SET,
    OptionalDateEdit,
    OptionalSpinBox,
    TriStateBox,
)

CLEAR_WIDTH = 22


class AttributeEditor(QWidget):
    """Shows one attribute's value. `committed(value)` fires when the user finishes an edit
    that changed the value (None clears it); `set_value` never fires it."""

    committed = Signal(object)

    def __init__(self, definition: AttributeDef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.definition = definition
        self._stored: Any = None
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(4)
        self.hint = QLabel("Required", self)
        self.hint.setStyleSheet(f"color: {WARNING};")
        self.hint.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self.row)
        layout.addWidget(self.hint)
        if definition.guideline:
            self.setToolTip(definition.guideline)

    def set_value(self, value: Any) -> None:
        """Show a stored value (also after a refused edit, to put the stored one back)."""
        self._stored = value
        self._show(value)
        self._update_hint(value)

    def _update_hint(self, value: Any) -> None:
        self.hint.setVisible(self.definition.required and value in (None, "", []))

    def value(self) -> Any:
        raise NotImplementedError

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def is_editing(self) -> bool:
        """True while the keyboard focus is inside this editor (a refresh must wait)."""
        focus = QApplication.focusWidget()
        return focus is not None and (focus is self or self.isAncestorOf(focus))

    def commit(self) -> None:
        value = self.value()
        if value != self._stored:
            self._stored = value
            self._update_hint(value)
            self.committed.emit(value)

    def _add_field(self, field: QWidget, clear: Any = None) -> None:
        """Lay out the editing widget and, in a column of its own so that every field ends at
        the same place, a clear button (or the room for one)."""
        self.row.addWidget(field, 1)
        self.setFocusProxy(field)
        button = QToolButton(self)
        button.setText("×")
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setFixedWidth(CLEAR_WIDTH)
        if clear is None:
            button.setEnabled(False)
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            button.setSizePolicy(policy)
            button.hide()
        else:
            button.setObjectName("clear")
            button.setToolTip(f"Clear {self.definition.label}")
            button.clicked.connect(clear)
        self.row.addWidget(button)


class ChoiceEditor(AttributeEditor):
    def __init__(self, definition: AttributeDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.combo = QuietComboBox(self, shrink=True)
        self.combo.addItem("", "")
        for choice in definition.choices:
            self.combo.addItem(choice, choice)
        self.combo.activated.connect(self.commit)
        self._add_field(self.combo)

    def value(self) -> Any:
        return self.combo.currentData() or None

    def _show(self, value: Any) -> None:
        self.combo.select_data(value if isinstance(value, str) else "")


class MultiChoiceEditor(AttributeEditor):
    def __init__(self, definition: AttributeDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.list = QListWidget(self)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for choice in definition.choices:
            item = QListWidgetItem(choice, self.list)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        rows = min(max(len(definition.choices), 1), 6)
        row_height = self.list.sizeHintForRow(0) if definition.choices else 20
        self.list.setFixedHeight(rows * row_height + 2 * self.list.frameWidth() + 2)
        self.list.itemChanged.connect(self._on_item)
        self._showing = False
        self._add_field(self.list)

    def _on_item(self, _item: QListWidgetItem) -> None:
        if not self._showing:
            self.commit()

    def value(self) -> Any:
        checked = [
            self.list.item(i).text()
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]
        return checked or None

    def _show(self, value: Any) -> None:
        chosen = set(value) if isinstance(value, list) else set()
        self._showing = True
        for i in range(self.list.count()):
            item = self.list.item(i)
            state = Qt.CheckState.Checked if item.text() in chosen else Qt.CheckState.Unchecked
            item.setCheckState(state)
        self._showing = False


class TextEditor(AttributeEditor):
    def __init__(self, definition: AttributeDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.edit = QLineEdit(self)
        shrinkable(self.edit)
        self.edit.setPlaceholderText(NOT_SET)
        self.edit.editingFinished.connect(self.commit)
        self._add_field(self.edit)

    def value(self) -> Any:
        return self.edit.text().strip() or None

    def _show(self, value: Any) -> None:
        self.edit.setText(value if isinstance(value, str) else "")


class NumberEditor(AttributeEditor):
    def __init__(self, definition: AttributeDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.spin = OptionalSpinBox(self)
        self.spin.editingFinished.connect(self.commit)
        self._add_field(self.spin, self.clear)

    def clear(self) -> None:
        self.spin.setValue(self.spin.minimum())
        self.commit()

    def commit(self) -> None:
        self.spin.interpretText()  # a number typed but not yet entered counts
        super().commit()

    def value(self) -> Any:
        if not self.spin.is_set():
            return None
        number = self.spin.value()
        return int(number) if number.is_integer() else number

    def _show(self, value: Any) -> None:
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        self.spin.setValue(self.spin.minimum() if number is None else float(number))


class DateEditor(AttributeEditor):
    def __init__(self, definition: AttributeDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.date_edit = OptionalDateEdit(self)
        self.date_edit.editingFinished.connect(self.commit)
        # A day picked in the calendar is a finished edit; the box takes the date first.
        self.date_edit.calendarWidget().clicked.connect(self._picked)
        self._add_field(self.date_edit, self.clear)

    def _picked(self, _date: QDate) -> None:
        self.date_edit.mark_edited()  # today, picked while it was the placeholder, counts
        QTimer.singleShot(0, self, self.commit)

    def clear(self) -> None:
        self.date_edit.show_date(NO_DATE)
        self.commit()

    def value(self) -> Any:
        return (
            self.date_edit.date().toString(Qt.DateFormat.ISODate)
            if self.date_edit.is_set()
            else None
        )

    def _show(self, value: Any) -> None:
        date = QDate.fromString(value, Qt.DateFormat.ISODate) if isinstance(value, str) else QDate()
        self.date_edit.show_date(date if date.isValid() and date > NO_DATE else NO_DATE)


class BooleanEditor(AttributeEditor):
    def __init__(self, definition: AttributeDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.box = TriStateBox(self)
        self.box.clicked.connect(self.commit)
        self.setFocusProxy(self.box)
        self.row.addWidget(self.box)
        self.row.addStretch(1)

    def value(self) -> Any:
        state = self.box.checkState()
        return None if state == Qt.CheckState.PartiallyChecked else state == Qt.CheckState.Checked

    def _show(self, value: Any) -> None:
        if isinstance(value, bool):
            self.box.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
        else:
            self.box.setCheckState(Qt.CheckState.PartiallyChecked)


EDITORS: dict[str, type[AttributeEditor]] = {
    "choice": ChoiceEditor,
    "multi_choice": MultiChoiceEditor,
    "text": TextEditor,
    "number": NumberEditor,
    "date": DateEditor,
    "boolean": BooleanEditor,
}


def make_editor(definition: AttributeDef, parent: QWidget | None = None) -> AttributeEditor:
    """The editor for a definition's value type (text for a type this version does not know)."""
    return EDITORS.get(definition.value_type, TextEditor)(definition, parent)
