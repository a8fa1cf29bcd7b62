"""Curation with fewer than two annotators (issue 13) shows one clear state, not three at
once, and nothing that cannot act is enabled."""

from __future__ import annotations

from PySide6.QtCore import Qt


def _open(qtbot, window):
    window.actions_by_id["curate"].trigger()
    curation = window.curation_window
    qtbot.waitExposed(curation)
    return curation


def _one_state(curation) -> None:
    assert not curation.progress.isVisible()  # no "0 of 1 units decided"
    assert curation.unit_title.text() == ""  # no "Nothing waiting: every unit is decided"
    assert curation.rows == [] and curation.queue_table.rowCount() == 0
    for button in (curation.agreed_button, curation.edit_button, curation.reject_button):
        assert not button.isEnabled(), button.text()
    assert not any(b.isEnabled() for b in curation.accept_buttons)


def test_one_annotator_says_what_to_do_and_disables_the_buttons(qtbot, ada_window) -> None:
    curation = _open(qtbot, ada_window)
    assert curation.annotators.count() == 1
    assert "this project has one" in curation.summary.text()
    assert "Tick" not in curation.summary.text()
    _one_state(curation)
    curation.accept_agreed()  # the key (Ctrl+Shift+A) does nothing but say so
    assert ada_window.statusBar().currentMessage() == "No agreed unit is waiting"


def test_two_annotators_one_ticked_asks_for_a_tick(qtbot, ada_window) -> None:
    window = ada_window
    window.session.project.switch_annotator("Bea")
    from annotator.services.span_commands import CreateSpan

    assert window.session.run(CreateSpan(window.session.current_document, "actor", [(0, 4)]))
    curation = _open(qtbot, window)
    assert curation.annotators.count() == 2
    curation.annotators.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert (
        curation.summary.text() == "Tick at least two annotators above to adjudicate between them."
    )
    _one_state(curation)
