"""Help ▸ Change annotator keeps who is who: a name's uuid is the user's identity uuid, the same
before and after its first change, on switching back and forth, and in the next project."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.services.identity import identity_uuid
from annotator.services.project import Project
from annotator.services.sample import create_sample_project
from annotator.services.span_commands import CreateSpan


@pytest.fixture
def window(qtbot, tmp_path: Path):
    path = tmp_path / "identity.annotator"
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


def _change_to(window: MainWindow, monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    """Help ▸ Change annotator…, typing `name`; the uuid annotated under afterwards."""
    monkeypatch.setattr(
        "annotator.gui.dialogs.first_run.ask_annotator_name", lambda _parent, _current: name
    )
    window.actions_by_id["change_annotator"].trigger()
    window.session.flush()
    assert window.session.project.annotator.name == name
    assert Settings().annotator_name == name
    return window.session.project.annotator.uuid


def test_change_annotator_to_a_new_name_and_back_keeps_the_uuids(
    window, monkeypatch, tmp_path: Path
) -> None:
    session = window.session
    ada = session.project.annotator.uuid
    assert ada == identity_uuid("Ada")  # the sample project was made with the identity

    cleo = _change_to(window, monkeypatch, "Cleo")
    assert cleo == identity_uuid("Cleo") != ada
    assert _change_to(window, monkeypatch, "Ada") == ada
    assert _change_to(window, monkeypatch, "Cleo") == cleo  # not yet in the file: same uuid

    assert session.run(CreateSpan(session.current_document, "actor", [(0, 4)]))
    assert _change_to(window, monkeypatch, "Ada") == ada
    assert _change_to(window, monkeypatch, "Cleo") == cleo
    with session.read() as read:
        assert {a.uuid: a.name for a in read.annotators()} == {ada: "Ada", cleo: "Cleo"}
    assert window.layers.chooser.itemText(0) == "My layer (Cleo)"

    # The next project Cleo makes knows her as the same annotator.
    with Project.create(tmp_path / "next.annotator", annotator_name="Cleo") as other:
        assert other.annotator.uuid == cleo
