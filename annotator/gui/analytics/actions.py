"""What the main window's Analytics and Export report actions do."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from annotator.gui.tool_windows import show_tool_window


def show_analytics(owner: QWidget, tab: str):
    """The Analytics window (one per main window; raised if open), on `tab` if given."""
    from annotator.gui.analytics.window import AnalyticsWindow

    window = show_tool_window(
        owner, "analytics_window", lambda: AnalyticsWindow(owner.session, owner)
    )
    if tab:
        window.show_tab(tab)
    return window
