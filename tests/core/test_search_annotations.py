"""Annotation search (tag:, annotator:, note:, entity:, attribute:value, quote words) and the
`annotator search` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from service_helpers import TEXT, add_document, between, make_schema

from annotator.cli import main
from annotator.errors import AnnotatorError, ValidationError
from annotator.services.entity_commands import CreateEntity
from annotator.services.project import Project
from annotator.services.search import parse_annotation_query, search_annotations
from annotator.services.span_commands import CreateSpan


@pytest.fixture
def tagged(tmp_path: Path):
    path = tmp_path / "a.annotator"
    with Project.create(path, annotator_name="Ann", schema=make_schema()) as project:
        document = add_document(project, TEXT)
        entity = CreateEntity("Jane Doe", aliases=["J. Doe"])
        project.run(entity)
        project.run(
            CreateSpan(
                document,
                "actor",
                [between(TEXT, "Mayor Jane Doe")],
                attributes={"actor_kind": "person"},
                note="the mayor herself",
                entity=entity.uuid,
            )
        )
        project.run(
            CreateSpan(
                document,
                "claim",
                [between(TEXT, "the bridge was safe")],
                attributes={"topics": ["safety", "economy"], "verified": True},
            )
        )
        project.switch_annotator("Bob")
        project.run(CreateSpan(document, "actor", [between(TEXT, "Engineers")]))
        yield project, document


def _quotes(found) -> list[str]:
    return [f.row.quote for f in found]


def test_filters(tagged) -> None:
    project, _ = tagged
    assert _quotes(search_annotations(project, "tag:actor")) == ["Mayor Jane Doe", "Engineers"]
    assert _quotes(search_annotations(project, "tag:Claim")) == ["the bridge was safe"]
    assert _quotes(search_annotations(project, "annotator:bob")) == ["Engineers"]
    assert _quotes(search_annotations(project, "tag:actor annotator:Ann")) == ["Mayor Jane Doe"]
    assert _quotes(search_annotations(project, "note:herself")) == ["Mayor Jane Doe"]
    assert _quotes(search_annotations(project, 'entity:"jane"')) == ["Mayor Jane Doe"]
    assert _quotes(search_annotations(project, "actor_kind:person")) == ["Mayor Jane Doe"]
    assert _quotes(search_annotations(project, "topics:economy")) == ["the bridge was safe"]
    assert _quotes(search_annotations(project, "verified:true")) == ["the bridge was safe"]
    assert _quotes(search_annotations(project, "bridge")) == ["the bridge was safe"]
    assert _quotes(search_annotations(project, '"jane doe" tag:actor')) == ["Mayor Jane Doe"]
    assert search_annotations(project, "tag:event") == []
    assert search_annotations(project, "actor_kind:group") == []


def test_results_carry_offsets_and_context(tagged) -> None:
    project, document = tagged
    (found,) = search_annotations(project, "annotator:Bob")
    start, end = between(TEXT, "Engineers")
    assert (found.row.document, found.row.start, found.row.end) == (document, start, end)
    assert found.row.annotator == "Bob" and found.row.title == "Bridge story"
    assert "safe." in found.before and "𝐀cme" in found.after


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "filter such as tag:actor"), ("tag:", "needs a value"), ('""', "filter")],
)
def test_bad_annotation_queries(query: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_annotation_query(query)


def test_like_wildcards_in_input_are_literal(tagged) -> None:
    project, _ = tagged
    assert search_annotations(project, "%") == []
    assert search_annotations(project, "note:_") == []


def test_cli_search_documents_and_annotations(tagged, capsys) -> None:
    project, document = tagged
    path = project.path
    project.close()
    assert main(["search", str(path), "bridge", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 1
    (result,) = data["results"]
    assert result["document"] == document
    (hit,) = result["hits"]
    assert TEXT[hit["start"] : hit["end"]] == "bridge"
    assert main(["search", str(path), "tag:actor", "--annotations", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "1 annotation(s)" in out and "[Mayor Jane Doe]" in out
    assert main(["search", str(path), "mayor"]) == 0
    assert "[Mayor]" in capsys.readouterr().out
    assert main(["search", str(path), '"']) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "type a word" in err
    with pytest.raises(SystemExit):
        main(["search", str(path), "x", "--limit", "0"])


def test_one_layer_only_by_uuid_even_when_two_annotators_share_a_name(tagged) -> None:
    """Blind mode's search keeps the user's own layer by identity: a merged-in colleague with
    the same name must not show, and an `annotator:` filter cannot widen it."""
    project, _ = tagged
    bob = project.annotator.uuid  # the current annotator (switched to Bob in the fixture)
    with project.store.write() as session:  # Bob renamed: now two annotators called "Ann"
        session.connection.exec_driver_sql(
            "UPDATE annotators SET name = 'Ann' WHERE uuid = ?", (bob,)
        )
    with pytest.raises(AnnotatorError, match="2 annotators match 'Ann'"):  # not both layers
        search_annotations(project, "annotator:Ann")
    assert _quotes(search_annotations(project, "tag:actor", only_annotator=bob)) == ["Engineers"]
    assert _quotes(search_annotations(project, "tag:claim", only_annotator=bob)) == []
    assert _quotes(search_annotations(project, "annotator:Ann", only_annotator=bob)) == [
        "Engineers"
    ]
