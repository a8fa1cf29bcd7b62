"""The main window's layout: docks tabbed on the right, one compact top row (menus, tag palette,
layer chooser), the collapsible Annotations table, focus mode, and a layout remembered per
screen size."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, QRect, QSize, Qt
from PySide6.QtGui import QAction, QFontMetricsF, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)

from annotator.gui.settings import Settings

#: Bumped when the default arrangement changes, so that states saved by an older layout (the
#: docks stacked, not tabbed) are not restored over the new one.
LAYOUT_VERSION = 2
#: The reading pane keeps at least this many lines when the Annotations table shares the height.
MIN_TEXT_LINES = 25
#: Below this height the Annotations table would squeeze the text: it starts collapsed.
MIN_TABLE_HEIGHT = 160
MAX_TABLE_HEIGHT = 320
#: The table's height when it is expanded where the text cannot spare room (about six rows).
EXPANDED_TABLE_HEIGHT = 220
#: The window's largest size when nothing is remembered: it fills screens up to this size.
DEFAULT_SIZE = (1920, 1200)
TABLE_SHORTCUT = "Ctrl+Shift+J"
#: Dock object names in the order of the View ▸ Panels menu, with their menu text.
PANEL_TEXTS = {
    "dock_documents": "&Documents",
    "dock_inspector": "&Inspector",
    "dock_tables": "Annotations &table",
    "dock_search": "&Search",
    "dock_occurrences": "&Occurrences",
}


def screen_key(available: QRect) -> str:
    """The settings key of a screen size, e.g. "1280x800" (the available geometry)."""
    return f"{available.width()}x{available.height()}"


class WindowLayout(QObject):
    """Arranges the window's docks and toolbars and keeps focus mode and remembered layouts."""

    def __init__(self, window: QMainWindow, settings: Settings, view: QPlainTextEdit) -> None:
        super().__init__(window)
        self.window, self.settings, self.view = window, settings, view
        self.palette: QToolBar | None = None
        self.other_bars: list[QToolBar] = []
        self._before_focus: QByteArray | None = None
        self._table_height = 0  # the table's height when last collapsed (0: never)
        self._arranging = False  # restoring a whole layout: the table's toggles are not the user's
        self.table_button: QToolButton | None = None
        #: View ▸ Focus (checkable, F11): kept checked in step with the mode.
        self.focus_action: QAction | None = None

    # -- docks -------------------------------------------------------------------------------
    def dock(self, name: str) -> QDockWidget | None:
        return self.window.findChild(QDockWidget, name)

    def docks(self) -> list[QDockWidget]:
        return [d for d in self.window.findChildren(QDockWidget) if d.parent() is self.window]

    def tab_right_docks(self) -> None:
        """Inspector, Search and Occurrences share the right dock area as tabs (stacked, the
        Inspector was squeezed to a strip and its History fell off-screen)."""
        inspector = self.dock("dock_inspector")
        for name in ("dock_search", "dock_occurrences"):
            other = self.dock(name)
            if inspector is not None and other is not None:
                self.window.tabifyDockWidget(inspector, other)
        if inspector is not None:
            inspector.raise_()

    # -- the top row -------------------------------------------------------------------------
    def merge_top_row(self, palette: QToolBar, others: list[QToolBar]) -> None:
        """Put the tag palette and the other toolbars at the right of the menu bar: one row of
        chrome instead of two (45 px more text at 1280×800). A native (global) menu bar has no
        corner, so there the toolbars stay toolbars."""
        self.palette, self.other_bars = palette, others
        bar = self.window.menuBar()
        if bar.isNativeMenuBar():
            return
        corner = QWidget(bar)
        corner.setObjectName("top_row")
        # As tall as the menu bar's own items, not a toolbar's row of its own.
        corner.setStyleSheet(
            "QToolBar { padding: 0px 4px; spacing: 2px; } QToolButton { padding: 1px 6px; }"
            " QComboBox { padding: 1px 6px; }"
        )
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        for toolbar in (palette, *others):
            self.window.removeToolBar(toolbar)
            toolbar.setParent(corner)
            toolbar.setMovable(False)
            toolbar.setIconSize(QSize(14, 14))
            row.addWidget(toolbar)
            toolbar.show()
        bar.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        corner.show()

    # -- panels menu and the Annotations table -------------------------------------------------
    def build_panels_menu(self, view_menu: QMenu) -> dict[str, QAction]:
        """View ▸ Panels: one check per dock, the Annotations table on Ctrl+Shift+J, and Reset
        layout; a status-bar button shows and hides the table too (it starts collapsed on small
        screens). Returns the new actions by id (for the shortcuts list)."""
        menu = view_menu.addMenu("&Panels")
        actions: dict[str, QAction] = {}
        for name, text in PANEL_TEXTS.items():
            dock = self.dock(name)
            if dock is None:
                continue
            action = dock.toggleViewAction()
            action.setText(text)
            menu.addAction(action)
            actions[f"panel_{name.removeprefix('dock_')}"] = action
        table = actions.get("panel_tables")
        if table is not None:
            table.setShortcut(QKeySequence(TABLE_SHORTCUT))
            table.setToolTip(f"Show or collapse the Annotations table ({TABLE_SHORTCUT})")
            table.setStatusTip(table.toolTip())
            self.window.addAction(table)  # the key works with the menu bar hidden (focus mode)
            self.table_button = QToolButton(self.window)
            self.table_button.setObjectName("annotations_table_button")
            self.table_button.setDefaultAction(table)
            self.table_button.setAutoRaise(True)
            self.table_button.setStyleSheet("QToolButton { padding: 0px 6px; }")
            self.table_button.setText("Annotations table")
            table.changed.connect(lambda: self.table_button.setText("Annotations table"))
            self.window.statusBar().addPermanentWidget(self.table_button)
            table.triggered.connect(self._table_toggled)  # the user's toggles only
        menu.addSeparator()
        reset = menu.addAction("&Reset layout")
        reset.setToolTip("Put the panels back where they start (for this screen size)")
        reset.triggered.connect(self.reset)
        actions["reset_layout"] = reset
        return actions

    def _table_toggled(self, shown: bool) -> None:
        """Expanded, the table gets back its last height (or a modest one), not whatever the
        dock area had: at 1280×800 that was 40 % of the window."""
        table = self.dock("dock_tables")
        if table is None or self._arranging or self.in_focus():
            return
        if not shown:
            self._table_height = table.height()
            return
        height = self._table_height or max(EXPANDED_TABLE_HEIGHT, self._table_room())
        height = min(height, MAX_TABLE_HEIGHT)
        self.window.resizeDocks([table], [height], Qt.Orientation.Vertical)

    def _table_room(self) -> int:
        """The height the table can take with MIN_TEXT_LINES lines of text left beside it."""
        height = self.window.height()
        return height - self._chrome_height() - self._text_height(MIN_TEXT_LINES)

    # -- defaults, saving and restoring --------------------------------------------------------
    def available(self) -> QRect:
        screen = self.window.screen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, *DEFAULT_SIZE)

    def arrange_default(self) -> None:
        """The first layout on a screen: fits the screen, text first, the table only where the
        text keeps MIN_TEXT_LINES lines beside it."""
        self._arranging, self._table_height = True, 0
        try:
            self._arrange_default()
        finally:
            self._arranging = False

    def _restore_state(self, state: QByteArray) -> bool:
        self._arranging = True
        try:
            return self.window.restoreState(state, LAYOUT_VERSION)
        finally:
            self._arranging = False

    def _arrange_default(self) -> None:
        available = self.available()
        width = min(DEFAULT_SIZE[0], available.width())
        height = min(DEFAULT_SIZE[1], available.height())
        self.window.resize(width, height)
        if width == available.width() or height == available.height():
            self.window.move(available.topLeft())
        for dock in self.docks():
            dock.setVisible(
                dock.objectName() in ("dock_documents", "dock_inspector", "dock_tables")
            )
        self.tab_right_docks()
        sides = [d for d in (self.dock("dock_documents"), self.dock("dock_inspector")) if d]
        side_width = 240 if width < 1500 else 290
        self.window.resizeDocks(sides, [side_width, side_width + 60], Qt.Orientation.Horizontal)
        table = self.dock("dock_tables")
        if table is None:
            return
        room = self._table_room()
        if room < MIN_TABLE_HEIGHT:
            table.hide()  # collapsed: Ctrl+Shift+J, the status-bar button or View ▸ Panels
            return
        table.show()
        self.window.resizeDocks([table], [min(room, MAX_TABLE_HEIGHT)], Qt.Orientation.Vertical)

    def _chrome_height(self) -> int:
        menu = self.window.menuBar().sizeHint().height()
        status = self.window.statusBar().sizeHint().height()
        return menu + status + 8  # the dock separators and the title bar of the table

    def _text_height(self, lines: int) -> int:
        """An estimate of the reading pane's height for `lines` lines (lines plus arc bands)."""
        height = QFontMetricsF(self.view.font()).height()
        return int(lines * height * 1.55) + 24

    def restore(self) -> None:
        """The layout remembered for this screen size, or the default one."""
        key = screen_key(self.available())
        geometry, state = self.settings.layout_for(key)
        if geometry is None or not self.window.restoreGeometry(geometry):
            self.arrange_default()
            return
        if state is None or not self._restore_state(state):
            self.arrange_default()
            self.window.restoreGeometry(geometry)

    def save(self) -> None:
        """Remember the layout for the screen the window is on (the one before focus mode)."""
        state = self._before_focus or self.window.saveState(LAYOUT_VERSION)
        self.settings.save_layout(screen_key(self.available()), self.window.saveGeometry(), state)

    def reset(self) -> None:
        self.set_focus(False)
        self.arrange_default()

    # -- focus mode ----------------------------------------------------------------------------
    def in_focus(self) -> bool:
        return self._before_focus is not None

    def set_focus(self, on: bool) -> None:
        """Focus mode shows the text and the tag palette only; leaving it restores the docks,
        menus and status bar as they were."""
        if self.focus_action is not None and self.focus_action.isChecked() != on:
            self.focus_action.setChecked(on)  # its toggled signal comes back here
            return
        if on == self.in_focus():
            return
        window, bar = self.window, self.window.menuBar()
        if on:
            self._before_focus = window.saveState(LAYOUT_VERSION)
            for dock in self.docks():
                dock.hide()
            for toolbar in self.other_bars:
                toolbar.hide()
            window.statusBar().hide()
            for action in bar.actions():
                action.setVisible(False)  # the menus go; the corner with the palette stays
            if self.palette is not None and self.palette.parent() is not bar.cornerWidget(
                Qt.Corner.TopRightCorner
            ):
                bar.hide()  # a native menu bar: the palette is a toolbar of its own
        else:
            state, self._before_focus = self._before_focus, None
            for action in bar.actions():
                action.setVisible(True)
            bar.show()
            window.statusBar().show()
            for toolbar in self.other_bars:
                toolbar.show()
            self._restore_state(state)
        self.view.setFocus()
