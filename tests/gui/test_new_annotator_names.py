"""Help ▸ Change annotator to a new name: the layer chooser, the status bar and the Annotator
column name the new annotator (they showed "?" — the annotator is written with their first
change, which did not tell the views that the annotators changed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.services.project import Project
from annotator.services.sample import create_sample_project
from annotator.services.span_commands import CreateSpan


@pytest.fixture
def window(qtbot, tmp_path: Path):
    path = tmp_path / "names.annotator"
    create_sample_project(path, "Ada").close()
    session = ProjectSession(Project.open(path, annotator_name="Ada"))
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    with session.read() as read:
        session.open_document(read.documents()[0].uuid)
    yield main
    session.close()


def test_a_new_annotator_is_named_before_and_after_their_first_span(window) -> None:
    session = window.session
    session.project.switch_annotator("Cleo")  # what Help ▸ Change annotator… does
    session.flush()
    assert window.layers.chooser.itemText(0) == "My layer (Cleo)"
    assert window.layers.status.text() == "Layer: My layer (Cleo)"

    assert session.run(CreateSpan(session.current_document, "actor", [(0, 4)]))
    session.flush()
    model = window.tables.span_model
    names = [model.index(r, model.ANNOTATOR).data() for r in range(model.rowCount())]
    assert names == ["Cleo"]  # my layer: only the new span
    assert window.layers.chooser.itemText(0) == "My layer (Cleo)"
