"""Small inputs of the schema editor: hotkey box, endpoint lists, keys and default values."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

from annotator.domain.model import Schema, TagType
from annotator.domain.wording import quoted
from annotator.gui.dialogs.common import swatch_icon

KEY_ROLE = Qt.ItemDataRole.UserRole + 21
VALUE_TYPE_LABELS = {
    "choice": "Choice",
    "multi_choice": "Several choices",
    "text": "Text",
    "number": "Number",
    "date": "Date",
    "boolean": "Yes / no",
}
DEFAULT_HINTS = {
    "choice": "one of the choices",
    "multi_choice": "choices, comma separated",
    "text": "any text",
    "number": "a number",
    "date": "YYYY-MM-DD",
    "boolean": "yes or no",
}
KIND_LABELS = {"actor": "Actor", "event": "Event", "claim": "Claim", "custom": "Custom"}
PALETTE = (
    "#B87D00", "#0072B2", "#CC79A7", "#009E73", "#D55E00", "#56B4E9", "#7F3C8D", "#E69F00",
    "#3969AC", "#11A579", "#E73F74", "#80BA5A", "#008695", "#CF1C90", "#A5AA99", "#4B4B8F",
)  # fmt: skip
KEY_EXPLANATION = (
    "Keys identify items across projects: merging, importing a schema and exports match by "
    "key, so a key cannot change once the item exists."
)


def key_from_label(label: str) -> str:
    """A valid key suggested for a label: "Takes part in" → "takes_part_in"."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return re.sub(r"^[^a-z]+", "", key)[:64]


def unused_color(schema: Schema) -> str:
    used = {t.color.lower() for t in (*schema.tag_types, *schema.link_types)}
    return next((c for c in PALETTE if c.lower() not in used), PALETTE[0])


def free_hotkey(schema: Schema) -> str:
    return next((k for k in "123456789" if schema.tag_for_hotkey(k) is None), "")


def split_choices(text: str) -> tuple[str, ...]:
    """Comma-separated choices, trimmed, empty ones and repeats dropped."""
    return tuple(dict.fromkeys(c.strip() for c in text.split(",") if c.strip()))


def parse_default(value_type: str, text: str) -> Any:
    """The default value typed as text, as the model stores it (None when empty).
    Raises ValueError with a message for the user when it cannot be read."""
    text = text.strip()
    if not text:
        return None
    if value_type == "number":
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{quoted(text)} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{quoted(text)} is not a finite number")
        return number
    if value_type == "boolean":
        answers = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
        if text.lower() not in answers:
            raise ValueError("the default of a yes / no attribute is yes or no")
        return answers[text.lower()]
    if value_type == "multi_choice":
        return list(split_choices(text))
    return text


def default_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class HotkeyEdit(QLineEdit):
    """One key: a printable key sets it, Backspace or Delete clears it; each emits
    `hotkey_entered(text)` ("" for none) at once."""

    hotkey_entered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaxLength(1)
        self.setFixedWidth(64)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setPlaceholderText("none")
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        plain = not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.setText("")
            self.hotkey_entered.emit("")
        elif plain and len(text) == 1 and text.isprintable() and not text.isspace():
            self.setText(text)
            self.selectAll()
            self.hotkey_entered.emit(text)
        elif event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Escape):
            super().keyPressEvent(event)
        else:
            event.ignore()


class EndpointList(QListWidget):
    """Tag types with check boxes; `edited(keys)` when the user ticks or unticks one."""

    edited = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUniformItemSizes(True)
        self.itemChanged.connect(lambda _item: self.edited.emit(self.checked()))

    def set_tags(self, tags: tuple[TagType, ...], checked: tuple[str, ...]) -> None:
        with QSignalBlocker(self):
            self.clear()
            for tag in tags:
                item = QListWidgetItem(swatch_icon(tag.color), tag.label, self)
                item.setData(KEY_ROLE, tag.key)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                state = Qt.CheckState.Checked if tag.key in checked else Qt.CheckState.Unchecked
                item.setCheckState(state)
        rows = min(max(len(tags), 3), 6)
        self.setFixedHeight(rows * (self.fontMetrics().lineSpacing() + 6) + 2 * self.frameWidth())

    def checked(self) -> tuple[str, ...]:
        items = (self.item(row) for row in range(self.count()))
        return tuple(i.data(KEY_ROLE) for i in items if i.checkState() == Qt.CheckState.Checked)

    def set_checked(self, key: str, on: bool) -> None:
        """Tick or untick one tag type as the user would (emits `edited`)."""
        for row in range(self.count()):
            item = self.item(row)
            if item.data(KEY_ROLE) == key:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
