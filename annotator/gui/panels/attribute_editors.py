"""Editors for attribute values, one per value type; each reports a finished edit once."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QMouseEvent, QResizeEvent, QValidator, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDateEdit,
    QDoubleSpinBox,
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

NOT_SET = "not set"
DATE_FORMAT = "yyyy-MM-dd"
NUMBER_LIMIT = 1e12
CLEAR_WIDTH = 22
NO_DATE = QDate(1000, 1, 1)  # the date editor's "not set" value (its minimum)


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


class OptionalSpinBox(QDoubleSpinBox):
    """A number box whose minimum means "not set" (shown as such, and typed as empty text)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setDecimals(6)
        self.setRange(-NUMBER_LIMIT, NUMBER_LIMIT)
        self.setSpecialValueText(NOT_SET)
        self.setKeyboardTracking(False)
        self.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)  # arrow keys still step
        shrinkable(self)

    def is_set(self) -> bool:
        return self.value() != self.minimum()

    def _blank(self, text: str) -> bool:
        return not text.strip() or text == self.specialValueText()

    def validate(self, text: str, pos: int) -> object:
        if self._blank(text):
            return QValidator.State.Acceptable, text, pos
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> float:
        return self.minimum() if self._blank(text) else super().valueFromText(text)

    def textFromValue(self, value: float) -> str:
        text = self.locale().toString(value, "f", self.decimals())
        if not self.isGroupSeparatorShown():
            text = text.replace(self.locale().groupSeparator(), "")
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_edit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:
            self._fit_edit()

    def _fit_edit(self) -> None:
        # Under an application style sheet that does not style spin buttons, Qt leaves a
        # button-less box a 1-pixel edit field; give the field the box's width.
        edit = self.lineEdit()
        if edit.width() < 8 < self.width():
            edit.setGeometry(edit.x(), edit.y(), self.width() - edit.x() - 4, edit.height())

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if not self.is_set():
            self.lineEdit().clear()  # typing starts a number instead of appending to "not set"

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


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


class OptionalDateEdit(QDateEdit):
    """A date box with a calendar whose minimum date means "not set". While it has the focus
    and no date, it shows today as a starting point that counts only once the user edits it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCalendarPopup(True)
        self.setDisplayFormat(DATE_FORMAT)
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText(NOT_SET)
        self.setDate(NO_DATE)
        self._placeholder = False
        self.dateChanged.connect(self.mark_edited)
        shrinkable(self)

    def is_set(self) -> bool:
        return self.date() != self.minimumDate() and not self._placeholder

    def mark_edited(self) -> None:
        self._placeholder = False

    def show_date(self, date: QDate) -> None:
        """Show a stored date (NO_DATE: not set) without counting it as an edit."""
        self._placeholder = False
        self.blockSignals(True)
        self.setDate(date)
        self.blockSignals(False)

    def _start_from_today(self) -> None:
        if self.date() == self.minimumDate():
            self.show_date(QDate.currentDate())
            self._placeholder = True

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._start_from_today()
        super().focusInEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._start_from_today()  # the calendar opens on this month, not on the year 1000
        super().mousePressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        popup = event.reason() == Qt.FocusReason.PopupFocusReason
        if self._placeholder and not popup:
            self.show_date(NO_DATE)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


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


class TriStateBox(QCheckBox):
    """Not set → yes → no → not set; partially checked means not set."""

    LABELS: ClassVar[dict[Qt.CheckState, str]] = {
        Qt.CheckState.Checked: "Yes",
        Qt.CheckState.Unchecked: "No",
        Qt.CheckState.PartiallyChecked: "Not set",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTristate(True)
        self.checkStateChanged.connect(self._relabel)
        self.setCheckState(Qt.CheckState.PartiallyChecked)
        self._relabel(self.checkState())

    def nextCheckState(self) -> None:
        following = {
            Qt.CheckState.PartiallyChecked: Qt.CheckState.Checked,
            Qt.CheckState.Checked: Qt.CheckState.Unchecked,
            Qt.CheckState.Unchecked: Qt.CheckState.PartiallyChecked,
        }
        self.setCheckState(following[self.checkState()])

    def _relabel(self, state: Qt.CheckState) -> None:
        self.setText(self.LABELS[Qt.CheckState(state)])


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
