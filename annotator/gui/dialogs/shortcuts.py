"""The keyboard cheat sheet: every shortcut, grouped by menu, searchable."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.dialogs.common import plain_buttons
from annotator.gui.panels.common import muted_label

BOTTOM_LEFT = Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft
OTHER_GROUP = "Other"
EXTRA_GROUP = "Tags and mouse"


def plain(text: str) -> str:
    """Menu text as read: mnemonics ("&&" stays "&") and a trailing ellipsis removed."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").removesuffix("…").strip()


def action_rows(actions: list[QAction]) -> list[tuple[str, str, str]]:
    """(group, action, keys) for every action with a shortcut, grouped by the menu that holds it,
    in menu order; keys in the platform's own notation."""
    rows: list[tuple[str, str, str]] = []
    for action in actions:
        keys = ", ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
        )
        if not keys or not action.text():
            continue
        menus = [o for o in action.associatedObjects() if isinstance(o, QMenu)]
        group = plain(menus[0].title()) if menus else OTHER_GROUP
        rows.append((group, plain(action.text()), keys))
    return rows


class ShortcutsDialog(QDialog):
    """A two-column sheet (what, keys); typing in the box filters by either column."""

    def __init__(
        self,
        actions: list[QAction],
        extra: list[tuple[str, str]],
        parent: QWidget | None = None,
        more: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
    ) -> None:
        """`extra`: (keys, what) not bound to actions; `more`: (group, [(what, keys)]) of other
        windows' keys, e.g. the Curation window's."""
        super().__init__(parent)
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.filter = QLineEdit(self)
        self.filter.setObjectName("shortcuts_filter")
        self.filter.setPlaceholderText("Search shortcuts")
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shortcuts_tree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.headerItem().setTextAlignment(
            1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.empty = muted_label("No shortcut matches.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        plain_buttons(buttons)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        rows = action_rows(actions) + [(EXTRA_GROUP, what, keys) for keys, what in extra]
        rows += [(group, what, keys) for group, pairs in more for what, keys in pairs]
        self._fill(rows)
        self.filter.textChanged.connect(self._apply_filter)
        self.resize(520, 620)

    def _fill(self, rows: list[tuple[str, str, str]]) -> None:
        groups: dict[str, QTreeWidgetItem] = {}
        height = self.fontMetrics().lineSpacing() + 8
        for group, what, keys in rows:
            parent = groups.get(group)
            if parent is None:
                air = 8 if groups else 0  # space above every group but the first
                parent = groups[group] = QTreeWidgetItem(self.tree, [group, ""])
                parent.setFirstColumnSpanned(True)
                parent.setSizeHint(0, QSize(0, height + air))
                parent.setTextAlignment(
                    0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft
                )
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
            item = QTreeWidgetItem(parent, [what, keys])
            item.setSizeHint(0, QSize(0, height))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.tree.expandAll()
        self.tree.setItemsExpandable(False)

    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()
        shown = 0
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            group_match = all(w in group.text(0).lower() for w in words)
            visible = 0
            for i in range(group.childCount()):
                item = group.child(i)
                haystack = f"{group.text(0)} {item.text(0)} {item.text(1)}".lower()
                hide = bool(words) and not group_match and not all(w in haystack for w in words)
                item.setHidden(hide)
                visible += not hide
            group.setHidden(visible == 0)
            shown += visible
        self.empty.setVisible(shown == 0)

    def visible_rows(self) -> list[tuple[str, str]]:
        """(action, keys) of the rows now shown (for tests and accessibility checks)."""
        rows = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for i in range(group.childCount()):
                item = group.child(i)
                if not group.isHidden() and not item.isHidden():
                    rows.append((item.text(0), item.text(1)))
        return rows
