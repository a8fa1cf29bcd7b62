"""The inspector's entity section and link list, driven with the keyboard and mouse."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from annotator.domain.model import Span
from annotator.gui.panels.inspector import Inspector
from annotator.gui.panels.span_links import OTHER_ROLE
from annotator.gui.session import ProjectSession
from annotator.services.entity_commands import CreateEntity


@pytest.fixture
def sample(qtbot, sample_session: ProjectSession):
    """The sample article open, with an inspector in an active window."""
    with sample_session.read() as read:
        sample_session.open_document(read.documents()[0].uuid)
    inspector = Inspector(sample_session)
    qtbot.addWidget(inspector)
    inspector.resize(360, 900)
    inspector.show()
    qtbot.waitExposed(inspector)
    with qtbot.waitActive(inspector):
        inspector.activateWindow()
    return sample_session, inspector


def stored(session: ProjectSession, uuid: str) -> Span:
    session.flush()
    with session.read() as read:
        return read.span(uuid)


def span_by_quote(session: ProjectSession, quote: str) -> str:
    with session.read() as read:
        return next(s.uuid for s in read.spans(session.current_document) if s.quote == quote)


# -- entity ----------------------------------------------------------------------------------


def test_new_entity_from_the_span_is_one_undo_step(qtbot, sample):
    session, inspector = sample
    uuid = span_by_quote(session, "Dmitry Bokarev")
    session.select_span(uuid)
    count = session.undo_stack.count()
    qtbot.mouseClick(inspector.entity.new_button, Qt.MouseButton.LeftButton)
    entity_uuid = stored(session, uuid).entity
    with session.read() as read:
        entity = read.entity(entity_uuid)
    assert (entity.name, entity.kind) == ("Dmitry Bokarev", "actor")
    assert session.undo_stack.count() == count + 1
    assert inspector.entity.combo.currentText() == "Dmitry Bokarev"
    assert not inspector.entity.aliases.text()
    session.undo_stack.undo()
    assert stored(session, uuid).entity is None
    with session.read() as read:
        assert read.entities() == []


def test_pick_an_entity_by_alias_edit_its_aliases_and_clear_it(qtbot, sample):
    session, inspector = sample
    create = CreateEntity("Russian Federation", kind="actor", aliases=["RF"])
    session.run(create)
    session.flush()
    uuid = span_by_quote(session, "Russia")
    session.select_span(uuid)
    editor = inspector.entity
    line = editor.combo.lineEdit()
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(line, "rf")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert stored(session, uuid).entity == create.uuid
    assert editor.aliases.isVisible() and editor.aliases.text() == "RF"

    qtbot.mouseClick(editor.aliases, Qt.MouseButton.LeftButton)
    qtbot.keyClick(editor.aliases, Qt.Key.Key_End)
    qtbot.keyClicks(editor.aliases, ", Russia, Moscow")
    qtbot.keyClick(editor.aliases, Qt.Key.Key_Return)
    session.flush()
    with session.read() as read:
        assert read.entity(create.uuid).aliases == ("RF", "Russia", "Moscow")

    qtbot.mouseClick(editor.clear_button, Qt.MouseButton.LeftButton)
    assert stored(session, uuid).entity is None
    assert not editor.aliases.isVisible()


def test_pick_an_entity_from_the_completer(qtbot, sample):
    session, inspector = sample
    create = CreateEntity("People's Liberation Army", kind="actor", aliases=["PLA"])
    session.run(create)
    session.flush()
    uuid = span_by_quote(session, "Chinese military forces")
    session.select_span(uuid)
    line = inspector.entity.combo.lineEdit()
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(line, "liberation")
    popup = inspector.entity.combo.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert stored(session, uuid).entity == create.uuid
    qtbot.waitUntil(lambda: line.text() == "People's Liberation Army")


def test_typing_an_unknown_name_links_nothing(qtbot, sample):
    session, inspector = sample
    uuid = span_by_quote(session, "Russia")
    session.select_span(uuid)
    line = inspector.entity.combo.lineEdit()
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(line, "Nobody")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert stored(session, uuid).entity is None
    assert line.text() == ""


# -- links -----------------------------------------------------------------------------------


def test_activating_a_link_jumps_to_the_other_span(qtbot, sample):
    session, inspector = sample
    vostok = span_by_quote(session, "Vostok-2018")
    far_east = span_by_quote(session, "Far East region of the Russia Federation")
    session.select_span(vostok)
    links = inspector.links
    assert links.count() == 3
    row = next(i for i in range(links.count()) if links.item(i).data(OTHER_ROLE) == far_east)
    links.setFocus()
    links.setCurrentRow(row)
    with qtbot.waitSignal(session.span_selected):
        qtbot.keyClick(links, Qt.Key.Key_Return)
    assert session.selected_span == far_east
    assert inspector.quote.full_text() == "“Far East region of the Russia Federation”"
    assert links.count() == 1


def test_link_lines_read_with_direction_and_type(sample):
    session, inspector = sample
    session.select_span(span_by_quote(session, "Vostok-2018"))
    lines = [line.text for line in inspector.links._lines]
    assert lines == [
        "→ located in: Far East region of the Russia Federation",
        "← participates in: Chinese military forces",
        "↔ same as: The drills",
    ]


def test_the_delete_button_deletes_the_link(qtbot, sample):
    session, inspector = sample
    vostok = span_by_quote(session, "Vostok-2018")
    session.select_span(vostok)
    links = inspector.links
    button = links.itemWidget(links.item(0)).findChild(QToolButton, "delete_link")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    session.flush()
    with session.read() as read:
        assert len(read.links_of_spans([vostok])) == 2
    assert links.count() == 2
    session.undo_stack.undo()
    session.flush()
    assert links.count() == 3
