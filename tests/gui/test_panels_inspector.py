"""The inspector, driven with the keyboard and mouse; every edit is read back from the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QToolButton

from annotator.domain.ids import new_uuid
from annotator.domain.model import AttributeDef, Schema, Span, TagType
from annotator.gui.panels.inspector import Inspector
from annotator.gui.session import ProjectSession
from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan

TEXT = "The committee met in Vladivostok on Tuesday and agreed on nothing at all."


def attribute(key: str, value_type: str, *choices: str, required: bool = False) -> AttributeDef:
    return AttributeDef(new_uuid(), key, key.title(), value_type, choices, required)


RICH_SCHEMA = Schema(
    tag_types=(
        TagType(
            new_uuid(),
            "thing",
            "Thing",
            "custom",
            "#0072B2",
            "1",
            attributes=(
                attribute("choice", "choice", "alpha", "beta", "gamma", required=True),
                attribute("multi", "multi_choice", "red", "green", "blue"),
                attribute("text", "text"),
                attribute("number", "number"),
                attribute("date", "date"),
                attribute("flag", "boolean"),
            ),
        ),
        TagType(new_uuid(), "plain", "Plain", "custom", "#009E73", "2"),
    )
)


def open_inspector(qtbot, session: ProjectSession) -> Inspector:
    inspector = Inspector(session)
    qtbot.addWidget(inspector)
    inspector.resize(360, 900)
    inspector.show()
    qtbot.waitExposed(inspector)
    with qtbot.waitActive(inspector):
        inspector.activateWindow()
    return inspector


@pytest.fixture
def rich(qtbot, tmp_path: Path):
    """A project whose one tag has an attribute of every type, with one span selected."""
    project = Project.create(tmp_path / "r.annotator", annotator_name="tester", schema=RICH_SCHEMA)
    session = ProjectSession(project)
    add = AddDocuments([ImportedDocument("Minutes", TEXT, sha256_text(TEXT), {}, "m.txt", "utf-8")])
    session.run(add)
    document = add.report.added[0]
    create = CreateSpan(document, "thing", [(4, 13)])
    session.run(create)
    session.run(CreateSpan(document, "plain", [(21, 31)]))
    session.flush()
    session.open_document(document)
    inspector = open_inspector(qtbot, session)
    session.select_span(create.uuid)
    yield session, inspector, create.uuid
    session.close()


@pytest.fixture
def sample(qtbot, sample_session: ProjectSession):
    with sample_session.read() as read:
        sample_session.open_document(read.documents()[0].uuid)
    return sample_session, open_inspector(qtbot, sample_session)


def stored(session: ProjectSession, uuid: str) -> Span:
    session.flush()
    with session.read() as read:
        return read.span(uuid)


def stored_value(session: ProjectSession, uuid: str, key: str) -> Any:
    return stored(session, uuid).attributes.get(key)


def span_by_quote(session: ProjectSession, quote: str) -> str:
    with session.read() as read:
        return next(s.uuid for s in read.spans(session.current_document) if s.quote == quote)


# -- showing ---------------------------------------------------------------------------------


def test_nothing_selected_shows_the_calm_empty_state(sample):
    _session, inspector = sample
    assert inspector.stack.currentWidget() is inspector.empty
    assert inspector.empty.text() == (
        "Select a span to see its details.\nSelect text and press 1–4 to tag it."
    )


def test_a_selected_span_shows_its_tag_quote_offsets_and_author(sample):
    session, inspector = sample
    uuid = span_by_quote(session, "Vostok-2018")
    session.select_span(uuid)
    span = stored(session, uuid)
    assert inspector.stack.currentWidget() is inspector.details
    assert inspector.tag_combo.currentText() == "Event"
    assert inspector.quote.full_text() == "“Vostok-2018”"
    assert inspector.offsets.text() == f"Characters {span.start}–{span.end} · 11 long"
    assert inspector.meta.text().startswith("Tagged by tester · created ")
    assert inspector.editors["type"].value() == "military exercise"
    assert inspector.editors["date"].value() == "2018-09-11"
    session.select_span("")
    assert inspector.stack.currentWidget() is inspector.empty


# -- one editor per attribute type -----------------------------------------------------------


def test_choice_is_picked_from_its_combo_and_the_required_hint_goes(qtbot, rich):
    session, inspector, uuid = rich
    editor = inspector.editors["choice"]
    assert not editor.hint.isHidden()  # required and missing
    count = session.undo_stack.count()
    editor.combo.setFocus()
    qtbot.keyClicks(editor.combo, "be")
    assert stored_value(session, uuid, "choice") == "beta"
    assert session.undo_stack.count() == count + 1
    assert editor.hint.isHidden()


def test_multi_choice_is_checked_item_by_item(qtbot, rich):
    session, inspector, uuid = rich
    items = inspector.editors["multi"].list
    items.setFocus()
    for row in (0, 2):
        items.setCurrentRow(row)
        qtbot.keyClick(items, Qt.Key.Key_Space)
    assert stored_value(session, uuid, "multi") == ["red", "blue"]
    for row in (0, 2):
        items.setCurrentRow(row)
        qtbot.keyClick(items, Qt.Key.Key_Space)
    assert stored_value(session, uuid, "multi") is None


def test_text_is_saved_when_the_editor_finishes_not_per_keystroke(qtbot, rich):
    session, inspector, uuid = rich
    edit = inspector.editors["text"].edit
    count = session.undo_stack.count()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(edit, "Sea of Japan")
    assert session.undo_stack.count() == count
    assert stored_value(session, uuid, "text") is None
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored_value(session, uuid, "text") == "Sea of Japan"
    assert session.undo_stack.count() == count + 1
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored_value(session, uuid, "text") is None


def test_number_accepts_numbers_refuses_letters_and_clears(qtbot, rich):
    session, inspector, uuid = rich
    editor = inspector.editors["number"]
    spin = editor.spin
    qtbot.mouseClick(spin, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(spin, "0.75")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert stored_value(session, uuid, "number") == 0.75
    count = session.undo_stack.count()
    spin.selectAll()
    qtbot.keyClicks(spin, "abc")  # refused by the box's validator, keystroke by keystroke
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert stored_value(session, uuid, "number") == 0.75
    assert session.undo_stack.count() == count
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert stored_value(session, uuid, "number") == 3
    qtbot.mouseClick(editor.findChild(QToolButton, "clear"), Qt.MouseButton.LeftButton)
    assert stored_value(session, uuid, "number") is None
    assert spin.text() == "not set"


def test_date_is_typed_and_cleared(qtbot, rich):
    session, inspector, uuid = rich
    editor = inspector.editors["date"]
    box = editor.date_edit
    assert box.text() == "not set"
    qtbot.mouseClick(inspector.editors["text"].edit, Qt.MouseButton.LeftButton)
    box.setFocus()
    assert box.text() != "not set"  # today, as a starting point
    inspector.editors["text"].edit.setFocus()
    assert box.text() == "not set" and stored_value(session, uuid, "date") is None
    box.setFocus()
    box.setSelectedSection(QDateEdit.Section.YearSection)
    qtbot.keyClicks(box, "20210304")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert stored_value(session, uuid, "date") == "2021-03-04"
    qtbot.mouseClick(editor.findChild(QToolButton, "clear"), Qt.MouseButton.LeftButton)
    assert stored_value(session, uuid, "date") is None


def test_boolean_cycles_not_set_yes_no(qtbot, rich):
    session, inspector, uuid = rich
    box = inspector.editors["flag"].box
    assert box.text() == "Not set"
    for expected, label in ((True, "Yes"), (False, "No"), (None, "Not set")):
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
        assert stored_value(session, uuid, "flag") is expected
        assert box.text() == label


def test_tab_walks_from_the_tag_through_the_attributes_to_the_note(rich):
    _session, inspector, _uuid = rich
    inspector.tag_combo.setFocus()
    order = []
    for _ in range(len(inspector.editors) + 1):
        inspector.focusNextChild()
        order.append(QApplication.focusWidget())
    fields = [editor.focusProxy() for editor in inspector.editors.values()]
    assert order == [*fields, inspector.note]


def test_an_editor_being_typed_in_survives_a_refresh(qtbot, rich):
    session, inspector, uuid = rich
    edit = inspector.editors["text"].edit
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(edit, "half-typ")
    session.run(EditSpan(uuid, attributes={"choice": "gamma"}))  # from elsewhere
    session.flush()
    assert inspector.editors["choice"].combo.currentText() == "gamma"
    assert edit.text() == "half-typ" and edit.hasFocus()
    qtbot.keyClicks(edit, "ed")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored(session, uuid).attributes == {"choice": "gamma", "text": "half-typed"}


def test_a_note_being_typed_survives_a_refresh(qtbot, rich):
    session, inspector, uuid = rich
    qtbot.mouseClick(inspector.note.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(inspector.note, "draft")
    session.run(EditSpan(uuid, attributes={"flag": True}))
    session.flush()
    assert inspector.editors["flag"].box.text() == "Yes"
    assert inspector.note.toPlainText() == "draft" and inspector.note.hasFocus()


def test_undo_puts_the_stored_value_back_in_the_editor(qtbot, rich):
    session, inspector, uuid = rich
    combo = inspector.editors["choice"].combo
    combo.setFocus()
    qtbot.keyClicks(combo, "alpha")
    session.flush()
    inspector.note.setFocus()
    session.undo_stack.undo()
    session.flush()
    assert combo.currentText() == ""
    assert stored_value(session, uuid, "choice") is None


# -- note, tag -------------------------------------------------------------------------------


def test_note_saves_on_ctrl_enter_and_on_leaving(qtbot, rich):
    session, inspector, uuid = rich
    note = inspector.note
    qtbot.mouseClick(note.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(note, "Check the minutes.")
    assert stored(session, uuid).note == ""
    qtbot.keyClick(note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert stored(session, uuid).note == "Check the minutes."
    qtbot.keyClicks(note, " Twice.")
    qtbot.mouseClick(inspector.editors["text"].edit, Qt.MouseButton.LeftButton)
    assert stored(session, uuid).note == "Check the minutes. Twice."


def test_a_half_typed_note_is_saved_when_the_selection_moves(qtbot, rich):
    session, inspector, uuid = rich
    qtbot.mouseClick(inspector.note.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(inspector.note, "unfinished")
    with session.read() as read:
        other = next(s.uuid for s in read.spans(session.current_document) if s.uuid != uuid)
    session.select_span(other)
    assert stored(session, uuid).note == "unfinished"
    assert stored(session, other).note == ""
    assert inspector.note.toPlainText() == ""


def test_deleting_the_span_while_its_note_is_typed_is_quiet(qtbot, rich):
    session, inspector, uuid = rich
    qtbot.mouseClick(inspector.note.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(inspector.note, "never mind")
    with qtbot.assertNotEmitted(session.error):
        session.run(DeleteSpans([uuid]))
        session.flush()
    assert session.selected_span == ""
    assert inspector.stack.currentWidget() is inspector.empty


def test_retag_through_the_combo(qtbot, sample):
    from annotator.gui.settings import Settings

    Settings().retag_dropped = "drop"  # asked once otherwise (tests/gui/test_retag_feedback)
    session, inspector = sample
    uuid = span_by_quote(session, "China")
    session.select_span(uuid)
    inspector.tag_combo.setFocus()
    qtbot.keyClicks(inspector.tag_combo, "Event")
    span = stored(session, uuid)
    assert span.tag == "event" and span.attributes == {}
    assert set(inspector.editors) == {"type", "date", "place"}


def test_a_refused_retag_is_reported_and_the_combo_goes_back(qtbot, sample):
    session, inspector = sample
    uuid = span_by_quote(session, "Chinese military forces")  # participates in an event
    session.select_span(uuid)
    inspector.tag_combo.setFocus()
    with qtbot.waitSignal(session.error) as blocker:
        qtbot.keyClicks(inspector.tag_combo, "Place")
    assert "delete the link first" in blocker.args[0]
    assert stored(session, uuid).tag == "actor"
    assert inspector.tag_combo.currentText() == "Actor"
