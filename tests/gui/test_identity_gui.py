"""Help ▸ Change annotator keeps who is who: a name's uuid is the user's identity uuid, the same
before and after its first change, on switching back and forth, and in the next project."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from annotator.services.identity import identity_uuid
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan


def _change_to(ada_window: MainWindow, monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    """Help ▸ Change annotator…, typing `name`; the uuid annotated under afterwards."""
    monkeypatch.setattr(
        "annotator.gui.dialogs.first_run.ask_annotator_name", lambda _parent, _current: name
    )
    ada_window.actions_by_id["change_annotator"].trigger()
    ada_window.session.flush()
    assert ada_window.session.project.annotator.name == name
    assert Settings().annotator_name == name
    return ada_window.session.project.annotator.uuid


def test_change_annotator_to_a_new_name_and_back_keeps_the_uuids(
    ada_window, monkeypatch, tmp_path: Path
) -> None:
    session = ada_window.session
    ada = session.project.annotator.uuid
    assert ada == identity_uuid("Ada")  # the sample project was made with the identity

    cleo = _change_to(ada_window, monkeypatch, "Cleo")
    assert cleo == identity_uuid("Cleo") != ada
    assert _change_to(ada_window, monkeypatch, "Ada") == ada
    assert _change_to(ada_window, monkeypatch, "Cleo") == cleo  # not yet in the file: same uuid

    assert session.run(CreateSpan(session.current_document, "actor", [(0, 4)]))
    assert _change_to(ada_window, monkeypatch, "Ada") == ada
    assert _change_to(ada_window, monkeypatch, "Cleo") == cleo
    with session.read() as read:
        assert {a.uuid: a.name for a in read.annotators()} == {ada: "Ada", cleo: "Cleo"}
    assert ada_window.layers.chooser.itemText(0) == "My layer (Cleo)"

    # The next project Cleo makes knows her as the same annotator.
    with Project.create(tmp_path / "next.annotator", annotator_name="Cleo") as other:
        assert other.annotator.uuid == cleo
