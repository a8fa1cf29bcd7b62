"""JSON v1 round trip: the export validates against the published JSON Schema, and export →
import into a new file → export gives the same bytes, for generated projects whose texts hold
emoji, ZWJ sequences, astral letters, combining marks and every kind of line end."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import json_helpers as h
import orjson
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotator.domain.ids import new_uuid
from annotator.domain.model import AttributeDef
from annotator.domain.offsets import CONTEXT_LENGTH
from annotator.io.documents.text import import_text, normalize_text
from annotator.io.formats.json.writer import export_json
from annotator.services.command import Compound
from annotator.services.document_commands import AddDocuments
from annotator.services.entity_commands import CreateEntity, EditEntity, SetStatus
from annotator.services.exchange_files import ProjectSnapshot, import_json
from annotator.services.link_commands import CreateLink, DeleteLinks
from annotator.services.project import Project
from annotator.services.sample import create_sample_project
from annotator.services.schema_commands import (
    AddAttribute,
    AddTagType,
    DeleteAttribute,
    DeleteLinkType,
    DeleteTagType,
)
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan

PIECES = (
    "Jane Doe",
    "said",
    " ",
    " ",
    ".",
    "😀",
    "👩‍👩‍👧",  # a ZWJ sequence: five code points, one grapheme
    "𝐀",  # an astral letter
    "e\u0301",  # a combining mark
    "Cafe\u0301",
    "日本語",
    "\u00a0",
    "\t",
    "\r\n",
    "\r",
    "\n",
    "\ufeff",  # a BOM: removed at the start of a text only
)
STATUSES = ("new", "in_progress", "done")

texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=25).map("".join)
small_text = st.lists(
    st.one_of(st.sampled_from(PIECES), st.characters(codec="utf-8")), max_size=8
).map("".join)


def test_the_sample_project_export_validates_against_the_json_schema(tmp_path):
    project = create_sample_project(tmp_path / "sample.annotator", "Ada")
    try:
        count = export_json(ProjectSnapshot(project), tmp_path / "sample.json")
    finally:
        project.close()
    data = orjson.loads((tmp_path / "sample.json").read_bytes())
    assert count == 1 and len(data["documents"][0]["spans"]) > 5
    assert h.schema_errors(data) == []


def test_the_rich_project_export_validates_against_the_json_schema(tmp_path):
    project, _ = h.build_rich_project(tmp_path / "rich.annotator")
    try:
        data = h.export_data(project)
    finally:
        project.close()
    assert data["tombstones"] and data["entities"]
    assert h.schema_errors(data) == []


def test_the_json_schema_rejects_what_the_importer_rejects(tmp_path):
    """A sanity check that the schema is not vacuous: a few broken exports fail it."""
    project, _ = h.build_rich_project(tmp_path / "rich.annotator")
    try:
        data = h.export_data(project)
    finally:
        project.close()
    for path, value in [
        (("version",), 2),
        (("documents", 0, "spans", 0, "fragments"), []),
        (("documents", 0, "spans", 0, "id"), "NOT-A-UUID"),
        (("documents", 0, "sha256"), "abc"),
        (("documents", 0, "status", 0, "status"), "finished"),
        (("tombstones", 0, "kind"), "spam"),
    ]:
        broken = orjson.loads(orjson.dumps(data))
        target: Any = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert h.schema_errors(broken), path


# -- the property ----------------------------------------------------------------------------


def _value(draw: st.DrawFn, attribute: AttributeDef) -> Any:
    kind = attribute.value_type
    if kind == "choice":
        return draw(st.sampled_from(attribute.choices))
    if kind == "multi_choice":
        return draw(st.lists(st.sampled_from(attribute.choices), unique=True))
    if kind == "text":
        return draw(small_text)
    if kind == "number":
        return draw(
            st.one_of(
                st.integers(-(2**53), 2**53),
                st.floats(allow_nan=False, allow_infinity=False),
            )
        )
    if kind == "date":
        return draw(st.dates()).isoformat()
    assert kind == "boolean"
    return draw(st.booleans())


def _attributes(draw: st.DrawFn, definitions: tuple[AttributeDef, ...]) -> dict[str, Any]:
    return {a.key: _value(draw, a) for a in definitions if draw(st.booleans())}


def _fragments(draw: st.DrawFn, length: int) -> list[tuple[int, int]]:
    """1-3 non-empty, non-overlapping fragments (they may touch) inside [0, length]."""
    count = draw(st.integers(1, max(1, min(3, (length + 1) // 2))))
    cuts = sorted(draw(st.lists(st.integers(0, length), min_size=2 * count, max_size=2 * count,
                                unique=True)))  # fmt: skip
    return [(cuts[i], cuts[i + 1]) for i in range(0, 2 * count, 2)]


def _add_custom_schema(project: Project) -> None:
    """A tag type and a link attribute with the value types the default schema lacks."""

    def attribute(key: str, kind: str, **fields: Any) -> AttributeDef:
        return AttributeDef(new_uuid(), key, key.title(), kind, **fields)

    project.run(
        AddTagType(
            "misc",
            "Miscellany 🧪",
            "custom",
            "#123abc",
            hotkey="m",
            guideline="for tests: every value type",
            attributes=(
                attribute("flags", "multi_choice", choices=("a", "b", "ç")),
                attribute("ok", "boolean", default=True),
                attribute("n", "number"),
                attribute("when", "date"),
                attribute("words", "text"),
            ),
        )
    )
    project.run(AddAttribute("link", "same_as", "certain", "Certain", "boolean"))
    # deleted schema items leave tombstones that travel too
    project.run(AddTagType("scratch", "Scratch", "custom", "#000000"))
    project.run(DeleteTagType("scratch"))
    project.run(DeleteAttribute("tag", "claim", "verdict"))
    project.run(DeleteLinkType("contradicts"))


def _build(draw: st.DrawFn, path: Path) -> tuple[Project, dict[str, list[tuple[int, int]]]]:
    """A generated project; returns it and the fragments each surviving span was made with."""
    raw = draw(
        st.lists(texts, min_size=1, max_size=3, unique_by=normalize_text).filter(
            lambda items: all(normalize_text(t) for t in items)
        )
    )
    project = Project.create(path, name="Round trip ✓", annotator_name="Ada")
    _add_custom_schema(project)
    add = AddDocuments(import_text(t, f"doc{i}.txt", "utf-8") for i, t in enumerate(raw))
    project.run(add)
    documents = add.report.added
    assert len(documents) == len(raw)
    with project.store.read() as session:
        stored = {d: session.document_text(d) for d in documents}
    for text, document in zip(raw, documents, strict=True):
        assert stored[document] == normalize_text(text) and "\r" not in stored[document]

    entity = CreateEntity(
        draw(st.text(min_size=1, max_size=10).filter(str.strip)),
        kind=draw(st.sampled_from(["person", "organisation", ""])),
        aliases=draw(st.lists(small_text, max_size=3)),
        external_ids=draw(st.dictionaries(st.sampled_from(["wd", "viaf"]), small_text)),
        note=draw(small_text),
    )
    schema = project.schema
    expected: dict[str, list[tuple[int, int]]] = {}
    spans: dict[str, list[CreateSpan]] = {d: [] for d in documents}
    commands: list[Any] = [entity]
    for document in documents:
        text = stored[document]
        for _ in range(draw(st.integers(1, 6))):
            tag = draw(st.sampled_from([t.key for t in schema.tag_types]))
            fragments = _fragments(draw, len(text))
            command = CreateSpan(
                document,
                tag,
                fragments,
                attributes=_attributes(draw, schema.tag(tag).attributes),
                note=draw(small_text),
                entity=entity.uuid if draw(st.booleans()) else None,
            )
            spans[document].append(command)
            expected[command.uuid] = fragments
            commands.append(command)
    links: list[CreateLink] = []
    for document in documents:
        candidates = spans[document]
        allowed = [
            (source, target, link_type)
            for source in candidates
            for target in candidates
            for link_type in schema.link_types
            if source is not target and link_type.allows(source.tag, target.tag)
        ]
        made: set[tuple[str, str, str]] = set()
        for source, target, link_type in draw(
            st.lists(st.sampled_from(allowed), min_size=1, max_size=4) if allowed else st.just([])
        ):
            key = (link_type.key, source.uuid, target.uuid)
            mirror = (link_type.key, target.uuid, source.uuid)
            if key in made or (not link_type.directed and mirror in made):
                continue
            made.add(key)
            links.append(
                CreateLink(
                    source.uuid,
                    target.uuid,
                    link_type.key,
                    attributes=_attributes(draw, link_type.attributes),
                    note=draw(small_text),
                )
            )
    doomed = CreateSpan(documents[0], "actor", [(0, len(stored[documents[0]]))])
    project.run(Compound("generated", [*commands, *links, doomed]))

    everyone = [s for d in documents for s in spans[d]]
    for command in draw(st.lists(st.sampled_from(everyone), max_size=3, unique=True)):
        project.run(EditSpan(command.uuid, note=draw(small_text)))
    if draw(st.booleans()):
        project.run(EditEntity(entity.uuid, name="Renamed", aliases=["Jane", "J. D."]))
    if links and draw(st.booleans()):
        project.run(DeleteLinks([draw(st.sampled_from(links)).uuid]))
    deleted = draw(st.lists(st.sampled_from(everyone), max_size=2, unique=True))
    project.run(DeleteSpans([doomed.uuid, *(c.uuid for c in deleted)]))
    for command in deleted:
        del expected[command.uuid]

    for name in ("Ada", "Bob"):
        project.switch_annotator(name)
        for index, document in enumerate(documents):
            if index == 0 or draw(st.booleans()):
                project.run(SetStatus(document, draw(st.sampled_from(STATUSES))))
    project.run(CreateSpan(documents[-1], "misc", [(0, 1)], attributes={"flags": ["ç"]}))
    return project, expected


def _check_export(data: dict[str, Any], expected: dict[str, list[tuple[int, int]]]) -> None:
    seen = set()
    for document in data["documents"]:
        text = document["text"]
        assert "\r" not in text and not text.startswith("\ufeff")
        assert document["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
        for span in document["spans"]:
            fragments = span["fragments"]
            assert span["text"] == h.quote(text, fragments)
            start, end = fragments[0][0], fragments[-1][1]
            assert span["prefix"] == text[max(0, start - CONTEXT_LENGTH) : start]
            assert span["suffix"] == text[end : end + CONTEXT_LENGTH]
            if span["id"] in expected:
                assert [tuple(f) for f in fragments] == expected[span["id"]]
                seen.add(span["id"])
    assert seen == set(expected)
    spans = [s for d in data["documents"] for s in d["spans"]]
    event(f"links: {min(3, sum(len(d['links']) for d in data['documents']))}+")
    event(f"discontinuous spans: {any(len(s['fragments']) > 1 for s in spans)}")
    event(f"statuses: {sum(len(d['status']) for d in data['documents'])}")
    assert data["tombstones"], "deleted spans leave tombstones"
    described = {entry["object"] for entry in data["history"]}
    assert {s["id"] for s in spans} <= described, "every span's history travels with it"
    assert len({a["name"] for a in data["annotators"]}) == 2


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_export_import_export_gives_the_same_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        project, expected = _build(data.draw, tmp / "source.annotator")
        try:
            first = tmp / "first.json"
            export_json(ProjectSnapshot(project), first)
        finally:
            project.close()
        exported = orjson.loads(first.read_bytes())
        _check_export(exported, expected)
        assert h.schema_errors(exported) == []

        copy = h.project_for(tmp / "copy.annotator", exported)
        try:
            report = import_json(copy, first)
            assert report.conflicts == []
            assert report.history == len(exported["history"])  # every row kept, none added
            second = tmp / "second.json"
            export_json(ProjectSnapshot(copy), second)
            assert second.read_bytes() == first.read_bytes()
            again = import_json(copy, first)
            assert not again.changed, again.summary()
            assert h.export_bytes(copy) == first.read_bytes()
        finally:
            copy.close()


def test_a_nul_in_a_history_summary_survives_the_round_trip(tmp_path: Path) -> None:
    """An entity named with a NUL, then renamed: its history summary holds the NUL. Importing
    the file wrote its rows in one JSON batch, and SQLite's json_extract cut the text at the
    NUL ("name: "), so the second export differed (found by the property test above)."""
    project = Project.create(tmp_path / "source.annotator", name="NUL", annotator_name="Ada")
    add = AddDocuments([import_text("Jane Doe", "doc.txt", "utf-8")])
    project.run(add)
    entity = CreateEntity("\x00\x8aË:Õ", kind="person")
    project.run(entity)
    project.run(EditEntity(entity.uuid, name="Renamed", aliases=["Jane"]))
    project.run(CreateSpan(add.report.added[0], "actor", [(0, 4)], note="a\x00b"))
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    try:
        export_json(ProjectSnapshot(project), first)
    finally:
        project.close()
    copy = h.project_for(tmp_path / "copy.annotator", orjson.loads(first.read_bytes()))
    try:
        import_json(copy, first)
        export_json(ProjectSnapshot(copy), second)
    finally:
        copy.close()
    assert second.read_bytes() == first.read_bytes()
    assert b"name: \\u0000" in first.read_bytes()
