"""An undo or a redo is a new change: the rows it writes back get a new modified time, so a
colleague's copy of the version it replaced does not come back through a merge."""

from __future__ import annotations

import json_helpers as h

from annotator.services.merge import merge
from annotator.services.project import Project
from annotator.services.span_commands import EditSpan


def _span(project, uuid: str):
    with project.store.read() as session:
        return session.span(uuid)


def test_a_merge_does_not_bring_back_what_i_undid(tmp_path):
    ada, ids = h.build_rich_project(tmp_path / "ada.annotator")
    first = _span(ada, ids.mayor)
    ada.run(EditSpan(ids.mayor, note="a mistake"))
    ada.store.save_copy(tmp_path / "dana.annotator")  # Dana got the file before the undo
    ada.undo()
    undone = _span(ada, ids.mayor)
    assert undone.note == first.note and undone.modified > first.modified
    merge(ada, tmp_path / "dana.annotator", backup=False)
    assert _span(ada, ids.mayor).note == first.note
    ada.close()


def test_a_redo_is_newer_than_the_undo_and_a_merge_keeps_it(tmp_path):
    ada, ids = h.build_rich_project(tmp_path / "ada.annotator")
    ada.run(EditSpan(ids.mayor, note="kept"))
    ada.undo()
    ada.store.save_copy(tmp_path / "dana.annotator")  # Dana got the file after the undo
    ada.redo()
    assert _span(ada, ids.mayor).note == "kept"
    dana = Project.open(tmp_path / "dana.annotator")
    merge(dana, tmp_path / "ada.annotator", backup=False)
    assert _span(dana, ids.mayor).note == "kept"
    dana.close()
    ada.close()
