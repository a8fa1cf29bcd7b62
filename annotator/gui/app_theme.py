"""Application-wide light and dark themes: a Fusion palette and a small stylesheet."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_LIGHT = {
    "window": "#f4f3f0",
    "base": "#ffffff",
    "alt": "#f7f6f3",
    "text": "#1f2328",
    "muted": "#6a6f76",
    "button": "#ecebe7",
    "highlight": "#2f6fb3",
    "border": "#d9d7d2",
}
_DARK = {
    "window": "#202225",
    "base": "#1a1b1e",
    "alt": "#24262a",
    "text": "#e4e5e7",
    "muted": "#9aa0a6",
    "button": "#2c2e33",
    "highlight": "#4c8ed9",
    "border": "#3a3d42",
}

_STYLE = """
QMainWindow::separator {{ background: {border}; width: 1px; height: 1px; }}
QDockWidget {{ font-weight: 600; }}
QDockWidget::title {{ padding: 6px 8px; background: {window}; }}
QToolBar {{ border: none; spacing: 4px; padding: 3px 6px; background: {window}; }}
QToolButton {{ padding: 3px 8px; border-radius: 4px; }}
QToolButton:hover {{ background: {button}; }}
QStatusBar {{ color: {muted}; }}
QTableView, QListView, QTreeView {{ border: 1px solid {border}; gridline-color: {border}; }}
QHeaderView::section {{ padding: 4px 6px; border: none; border-bottom: 1px solid {border};
                        background: {alt}; color: {muted}; }}
QTabWidget::pane {{ border: none; }}
QLineEdit, QPlainTextEdit {{
    padding: 3px 5px; border: 1px solid {border}; border-radius: 4px; background: {base}; }}
"""


def apply_theme(app: QApplication, dark: bool) -> None:
    colors = _DARK if dark else _LIGHT
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "window",
        QPalette.ColorRole.WindowText: "text",
        QPalette.ColorRole.Base: "base",
        QPalette.ColorRole.AlternateBase: "alt",
        QPalette.ColorRole.Text: "text",
        QPalette.ColorRole.Button: "button",
        QPalette.ColorRole.ButtonText: "text",
        QPalette.ColorRole.Highlight: "highlight",
        QPalette.ColorRole.ToolTipBase: "base",
        QPalette.ColorRole.ToolTipText: "text",
        QPalette.ColorRole.PlaceholderText: "muted",
    }
    for role, key in roles.items():
        palette.setColor(role, QColor(colors[key]))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colors["muted"]))
    app.setPalette(palette)
    app.setStyleSheet(_STYLE.format(**colors))
