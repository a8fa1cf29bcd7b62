"""The schema editor on the sample project: edits, refusals, undo, reopen, export and import."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog

from annotator.domain.model import Schema
from annotator.gui.dialogs.schema_editor import SchemaEditor
from annotator.gui.session import ProjectSession
from annotator.services.project import Project

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def editor(qtbot, sample_session: ProjectSession) -> SchemaEditor:
    widget = SchemaEditor(sample_session)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    with qtbot.waitActive(widget):
        widget.activateWindow()
    return widget


def settle(editor: SchemaEditor) -> None:
    """Deliver the session's coalesced change set now (what the event loop would do next)."""
    editor.session.flush()


def tree_labels(editor: SchemaEditor, owner: str) -> list[str]:
    group = editor.groups[owner]
    return [group.child(i).text(0) for i in range(group.childCount())]


def schema_after_reopen(session: ProjectSession) -> Schema:
    path = session.project.path
    session.close()
    reopened = Project.open(path, annotator_name="reader")
    try:
        return reopened.schema
    finally:
        reopened.close()


def replace_text(qtbot, line_edit, text: str) -> None:
    line_edit.setFocus()
    line_edit.selectAll()
    qtbot.keyClicks(line_edit, text)
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)


def test_add_a_tag_type(qtbot, editor) -> None:
    qtbot.mouseClick(editor.add_tag_button, LEFT)
    dialog = editor.new_dialog
    qtbot.keyClicks(dialog.label, "Media outlet")
    assert dialog.key.text() == "media_outlet" and dialog.hotkey.text() == "5"
    dialog.kind.setCurrentIndex(dialog.kind.findData("actor"))
    qtbot.mouseClick(dialog.ok, LEFT)
    tag = editor.session.schema.tag("media_outlet")
    assert (tag.label, tag.kind, tag.hotkey) == ("Media outlet", "actor", "5")
    assert editor.current() == ("tag", "media_outlet")
    assert tree_labels(editor, "tag")[-1] == "Media outlet"
    assert editor.tag_form.label.hasFocus()
    assert schema_after_reopen(editor.session).tag("media_outlet").label == "Media outlet"


def test_a_duplicate_key_is_refused_in_the_dialog(qtbot, editor) -> None:
    qtbot.mouseClick(editor.add_tag_button, LEFT)
    dialog = editor.new_dialog
    qtbot.keyClicks(dialog.label, "Actor")
    qtbot.mouseClick(dialog.ok, LEFT)
    assert dialog.isVisible()
    assert dialog.message.text() == "⚠ A tag type \u201cactor\u201d already exists"


def test_rename_recolour_and_change_kind(qtbot, editor, monkeypatch) -> None:
    form = editor.tag_form
    assert editor.current() == ("tag", "actor") and form.key.text() == "actor"
    replace_text(qtbot, form.label, "Person or group")
    assert editor.session.schema.tag("actor").label == "Person or group"
    settle(editor)
    assert tree_labels(editor, "tag")[0] == "Person or group"
    assert form.title.text() == "Person or group"
    monkeypatch.setattr(QColorDialog, "getColor", lambda *args: QColor("#123456"))
    qtbot.mouseClick(form.color, LEFT)
    assert editor.session.schema.tag("actor").color == "#123456"
    form.kind.setCurrentIndex(form.kind.findData("custom"))
    form.kind.activated.emit(form.kind.currentIndex())  # what choosing from the list emits
    saved = schema_after_reopen(editor.session).tag("actor")
    assert (saved.label, saved.color, saved.kind) == ("Person or group", "#123456", "custom")


def test_hotkey_conflict_is_refused_with_the_commands_message(qtbot, editor) -> None:
    form = editor.tag_form
    form.hotkey.setFocus()
    qtbot.keyClick(form.hotkey, "2")  # Event's key
    assert form.message.text() == "⚠ Hotkey \u201c2\u201d already belongs to \u201cEvent\u201d"
    assert form.hotkey.text() == "1"
    assert editor.session.schema.tag("actor").hotkey == "1"
    qtbot.keyClick(form.hotkey, "a")
    assert editor.session.schema.tag("actor").hotkey == "a"
    assert not form.message.isVisible()
    qtbot.keyClick(form.hotkey, Qt.Key.Key_Backspace)
    assert editor.session.schema.tag("actor").hotkey is None
    settle(editor)
    assert editor.groups["tag"].child(0).text(1) == ""


