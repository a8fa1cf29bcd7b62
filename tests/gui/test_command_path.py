"""One path for running commands: ProjectSession.run goes through the services
(Project.attempt), the QUndoStack mirrors the project's history step for step, and a refusal
is returned (not raised, not wrapped), shown on session.error unless the caller shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.gui.session import ProjectSession
from annotator.io.documents.text import import_text
from annotator.services.command import Refusal
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

TEXT = "Intro 😀 Vladimir Putin met Xi Jinping in Moscow."


@pytest.fixture
def session(qtbot, tmp_path: Path):
    project = Project.create(tmp_path / "c.annotator", annotator_name="Ada")
    add = AddDocuments([import_text(TEXT, "c.txt", "utf-8")])
    project.run(add)
    project.history.clear()
    session = ProjectSession(project)
    session.document = add.report.added[0]
    yield session
    session.close()


def _labels(project: Project) -> tuple[str | None, str | None]:
    return project.history.undo_label, project.history.redo_label


def test_the_undo_stack_mirrors_the_services_history(session) -> None:
    project, stack = session.project, session.undo_stack
    start = TEXT.index("Vladimir")
    assert session.run(CreateSpan(session.document, "actor", [(start, start + 8)])) is True
    assert session.run(
        CreateSpan(session.document, "place", [(TEXT.index("Moscow"), TEXT.index("Moscow") + 6)])
    )
    assert stack.count() == 2 and _labels(project) == ("Tag as Place", None)
    stack.undo()
    assert stack.index() == 1 and project.history.redo_label == "Tag as Place"
    with project.store.read() as read:
        assert [s.tag for s in read.spans(session.document)] == ["actor"]
    stack.redo()
    assert stack.index() == 2 and project.history.redo_label is None
    stack.undo()
    stack.undo()
    with project.store.read() as read:
        assert read.spans(session.document) == []
    assert project.history.undo_label is None and stack.index() == 0


def test_a_refusal_is_returned_and_reported_once(qtbot, session) -> None:
    errors: list[str] = []
    session.error.connect(errors.append)
    bad = CreateSpan(session.document, "no_such_tag", [(0, 5)])
    outcome = session.run(bad)
    assert isinstance(outcome, Refusal) and not outcome
    assert "no_such_tag" in outcome.reason and errors == [outcome.reason]
    quiet = session.run(CreateSpan(session.document, "no_such_tag", [(0, 5)]), report=False)
    assert isinstance(quiet, Refusal) and errors == [outcome.reason]  # not broadcast again
    assert session.undo_stack.count() == 0 and session.project.history.undo_label is None


def test_project_attempt_returns_a_refusal_and_records_nothing(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.annotator", annotator_name="Ada") as project:
        add = AddDocuments([import_text(TEXT, "c.txt", "utf-8")])
        assert project.attempt(add)  # a change set: done
        refused = project.attempt(CreateSpan(add.report.added[0], "nope", [(0, 5)]))
        assert isinstance(refused, Refusal) and "nope" in refused.reason
        assert project.history.undo_label == "Add document"


def test_a_step_that_can_no_longer_be_undone_leaves_the_stack_and_the_history(session) -> None:
    from annotator.services.schema_commands import AddTagType

    errors: list[str] = []
    session.error.connect(errors.append)
    assert session.run(AddTagType("site", "Site", "custom", "#123456")) is True
    CreateSpan(session.document, "site", [(0, 5)]).do(session.project)  # outside the history
    session.undo_stack.undo()
    assert errors and "Cannot add tag type site" in errors[0]
    assert session.undo_stack.count() == 0
    assert session.project.history.undo_label is None
