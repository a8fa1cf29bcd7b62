"""Input boxes with a "not set" state: number, date, and a yes / no / not set check box."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QFocusEvent, QMouseEvent, QResizeEvent, QValidator, QWheelEvent
from PySide6.QtWidgets import QCheckBox, QDateEdit, QDoubleSpinBox, QWidget

from annotator.gui.panels.common import shrinkable

NOT_SET = "not set"
DATE_FORMAT = "yyyy-MM-dd"
NUMBER_LIMIT = 1e12
NO_DATE = QDate(1000, 1, 1)  # the date box's "not set" value (its minimum)


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
