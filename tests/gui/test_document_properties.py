"""Document properties (edit + undo from the list and the menu) and sorting by outlet and date."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox, QDockWidget, QLabel, QLineEdit

from annotator.gui.dialogs.document_properties import DocumentPropertiesDialog
from annotator.gui.main_window import MainWindow
from annotator.gui.panels.common import UUID_ROLE
from annotator.gui.panels.documents import DocumentListModel
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project

ARTICLES = (  # title, outlet, published
    ("Bravo article", "Zeta Times", "2019-08-03"),
    ("Alpha article", "Alpha Post", "2021-01-15"),
    ("Charlie article", "Mid Herald", "2017-05-30"),
)


@pytest.fixture
def window(qtbot, tmp_path: Path):
    project = Project.create(tmp_path / "props.annotator", annotator_name="tester")
    documents = []
    for title, outlet, published in ARTICLES:
        imported = import_text(
            f"{title}\nMarkets 😀 rallied in {outlet}.\n", f"{title}.txt", "utf-8"
        )
        meta = {"outlet": outlet, "published": published}
        documents.append(replace(imported, metadata=meta))
    add = AddDocuments(documents)
    project.run(add)
    session = ProjectSession(project)
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.resize(1400, 900)
    main.show()
    qtbot.waitExposed(main)
    main.uuids = add.report.added
    yield main
    session.close()


def stored_info(main: MainWindow, uuid: str):
    with main.session.read() as read:
        return read.document_info(uuid)


def row_position(main: MainWindow, title: str) -> QPoint:
    panel = main.documents
    for row in range(panel.proxy.rowCount()):
        index = panel.proxy.index(row, DocumentListModel.TITLE)
        if index.data() == title:
            return panel.view.visualRect(index).center()
    raise AssertionError(f"{title} is not in the list")


def open_dialog(qtbot, main: MainWindow) -> DocumentPropertiesDialog:
    dialog = main.findChild(DocumentPropertiesDialog, "document_properties")
    assert dialog is not None, "no properties dialog"
    qtbot.waitExposed(dialog)
    return dialog


def retype(qtbot, dialog: DocumentPropertiesDialog, name: str, text: str) -> None:
    edit = dialog.findChild(QLineEdit, f"field_{name}")
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def test_double_click_edits_metadata_and_undo_restores_it(qtbot, window) -> None:
    view = window.documents.view
    target = window.uuids[0]  # Bravo article
    position = row_position(window, "Bravo article")
    # a real double-click is a press, a release, then the double-click event
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    dialog = open_dialog(qtbot, window)
    assert dialog.uuid == target
    assert dialog.findChild(QLineEdit, "field_outlet").text() == "Zeta Times"
    assert dialog.findChild(QLabel, "fact_source_file").text() == "Bravo article.txt"
    assert not dialog.findChildren(type(view))  # nothing shows (or could edit) the text
    before = stored_info(window, target)

    retype(qtbot, dialog, "outlet", "New Eastern Outlook")
    retype(qtbot, dialog, "published", "2019-08-04")
    retype(qtbot, dialog, "author", "Dmitry Bokarev")
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog.findChild(QLineEdit, "field_author"), Qt.Key.Key_Return)

    after = stored_info(window, target)
    assert (after.outlet, after.published, after.author) == (
        "New Eastern Outlook",
        "2019-08-04",
        "Dmitry Bokarev",
    )
    assert (after.title, after.sha256, after.length) == (before.title, before.sha256, before.length)
    window.session.flush()
    model = window.documents.model
    assert (
        model.index(model.row_of(target), DocumentListModel.OUTLET).data() == "New Eastern Outlook"
    )

    assert window.actions_by_id["undo"].text() == "&Undo Edit document properties"
    window.actions_by_id["undo"].trigger()
    window.session.flush()
    restored = stored_info(window, target)
    assert (restored.outlet, restored.published, restored.author) == (
        "Zeta Times",
        "2019-08-03",
        "",
    )
    assert model.index(model.row_of(target), DocumentListModel.OUTLET).data() == "Zeta Times"
    window.actions_by_id["redo"].trigger()
    assert stored_info(window, target).outlet == "New Eastern Outlook"


def test_a_bad_date_or_empty_title_is_refused_in_place(qtbot, window) -> None:
    target = window.uuids[1]
    window.session.open_document(target)
    window.actions_by_id["document_properties"].trigger()  # the Document menu's item
    dialog = open_dialog(qtbot, window)
    retype(qtbot, dialog, "published", "2019-13-45")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible()
    assert "not a calendar date (there is no month 13)" in dialog.message.text()
    retype(qtbot, dialog, "published", "15.01.2021")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "not YYYY-MM-DD" in dialog.message.text()
    retype(qtbot, dialog, "published", "2021-01-15")
    retype(qtbot, dialog, "title", "   ")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "needs a title" in dialog.message.text()
    assert stored_info(window, target).title == "Alpha article"
    assert not window.session.undo_stack.canUndo()
    with qtbot.waitSignal(dialog.finished):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert stored_info(window, target).published == "2021-01-15"


def test_alt_enter_and_the_context_menu_open_the_properties(qtbot, window) -> None:
    panel = window.documents
    qtbot.mouseClick(
        panel.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=row_position(window, "Charlie article"),
    )
    assert window.session.current_document == window.uuids[2]
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Return, Qt.KeyboardModifier.AltModifier)
    dialog = open_dialog(qtbot, window)
    assert dialog.uuid == window.uuids[2]
    dialog.reject()
    qtbot.waitUntil(lambda: window.findChild(DocumentPropertiesDialog) is None)

    menu = panel.context_menu(row_position(window, "Alpha article"))
    assert [a.text() for a in menu.actions()] == ["&Open", "P&roperties…"]
    with qtbot.waitSignal(panel.properties_requested) as requested:
        menu.actions()[1].trigger()
    assert requested.args == [window.uuids[1]]
    assert open_dialog(qtbot, window).uuid == window.uuids[1]
    assert panel.context_menu(QPoint(5, panel.view.viewport().height() - 2)) is None


def test_sorting_by_outlet_and_by_date(qtbot, window) -> None:
    panel = window.documents
    header = panel.view.horizontalHeader()
    dock = window.findChild(QDockWidget, "dock_documents")
    window.resizeDocks([dock], [620], Qt.Orientation.Horizontal)  # wide: outlet and date shown
    qtbot.waitUntil(lambda: not panel.view.isColumnHidden(DocumentListModel.OUTLET))

    def titles() -> list[str]:
        proxy = panel.proxy
        return [proxy.index(r, DocumentListModel.TITLE).data() for r in range(proxy.rowCount())]

    assert titles() == ["Bravo article", "Alpha article", "Charlie article"]  # project order
    outlet_x = header.sectionViewportPosition(DocumentListModel.OUTLET) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(outlet_x, 5))
    assert titles() == ["Alpha article", "Charlie article", "Bravo article"]  # Alpha, Mid, Zeta
    date_x = header.sectionViewportPosition(DocumentListModel.PUBLISHED) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(date_x, 5))
    assert titles() == ["Charlie article", "Bravo article", "Alpha article"]  # 2017, 2019, 2021
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(date_x, 5))
    assert titles() == ["Alpha article", "Bravo article", "Charlie article"]  # newest first
    assert panel.proxy.index(0, DocumentListModel.PUBLISHED).data(UUID_ROLE) == window.uuids[1]
