"""The tag palette: one button per tag type (colour, label, hotkey) for the current selection."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QToolBar, QToolButton, QWidget

from annotator.domain.model import Schema


def color_icon(color: str, size: int = 12) -> QIcon:
    """A round colour chip for buttons, combos and lists."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(QColor(color).darker(130))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


class TagPalette(QToolBar):
    """Emits `tag_chosen(key)` when a tag button is clicked."""

    tag_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tags", parent)
        self.setObjectName("tag_palette")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    def set_schema(self, schema: Schema) -> None:
        self.clear()
        for tag in schema.tag_types:
            button = QToolButton(self)
            hotkey = f"  {tag.hotkey}" if tag.hotkey else ""
            button.setText(f"{tag.label}{hotkey}")
            button.setIcon(color_icon(tag.color))
            button.setToolTip(
                f"Tag the selection as {tag.label}"
                + (f" (key {tag.hotkey})" if tag.hotkey else "")
                + (f"\n\n{tag.guideline}" if tag.guideline else "")
            )
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setObjectName(f"tag_{tag.key}")
            button.clicked.connect(lambda _=False, key=tag.key: self.tag_chosen.emit(key))
            self.addWidget(button)
