"""Adjudication end to end on the real main window: two annotators' layers → Tools ▸ Curate… →
keyboard decisions (accept, reject, accept all agreed, edit into gold, undo/redo) → the gold layer
exported on its own (Annotator JSON through the exchange API and `--layer gold`, and brat)
holds exactly the decided spans."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from annotator.cli import main as cli_main
from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.text import import_text
from annotator.io.formats import ExportOptions
from annotator.services.document_commands import AddDocuments
from annotator.services.exchange_files import export_file
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan
from annotator.store.decisions import decisions

TEXT = "Mayor Jane Doe said on Monday that the bridge was safe. Engineers from Acme disagreed."


def at(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


def tag(project: Project, document: str, key: str, needle: str, **attributes) -> str:
    command = CreateSpan(document, key, [at(needle)], attributes=attributes or None)
    project.run(command)
    return command.uuid


@pytest.fixture
def window(qtbot, tmp_path: Path):
    """ann and bob agree on the claim and on Monday, differ on the mayor (extent and kind);
    only bob tagged the engineers; both say the mayor asserts the claim. cleo adjudicates."""
    project = Project.create(tmp_path / "curate.annotator", annotator_name="ann")
    add = AddDocuments([import_text(TEXT, "bridge.txt", "utf-8")])
    project.run(add)
    (doc,) = add.report.added
    mayor = tag(project, doc, "actor", "Mayor Jane Doe", kind="person")
    claim = tag(project, doc, "claim", "the bridge was safe")
    tag(project, doc, "event", "Monday")
    project.run(CreateLink(mayor, claim, "asserts"))
    project.switch_annotator("bob")
    jane = tag(project, doc, "actor", "Jane Doe", kind="organisation")
    claim = tag(project, doc, "claim", "the bridge was safe")
    tag(project, doc, "event", "Monday")
    tag(project, doc, "actor", "Engineers")
    project.run(CreateLink(jane, claim, "asserts"))
    project.switch_annotator("cleo")
    project.history.clear()
    session = ProjectSession(project)
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.doc = doc
    yield main
    session.close()


def open_curation(qtbot, main: MainWindow):
    main.actions_by_id["curate"].trigger()
    curation = main.curation_window
    qtbot.waitExposed(curation)
    curation.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is curation)
    curation.queue_table.setFocus()
    return curation


def listed(curation) -> list[tuple[str, str, str]]:
    table = curation.queue_table
    return [
        tuple(table.item(row, column).text() for column in (1, 2, 3))
        for row in range(table.rowCount())
    ]


def gold(main) -> dict[str, tuple[str, dict]]:
    with main.session.read() as read:
        return {s.quote: (s.tag, s.attributes) for s in read.spans(main.doc, GOLD_ANNOTATOR_UUID)}


def press(qtbot, curation, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(curation.queue_table, key, modifier)
    curation.session.flush()


def test_tools_menu_opens_the_queue_with_versions_side_by_side(qtbot, window) -> None:
    assert window.actions_by_id["curate"].text() == "&Curate into gold…"
    curation = open_curation(qtbot, window)
    assert listed(curation) == [
        ("Span", "Mayor Jane Doe", ""),
        ("Span", "Monday", "✓ agreed"),
        ("Span", "the bridge was safe", "✓ agreed"),
        ("Span", "Engineers", ""),
    ]
    versions = curation.versions
    headers = [versions.horizontalHeaderItem(c).text() for c in range(versions.columnCount())]
    assert headers == ["1 · ann", "2 · bob"]
    assert [versions.item(1, c).text() for c in range(2)] == ["Mayor Jane Doe", "Jane Doe"]
    assert [versions.item(2, c).text() for c in range(2)] == ["kind: person", "kind: organisation"]
    assert versions.item(1, 0).font().bold()  # the versions differ there
    assert curation.progress.value() == 0 and curation.progress.maximum() == 4
    assert curation.documents.item(0).text().endswith("— 0 / 4")
    # the current unit is shown in the reading pane, the two layers compared
    assert window.session.layer.choice.mode == "compare"
    assert window.session.current_document == window.doc
    assert window.view.selection() == at("Mayor Jane Doe")


def test_keyboard_adjudication_to_gold_export(qtbot, window, tmp_path) -> None:
    curation = open_curation(qtbot, window)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    press(qtbot, curation, Qt.Key.Key_Return, ctrl_shift)
    assert gold(window) == {
        "Monday": ("event", {}),
        "the bridge was safe": ("claim", {}),
    }
    assert [row[0] for row in listed(curation)] == ["Span", "Span"]
    press(qtbot, curation, Qt.Key.Key_2)  # bob's "Jane Doe"
    assert "Jane Doe" in gold(window)
    # now: Engineers, the attribute unit of Jane Doe, and the agreed link
    assert listed(curation) == [
        ("Span", "Engineers", ""),
        ("Attributes", "Jane Doe", ""),
        ("Link (asserts)", "Jane Doe → the bridge was safe", "✓ agreed"),
    ]
    press(qtbot, curation, Qt.Key.Key_R)  # reject the engineers
    assert "Engineers" not in gold(window)
    press(qtbot, curation, Qt.Key.Key_1)  # ann's kind: person
    assert gold(window)["Jane Doe"] == ("actor", {"kind": "person"})
    press(qtbot, curation, Qt.Key.Key_1)  # the link
    assert curation.rows == []
    assert curation.progress.value() == curation.progress.maximum() == 6
    assert "6 / 6 ✓" in curation.documents.item(0).text()

    # undo and redo through the window's keys (the main window's undo stack)
    press(qtbot, curation, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [row[0] for row in listed(curation)] == ["Link (asserts)"]
    press(qtbot, curation, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold(window)["Jane Doe"] == ("actor", {"kind": "organisation"})
    window.session.undo_stack.redo()
    window.session.undo_stack.redo()
    window.session.flush()
    assert curation.rows == []

    with window.session.read() as read:
        found = decisions(read)
        names = {a.uuid: a.name for a in read.annotators()}
        history = [h for h in read.history() if h.action == "adjudicate"]
    assert sorted(d.verdict for d in found) == ["accept"] * 5 + ["reject"]
    assert {names[d.decided_by] for d in found} == {"cleo"}
    assert len(history) >= 6

    expected = {"Jane Doe", "Monday", "the bridge was safe"}
    project = window.session.project
    only_gold = ExportOptions(annotators=frozenset({GOLD_ANNOTATOR_UUID}))
    export_file(project, "json", tmp_path / "gold.json", only_gold)
    data = json.loads((tmp_path / "gold.json").read_text(encoding="utf-8"))
    (document,) = data["documents"]
    assert {s["text"] for s in document["spans"]} == expected
    assert len(document["links"]) == 1
    export_file(project, "brat", tmp_path / "gold.zip", only_gold)
    with zipfile.ZipFile(tmp_path / "gold.zip") as archive:
        (ann_name,) = [n for n in archive.namelist() if n.endswith(".ann")]
        lines = archive.read(ann_name).decode("utf-8").splitlines()
    assert {line.split("\t")[2] for line in lines if line.startswith("T")} == expected
    assert sum(1 for line in lines if line.startswith("R")) == 1
    # the command line's --layer gold writes the same spans (from a copy: the app holds a lock)
    project.store.save_copy(tmp_path / "copy.annotator")
    assert cli_main(["export", str(tmp_path / "copy.annotator"), "--format", "json", "--layer",
                     "gold", "--output", str(tmp_path / "cli.json")]) == 0  # fmt: skip
    data = json.loads((tmp_path / "cli.json").read_text(encoding="utf-8"))
    assert {s["text"] for s in data["documents"][0]["spans"]} == expected


def test_edit_changes_a_version_into_gold_as_one_undo_step(qtbot, window) -> None:
    curation = open_curation(qtbot, window)
    press(qtbot, curation, Qt.Key.Key_E)  # starts from ann's "Mayor Jane Doe"
    dialog = curation.gold_editor
    qtbot.waitExposed(dialog)
    assert dialog.preview.text() == "Mayor Jane Doe"
    dialog.start.setValue(at("Jane Doe")[0])
    assert dialog.preview.text() == "Jane Doe"
    dialog.editors["kind"].set_value("state")
    dialog.note.setText("checked against the byline")
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    window.session.flush()
    assert gold(window) == {"Jane Doe": ("actor", {"kind": "state"})}
    with window.session.read() as read:
        (decision,) = decisions(read)
        (span,) = read.spans(window.doc, GOLD_ANNOTATOR_UUID)
        names = {a.uuid: a.name for a in read.annotators()}
    assert decision.verdict == "edit" and decision.gold_uuid == span.uuid
    assert names[decision.source_annotator] == "ann" and span.note == "checked against the byline"
    assert [row[1] for row in listed(curation)][:1] == ["Monday"]
    press(qtbot, curation, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold(window) == {}
    assert listed(curation)[0] == ("Span", "Mayor Jane Doe", "")


def test_an_empty_extent_is_not_accepted(qtbot, window) -> None:
    curation = open_curation(qtbot, window)
    press(qtbot, curation, Qt.Key.Key_E)
    dialog = curation.gold_editor
    dialog.end.setValue(dialog.start.value())
    dialog.accept()
    assert dialog.isVisible() and "end must come after" in dialog.preview.text()
    dialog.reject()
    assert gold(window) == {}


def test_moving_jumps_the_reading_pane_and_enter_focuses_it(qtbot, window) -> None:
    curation = open_curation(qtbot, window)
    press(qtbot, curation, Qt.Key.Key_J)
    press(qtbot, curation, Qt.Key.Key_J)
    assert curation.queue_table.currentRow() == 2
    assert window.view.selection() == at("the bridge was safe")
    press(qtbot, curation, Qt.Key.Key_K)
    assert window.view.selection() == at("Monday")
    press(qtbot, curation, Qt.Key.Key_Down)
    assert window.view.selection() == at("the bridge was safe")
    press(qtbot, curation, Qt.Key.Key_Return)
    assert window.view.selection() == at("the bridge was safe")


def test_a_missing_version_and_too_few_annotators_say_so(qtbot, window) -> None:
    curation = open_curation(qtbot, window)
    press(qtbot, curation, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)  # engineers: bob
    messages = []
    window.session.message.connect(messages.append)
    press(qtbot, curation, Qt.Key.Key_1)
    assert messages == ["ann has no version of this unit"]
    assert gold(window) == {}
    press(qtbot, curation, Qt.Key.Key_Delete)  # rejects the engineers
    with window.session.read() as read:
        assert [d.verdict for d in decisions(read)] == ["reject"]
    assert [row[1] for row in listed(curation)] == [
        "Mayor Jane Doe",
        "Monday",
        "the bridge was safe",
    ]
    curation.annotators.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert curation.rows == []
    assert "at least two annotators" in curation.summary.text()
    # the choice is remembered for the next time
    curation.close()
    qtbot.waitUntil(lambda: window.curation_window is None)
    curation = open_curation(qtbot, window)
    assert curation.annotators.item(0).checkState() == Qt.CheckState.Unchecked
    assert curation.annotators.item(1).checkState() == Qt.CheckState.Checked


def test_choice_labels_are_mnemonics_for_their_lists(qtbot, window) -> None:
    # Without a buddy, a QLabel shows its "&" literally ("&Annotators …") and Alt+A does nothing.
    from PySide6.QtWidgets import QLabel

    curation = open_curation(qtbot, window)
    buddies = {
        label.text(): label.buddy()
        for label in curation.findChildren(QLabel)
        if label.text().startswith("&")
    }
    assert buddies == {
        "&Annotators to adjudicate between:": curation.annotators,
        "&Documents (decided / units):": curation.documents,
    }


def test_closing_gives_back_the_layer_shown_before(qtbot, window) -> None:
    from annotator.domain.layer_diff import MY_LAYER, LayerChoice, LayerMode

    layer = window.session.layer
    assert layer.choice == MY_LAYER
    curation = open_curation(qtbot, window)
    assert layer.comparing
    curation.close()
    qtbot.waitUntil(lambda: window.curation_window is None)
    assert layer.choice == MY_LAYER

    # A layer the user chose while curating is left as it is.
    curation = open_curation(qtbot, window)
    bob = next(uuid for uuid, name in layer._names().items() if name == "bob")
    layer.set_choice(LayerChoice(LayerMode.LAYER, bob))
    curation.close()
    qtbot.waitUntil(lambda: window.curation_window is None)
    assert layer.choice == LayerChoice(LayerMode.LAYER, bob)
