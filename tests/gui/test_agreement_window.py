"""The Agreement window on the real main window: Tools ▸ Agreement…, compute, click a figure
and a confusion cell, the passages listed, activate one → the reading pane shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.domain.ids import now
from annotator.domain.layers import GOLD_ANNOTATOR_NAME, GOLD_ANNOTATOR_UUID
from annotator.domain.model import Annotator
from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments
from annotator.services.entity_commands import SetStatus
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

TEXT = "Intro 😀 Vladimir Putin met Xi Jinping in Moscow.\nThe talks 👩‍👩‍👧 were calm."
OTHER = "A second text about Moscow."


def at(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


@pytest.fixture
def window(qtbot, tmp_path: Path):
    project = Project.create(tmp_path / "agree.annotator", annotator_name="ann")
    add = AddDocuments(
        [import_text(TEXT, "talks.txt", "utf-8"), import_text(OTHER, "other.txt", "utf-8")]
    )
    project.run(add)
    talks, other = add.report.added
    with project.store.write() as session:
        session.insert_annotator(
            Annotator(GOLD_ANNOTATOR_UUID, GOLD_ANNOTATOR_NAME, "", now(), now())
        )
    project.run(CreateSpan(talks, "actor", [at("Vladimir Putin")]))
    project.run(CreateSpan(talks, "actor", [at("Xi Jinping")]))
    project.run(SetStatus(talks, "done"))
    project.switch_annotator("bob")
    project.run(CreateSpan(talks, "actor", [at("Putin")]))
    project.run(CreateSpan(talks, "event", [at("Moscow")]))
    project.run(SetStatus(talks, "done"))
    session = ProjectSession(project)
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    session.open_document(other)
    main.ids = (talks, other)
    yield main
    session.close()


def open_agreement(qtbot, main: MainWindow):
    main.actions_by_id["agreement"].trigger()
    agreement = main.agreement_window
    qtbot.waitExposed(agreement)
    return agreement


def click_cell(qtbot, table, row: int, column: int) -> None:
    table.scrollToItem(table.item(row, column))
    rect = table.visualItemRect(table.item(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_tools_menu_has_agreement(window) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert "&Tools" in titles
    assert window.actions_by_id["agreement"].text() == "&Agreement…"


def test_choices_leave_gold_out(qtbot, window) -> None:
    agreement = open_agreement(qtbot, window)
    states = {
        agreement.annotators.item(i).text(): agreement.annotators.item(i).checkState()
        for i in range(agreement.annotators.count())
    }
    assert states["ann"] == Qt.CheckState.Checked
    assert states["bob"] == Qt.CheckState.Checked
    assert states["Gold (gold layer)"] == Qt.CheckState.Unchecked


def test_compute_click_figure_and_jump_to_the_passage(qtbot, window) -> None:
    talks, _ = window.ids
    agreement = open_agreement(qtbot, window)
    qtbot.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)
    assert agreement.report is not None
    assert "ann, bob: 1 document(s)" in agreement.summary.text()
    spans = agreement.spans
    row, column = spans.cell_of("all tags", "overlap FN")
    assert spans.item(row, column).text() == "1"  # Xi Jinping: only ann
    assert spans.item(*spans.cell_of("all tags", "overlap TP")).text() == "1"
    click_cell(qtbot, spans, row, column)
    assert agreement.passages.rowCount() == 1
    assert agreement.passages.item(0, 2).text() == "Xi Jinping"
    assert agreement.passages.item(0, 3).text() == "ann"
    # Activate it with the keyboard: the reading pane opens the document, the range selected
    agreement.passages.setFocus()
    agreement.passages.setCurrentCell(0, 0)
    qtbot.keyClick(agreement.passages, Qt.Key.Key_Return)
    assert window.session.current_document == talks
    assert window.view.selection() == at("Xi Jinping")


def test_confusion_cell_lists_its_passages(qtbot, window) -> None:
    talks, _ = window.ids
    agreement = open_agreement(qtbot, window)
    qtbot.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)
    agreement.tabs.setCurrentWidget(agreement.confusion)
    table = agreement.confusion
    row, column = table.cell_of("none", "event")
    assert table.item(row, column).text() == "1"
    click_cell(qtbot, table, row, column)
    assert agreement.passages.item(0, 2).text() == "Moscow"
    assert agreement.passage_title.text() == "ann: none / bob: event: 1 passage(s)"
    # by keyboard: focus the passages, Down to the first, Enter (keypad)
    agreement.passages.setFocus()
    qtbot.keyClick(agreement.passages, Qt.Key.Key_Down)
    assert agreement.passages.currentRow() == 0
    qtbot.keyClick(agreement.passages, Qt.Key.Key_Enter)
    assert window.session.current_document == talks
    assert window.view.selection() == at("Moscow")


def test_errors_are_shown_not_raised(qtbot, window) -> None:
    agreement = open_agreement(qtbot, window)
    _, other = window.ids
    for i in range(agreement.documents.count()):
        item = agreement.documents.item(i)
        if item.data(Qt.ItemDataRole.UserRole) != other:
            item.setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)
    assert agreement.report is None
    assert agreement.summary.text().startswith("Cannot compute: none of the named documents")


def test_choice_labels_are_mnemonics_for_their_lists(qtbot, window) -> None:
    # Without a buddy, a QLabel shows its "&" literally ("&Annotators …") and Alt+A does nothing.
    from PySide6.QtWidgets import QLabel

    agreement = open_agreement(qtbot, window)
    buddies = {
        label.text(): label.buddy()
        for label in agreement.findChildren(QLabel)
        if label.text().startswith("&")
    }
    assert buddies == {
        "&Annotators (gold left out unless ticked):": agreement.annotators,
        "&Documents:": agreement.documents,
    }


def test_passages_of_a_long_titled_document_fit_the_window(qtbot, window) -> None:
    # Titles taken from an article's first line are whole sentences: the Document column
    # took the title's full width and pushed Text, Annotators and What out of sight.
    from annotator.services.document_commands import EditDocumentMetadata

    talks, _ = window.ids
    title = "Mayor Jane Doe said on Monday that the bridge was safe; engineers disagreed " * 3
    window.session.run(EditDocumentMetadata(talks, title=title))
    agreement = open_agreement(qtbot, window)
    qtbot.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)
    click_cell(qtbot, agreement.spans, *agreement.spans.cell_of("all tags", "overlap FN"))
    passages = agreement.passages
    assert passages.rowCount() == 1
    header = passages.horizontalHeader()
    last = passages.columnCount() - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= (
        passages.viewport().width()
    )
    assert header.sectionSize(2) >= passages.fontMetrics().horizontalAdvance("Xi Jinping")
    assert passages.item(0, 0).toolTip() == title.strip()


def test_the_pair_choice_shows_whole_names(qtbot, window) -> None:
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    agreement = open_agreement(qtbot, window)
    qtbot.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)
    combo = agreement.pair_choice
    assert combo.currentText() == "ann vs bob"

    def text_fits() -> bool:
        option = QStyleOptionComboBox()
        combo.initStyleOption(option)
        field = combo.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField
        )
        return field.width() >= combo.fontMetrics().horizontalAdvance(combo.currentText())

    qtbot.waitUntil(text_fits)  # once the layout has taken the new size hint


def test_a_passage_is_shown_with_the_pair_of_layers_behind_it(qtbot, window) -> None:
    # The pane kept showing the current annotator's own layer: a span only the other annotator
    # made (the passage behind an FN or FP figure) was selected as bare text, nowhere drawn.
    from annotator.domain.layer_diff import LayerChoice, LayerMode

    talks, _ = window.ids
    with window.session.read() as read:
        uuids = {a.name: a.uuid for a in read.annotators()}
    assert window.session.annotator == uuids["bob"]  # who has no span on "Xi Jinping"
    agreement = open_agreement(qtbot, window)
    qtbot.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)
    click_cell(qtbot, agreement.spans, *agreement.spans.cell_of("all tags", "overlap FN"))
    agreement.passages.setFocus()
    agreement.passages.setCurrentCell(0, 0)
    qtbot.keyClick(agreement.passages, Qt.Key.Key_Return)
    assert window.session.layer.choice == LayerChoice(LayerMode.COMPARE, uuids["ann"], uuids["bob"])
    assert window.session.current_document == talks
    assert window.view.selection() == at("Xi Jinping")
    window.session.flush()
    spans = window.session.content().spans.values()
    shown = {s.quote for s in spans if window.view.shows_span(s.uuid)}
    assert "Xi Jinping" in shown


@pytest.mark.parametrize(
    ("key", "modifier"),
    [
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
    ],
)
def test_the_window_closes_from_the_keyboard(qtbot, window, key, modifier) -> None:
    agreement = open_agreement(qtbot, window)
    agreement.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is agreement)
    qtbot.keyClick(agreement.compute_button, key, modifier)
    qtbot.waitUntil(lambda: window.agreement_window is None)


def test_nothing_finished_says_how_to_include_unfinished_documents(qtbot, window) -> None:
    project = window.session.project
    project.switch_annotator("bob")
    project.run(SetStatus(window.ids[0], "in_progress"))
    agreement = open_agreement(qtbot, window)
    qtbot.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)
    message = agreement.summary.text()
    assert message.startswith("Cannot compute: no document is marked done by all of ann, bob")
    assert "Mark done" in message and "Also documents not finished by everyone" in message
    assert "--all-shared" not in message  # a command-line flag means nothing in the window


def test_compute_with_the_second_process_shows_the_same_report(qtbot, window, monkeypatch) -> None:
    """Over 20,000 spans part of the documents is counted in a second process (forced here):
    the window shows the same figures as counted in one process."""
    import annotator.services.agreement as agreement_service
    from annotator.services.agreement_worker import SecondProcess

    _, other = window.ids
    project = window.session.project
    for who in ("ann", "bob"):
        project.switch_annotator(who)
        project.run(SetStatus(other, "done"))
    agreement = open_agreement(qtbot, window)
    figures = []
    started = []
    original = SecondProcess.start.__func__

    def start(cls):
        started.append(original(cls))
        return started[-1]

    monkeypatch.setattr(SecondProcess, "start", classmethod(start))
    for threshold in (10**12, 0):
        monkeypatch.setattr(agreement_service, "PARALLEL_MIN_SPANS", threshold)
        qtbot.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)
        assert "ann, bob: 2 document(s)" in agreement.summary.text()
        spans = agreement.spans
        shown = [spans.item(r, c).text() for r in range(spans.rowCount()) for c in range(1, 4)]
        figures.append((shown, agreement.report.as_json(passages=True)))
    assert len(started) == 1 and started[0].process.returncode == 0
    assert figures[0] == figures[1]
