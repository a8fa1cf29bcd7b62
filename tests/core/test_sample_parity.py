"""`annotator new --sample` and the app's first-run sample are the same project (issue 14):
the article and the demo spans and links, made by the annotator "Sample", never the user."""

from __future__ import annotations

from pathlib import Path

from annotator.cli import main
from annotator.services.project import Project
from annotator.services.sample import SAMPLE_AUTHOR, SAMPLE_AUTHOR_UUID, create_sample_project


def contents(path: Path, me: str) -> dict:
    with Project.open(path, annotator_name=me) as project, project.store.read() as read:
        names = {a.uuid: a.name for a in read.annotators()}
        (document,) = read.documents()
        spans = read.spans(document.uuid)
        by_uuid = {s.uuid: s for s in spans}
        return {
            "text": read.document_text(document.uuid),
            "spans": sorted((s.tag, s.fragments, names[s.annotator]) for s in spans),
            "links": sorted(
                (
                    link.type,
                    by_uuid[link.source].fragments,
                    by_uuid[link.target].fragments,
                    names[link.annotator],
                )
                for link in read.links(document.uuid)
            ),
            "authors": {names[s.annotator] for s in spans},
            "sample_uuid": {s.annotator for s in spans},
        }


def test_the_cli_sample_is_the_apps_sample(tmp_path, capsys) -> None:
    cli_path = tmp_path / "cli.annotator"
    assert main(["new", str(cli_path), "--sample", "--annotator", "Dana"]) == 0
    app_path = tmp_path / "app.annotator"
    create_sample_project(app_path, "Dana", by_sample=True).close()  # what gui/app.py calls

    cli, app = contents(cli_path, "Dana"), contents(app_path, "Dana")
    assert cli == app
    assert len(cli["spans"]) == 12 and cli["links"]
    assert cli["authors"] == {SAMPLE_AUTHOR}
    assert cli["sample_uuid"] == {SAMPLE_AUTHOR_UUID}


def test_the_user_owns_none_of_the_demo_and_can_annotate(tmp_path) -> None:
    path = tmp_path / "s.annotator"
    with create_sample_project(path, "Dana", by_sample=True) as project:
        assert project.annotator.name == "Dana"
        assert project.history.undo_label is None  # the setup is not the user's to undo
        with project.store.read() as read:
            (document,) = read.documents()
            assert read.spans(document.uuid, annotator=project.annotator.uuid) == []
            assert [a.name for a in read.annotators()] == ["Dana", SAMPLE_AUTHOR]