def test_guideline_is_saved_when_leaving_it(qtbot, editor) -> None:
    form = editor.tag_form
    form.guideline.setFocus()
    qtbot.keyClick(form.guideline, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.guideline, " Extra rule.")
    form.label.setFocus()
    assert editor.session.schema.tag("actor").guideline.endswith(" Extra rule.")
    form.guideline.setFocus()
    qtbot.keyClicks(form.guideline, " Last words.")
    qtbot.keyClick(form.guideline, Qt.Key.Key_Escape)  # closing saves what is being typed
    assert not editor.isVisible()
    assert editor.session.schema.tag("actor").guideline.endswith(" Last words.")


def test_add_edit_and_delete_an_attribute(qtbot, editor) -> None:
    table = editor.tag_form.attributes
    qtbot.mouseClick(table.add_button, LEFT)
    dialog = table.dialog
    qtbot.keyClicks(dialog.label, "Role in text")
    assert dialog.key.text() == "role_in_text"
    dialog.value_type.setCurrentIndex(dialog.value_type.findData("choice"))
    qtbot.keyClicks(dialog.choices, "speaker, target, ")
    qtbot.keyClicks(dialog.default, "witness")  # not a choice: refused, dialog stays
    qtbot.mouseClick(dialog.ok, LEFT)
    assert (
        dialog.isVisible()
        and "not one of \u201cspeaker\u201d or \u201ctarget\u201d" in dialog.message.text()
    )
    dialog.default.clear()
    qtbot.keyClicks(dialog.default, "speaker")
    qtbot.mouseClick(dialog.required, LEFT)
    qtbot.mouseClick(dialog.ok, LEFT)
    assert not dialog.isVisible()
    added = editor.session.schema.tag("actor").attribute("role_in_text")
    assert (added.value_type, added.choices, added.default, added.required) == (
        "choice",
        ("speaker", "target"),
        "speaker",
        True,
    )
    settle(editor)
    assert table.table.rowCount() == 2 and table.table.item(1, 3).text() == "speaker, target"
    table.select("role_in_text")
    qtbot.mouseClick(table.edit_button, LEFT)
    dialog = table.dialog
    assert dialog.key.isReadOnly() and not dialog.value_type.isEnabled()
    dialog.choices.setText("speaker, target, witness")
    replace_text(qtbot, dialog.label, "Role")  # Enter saves
    edited = editor.session.schema.tag("actor").attribute("role_in_text")
    assert (edited.label, edited.choices) == ("Role", ("speaker", "target", "witness"))
    settle(editor)
    table.select("role_in_text")
    qtbot.mouseClick(table.delete_button, LEFT)
    assert editor.session.schema.tag("actor").attribute("role_in_text") is None
    assert schema_after_reopen(editor.session).tag("actor").attribute("role_in_text") is None


def test_removing_a_choice_in_use_is_refused(qtbot, editor) -> None:
    table = editor.tag_form.attributes
    table.select("kind")
    qtbot.mouseClick(table.edit_button, LEFT)
    dialog = table.dialog
    dialog.choices.setText("person, organisation")  # "state" is used by demo spans
    qtbot.mouseClick(dialog.ok, LEFT)
    assert dialog.isVisible() and "would no longer be valid" in dialog.message.text()


