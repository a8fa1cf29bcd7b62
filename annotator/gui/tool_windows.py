"""One instance per main window of a tool window (Agreement, Curation): opened, or raised."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


def show_tool_window(owner: QWidget, attribute: str, build: Callable[[], QWidget]) -> QWidget:
    """Show the window kept in `owner.<attribute>`, building it first if there is none; the
    attribute goes back to None when the window is closed (it deletes itself on close, and
    closes on Ctrl+W or Esc)."""
    window = getattr(owner, attribute, None)
    if window is None:
        window = build()
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for keys in (QKeySequence.StandardKey.Close, QKeySequence(Qt.Key.Key_Escape)):
            # Ctrl+W (Cmd+W) or Esc closes it, as any secondary window.
            QShortcut(keys, window, window.close)
        window.destroyed.connect(lambda *_: setattr(owner, attribute, None))
        setattr(owner, attribute, window)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
