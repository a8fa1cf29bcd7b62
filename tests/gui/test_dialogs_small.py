"""The annotator-name dialog and the keyboard cheat sheet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenuBar, QWidget

from annotator.gui.dialogs.first_run import AnnotatorNameDialog, ask_annotator_name
from annotator.gui.dialogs.shortcuts import ShortcutsDialog


def test_ok_is_disabled_while_the_name_is_empty(qtbot) -> None:
    dialog = AnnotatorNameDialog(None, "", first_run=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.edit, "   ")
    assert not dialog.ok.isEnabled()
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)  # Enter does nothing while empty
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.edit, "Ana  Lima ")
    assert dialog.ok.isEnabled() and dialog.name() == "Ana Lima"
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)


def answer(qtbot, keys: str | None) -> None:
    """Type into the dialog that is about to open, then press Enter (or Esc when keys is None)."""

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AnnotatorNameDialog)
        if keys is None:
            qtbot.keyClick(dialog.edit, Qt.Key.Key_Escape)
            return
        dialog.edit.clear()
        qtbot.keyClicks(dialog.edit, keys)
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, act)


def test_ask_annotator_name_returns_the_name_or_none(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    answer(qtbot, "Bea")
    assert ask_annotator_name(parent, "tester") == "Bea"
    answer(qtbot, None)
    assert ask_annotator_name(parent, "tester") is None


def test_the_current_name_is_offered(qtbot) -> None:
    dialog = AnnotatorNameDialog(None, "tester", first_run=False)
    qtbot.addWidget(dialog)
    assert dialog.edit.text() == "tester" and dialog.ok.isEnabled()
    assert dialog.windowTitle() == "Change annotator"


@pytest.fixture
def sheet(qtbot) -> Iterator[ShortcutsDialog]:
    owner = QWidget()  # owns the actions and menus for the whole test
    qtbot.addWidget(owner)
    bar = QMenuBar(owner)
    actions, menus = [], {}
    for menu_title, text, keys in (
        ("&File", "&Open project…", QKeySequence.StandardKey.Open),
        ("&File", "Open the &sample project", None),
        ("&Edit", "&Find in document…", "Ctrl+F"),
        ("&Annotate", "&Link selected span to…", "Ctrl+L"),
    ):
        if menu_title not in menus:
            menus[menu_title] = bar.addMenu(menu_title)
        menu = menus[menu_title]
        action = QAction(text, owner)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        menu.addAction(action)
        actions.append(action)
    extra = [("1", "Tag the selection as Actor"), ("Alt+drag", "Link one span to another")]
    dialog = ShortcutsDialog(actions, extra, owner)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog


def test_shortcuts_are_grouped_by_menu_with_extra_rows(sheet) -> None:
    dialog = sheet
    groups = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert groups == ["File", "Edit", "Annotate", "Tags and mouse"]
    rows = dialog.visible_rows()
    native = QKeySequence("Ctrl+L").toString(QKeySequence.SequenceFormat.NativeText)
    assert ("Link selected span to", native) in rows
    assert ("Tag the selection as Actor", "1") in rows
    assert not any(what.startswith("Open the sample") for what, _ in rows)  # no shortcut


def test_typing_filters_the_sheet(qtbot, sheet) -> None:
    dialog = sheet
    qtbot.keyClicks(dialog.filter, "link")
    assert [what for what, _ in dialog.visible_rows()] == [
        "Link selected span to",
        "Link one span to another",
    ]
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "nothing like this")
    assert dialog.visible_rows() == [] and dialog.empty.isVisible()