def test_add_a_link_type_with_endpoints_then_change_them(qtbot, editor) -> None:
    qtbot.mouseClick(editor.add_link_button, LEFT)
    dialog = editor.new_dialog
    qtbot.keyClicks(dialog.label, "Funds")
    dialog.sources.set_checked("actor", True)
    dialog.targets.set_checked("actor", True)
    dialog.targets.set_checked("event", True)
    qtbot.mouseClick(dialog.ok, LEFT)
    funds = editor.session.schema.link_type("funds")
    assert (funds.directed, funds.sources, funds.targets) == (True, ("actor",), ("actor", "event"))
    assert editor.current() == ("link", "funds")
    form = editor.link_form
    assert form.sources.checked() == ("actor",)
    form.targets.set_checked("event", False)
    qtbot.mouseClick(form.symmetric, LEFT, pos=QPoint(8, form.symmetric.height() // 2))
    funds = editor.session.schema.link_type("funds")
    assert (funds.directed, funds.targets) == (False, ("actor",))
    assert editor.session.schema.allowed_link_types("actor", "actor")[-1].key == "funds"
    saved = schema_after_reopen(editor.session).link_type("funds")
    assert (saved.label, saved.sources, saved.targets) == ("Funds", ("actor",), ("actor",))


def test_narrowing_endpoints_below_existing_links_is_refused(qtbot, editor) -> None:
    assert editor.select("link", "participates_in")
    form = editor.link_form
    form.targets.set_checked("place", True)
    form.targets.set_checked("event", False)  # the demo has actor → event links of this type
    assert "existing link(s) would no longer be allowed" in form.message.text()
    assert form.targets.checked() == ("event", "place")
    assert editor.session.schema.link_type("participates_in").targets == ("event", "place")


def test_delete_refuses_a_used_tag_and_deletes_an_unused_one(qtbot, editor) -> None:
    qtbot.mouseClick(editor.delete_button, LEFT)  # Actor, used by demo spans
    assert editor.message.text().startswith("⚠ Not deleted: 6 span(s) are tagged \u201cActor\u201d")
    assert editor.session.schema.tag("actor") is not None
    assert editor.select("link", "supports")
    qtbot.mouseClick(editor.delete_button, LEFT)
    assert editor.session.schema.link_type("supports") is None
    assert "supports" not in tree_labels(editor, "link")
    assert "Undo" in editor.message.text()


def test_undo_elsewhere_is_reflected(qtbot, editor) -> None:
    form = editor.tag_form
    replace_text(qtbot, form.label, "Agent")
    settle(editor)
    editor.session.undo_stack.undo()
    settle(editor)
    assert editor.session.schema.tag("actor").label == "Actor"
    assert tree_labels(editor, "tag")[0] == "Actor" and form.label.text() == "Actor"
    assert editor.select("link", "supports")
    qtbot.mouseClick(editor.delete_button, LEFT)
    settle(editor)
    assert "supports" not in tree_labels(editor, "link")
    qtbot.keyClick(editor.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # here too
    settle(editor)
    assert "supports" in tree_labels(editor, "link")
    assert editor.session.schema.link_type("supports") is not None


def test_export_then_import_into_another_project(qtbot, editor, tmp_path: Path) -> None:
    replace_text(qtbot, editor.tag_form.label, "Person")
    qtbot.mouseClick(editor.add_tag_button, LEFT)
    qtbot.keyClicks(editor.new_dialog.label, "Weapon")
    qtbot.mouseClick(editor.new_dialog.ok, LEFT)
    path = tmp_path / "schema.json"
    assert editor.export_schema_file(path)
    data = orjson.loads(path.read_bytes())
    assert data["format"] == "annotator-schema" and b'\n  "version": 1' in path.read_bytes()
    other = ProjectSession(Project.create(tmp_path / "other.annotator", annotator_name="b"))
    try:
        second = SchemaEditor(other)
        qtbot.addWidget(second)
        assert second.import_schema_file(path)
        assert other.schema.tag("actor").label == "Person"
        assert other.schema.tag("weapon").hotkey == "5"
        text = second.message.text()
        assert "added tag type weapon" in text and "updated tag type actor" in text
        assert "Weapon" in tree_labels(second, "tag")
        other.undo_stack.undo()  # the import is one step
        assert other.schema.tag("weapon") is None
    finally:
        other.close()


def test_a_bad_schema_file_is_refused_plainly(qtbot, editor, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"format": "annotator-schema", "version": 1, "tag_types": [{}]}')
    assert not editor.import_schema_file(path)
    assert editor.message.text().startswith("⚠ Nothing was imported from bad.json: $.tag_types")
    path.write_bytes(b"not json")
    assert not editor.import_schema_file(path)
    assert "not valid JSON" in editor.message.text()


def test_export_onto_the_project_file_is_refused(qtbot, editor) -> None:
    path = editor.session.project.path
    assert not editor.export_schema_file(path)
    assert "the project file itself" in editor.message.text()
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
