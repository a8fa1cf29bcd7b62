"""Generated projects (texts with emoji, ZWJ sequences and combining marks; spans by two
annotators with attributes, notes and entities; links with notes and attributes, some across
annotators) exported in every format that also imports, then imported into a NEW project: the
spans come back with their text, tag and annotator (unless the LossReport says the layers were
merged), and for each feature the writer may drop, what the
new project holds plus what the LossReport counts equals what the original held, exactly."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import foreign_format_helpers as ff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.io.documents.text import import_text
from annotator.services.command import Compound
from annotator.services.document_commands import AddDocuments
from annotator.services.entity_commands import CreateEntity
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

WORDS = ["Ada", "Bé", "😀", "👩\u200d👩\u200d👧", "Cafe\u0301", "𝐀x", "ßo", "Zoë"]
FORMATS = (
    ("json", ".json"),
    ("labelstudio", ".json"),
    ("refiqda", ".qdpx"),
    ("xmi", ".zip"),
    ("doccano", ".jsonl"),
    ("spacy-jsonl", ".jsonl"),
    ("w3c", ".jsonld"),
    ("brat", ".zip"),
)
#: Features a writer may not carry, each counted by its LossReport under this name.
COUNTED = ("entity references", "link notes", "link attribute values")
#: (tag, attribute values) a generated span may have.
SPAN_KINDS = [
    ("actor", {}),
    ("actor", {"kind": "person"}),
    ("event", {"type": "meeting"}),
    ("place", {"kind": "city"}),
]


@st.composite
def projects(draw):
    """Words of one document, and spans on distinct words: (word index, kind, annotator,
    note, with an entity); links as (source span, target span, note, with a role)."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=9))
    count = draw(st.integers(1, min(5, len(words))))
    places = draw(st.permutations(range(len(words))))[:count]
    spans = [
        (
            place,
            draw(st.sampled_from(SPAN_KINDS)),
            draw(st.sampled_from(["Ada", "Bob"])),
            draw(st.sampled_from(["", "a note 😀"])),
            draw(st.booleans()),
        )
        for place in places
    ]
    links = []
    for i, (_, (tag, _), *_rest) in enumerate(spans):
        for j, (_, (other, _), *_more) in enumerate(spans):
            if (tag, other) in (("actor", "event"), ("event", "place")) and draw(st.booleans()):
                links.append((i, j, draw(st.sampled_from(["", "seen"])), draw(st.booleans())))
    return words, spans, links


def _build(path: Path, case) -> Project:
    words, spans, links = case
    text = " ".join(words) + "\n"
    project = Project.create(path, name="Generated", annotator_name="Ada")
    add = AddDocuments([import_text(text, "generated.txt", "utf-8")])
    project.run(add)
    (document,) = add.report.added
    starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
    entity = CreateEntity("Someone", kind="person")
    project.run(entity)
    made = []
    for place, (tag, attributes), who, note, with_entity in spans:
        project.switch_annotator(who)
        fragment = [(starts[place], starts[place] + len(words[place]))]
        create = CreateSpan(
            document,
            tag,
            fragment,
            attributes=attributes,
            note=note,
            entity=entity.uuid if with_entity and tag == "actor" else None,
        )
        project.run(create)
        made.append((create.uuid, who))
    commands = []
    for i, j, note, with_role in links:
        project.switch_annotator(made[i][1])
        kind = "participates_in" if spans[i][1][0] == "actor" else "located_in"
        role = {"role": "observer"} if with_role and kind == "participates_in" else {}
        commands.append(CreateLink(made[i][0], made[j][0], kind, attributes=role, note=note))
    if commands:
        project.run(Compound("links", commands))
    project.switch_annotator("Ada")
    return project


def _facts(project: Project) -> tuple[Counter, dict[str, int], Counter]:
    with project.store.read() as session:
        names = {a.uuid: a.name for a in session.annotators()}
        documents = session.documents()
        texts = {d.uuid: session.document_text(d.uuid) for d in documents}
        spans = [s for d in documents for s in session.spans(d.uuid)]
        links = [x for d in documents for x in session.links(d.uuid)]
    covered = Counter(
        (texts[s.document][s.start : s.fragments[-1][1]], s.tag, tuple(s.fragments)) for s in spans
    )
    layers = Counter((s.start, names[s.annotator]) for s in spans)
    return (
        covered,
        {
            "entity references": sum(1 for s in spans if s.entity),
            "link notes": sum(1 for x in links if x.note),
            "link attribute values": sum(len(x.attributes) for x in links),
        },
        layers,
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=projects())
def test_every_format_carries_its_features_or_counts_their_loss(case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with _build(root / "original.annotator", case) as original:
            spans, facts, layers = _facts(original)
            for key, suffix in FORMATS:
                out = root / f"out-{key}{suffix}"
                result = ff.export(original, key, out)
                with ff.fresh(root / f"{key}.annotator") as copy:
                    ff.import_file(copy, key, out)
                    again, carried, layers_again = _facts(copy)
                assert again == spans, key
                if not result.loss.count("layer names"):  # the format keeps who made a span
                    assert layers_again == layers, key
                for feature in COUNTED:
                    lost = result.loss.count(feature)
                    assert carried[feature] + lost == facts[feature], (
                        key,
                        feature,
                        carried[feature],
                        lost,
                        result.loss.lines(),
                    )
