"""Help ▸ Change annotator to a new name: the layer chooser, the status bar and the Annotator
column name the new annotator (they showed "?" — the annotator is written with their first
change, which did not tell the views that the annotators changed)."""

from __future__ import annotations

from annotator.services.span_commands import CreateSpan


def test_a_new_annotator_is_named_before_and_after_their_first_span(ada_window) -> None:
    session = ada_window.session
    session.project.switch_annotator("Cleo")  # what Help ▸ Change annotator… does
    session.flush()
    assert ada_window.layers.chooser.itemText(0) == "My layer (Cleo)"
    assert ada_window.layers.status.text() == "Layer: My layer (Cleo)"

    assert session.run(CreateSpan(session.current_document, "actor", [(0, 4)]))
    session.flush()
    model = ada_window.tables.span_model
    names = [model.index(r, model.ANNOTATOR).data() for r in range(model.rowCount())]
    assert names == ["Cleo"]  # my layer: only the new span
    assert ada_window.layers.chooser.itemText(0) == "My layer (Cleo)"
