"""The span and link tables and the document list, driven with the mouse and keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from annotator.gui.panels.annotations import AnnotationTables, LinkTableModel, SpanTableModel
from annotator.gui.panels.common import UUID_ROLE
from annotator.gui.panels.documents import EMPTY_TEXT, DocumentListModel, DocumentsPanel
from annotator.gui.session import ProjectSession
from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.document_commands import AddDocuments
from annotator.services.entity_commands import SetStatus
from annotator.services.project import Project


@pytest.fixture
def session(sample_session: ProjectSession) -> ProjectSession:
    """The sample project with its article open."""
    with sample_session.read() as read:
        sample_session.open_document(read.documents()[0].uuid)
    return sample_session


@pytest.fixture
def tables(qtbot, session):
    widget = AnnotationTables(session)
    qtbot.addWidget(widget)
    widget.resize(1000, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def row_center(view: QTableView, row: int):
    return view.visualRect(view.model().index(row, 0)).center()


def double_click(qtbot, view: QTableView, row: int) -> None:
    """What a real double-click delivers: a press and release, then the double-click."""
    pos = row_center(view, row)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def select_row(view: QTableView, row: int) -> None:
    view.setFocus()
    view.selectionModel().setCurrentIndex(
        view.model().index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def imported(title: str, text: str) -> ImportedDocument:
    return ImportedDocument(title, text, sha256_text(text), {}, f"{title}.txt", "utf-8")


def links_in_project(session: ProjectSession) -> set[str]:
    with session.read() as read:
        return {link.uuid for link in read.links(session.current_document)}


# -- spans -----------------------------------------------------------------------------------


def test_double_click_on_a_span_selects_it(qtbot, session, tables):
    view = tables.spans.table
    uuid = view.model().index(3, 0).data(UUID_ROLE)
    with qtbot.waitSignal(session.span_selected) as blocker:
        double_click(qtbot, view, 3)
    assert blocker.args == [uuid]
    assert session.selected_span == uuid


def test_enter_on_a_span_selects_it(qtbot, session, tables):
    view = tables.spans.table
    select_row(view, 5)
    uuid = view.model().index(5, 0).data(UUID_ROLE)
    with qtbot.waitSignal(session.span_selected):
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert session.selected_span == uuid


def test_the_selected_span_is_selected_in_the_table(session, tables):
    view = tables.spans.table
    model: SpanTableModel = tables.span_model
    uuid = model.uuid_at(7)
    session.select_span(uuid)
    selected = view.selectionModel().selectedRows()
    assert [index.data(UUID_ROLE) for index in selected] == [uuid]
    session.select_span("")
    assert not view.selectionModel().selectedRows()


def test_delete_key_deletes_the_selected_span_and_undo_restores_it(qtbot, session, tables):
    view = tables.spans.table
    select_row(view, 0)
    uuid = view.model().index(0, 0).data(UUID_ROLE)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    session.flush()
    with session.read() as read:
        assert uuid not in {s.uuid for s in read.spans(session.current_document)}
    assert tables.span_model.row_of(uuid) is None
    session.undo_stack.undo()
    session.flush()
    assert tables.span_model.row_of(uuid) is not None


def test_tag_combo_filters_the_span_table(qtbot, tables):
    combo = tables.spans.kind_combo
    combo.setFocus()
    qtbot.keyClicks(combo, "Event")
    assert combo.currentText() == "Event"
    view = tables.spans.table
    tags = {
        view.model().index(r, SpanTableModel.TAG).data() for r in range(view.model().rowCount())
    }
    assert tags == {"Event"}
    assert tables.spans.count.text() == f"{view.model().rowCount()} of 12"
    qtbot.keyClicks(tables.spans.text_filter, "vostok")
    assert view.model().rowCount() == 1


# -- links -----------------------------------------------------------------------------------


def test_double_click_on_a_link_jumps_to_it(qtbot, session, tables):
    tables.setCurrentWidget(tables.links)
    view = tables.links.table
    uuid = view.model().index(2, 0).data(UUID_ROLE)
    with session.read() as read:
        link = read.links_by_uuid([uuid])[0]
    with qtbot.waitSignal(session.link_selected):
        double_click(qtbot, view, 2)
    assert session.selected_link == uuid
    assert session.selected_span == link.source
    assert [i.data(UUID_ROLE) for i in view.selectionModel().selectedRows()] == [uuid]


def test_delete_key_in_the_links_table_deletes_the_link_and_undo_restores_it(
    qtbot, session, tables
):
    tables.setCurrentWidget(tables.links)
    view = tables.links.table
    select_row(view, 1)
    uuid = view.model().index(1, 0).data(UUID_ROLE)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    session.flush()
    assert uuid not in links_in_project(session)
    assert tables.link_model.row_of(uuid) is None
    assert tables.links.count.text() == "5 links"
    session.undo_stack.undo()
    session.flush()
    assert uuid in links_in_project(session)
    assert tables.link_model.row_of(uuid) is not None


def test_link_table_shows_types_and_quotes(tables):
    model: LinkTableModel = tables.link_model
    rows = {
        (
            model.index(r, model.SOURCE).data(),
            model.index(r, model.TYPE).data(),
            model.index(r, model.TARGET).data(),
        )
        for r in range(model.rowCount())
    }
    assert ("Chinese military forces", "participates in", "Vostok-2018") in rows
    assert ("The drills", "same as", "Vostok-2018") in rows


# -- documents -------------------------------------------------------------------------------


@pytest.fixture
def documents(qtbot, session):
    session.run(AddDocuments([imported("Second", "Text.")]))
    session.flush()
    panel = DocumentsPanel(session)
    qtbot.addWidget(panel)
    panel.resize(600, 300)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_status_column_reflects_set_status(session, documents):
    model: DocumentListModel = documents.model
    row = model.row_of(session.current_document)
    index = model.index(row, DocumentListModel.STATUS)
    assert index.data() == "New"
    session.run(SetStatus(session.current_document, "in_progress"))
    session.flush()
    assert index.data() == "In progress"
    session.run(SetStatus(session.current_document, "done"))
    session.flush()
    assert index.data() == "Done"
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    session.undo_stack.undo()
    session.flush()
    assert index.data() == "In progress"


def test_clicking_a_document_opens_it(qtbot, session, documents):
    view = documents.view
    target = next(
        r for r in range(view.model().rowCount()) if view.model().index(r, 0).data() == "Second"
    )
    uuid = view.model().index(target, 0).data(UUID_ROLE)
    with qtbot.waitSignal(session.document_changed):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=row_center(view, target))
    assert session.current_document == uuid


def test_the_current_document_stays_selected(session, documents):
    view = documents.view
    with session.read() as read:
        second = next(d.uuid for d in read.documents() if d.title == "Second")
    session.open_document(second)
    assert [i.data(UUID_ROLE) for i in view.selectionModel().selectedRows()] == [second]
    session.run(SetStatus(second, "done"))  # a refresh keeps the selection
    session.flush()
    assert [i.data(UUID_ROLE) for i in view.selectionModel().selectedRows()] == [second]
    session.run(AddDocuments([imported("Third", "Three.")]))
    session.flush()  # rows added: the model resets and the panel selects the document again
    assert [i.data(UUID_ROLE) for i in view.selectionModel().selectedRows()] == [second]


def test_a_project_without_documents_shows_the_empty_state(qtbot, tmp_path):
    session = ProjectSession(Project.create(tmp_path / "e.annotator", annotator_name="tester"))
    try:
        panel = DocumentsPanel(session)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitExposed(panel)
        assert panel.empty.isVisible() and panel.empty.text() == EMPTY_TEXT
        assert not panel.view.isVisible()
        session.run(AddDocuments([imported("New", "Hello.")]))
        session.flush()
        assert panel.view.isVisible() and not panel.empty.isVisible()
    finally:
        session.close()
