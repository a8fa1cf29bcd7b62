"""Annotate all occurrences on the real main window: suggestions listed and drawn in the reading
pane, accepted and rejected by keyboard, Accept all undone as one step, and occurrences already
tagged never suggested again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

TEXT = (
    "😀 👩\u200d👩\u200d👧 Cafe\u0301 Acme said. Acme agreed, then Acme left; "
    "Acmeville stays. Acme again and Acme once more."
)
OTHER = "Elsewhere 🙂 Acme spoke."
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def starts(text: str, needle: str) -> list[int]:
    found, index = [], text.find(needle)
    while index >= 0:
        found.append(index)
        index = text.find(needle, index + 1)
    return found


ACME = [s for s in starts(TEXT, "Acme") if TEXT[s + 4] != "v"]  # whole words only


@pytest.fixture
def window(qtbot, tmp_path: Path):
    project = Project.create(tmp_path / "occ.annotator", annotator_name="tester")
    add = AddDocuments([import_text(TEXT, "a.txt", "utf-8"), import_text(OTHER, "b.txt", "utf-8")])
    project.run(add)
    document = add.report.added[0]
    source = CreateSpan(document, "actor", [(ACME[0], ACME[0] + 4)])
    project.run(source)
    session = ProjectSession(project)
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    session.open_document(document)
    session.select_span(source.uuid)
    main.view.setFocus()
    main.source_uuid, main.document = source.uuid, document
    yield main
    session.close()


def actor_starts(main: MainWindow) -> list[int]:
    with main.session.read() as read:
        return sorted(s.start for s in read.spans(main.document) if s.tag == "actor")


def open_suggestions(qtbot, main: MainWindow):
    qtbot.keyClick(main.view, Qt.Key.Key_O, CTRL_SHIFT)
    panel = main.search_tools.occurrences
    assert main.search_tools.occurrences_dock.isVisible()
    assert panel.list.hasFocus()
    return panel


def test_suggestions_are_listed_and_drawn(qtbot, window) -> None:
    panel = open_suggestions(qtbot, window)
    assert [s.start for s in panel.suggestions()] == ACME[1:]
    assert panel.list.topLevelItemCount() == len(ACME) - 1
    assert "[Acme] agreed" in panel.list.topLevelItem(0).text(0)
    assert window.view._suggestions.overlapping(0, len(TEXT)) == [(s, s + 4) for s in ACME[1:]]
    assert window.view._suggestion_color == window.session.schema.tag("actor").color
    # the current suggestion is shown selected in the reading pane
    assert window.view.selection() == (ACME[1], ACME[1] + 4)


def test_accept_one_reject_one_by_keyboard(qtbot, window) -> None:
    panel = open_suggestions(qtbot, window)
    qtbot.keyClick(panel.list, Qt.Key.Key_A)  # accept ACME[1]
    window.session.flush()
    assert actor_starts(window) == ACME[:2]
    qtbot.keyClick(panel.list, Qt.Key.Key_R)  # reject ACME[2]
    assert [s.start for s in panel.suggestions()] == ACME[3:]
    qtbot.keyClick(panel.list, Qt.Key.Key_J)
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)  # reject ACME[4]
    assert [s.start for s in panel.suggestions()] == ACME[3:4]
    assert actor_starts(window) == ACME[:2]  # rejecting writes nothing
    assert window.view._suggestions.overlapping(0, len(TEXT)) == [(ACME[3], ACME[3] + 4)]


def test_accept_all_is_one_undo_step(qtbot, window) -> None:
    panel = open_suggestions(qtbot, window)
    steps = window.session.undo_stack.count()
    qtbot.mouseClick(panel.accept_all_button, Qt.MouseButton.LeftButton)
    window.session.flush()
    assert actor_starts(window) == ACME
    assert window.session.undo_stack.count() == steps + 1
    assert panel.suggestions() == [] and panel.count.text() == "No suggestions left"
    window.actions_by_id["undo"].trigger()
    window.session.flush()
    assert actor_starts(window) == ACME[:1]
    window.actions_by_id["redo"].trigger()
    window.session.flush()
    assert actor_starts(window) == ACME


def test_already_tagged_occurrences_are_not_suggested_again(qtbot, window) -> None:
    window.session.run(CreateSpan(window.document, "actor", [(ACME[2], ACME[2] + 4)]))
    window.session.run(CreateSpan(window.document, "event", [(ACME[3], ACME[3] + 4)]))
    window.session.flush()
    window.session.select_span(window.source_uuid)
    panel = open_suggestions(qtbot, window)
    assert len(ACME) == 5
    assert [s.start for s in panel.suggestions()] == [ACME[1], ACME[3], ACME[4]]
    qtbot.keyClick(panel.list, Qt.Key.Key_A)
    window.session.flush()
    panel.refresh()  # found again: the accepted one is now tagged, so it is gone
    assert [s.start for s in panel.suggestions()] == [ACME[3], ACME[4]]


def test_project_scope_and_enter_jumps_to_the_other_document(qtbot, window) -> None:
    panel = open_suggestions(qtbot, window)
    panel.scope.setCurrentIndex(panel.scope.findData("project"))
    found = panel.suggestions()
    assert len(found) == len(ACME)  # ACME[1:] here, one in the other document (last)
    assert found[-1].document != window.document
    panel.list.setCurrentItem(panel.list.topLevelItem(len(found) - 1))
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert window.session.current_document == found[-1].document
    start = OTHER.index("Acme")
    assert window.view.selection() == (start, start + 4)
    assert window.view._suggestions.overlapping(0, len(OTHER)) == [(start, start + 4)]


def test_without_a_selected_span_nothing_is_suggested(qtbot, window) -> None:
    window.session.select_span("")
    qtbot.keyClick(window.view, Qt.Key.Key_O, CTRL_SHIFT)
    assert not window.search_tools.occurrences_dock.isVisible()


def test_from_a_search_result(qtbot, window, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    asked: list[list[str]] = []

    def choose(_parent, _title, _label, items, *_args):
        asked.append(list(items))
        return "Event", True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    panel = window.search_tools.panel
    panel.edit.setText("acme")
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    hit = panel.results.topLevelItem(0).child(0)
    document, start, end = hit.data(0, Qt.ItemDataRole.UserRole + 21)[1:]
    panel.annotate_requested.emit(document, start, end)  # what its context menu action does
    assert "Event" in asked[0]
    occurrences = window.search_tools.occurrences
    assert window.search_tools.occurrences_dock.isVisible()
    assert occurrences.template.tag == "event" and occurrences.template.needles == ("Acme",)
    # no event spans yet: every whole-word "Acme" of the document is suggested
    assert [s.start for s in occurrences.suggestions()] == ACME
    qtbot.mouseClick(occurrences.accept_all_button, Qt.MouseButton.LeftButton)
    window.session.flush()
    with window.session.read() as read:
        events = sorted(s.start for s in read.spans(window.document) if s.tag == "event")
    assert events == ACME
