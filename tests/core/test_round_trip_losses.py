"""Own exports re-imported into a NEW project: attribute values survive where the format
carries them, and what a writer cannot carry (entity references, link notes, link attribute
values, cross-annotator links) is counted in its LossReport (and said in its warnings), exactly
as many as the project has."""

from __future__ import annotations

import re

import foreign_format_helpers as ff
import pytest

from annotator.domain.model import Schema
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan


@pytest.fixture
def rich(tmp_path):
    project, ids, bob_span = ff.rich(tmp_path)
    with project.store.read() as session:
        text = session.document_text(ids.doc2)
    ada_place = CreateSpan(ids.doc2, "place", [(0, text.index(" "))])
    project.run(ada_place)
    project.run(CreateLink(ada_place.uuid, bob_span, "located_in", note="seen on site"))
    yield project, ids
    project.close()


def _facts(project: Project) -> dict[str, int]:
    with project.store.read() as session:
        docs = session.documents()
        spans = [s for d in docs for s in session.spans(d.uuid)]
        links = [x for d in docs for x in session.links(d.uuid)]
    owner = {s.uuid: s.annotator for s in spans}
    return {
        "entity references": sum(1 for s in spans if s.entity),
        "link notes": sum(1 for x in links if x.note),
        "link attribute values": sum(len(x.attributes) for x in links),
        "cross-annotator links": sum(
            1
            for x in links
            if x.annotator not in (owner[x.source],) or x.annotator != owner[x.target]
        ),
    }


def _reported(warnings: list[str], what: str) -> int:
    return sum(int(m.group(1)) for w in warnings if (m := re.match(rf"(\d+) {what} ", w)))


@pytest.mark.parametrize(
    ("key", "suffix", "lost"),
    [
        (
            "refiqda",
            ".qdpx",
            ("entity references", "link notes", "link attribute values", "cross-annotator links"),
        ),
        ("labelstudio", ".json", ("entity references", "link notes")),
        ("doccano", ".jsonl", ("entity references", "link notes")),
        ("spacy-jsonl", ".jsonl", ("entity references", "link notes", "link attribute values")),
        ("brat", ".zip", ("entity references", "cross-annotator links")),
    ],
)
def test_what_a_writer_cannot_carry_is_counted_exactly(rich, tmp_path, key, suffix, lost) -> None:
    project, _ = rich
    facts = _facts(project)
    assert facts["cross-annotator links"] >= 1 and facts["entity references"] >= 1
    result = ff.export(project, key, tmp_path / f"out{suffix}")
    for what in lost:
        assert result.loss.count(what) == facts[what], (what, result.loss.lines())
        assert _reported(result.warnings, what) == facts[what]  # the words say the same


@pytest.mark.parametrize(("key", "suffix"), [("refiqda", ".qdpx"), ("xmi", ".zip")])
def test_attribute_values_survive_into_a_new_project(rich, tmp_path, key, suffix) -> None:
    project, ids = rich
    out = tmp_path / f"out{suffix}"
    ff.export(project, key, out)
    with project.store.read() as session:
        mayor = session.span(ids.mayor)
    assert mayor.attributes
    with Project.create(tmp_path / "new.annotator", schema=Schema(), annotator_name="Imp") as new:
        ff.import_file(new, key, out)
        with new.store.read() as session:
            again = session.span(ids.mayor)
    assert again.attributes == mayor.attributes
