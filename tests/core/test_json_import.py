"""JSON v1 import: idempotence, merging by uuid / text hash / key, tombstones, and refusals.

Every refusal must be an ExchangeError whose lines are "file: $.json.path: reason", and must
leave the project exactly as it was: the full export before and after is byte-identical and the
file still passes `annotator check`.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import json_helpers as h
import pytest

from annotator.cli import main as cli
from annotator.domain.ids import new_uuid
from annotator.io.documents.text import import_text
from annotator.io.formats.json.validate import MAX_ERRORS, ExchangeError
from annotator.services.document_commands import AddDocuments, DeleteDocument
from annotator.services.entity_commands import DeleteEntity, SetStatus
from annotator.services.exchange_files import import_data, import_json
from annotator.services.link_commands import CreateLink, DeleteLinks
from annotator.services.project import Project
from annotator.services.schema_commands import (
    AddAttribute,
    AddTagType,
    DeleteAttribute,
    DeleteLinkType,
    DeleteTagType,
)
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan

OLD = "2001-01-01T00:00:00.000Z"
NEW = "2999-01-01T00:00:00.000Z"


@pytest.fixture
def rich(tmp_path: Path) -> Iterator[tuple[Project, h.Rich, dict[str, Any]]]:
    """The rich project (open), its uuids and its export."""
    project, ids = h.build_rich_project(tmp_path / "rich.annotator")
    try:
        yield project, ids, h.export_data(project)
    finally:
        project.close()


@pytest.fixture
def copy_of(tmp_path: Path) -> Iterator[Callable[[dict[str, Any], str], Project]]:
    """copy_of(data, name): a new project (closed at teardown) holding an import of data."""
    opened: list[Project] = []

    def make(data: dict[str, Any], name: str = "copy") -> Project:
        project = h.project_for(tmp_path / f"{name}.annotator", data)
        opened.append(project)
        import_data(project, copy.deepcopy(data))
        return project

    yield make
    for project in opened:
        project.close()


# -- idempotence -----------------------------------------------------------------------------


def test_importing_into_a_new_file_gives_the_same_export(rich, copy_of):
    project, _, data = rich
    assert h.export_bytes(copy_of(data)) == h.export_bytes(project)


def test_reimporting_the_same_file_changes_nothing(rich, tmp_path):
    project, _, data = rich
    path = h.write_data(tmp_path / "rich.json", data)
    target = h.project_for(tmp_path / "target.annotator", data)
    try:
        first = import_json(target, path)
        assert first.changed
        assert first.added["spans"] == 6 and first.added["links"] == 3
        assert first.added["tombstones"] == 2 and first.deleted == {}  # nothing here to delete
        before = h.export_bytes(target)
        second = import_json(target, path)
        assert not second.changed, second.summary()
        assert second.conflicts == []
        assert second.skipped["spans"] == 6 and second.skipped["documents"] == 2
        assert h.export_bytes(target) == before
    finally:
        target.close()
    # ... and into the project it came from
    before = h.export_bytes(project)
    report = import_json(project, path)
    assert not report.changed, report.summary()
    assert h.export_bytes(project) == before


# -- merging ---------------------------------------------------------------------------------


def test_rows_merge_by_uuid_and_the_newer_modified_wins(rich, copy_of):
    _, ids, data = rich
    mine = copy_of(data)
    incoming = copy.deepcopy(data)
    h.span(incoming, ids.mayor).update(note="newer in the file", modified=NEW)
    h.span(incoming, ids.claim).update(note="older in the file", modified=OLD)
    h.link(incoming, ids.participates).update(attributes={"role": "organiser"}, modified=NEW)
    h.link(incoming, ids.asserts).update(note="older link", modified=OLD)
    incoming["entities"][0].update(name="Jane Q. Doe", modified=NEW)
    statuses = h.document(incoming, ids.doc1)["status"]
    ada_status = next(s for s in statuses if s["annotator"] == ids.ada)
    bob_status = next(s for s in statuses if s["annotator"] == ids.bob)
    ada_status.update(status="in_progress", modified=NEW)
    bob_status.update(status="new", modified=OLD)
    new_span = dict(h.span(incoming, ids.engineers), id=new_uuid(), note="added in the file")
    h.document(incoming, ids.doc2)["spans"].append(new_span)

    report = import_data(mine, incoming)

    assert report.updated == {"spans": 1, "links": 1, "entities": 1, "statuses": 1}
    assert report.added == {"spans": 1}
    assert report.conflicts == []
    merged = h.export_data(mine)
    assert h.span(merged, ids.mayor)["note"] == "newer in the file"
    assert h.span(merged, ids.claim) == h.span(data, ids.claim)
    assert h.link(merged, ids.participates)["attributes"] == {"role": "organiser"}
    assert h.link(merged, ids.asserts) == h.link(data, ids.asserts)
    assert merged["entities"][0]["name"] == "Jane Q. Doe"
    merged_status = {s["annotator"]: s["status"] for s in h.document(merged, ids.doc1)["status"]}
    assert merged_status == {ids.ada: "in_progress", ids.bob: "in_progress"}
    assert h.span(merged, new_span["id"])["note"] == "added in the file"
    assert not import_data(mine, copy.deepcopy(incoming)).changed


def test_an_edit_made_here_survives_an_older_file(rich, copy_of):
    project, ids, data = rich
    mine = copy_of(data)
    mine.run(EditSpan(ids.claim, note="edited here", attributes={"stance": "critical"}))
    mine.run(SetStatus(ids.doc2, "done"))  # as "Importer", a third annotator
    before = h.export_bytes(mine)
    report = import_data(mine, copy.deepcopy(data))
    assert not report.changed, report.summary()
    assert h.export_bytes(mine) == before
    # the other way round: the edit travels to the original project
    report = import_data(project, h.export_data(mine))
    assert report.updated == {"spans": 1}
    assert report.added == {"annotators": 1, "statuses": 1}
    assert h.span(h.export_data(project), ids.claim)["attributes"]["stance"] == "critical"


def test_documents_match_by_text_hash(rich, tmp_path):
    _, ids, data = rich
    other = Project.create(tmp_path / "other.annotator", annotator_name="Cleo")
    try:
        add = AddDocuments([import_text(h.TEXT_1, "same-text.txt", "utf-8")])
        other.run(add)
        (mine,) = add.report.added
        assert mine != ids.doc1

        report = import_data(other, copy.deepcopy(data))

        assert report.skipped["documents"] == 1
        assert report.added["documents"] == 1  # doc2 is new here
        merged = h.export_data(other)
        assert [d["id"] for d in merged["documents"]] == [mine, ids.doc2]
        kept = h.document(merged, mine)
        assert kept["metadata"]["source_filename"] == "same-text.txt"  # our copy's metadata
        theirs = h.document(data, ids.doc1)
        assert {s["id"] for s in kept["spans"]} == {s["id"] for s in theirs["spans"]}
        assert {x["id"] for x in kept["links"]} == {x["id"] for x in theirs["links"]}
        assert {s["annotator"] for s in kept["status"]} == {ids.ada, ids.bob}
        for item in kept["spans"]:
            assert item["text"] == h.quote(kept["text"], item["fragments"])
        before = h.export_bytes(other)
        assert not import_data(other, copy.deepcopy(data)).changed
        assert h.export_bytes(other) == before
    finally:
        other.close()


def test_the_same_text_under_another_uuid_attaches_to_the_existing_document(rich, copy_of):
    _, ids, data = rich
    mine = copy_of(data)
    incoming = copy.deepcopy(data)
    document = h.document(incoming, ids.doc2)
    document["id"] = new_uuid()
    extra = dict(h.span(incoming, ids.engineers), id=new_uuid())
    document["spans"].append(extra)
    report = import_data(mine, incoming)
    assert report.added == {"spans": 1}
    assert report.skipped["documents"] == 2
    merged = h.export_data(mine)
    assert len(merged["documents"]) == 2
    assert extra["id"] in {s["id"] for s in h.document(merged, ids.doc2)["spans"]}


def test_tombstones_delete_and_an_older_file_does_not_bring_rows_back(rich, copy_of):
    project, ids, old = rich
    mine = copy_of(old)
    project.run(DeleteSpans([ids.mayor]))  # and with it the asserts link
    project.run(DeleteLinks([ids.located]))
    project.run(DeleteEntity(ids.entity))
    project.run(DeleteDocument(ids.doc2))
    newer = h.export_data(project)

    report = import_data(mine, newer)

    assert report.deleted == {"spans": 2, "links": 2, "entities": 1, "documents": 1}
    merged = h.export_data(mine)
    assert merged["documents"] == newer["documents"]
    assert merged["entities"] == []
    assert {t["id"] for t in merged["tombstones"]} >= {
        ids.mayor,
        ids.asserts,
        ids.located,
        ids.entity,
        ids.doc2,
        ids.engineers,
    }
    before = h.export_bytes(mine)

    report = import_data(mine, copy.deepcopy(old))

    assert not report.changed, report.summary()
    assert h.export_bytes(mine) == before
    assert h.export_bytes(project) == h.export_bytes(mine)


def test_a_span_new_in_the_file_loses_its_reference_to_an_entity_deleted_here(rich, copy_of):
    project, ids, data = rich
    theirs = copy_of(data, "theirs")
    late = CreateSpan(ids.doc2, "actor", [(26, 31)], entity=ids.entity)
    theirs.run(late)
    theirs.run(EditSpan(ids.engineers, entity=ids.entity))
    project.run(DeleteEntity(ids.entity))

    report = import_data(project, h.export_data(theirs))

    assert report.added == {"annotators": 1, "spans": 1}
    assert report.updated == {"spans": 1}
    merged = h.export_data(project)
    assert merged["entities"] == []
    assert h.span(merged, late.uuid)["entity"] is None
    assert h.span(merged, ids.engineers)["entity"] is None
    project.close()
    assert cli(["check", str(project.path)]) == 0


def test_a_file_link_that_a_retag_here_no_longer_allows_is_left_out(rich, copy_of):
    project, ids, data = rich
    theirs = copy_of(data, "theirs")
    link = CreateLink(ids.jane, ids.claim, "asserts")
    theirs.run(link)  # Jane (an actor there) asserts the claim
    project.run(DeleteLinks([ids.participates]))
    project.run(EditSpan(ids.jane, tag="place", attributes={"kind": "city"}))  # here: a place

    report = import_data(project, h.export_data(theirs))

    assert report.conflicts == [
        f"link {link.uuid}: “asserts” does not link “place” to “claim” here; not imported"
    ]
    assert report.added == {"annotators": 1}
    merged = h.export_data(project)
    assert link.uuid not in h.all_ids(merged, "links")
    assert h.export_bytes(copy_of(merged, "merged")) == h.export_bytes(project)


def test_a_retag_in_the_file_that_a_link_here_does_not_allow_keeps_this_version(rich, copy_of):
    project, ids, data = rich
    theirs = copy_of(data, "theirs")
    theirs.run(DeleteLinks([ids.participates]))
    theirs.run(EditSpan(ids.jane, tag="place", attributes={"kind": "city"}))
    link = CreateLink(ids.jane, ids.claim, "asserts")
    project.run(link)  # here Jane is still an actor, and now asserts the claim

    report = import_data(project, h.export_data(theirs))

    assert report.conflicts == [
        f"span {ids.jane}: the file retags it as “place”, which a link here does not allow; "
        "this project's version kept"
    ]
    assert report.deleted == {"links": 1}  # their deletion of the participates link holds
    merged = h.export_data(project)
    assert h.span(merged, ids.jane)["tag"] == "actor"
    assert link.uuid in h.all_ids(merged, "links")
    assert h.export_bytes(copy_of(merged, "merged")) == h.export_bytes(project)


def test_a_retag_in_the_file_whose_links_the_file_deleted_is_applied(rich, copy_of):
    project, ids, data = rich
    theirs = copy_of(data, "theirs")
    theirs.run(DeleteLinks([ids.participates]))
    theirs.run(EditSpan(ids.jane, tag="place", attributes={"kind": "city"}))

    report = import_data(project, h.export_data(theirs))

    assert report.conflicts == []
    assert report.updated == {"spans": 1} and report.deleted == {"links": 1}
    assert h.span(h.export_data(project), ids.jane)["tag"] == "place"


def test_a_status_whose_id_is_taken_here_is_left_out(rich):
    project, ids, data = rich
    bad = copy.deepcopy(data)
    doc1, doc2 = h.document(bad, ids.doc1), h.document(bad, ids.doc2)
    taken = doc1["status"].pop(0)  # Ada's status of doc1: its id is now reused for doc2
    doc2["status"].append(dict(taken, status="done"))
    report = import_data(project, bad)
    assert report.conflicts == [
        f"status {taken['id']} is another document's or annotator's here; not imported"
    ]
    assert not report.changed
    statuses = {(d["id"], s["annotator"]) for d in h.export_data(project)["documents"]
                for s in d["status"]}  # fmt: skip
    assert (ids.doc2, ids.ada) not in statuses


@pytest.mark.parametrize("newer", [True, False])
def test_a_file_that_moves_a_span_to_another_document_cannot_break_the_project(rich, newer):
    """A crafted file claims the place span belongs to doc2 and links it there: applied, the
    span would move and links would join two documents, which the open checklist refuses."""
    project, ids, data = rich
    bad = copy.deepcopy(data)
    place = h.span(bad, ids.place)
    h.document(bad, ids.doc1)["spans"].remove(place)
    h.document(bad, ids.doc1)["links"].remove(h.link(bad, ids.located))
    doc2 = h.document(bad, ids.doc2)
    place.update(fragments=[[0, 6]], text=doc2["text"][:6], attributes={})
    if newer:
        place["modified"] = NEW
    doc2["spans"].append(place)
    link = dict(h.link(data, ids.located), id=new_uuid(), source=ids.engineers, target=ids.place)
    link.update(type="same_as", attributes={})
    doc2["links"].append(link)

    report = import_data(project, bad)

    expected = [f"link {link['id']}: joins spans of different documents here; not imported"]
    if newer:
        expected.insert(0, f"span {ids.place} is in another document here; not changed")
    assert report.conflicts == expected
    assert not report.changed
    assert h.span(h.export_data(project), ids.place) == h.span(data, ids.place)
    project.close()
    assert cli(["check", str(project.path)]) == 0


def test_schema_conflicts_are_reported_and_the_project_definition_kept(rich):
    project, _, data = rich
    schema_before = project.schema
    incoming = copy.deepcopy(data)
    tags = incoming["schema"]["tag_types"]
    actor = next(t for t in tags if t["key"] == "actor")
    actor.update(label="Person or group", color="#000000")
    claim = next(t for t in tags if t["key"] == "claim")
    claim["attributes"].append(
        dict(claim["attributes"][0], id=new_uuid(), key="source", label="Source", type="text")
        | {"choices": [], "default": None}
    )
    tags.append(dict(actor, id=new_uuid(), key="quote", label="Quote", hotkey="q", attributes=[]))
    links = incoming["schema"]["link_types"]
    next(x for x in links if x["key"] == "asserts")["directed"] = False

    report = import_data(project, incoming)

    assert sorted(report.conflicts) == [
        "link type “asserts” differs; this project's definition kept",
        "tag type “actor” differs; this project's definition kept",
        "tag type “claim” differs; this project's definition kept",
    ]
    assert report.added == {"tag types": 1, "attributes": 1}
    schema = project.schema
    assert schema.tag("actor") == schema_before.tag("actor")
    assert schema.link_type("asserts") == schema_before.link_type("asserts")
    assert schema.tag("quote") is not None
    assert schema.tag("claim").attribute("source") is not None
    again = import_data(project, copy.deepcopy(incoming))
    assert not again.changed
    assert len(again.conflicts) == 2  # claim now has the file's attribute too


def test_values_are_checked_against_the_project_definition_that_is_kept(rich):
    project, ids, data = rich
    incoming = copy.deepcopy(data)
    claim = next(t for t in incoming["schema"]["tag_types"] if t["key"] == "claim")
    stance = next(a for a in claim["attributes"] if a["key"] == "stance")
    stance.update(type="text", choices=[])
    h.span(incoming, ids.claim)["attributes"]["stance"] = "free text"
    with pytest.raises(ExchangeError) as caught:
        import_data(project, incoming)
    assert any(
        line.startswith("$.documents[0].spans[1].attributes: stance:")
        for line in caught.value.errors
    )


def test_new_tag_types_whose_hotkeys_clash_are_added_without_a_hotkey(rich, copy_of):
    project, _, data = rich
    theirs = copy_of(data, "theirs")
    project.run(AddTagType("weapon", "Weapon", "custom", "#aa0000", hotkey="5"))
    theirs.run(AddTagType("vehicle", "Vehicle", "custom", "#00aa00", hotkey="5"))

    report = import_data(project, h.export_data(theirs))

    assert report.added["tag types"] == 1
    assert report.conflicts == [
        "tag type “vehicle”: hotkey “5” is taken here; added without a hotkey"
    ]
    hotkeys = {t.key: t.hotkey for t in project.schema.tag_types}
    assert hotkeys["weapon"] == "5" and hotkeys["vehicle"] is None
    # the merged project still exports a file that imports anywhere
    merged = h.export_data(project)
    assert h.export_bytes(copy_of(merged, "merged")) == h.export_bytes(project)


def test_schema_items_deleted_here_are_not_brought_back(rich, copy_of):
    project, ids, _ = rich
    project.run(AddTagType("weapon", "Weapon", "custom", "#aa0000", hotkey="w"))
    project.run(AddAttribute("tag", "actor", "age", "Age", "number"))
    old = h.export_data(project)
    project.run(DeleteTagType("weapon"))
    project.run(DeleteLinkType("contradicts"))
    project.run(DeleteAttribute("tag", "actor", "age"))
    schema = project.schema
    before = h.export_bytes(project)

    report = import_data(project, copy.deepcopy(old))

    assert not report.changed, report.summary()
    assert sorted(report.conflicts) == [
        "link type “contradicts” was deleted in this project; not added again",
        "tag type “actor” differs; this project's definition kept",
        "tag type “weapon” was deleted in this project; not added again",
    ]
    assert project.schema == schema
    assert h.export_bytes(project) == before
    # annotations of a deleted type are refused, by path
    h.span(old, ids.engineers)["tag"] = "weapon"
    h.span(old, ids.engineers)["attributes"] = {}
    h.span(old, ids.mayor)["attributes"]["age"] = 52
    with pytest.raises(ExchangeError) as caught:
        import_data(project, old)
    assert caught.value.errors == [
        "$.documents[0].spans[0].attributes: unknown attribute \u201cage\u201d",
        "$.documents[1].spans[0].tag: no tag type “weapon” in the schema "
        "(it was deleted in this project)",
    ]
    assert h.export_bytes(project) == before


# -- refusals --------------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any], h.Rich], None]


def _span(i: int, doc: int = 0) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: data["documents"][doc]["spans"][i]


def _set(getter: Callable, **fields: Any) -> Mutation:
    return lambda data, ids: getter(data).update(fields)


def _drop(getter: Callable, key: str) -> Mutation:
    return lambda data, ids: getter(data).pop(key)


def _doc(i: int = 0) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: data["documents"][i]


def _link(i: int, doc: int = 0) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: data["documents"][doc]["links"][i]


def _duplicate_span(data: dict[str, Any], ids: h.Rich) -> None:
    spans = data["documents"][0]["spans"]
    spans.append(dict(spans[0]))


def _span_with_a_link_id(data: dict[str, Any], ids: h.Rich) -> None:
    data["documents"][0]["spans"][3]["id"] = data["documents"][0]["links"][0]["id"]


def _cr_in_text(data: dict[str, Any], ids: h.Rich) -> None:
    document = data["documents"][1]
    document["text"] = document["text"].replace("\n", "\r\n")
    document["sha256"] = hashlib.sha256(document["text"].encode()).hexdigest()
    document["spans"] = []  # offsets would move; this test is about the CR alone


def _link_across_documents(data: dict[str, Any], ids: h.Rich) -> None:
    data["documents"][0]["links"][0]["target"] = ids.engineers


def _asserts_backwards(data: dict[str, Any], ids: h.Rich) -> None:
    x = _link(0)(data)
    x["source"], x["target"] = x["target"], x["source"]


def _renamed_attribute(data: dict[str, Any], ids: h.Rich) -> None:
    """A key renamed by hand keeps its id: importing would add a second item with that id."""
    event = next(t for t in data["schema"]["tag_types"] if t["key"] == "event")
    next(a for a in event["attributes"] if a["key"] == "place")["key"] = "venue"


def _renamed_link_type(data: dict[str, Any], ids: h.Rich) -> None:
    next(x for x in data["schema"]["link_types"] if x["key"] == "contradicts")["key"] = "refutes"


def _many_tags(data: dict[str, Any], ids: h.Rich) -> None:
    spans = data["documents"][0]["spans"]
    spans[:] = [dict(spans[0], id=new_uuid(), tag="nope") for _ in range(120)]


# (id, mutation, the JSON path of the first error, a piece of its reason)
D0 = "$.documents[0]"
S0, S1, L0 = D0 + ".spans[0]", D0 + ".spans[1]", D0 + ".links[0]"

BAD: list[tuple[str, Mutation, str, str]] = [
    ("format", lambda d, i: d.update(format="brat"), "$.format", "not an Annotator JSON file"),
    ("newer version", lambda d, i: d.update(version=2), "$.version", "newer Annotator"),
    ("version text", lambda d, i: d.update(version="1"), "$.version", "unsupported version"),
    ("version bool", lambda d, i: d.update(version=True), "$.version", "unsupported version"),
    ("empty object", lambda d, i: d.clear(), "$.format", "not an Annotator JSON file"),
    ("schema missing", lambda d, i: d.pop("schema"), "$.schema", "expected an object"),
    ("documents not a list", lambda d, i: d.update(documents={}), "$.documents", "list"),
    ("document text missing", _drop(_doc(), "text"), "$.documents[0].text", "missing"),
    ("document id missing", _drop(_doc(), "id"), "$.documents[0].id", "UUID"),
    ("document title missing", _drop(_doc(1), "title"), "$.documents[1].title", "missing"),
    ("sha256 missing", _drop(_doc(), "sha256"), "$.documents[0].sha256", "missing"),
    ("sha256 mismatch", _set(_doc(1), sha256="0" * 64), "$.documents[1].sha256", "SHA-256"),
    ("sha256 empty", _set(_doc(1), sha256=""), "$.documents[1].sha256", "SHA-256"),
    ("CR in text", _cr_in_text, "$.documents[1].text", "CR"),
    ("created missing", _drop(_span(0), "created"), S0 + ".created", "UTC"),
    ("bad timestamp", _set(_span(0), modified="2024-01-01"), S0 + ".modified", "UTC"),
    (
        "sloppy timestamp",
        _set(_span(0), modified="2024-1-01T00:00:00.1234Z"),
        S0 + ".modified",
        "UTC",
    ),
    (
        "full-width digits",
        _set(_span(0), modified="２０２４-01-01T00:00:00.000Z"),
        S0 + ".modified",
        "UTC",
    ),
    (
        "schema item timestamp",
        lambda d, i: d["schema"]["tag_types"][0].update(modified="2024-01-01T0:00:00.1234Z"),
        "$.schema.tag_types[0].modified",
        "UTC",
    ),
    (
        "entity without a name",
        lambda d, i: d["entities"][0].update(name=" "),
        "$.entities[0].name",
        "needs a name",
    ),
    ("span id missing", _drop(_span(0), "id"), S0 + ".id", "UUID"),
    ("span tag missing", _drop(_span(0), "tag"), S0 + ".tag", "missing"),
    ("fragments missing", _drop(_span(0), "fragments"), S0 + ".fragments", "fragment"),
    ("annotator missing", _drop(_span(0), "annotator"), S0 + ".annotator", "no such annotator"),
    (
        "end past the text",
        _set(_span(0), fragments=[[23, 10_000]]),
        S0 + ".fragments",
        "outside the text",
    ),
    ("negative start", _set(_span(0), fragments=[[-1, 5]]), S0 + ".fragments", "outside the text"),
    ("float offset", _set(_span(0), fragments=[[23.0, 37]]), S0 + ".fragments", "integers"),
    ("fragment not a pair", _set(_span(0), fragments=[5]), S0 + ".fragments", ""),
    ("empty fragment", _set(_span(0), fragments=[[23, 23]]), S0 + ".fragments", "empty"),
    ("no fragments", _set(_span(0), fragments=[]), S0 + ".fragments", "at least one"),
    (
        "overlapping fragments",
        _set(_span(1), fragments=[[58, 68], [60, 77]]),
        S1 + ".fragments",
        "overlap",
    ),
    (
        "text differs",
        _set(_span(0), text="Mayor John Doe"),
        S0 + ".text",
        "differs from the document text",
    ),
    (
        "text off by one",
        _set(_span(0), fragments=[[22, 36]]),
        S0 + ".text",
        "differs from the document text",
    ),
    ("unknown tag", _set(_span(0), tag="person"), S0 + ".tag", "no tag type “person”"),
    ("unknown link type", _set(_link(0), type="blames"), L0 + ".type", "no link type “blames”"),
    (
        "link to another document",
        _link_across_documents,
        L0,
        "two different spans of this document",
    ),
    (
        "link to a missing span",
        _set(_link(0), source=new_uuid()),
        L0,
        "two different spans of this document",
    ),
    (
        "link to itself",
        lambda d, i: _link(0)(d).update(target=_link(0)(d)["source"]),
        L0,
        "two different spans",
    ),
    ("link not allowed", _asserts_backwards, L0, "“asserts” does not link “claim” to “actor”"),
    (
        "attribute wrong type",
        lambda d, i: _span(1)(d)["attributes"].update(confidence="high"),
        S1 + ".attributes",
        "confidence: expected a number",
    ),
    (
        "attribute unknown choice",
        lambda d, i: _span(1)(d)["attributes"].update(stance="angry"),
        S1 + ".attributes",
        "stance: \u201cangry\u201d is not one of",
    ),
    (
        "attribute bad date",
        lambda d, i: _span(2)(d)["attributes"].update(date="01/03/2024"),
        D0 + ".spans[2].attributes",
        "date",
    ),
    (
        "unknown attribute",
        lambda d, i: _span(0)(d)["attributes"].update(mood="calm"),
        S0 + ".attributes",
        "unknown attribute \u201cmood\u201d",
    ),
    (
        "link attribute choice",
        lambda d, i: _link(1)(d)["attributes"].update(role="boss"),
        D0 + ".links[1].attributes",
        "role",
    ),
    (
        "attributes not an object",
        _set(_span(0), attributes=["kind"]),
        S0 + ".attributes",
        "expected an object",
    ),
    ("bad uuid", _set(_span(0), id="not-a-uuid"), S0 + ".id", "UUID"),
    (
        "upper-case uuid",
        lambda d, i: _span(0)(d).update(id=_span(0)(d)["id"].upper()),
        S0 + ".id",
        "lower-case UUID",
    ),
    ("duplicate span id", _duplicate_span, "$.documents[0].spans[5].id", "used twice"),
    ("span and link share an id", _span_with_a_link_id, L0 + ".id", "used twice"),
    (
        "unknown annotator",
        _set(_span(0), annotator="00000000-0000-4000-8000-000000000000"),
        S0 + ".annotator",
        "no such annotator",
    ),
    (
        "annotator not a string",
        _set(_span(0), annotator={"name": "Ada"}),
        S0 + ".annotator",
        "no such annotator",
    ),
    (
        "unknown entity",
        _set(_span(0), entity="00000000-0000-4000-8000-000000000000"),
        S0 + ".entity",
        "no such entity",
    ),
    ("entity not a string", _set(_span(0), entity=["Jane"]), S0 + ".entity", "no such entity"),
    ("link source not a string", _set(_link(0), source=[1]), L0, "two different spans"),
    (
        "unknown status author",
        lambda d, i: _doc()(d)["status"][0].update(annotator=new_uuid()),
        "$.documents[0].status[0].annotator",
        "no such annotator",
    ),
    (
        "bad status",
        lambda d, i: _doc()(d)["status"][0].update(status="finished"),
        "$.documents[0].status[0].status",
        "expected one of",
    ),
    (
        "tombstone kind",
        lambda d, i: d["tombstones"][0].update(kind="spam"),
        "$.tombstones[0].kind",
        "expected one of",
    ),
    (
        "tombstone author",
        lambda d, i: d["tombstones"][0].update(author=[]),
        "$.tombstones[0].author",
        "no such annotator",
    ),
    (
        "annotator without a name",
        lambda d, i: d["annotators"][0].update(name=" "),
        "$.annotators[0].name",
        "needs a name",
    ),
    (
        "entity aliases",
        lambda d, i: d["entities"][0].update(aliases="Jane"),
        "$.entities[0].aliases",
        "list of strings",
    ),
    ("schema id taken", _renamed_attribute, "$.schema.tag_types[1].attributes[2].id", "another"),
    ("schema link id taken", _renamed_link_type, "$.schema.link_types[4].id", "another"),
    (
        "schema colour",
        lambda d, i: d["schema"]["tag_types"][0].update(color="red"),
        "$.schema.tag_types[0].color",
        "#rrggbb",
    ),
    (
        "schema endpoint",
        lambda d, i: d["schema"]["link_types"][0]["sources"].append("ghost"),
        "$.schema.link_types[0].sources[1]",
        "no tag type “ghost”",
    ),
    (
        "schema endpoint not a key",
        lambda d, i: d["schema"]["link_types"][0]["sources"].append([1]),
        "$.schema.link_types[0].sources[1]",
        "no tag type",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "reason"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_input_is_refused_by_path_and_changes_nothing(rich, tmp_path, mutate, path, reason):
    project, ids, data = rich
    bad = copy.deepcopy(data)
    mutate(bad, ids)
    file = h.write_data(tmp_path / "bad.json", bad)
    before = h.export_bytes(project)

    with pytest.raises(ExchangeError) as caught:
        import_json(project, file)

    errors = caught.value.errors
    assert errors and all(line.startswith("bad.json: $") for line in errors), errors
    first = errors[0].removeprefix("bad.json: ")
    assert first.startswith(f"{path}: "), errors
    assert reason in first, errors
    assert "\n" not in str(caught.value)
    assert h.export_bytes(project) == before
    project.close()
    assert cli(["check", str(project.path)]) == 0


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
NOISE = bytes(range(1, 256)) * 4  # random-looking bytes without a NUL


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "broken.json: $: not valid JSON (unexpected character"),
        (b'{"format": "annotator", "version": 1', "broken.json: $: not valid JSON"),
        (b"", "broken.json is not a JSON file (it is empty)"),
        (b" \n\t", "broken.json is not a JSON file (it is empty)"),
        (PNG, "broken.json is not a JSON file (it is binary, not text)"),
        (NOISE, "broken.json is not a JSON file (it is binary, not text)"),
        (b'{"name": "caf\xe9"}', "broken.json is not a JSON file (it is not UTF-8 text: byte 13"),
        (b"\xff\xfe{\x00}\x00", "broken.json is not a JSON file (it is UTF-16 text; save it"),
        # a colleague's project file or a zip export chosen by mistake: say what it is instead
        (
            b"SQLite format 3\x00" + bytes(84),
            "broken.json is not a JSON file (it is an Annotator project or another SQLite "
            "database: merge a project with File ▸ Merge… or annotator merge)",
        ),
        (
            b"PK\x03\x04\x14\x00" + bytes(40),
            "broken.json is not a JSON file (it is a zip archive: import it as brat, UIMA XMI "
            "or REFI-QDA)",
        ),
    ],
)
def test_a_file_that_is_not_json_is_refused(rich, tmp_path, content, message):
    project, _, _ = rich
    file = tmp_path / "broken.json"
    file.write_bytes(content)
    before = h.export_bytes(project)
    with pytest.raises(ExchangeError) as caught:
        import_json(project, file)
    (line,) = caught.value.errors
    assert line.startswith(message), line
    assert "\n" not in line and "surrogates" not in line
    assert h.export_bytes(project) == before


def test_the_cli_refuses_an_image_in_one_line_and_leaves_the_project(rich, tmp_path, capsys):
    project, _, _ = rich
    before = h.export_bytes(project)
    project.close()
    image = tmp_path / "photo.png"
    image.write_bytes(PNG + bytes(range(256)))
    capsys.readouterr()
    assert cli(["import", str(project.path), str(image)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "annotator import: photo.png is not a JSON file (it is binary, not text)\n"
    with Project.open(project.path) as reopened:
        assert h.export_bytes(reopened) == before


def test_a_missing_file_is_refused_with_its_name(rich, tmp_path):
    project, _, _ = rich
    with pytest.raises(ExchangeError) as caught:
        import_json(project, tmp_path / "absent.json")
    (line,) = caught.value.errors
    assert line.startswith("absent.json: ") and "cannot be read" in line


def test_a_file_with_many_errors_reports_many_paths_up_to_the_cap(rich, tmp_path):
    project, ids, data = rich
    bad = copy.deepcopy(data)
    _many_tags(bad, ids)
    before = h.export_bytes(project)
    with pytest.raises(ExchangeError) as caught:
        import_json(project, h.write_data(tmp_path / "bad.json", bad))
    errors = caught.value.errors
    assert len(errors) == MAX_ERRORS
    assert len(set(errors)) == MAX_ERRORS
    assert errors[7] == "bad.json: $.documents[0].spans[7].tag: no tag type “nope” in the schema"
    assert str(caught.value).endswith(f"(and {MAX_ERRORS - 1} more)")
    assert h.export_bytes(project) == before


def test_errors_in_several_places_are_all_reported(rich):
    project, ids, data = rich
    bad = copy.deepcopy(data)
    h.span(bad, ids.mayor)["tag"] = "person"
    h.span(bad, ids.claim)["text"] = "something else"
    h.link(bad, ids.located)["type"] = "near"
    bad["documents"][1]["sha256"] = "f" * 64
    bad["tombstones"][0]["deleted"] = "yesterday"
    with pytest.raises(ExchangeError) as caught:
        import_data(project, bad)
    paths = [line.split(": ", 1)[0] for line in caught.value.errors]
    assert paths == [
        "$.documents[0].spans[0].tag",
        "$.documents[0].spans[1].text",
        "$.documents[0].links[0]",  # its source is the span whose tag is unknown
        "$.documents[0].links[2].type",
        "$.documents[1].sha256",
        "$.tombstones[0].deleted",
    ]


def test_a_document_uuid_that_holds_another_text_here_is_refused(rich, copy_of):
    project, ids, data = rich
    bad = copy.deepcopy(data)
    document = h.document(bad, ids.doc2)
    document["text"] = "A different text.\n"
    document["sha256"] = hashlib.sha256(document["text"].encode()).hexdigest()
    document["spans"], document["links"] = [], []
    before = h.export_bytes(project)
    with pytest.raises(ExchangeError) as caught:
        import_data(project, bad)
    (line,) = caught.value.errors
    assert line.startswith("$.documents[1].id: ") and "another text" in line
    assert h.export_bytes(project) == before


def test_a_refused_import_into_a_new_project_writes_nothing(rich, tmp_path):
    _, ids, data = rich
    bad = copy.deepcopy(data)
    h.span(bad, ids.place)["fragments"] = [[98, 9999]]
    target = h.project_for(tmp_path / "new.annotator", bad)
    try:
        empty = h.export_bytes(target)
        with pytest.raises(ExchangeError):
            import_data(target, bad)
        assert h.export_bytes(target) == empty
        assert h.export_data(target)["documents"] == []
    finally:
        target.close()
