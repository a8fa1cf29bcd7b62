"""Annotate all occurrences: the finder's modes, entity aliases, exact offsets after emoji,
already-tagged exclusion, project scope, and accepting a batch as one undoable step."""

from __future__ import annotations

from pathlib import Path

import pytest
from service_helpers import add_document, between, make_schema

from annotator.errors import ValidationError
from annotator.services.entity_commands import CreateEntity
from annotator.services.occurrences import accept, find_in_text, suggest, template_of
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

TEXT = (
    "😀 👩\u200d👩\u200d👧 Cafe\u0301 Acme said. ACME Ltd and acme agree; Acmeville is not "
    "Acme. The Doe family: Jane Doe and J. Doe."
)
OTHER = "🙂 Elsewhere, Acme and Jane Doe met."


@pytest.fixture
def project(tmp_path: Path):
    with Project.create(tmp_path / "o.annotator", annotator_name="Ann", schema=make_schema()) as p:
        yield p


def _quotes(text: str, ranges) -> list[str]:
    return [text[s:e] for s, e in ranges]


def test_modes() -> None:
    assert _quotes(TEXT, find_in_text(TEXT, ["Acme"])) == ["Acme", "Acme", "Acme"]
    insensitive = find_in_text(TEXT, ["Acme"], case_sensitive=False)
    assert _quotes(TEXT, insensitive) == ["Acme", "ACME", "acme", "Acme", "Acme"]
    words = find_in_text(TEXT, ["acme"], case_sensitive=False, whole_word=True)
    assert _quotes(TEXT, words) == ["Acme", "ACME", "acme", "Acme"]
    assert find_in_text(TEXT, ["  ", ""]) == []


def test_offsets_are_code_points_after_emoji_zwj_and_combining_marks() -> None:
    (first, *_) = find_in_text(TEXT, ["Acme"])
    assert first == (TEXT.index("Acme"), TEXT.index("Acme") + 4)
    assert first[0] == 14  # 😀, space, five code points of the family, space, Cafe + U+0301


def test_longest_needle_wins_where_aliases_overlap() -> None:
    found = find_in_text(TEXT, ["Doe", "Jane Doe", "J. Doe"])
    assert _quotes(TEXT, found) == ["Doe", "Jane Doe", "J. Doe"]


def test_suggestions_exclude_the_source_and_already_tagged(project: Project) -> None:
    document = add_document(project, TEXT, "One")
    source = CreateSpan(document, "actor", [between(TEXT, "Acme")], attributes={"role": "firm"})
    project.run(source)
    project.run(CreateSpan(document, "actor", [between(TEXT, "Acme", 2)]))  # tagged already
    project.run(CreateSpan(document, "claim", [between(TEXT, "ACME")]))  # other tag: counts
    with project.store.read() as read:
        span = read.span(source.uuid)
    template = template_of(project, span)
    found = suggest(project, template, case_sensitive=False, whole_word=True)
    assert [(s.start, s.end) for s in found] == [between(TEXT, "ACME"), between(TEXT, "acme")]
    assert found[1].match == "acme" and "Ltd and" in found[1].before


def test_other_annotators_spans_do_not_hide_suggestions(project: Project) -> None:
    document = add_document(project, TEXT, "One")
    project.run(CreateSpan(document, "actor", [between(TEXT, "Acme", 2)]))
    project.switch_annotator("Bob")
    source = CreateSpan(document, "actor", [between(TEXT, "Acme")])
    project.run(source)
    with project.store.read() as read:
        template = template_of(project, read.span(source.uuid))
    found = suggest(project, template, whole_word=True)
    assert [(s.start, s.end) for s in found] == [between(TEXT, "Acme", 2)]


def test_entity_aliases_and_project_scope(project: Project) -> None:
    document = add_document(project, TEXT, "One")
    other = add_document(project, OTHER, "Two")
    entity = CreateEntity("Jane Doe", aliases=["J. Doe"])
    project.run(entity)
    source = CreateSpan(document, "actor", [between(TEXT, "Doe")], entity=entity.uuid)
    project.run(source)
    with project.store.read() as read:
        template = template_of(project, read.span(source.uuid))
    assert set(template.needles) == {"Doe", "Jane Doe", "J. Doe"}
    here = suggest(project, template)
    assert [s.match for s in here] == ["Jane Doe", "J. Doe"]
    everywhere = suggest(project, template, scope="project")
    assert [(s.title, s.match) for s in everywhere] == [
        ("One", "Jane Doe"),
        ("One", "J. Doe"),
        ("Two", "Jane Doe"),
    ]
    assert everywhere[2].document == other
    assert OTHER[everywhere[2].start : everywhere[2].end] == "Jane Doe"


def test_accept_copies_tag_attributes_entity_and_undoes_as_one_step(project: Project) -> None:
    document = add_document(project, TEXT, "One")
    entity = CreateEntity("Acme Ltd")
    project.run(entity)
    source = CreateSpan(
        document, "actor", [between(TEXT, "Acme")], attributes={"role": "firm"}, entity=entity.uuid
    )
    project.run(source)
    with project.store.read() as read:
        template = template_of(project, read.span(source.uuid))
    found = suggest(project, template, case_sensitive=False, whole_word=True)
    assert len(found) == 3  # ACME, acme, the last Acme; "Acme Ltd" (entity name) wins once
    changes = project.run(accept(template, found))
    assert len(changes.spans_added) == 3
    with project.store.read() as read:
        spans = [s for s in read.spans(document) if s.uuid in changes.spans_added]
    assert {(s.tag, s.attributes["role"], s.entity) for s in spans} == {
        ("actor", "firm", entity.uuid)
    }
    assert sorted(s.quote for s in spans) == sorted(s.match for s in found)
    assert suggest(project, template, case_sensitive=False, whole_word=True) == []
    project.undo()
    with project.store.read() as read:
        assert len(read.spans(document)) == 1
    assert len(suggest(project, template, case_sensitive=False, whole_word=True)) == 3


def test_bad_requests(project: Project) -> None:
    document = add_document(project, TEXT, "One")
    source = CreateSpan(document, "actor", [between(TEXT, "Acme")])
    project.run(source)
    with project.store.read() as read:
        template = template_of(project, read.span(source.uuid))
    with pytest.raises(ValidationError, match="scope"):
        suggest(project, template, scope="galaxy")
    with pytest.raises(ValidationError, match="no suggestions"):
        accept(template, [])
