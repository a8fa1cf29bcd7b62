"""Annotator layers on the real main window: my layer by default, another's read-only (edits
refused with a message), compare overlaid and side by side, blind mode remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_helpers import add_second_layer, spans_by
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from annotator.domain.layer_diff import DiffKind
from annotator.gui.layer_panes import DIFF_STYLES
from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.services.project import Project
from annotator.services.sample import create_sample_project


@pytest.fixture
def two_layers(tmp_path: Path) -> tuple[Path, str, dict[str, list]]:
    """A project file where Ada (the demo annotations) and Bob annotated the sample article."""
    path = tmp_path / "layers.annotator"
    project = create_sample_project(path, "Ada")
    with project.store.read() as read:
        document = read.documents()[0].uuid
    made = add_second_layer(project, document)
    project.close()
    return path, document, made


def open_window(qtbot, path: Path, document: str) -> MainWindow:
    session = ProjectSession(Project.open(path, annotator_name="Ada"))
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    session.open_document(document)
    main.view.setFocus()
    # The document list counts spans after the reading pane's first paint.
    qtbot.waitUntil(lambda: main.documents.model.counts_known)
    return main


@pytest.fixture
def window(qtbot, two_layers):
    path, document, _ = two_layers
    main = open_window(qtbot, path, document)
    yield main
    main.session.close()


def shown(main: MainWindow) -> set[str]:
    """The uuids of the spans the reading pane holds."""
    text = main.view.text()
    return {uuid for cp in range(len(text)) for uuid in main.view.spans_at(cp)}


def uuids(spans) -> set[str]:
    return {s.uuid for s in spans}


def layer_action(main: MainWindow, text: str):
    main.layers.menu.aboutToShow.emit()  # the menu lists the layers when it opens
    return next(a for a in main.layers.menu.actions() if a.text() == text)


def message(main: MainWindow) -> str:
    return main.statusBar().currentMessage()


def test_the_pane_and_tables_show_my_layer_by_default(window) -> None:
    session, document = window.session, window.session.current_document
    ada = uuids(spans_by(session.project, document, "Ada"))
    assert shown(window) == ada
    assert set(window.tables.span_model.uuids()) == ada
    assert window.layers.status.text() == "Layer: My layer (Ada)"
    assert "read-only" not in window.windowTitle()


def test_another_layer_is_shown_read_only_and_edits_are_refused(qtbot, window, two_layers):
    session, document = window.session, window.session.current_document
    bob = spans_by(session.project, document, "Bob")
    window.view.scroll_top_to(1400)
    top = window.view.top_line()
    layer_action(window, "Bob's layer (read-only)").trigger()
    assert shown(window) == uuids(bob)
    qtbot.waitUntil(lambda: window.view.top_line() == top)  # the reading position is kept
    assert set(window.tables.span_model.uuids()) == uuids(bob)
    assert "Bob's layer, read-only" in window.layers.status.text()
    assert "Bob's layer, read-only" in window.windowTitle()
    assert window.layers.chooser.currentText() == "Bob"

    before = spans_by(session.project, document, "Bob"), spans_by(session.project, document, "Ada")
    window.view.set_selection(0, 5)  # "In Ch": tag it with key 1
    qtbot.keyClick(window.view, "1")
    assert message(window).startswith("Not changed: Bob's layer, read-only")
    target = bob[0]
    session.select_span(target.uuid)
    assert window.inspector.span is not None and window.inspector.span.uuid == target.uuid
    assert window.inspector.note.isReadOnly() and not window.inspector.tag_combo.isEnabled()
    window.statusBar().clearMessage()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert message(window).startswith("Not changed")
    window.statusBar().clearMessage()
    window.inspector.note.setPlainText("my note on Bob's span")
    window.inspector.commit_note()
    assert message(window).startswith("Not changed")
    session.flush()
    after = spans_by(session.project, document, "Bob"), spans_by(session.project, document, "Ada")
    assert after == before

    qtbot.keyClick(
        window,
        Qt.Key.Key_M,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert shown(window) == uuids(after[1])
    assert window.layers.status.text() == "Layer: My layer (Ada)"
    assert not window.inspector.note.isReadOnly()


def ranges_of(view, kind: DiffKind) -> list[tuple[int, int]]:
    color = DIFF_STYLES[kind][0]
    return next((r for pen, r in view.marked_ranges() if pen.color().name() == color), [])


def test_compare_marks_only_a_only_b_and_retagged_spans(qtbot, window, two_layers) -> None:
    _, document, made = two_layers
    session = window.session
    ada = {s.uuid: s for s in spans_by(session.project, document, "Ada")}
    bob = {s.uuid: s for s in spans_by(session.project, document, "Bob")}

    def pick_bob() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.second.setCurrentIndex(dialog.second.findText("Bob"))
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, pick_bob)
    window.actions_by_id["layer_compare"].trigger()
    assert "Compare Ada / Bob (overlaid), read-only" in window.layers.status.text()
    only_a = sorted(f for u in made["skipped"] for f in ada[u].fragments)
    only_b = sorted(f for u in made["only_b"] for f in bob[u].fragments)
    retagged = sorted(f for u in made["tag"] for f in bob[u].fragments)
    retagged_extents = {bob[u].fragments for u in made["tag"]}
    assert ranges_of(window.view, DiffKind.ONLY_A) == only_a
    assert ranges_of(window.view, DiffKind.ONLY_B) == only_b
    assert ranges_of(window.view, DiffKind.TAG) == retagged
    # the overlay draws each agreeing span once, every disagreeing one of both layers
    assert len(shown(window)) == len(ada) + len(made["tag"]) + len(made["only_b"])
    legend = window.layers.legend_labels
    assert legend[DiffKind.ONLY_B].text() == f"only Bob ({len(made['only_b'])})"
    assert legend[DiffKind.TAG].text() == f"different tag ({len(made['tag'])})"
    assert window.layers.legend_action.isVisible()
    retagged_as_a = [a.uuid for a in ada.values() if a.fragments in retagged_extents]
    differences = sorted(
        [
            *((ada[u].fragments, u) for u in made["skipped"] + retagged_as_a),
            *((bob[u].fragments, u) for u in made["only_b"]),
        ]
    )  # a retagged span is gone to as layer A's copy
    window.activateWindow()  # the compare dialog had the focus
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert session.selected_span == differences[0][1]
    assert message(window).startswith(f"Difference 1 of {len(differences)}: ")
    qtbot.keyClick(window, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert session.selected_span == differences[-1][1]

    window.actions_by_id["layer_side_by_side"].trigger()
    panes = window.compare_panes
    assert panes.second_frame.isVisible()
    assert shown(window) == set(ada)
    second = {u for cp in range(len(panes.second.text())) for u in panes.second.spans_at(cp)}
    assert second == set(bob)
    assert ranges_of(panes.second, DiffKind.ONLY_B) == only_b
    assert ranges_of(panes.second, DiffKind.ONLY_A) == []
    assert ranges_of(window.view, DiffKind.ONLY_A) == only_a
    bar = window.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    top = window.view.top_line()
    assert top > (0, 0)
    assert panes.second.top_line() == top  # the same line at the top of both panes
    panes.second.verticalScrollBar().setValue(0)
    assert window.view.top_line() == (0, 0)

    layer_action(window, "&My layer").trigger()
    assert not panes.second_frame.isVisible()
    assert window.view.marked_ranges() == []
    assert not window.layers.legend_action.isVisible()


def test_blind_mode_hides_others_and_is_remembered(qtbot, two_layers) -> None:
    path, document, _ = two_layers
    main = open_window(qtbot, path, document)
    session = main.session
    ada = uuids(spans_by(session.project, document, "Ada"))
    bob = spans_by(session.project, document, "Bob")
    layer_action(main, "Bob's layer (read-only)").trigger()
    assert shown(main) == uuids(bob)

    main.actions_by_id["blind_mode"].trigger()
    assert Settings().blind
    assert shown(main) == ada
    assert set(main.tables.span_model.uuids()) == ada
    assert "blind" in main.layers.status.text()
    model = main.documents.model
    assert model.index(0, model.SPANS).data() == str(len(ada))  # counts: mine only
    assert main.status_counts.text().endswith(f"{len(ada)} in this document")
    entry = layer_action(main, "Bob's layer (read-only)")
    assert not entry.isEnabled() and "Blind mode is on" in entry.toolTip()
    assert not main.actions_by_id["layer_compare"].isEnabled()
    assert not main.actions_by_id["agreement"].isEnabled()
    assert not main.actions_by_id["curate"].isEnabled()
    chooser = main.layers.chooser
    bob_row = chooser.findText("Bob")
    assert not chooser.model().item(bob_row).isEnabled()
    session.jump_to_span(bob[0].uuid)  # e.g. from a search result
    assert message(main) == "That span is in another layer: blind mode hides it"
    assert session.selected_span == ""

    search = main.search_tools.panel
    search.set_mode("annotations")
    search.edit.setText("annotator:Bob")
    search.run_search()
    assert search.results.topLevelItemCount() == 0  # asking for Bob's layer finds nothing
    search.edit.setText("tag:actor")
    search.run_search()
    tips = [
        search.results.topLevelItem(i).toolTip(0) for i in range(search.results.topLevelItemCount())
    ]
    assert tips and all(tip.startswith("Ada") for tip in tips)  # only my own annotations
    main.close()
    session.close()

    again = open_window(qtbot, path, document)  # a restart: the setting is read back
    try:
        assert again.actions_by_id["blind_mode"].isChecked()
        assert shown(again) == ada
        again.actions_by_id["blind_mode"].trigger()
        assert not Settings().blind
    finally:
        again.session.close()


def test_jumping_to_another_layers_span_shows_that_layer_read_only(window) -> None:
    session, document = window.session, window.session.current_document
    bob = spans_by(session.project, document, "Bob")
    session.jump_to_span(bob[0].uuid)
    assert session.selected_span == bob[0].uuid
    assert bob[0].uuid in shown(window)
    assert "Bob's layer, read-only" in window.layers.status.text()


def test_becoming_the_annotator_whose_layer_is_shown_makes_it_my_layer(window) -> None:
    session, document = window.session, window.session.current_document
    bob = spans_by(session.project, document, "Bob")
    layer_action(window, "Bob's layer (read-only)").trigger()
    session.project.switch_annotator("Bob")  # Help ▸ Change annotator…
    session.flush()
    assert session.layer.editable
    assert window.layers.status.text() == "Layer: My layer (Bob)"
    assert shown(window) == uuids(bob)


def test_blind_mode_closes_an_open_agreement_window(qtbot, two_layers) -> None:
    path, document, _ = two_layers
    main = open_window(qtbot, path, document)
    main.actions_by_id["agreement"].trigger()
    assert main.agreement_window is not None and main.agreement_window.isVisible()
    main.actions_by_id["blind_mode"].trigger()
    qtbot.waitUntil(lambda: main.agreement_window is None)  # closed and deleted
    main.actions_by_id["blind_mode"].trigger()  # off again for the next test's settings
    main.close()
    main.session.close()


def test_span_counts_follow_the_layers_shown(qtbot, two_layers) -> None:
    path, document, _ = two_layers
    main = open_window(qtbot, path, document)
    ada = spans_by(main.session.project, document, "Ada")
    bob = spans_by(main.session.project, document, "Bob")
    model = main.documents.model

    def counted() -> int:
        return int(model.index(0, model.SPANS).data())

    assert counted() == len(ada)  # my layer
    assert main.status_counts.text().endswith(f"{len(ada)} in this document")
    layer_action(main, "Bob's layer (read-only)").trigger()
    assert counted() == len(bob)
    main.layers.all_layers.trigger()
    assert counted() == len(ada) + len(bob)
    assert main.status_counts.text().endswith(f"{len(ada) + len(bob)} in this document")
    main.close()
    main.session.close()


def test_the_layers_are_read_once_per_event_loop_turn(qtbot, two_layers, monkeypatch) -> None:
    """The window's construction asked for the annotator list four times before its first
    frame; now it is read once a turn, and a new turn (or an annotator change) reads again."""
    from annotator.store.project_store import ReadSession

    path, document, _ = two_layers
    reads: list[int] = []
    original = ReadSession.annotators

    def counting(self):
        reads.append(1)
        return original(self)

    main = open_window(qtbot, path, document)
    monkeypatch.setattr(ReadSession, "annotators", counting)
    first = main.layers.layers()
    assert main.layers.layers() == first and len(reads) == 1
    qtbot.waitUntil(lambda: main.layers._layers is None)  # the next turn forgets them
    assert main.layers.layers() == first and len(reads) == 2
    main.session.close()
