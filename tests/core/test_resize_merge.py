"""Keyboard resize: consecutive resizes of one span are one undo step and one history row."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.services.project import Project
from annotator.services.sample import create_sample_project
from annotator.services.span_commands import EditSpan, ResizeSpan


def _span(project: Project):
    with project.store.read() as read:
        document = read.documents()[0].uuid
        spans = sorted(read.spans(document), key=lambda s: s.fragments[0][0])
    return spans[0]


def _history(project: Project, uuid: str):
    with project.store.read() as read:
        return read.history_of(uuid)


def test_consecutive_resizes_fold_into_one_step_and_one_row(tmp_path):
    project = create_sample_project(tmp_path / "s.annotator", "Ada")
    try:
        span = _span(project)
        start, end = span.fragments[0]
        rows_before = len(_history(project, span.uuid))
        for k in range(1, 6):
            project.history.push(ResizeSpan(span.uuid, [[start, end + k]]))
        assert project.history.undo_label == "Resize span"
        rows = _history(project, span.uuid)
        assert len(rows) == rows_before + 1  # one row for five key presses
        assert rows[0].detail["before"]["fragments"] == [[start, end]]
        assert rows[0].detail["after"]["fragments"] == [[start, end + 5]]
        project.history.undo()  # one undo restores the original
        assert _span(project).fragments == ((start, end),)
        assert project.history.undo_label is None
        project.history.redo()
        assert _span(project).fragments == ((start, end + 5),)
        # Another edit in between starts a new step.
        project.history.push(EditSpan(span.uuid, note="checked"))
        project.history.push(ResizeSpan(span.uuid, [[start, end + 6]]))
        project.history.undo()
        assert _span(project).fragments == ((start, end + 5),)
    finally:
        project.close()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.booleans(), st.integers(-3, 3)), min_size=1, max_size=8))
def test_any_resize_sequence_is_undone_by_one_undo(tmp_path_factory, moves):
    path = tmp_path_factory.mktemp("resize") / "s.annotator"
    project = create_sample_project(path, "Ada")
    try:
        span = _span(project)
        original = span.fragments
        start, end = original[0]
        for move_start, delta in moves:
            s, e = (start + delta, end) if move_start else (start, end + delta)
            if 0 <= s < e and (s, e) != (start, end):
                project.history.push(ResizeSpan(span.uuid, [[s, e]]))
                start, end = s, e
        project.history.undo()
        assert _span(project).fragments == original
        assert project.history.undo_label is None  # the sample's setup is not undoable
    finally:
        project.close()
