"""Provenance: every command kind (and its undo and redo) records who and when; the JSON export
carries the history, the validator checks it by path, the importer keeps it by uuid and adds
its own rows only where the file says nothing; filtered exports carry only their objects'
history; a merge brings the other file's rows."""

from __future__ import annotations

import copy

import json_helpers as h
import merge_helpers as mh
import orjson
import pytest

from annotator.domain.ids import is_uuid
from annotator.domain.provenance import ACTIONS, OBJECT_KINDS
from annotator.io.documents.text import import_text
from annotator.io.formats import ExportOptions
from annotator.io.formats.json.validate import ExchangeError
from annotator.io.formats.json.writer import write_json
from annotator.services.document_commands import AddDocuments, EditDocumentMetadata
from annotator.services.entity_commands import DeleteEntity, EditEntity, SetStatus
from annotator.services.exchange_files import ProjectSnapshot, import_data
from annotator.services.link_commands import EditLink
from annotator.services.merge import merge
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan


@pytest.fixture
def rich(tmp_path):
    project, ids = h.build_rich_project(tmp_path / "rich.annotator")
    yield project, ids
    project.close()


def _history(project, uuid):
    with project.store.read() as session:
        return session.history_of(uuid)


def _export(project, options: ExportOptions | None = None) -> dict:
    import io

    out = io.BytesIO()
    write_json(ProjectSnapshot(project), out, options=options)
    return orjson.loads(out.getvalue())


def test_a_span_create_retag_undo_redo_delete_each_record_who_and_when(rich):
    project, ids = rich
    create = CreateSpan(ids.doc2, "place", [(0, 6)])
    project.run(create)
    project.run(EditSpan(create.uuid, tag="event"))
    project.undo()
    project.redo()
    project.switch_annotator("Bob")
    project.run(DeleteSpans([create.uuid]))
    rows = _history(project, create.uuid)  # newest first
    assert [r.action for r in rows] == ["delete", "update", "update", "update", "create"]
    assert [r.summary for r in rows] == [
        "deleted",
        "retagged place → event (redo)",
        "retagged event → place (undo)",
        "retagged place → event",
        "created",
    ]
    assert rows[3].detail == {"before": {"tag": "place"}, "after": {"tag": "event"}}
    assert [r.annotator for r in rows] == [ids.bob] + [ids.ada] * 4
    assert all(r.object_kind == "span" and r.at.endswith("Z") for r in rows)
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)


def test_links_entities_documents_and_statuses_record_their_changes(rich):
    project, ids = rich
    project.run(EditLink(ids.asserts, note="quoted"))
    project.run(EditEntity(ids.entity, name="Jane Q. Doe"))
    project.run(EditDocumentMetadata(ids.doc2, title="Second"))
    project.run(SetStatus(ids.doc2, "done"))
    project.run(DeleteEntity(ids.entity))
    link = _history(project, ids.asserts)
    assert (link[0].action, link[0].summary, link[-1].action) == ("update", "note edited", "create")
    entity = _history(project, ids.entity)
    assert [r.action for r in entity] == ["delete", "update", "create"]
    assert entity[1].summary == "name: Jane Doe → Jane Q. Doe"
    assert _history(project, ids.mayor)[0].summary == "entity cleared"  # the delete's effect
    document = _history(project, ids.doc2)
    assert [r.action for r in document] == ["update", "create"]
    assert "title" in document[0].detail["after"]
    with project.store.read() as session:
        status = session.status(ids.doc2, ids.ada)
    rows = _history(project, status.uuid)
    assert rows[0].object_kind == "document_status" and rows[0].summary == "status none → done"
    assert rows[0].annotator == ids.ada


def test_the_export_carries_the_history_and_an_import_keeps_it_by_uuid(rich, tmp_path):
    project, ids = rich
    project.run(EditSpan(ids.mayor, note="edited"))
    data = _export(project)
    assert h.schema_errors(data) == []
    rows = data["history"]
    assert {r["kind"] for r in rows} <= set(OBJECT_KINDS)
    assert {r["action"] for r in rows} <= set(ACTIONS)
    mayor = [r for r in rows if r["object"] == ids.mayor]
    assert [r["action"] for r in mayor] == ["create", "update"]  # in the order written
    assert mayor[0]["annotator"] == ids.ada

    copy_ = h.project_for(tmp_path / "copy.annotator", data)
    try:
        report = import_data(copy_, copy.deepcopy(data))
        assert report.history == len(rows)
        assert _history(copy_, ids.mayor) == _history(project, ids.mayor)
        assert _export(copy_)["history"] == rows  # nothing of the import's own: all described
        again = import_data(copy_, copy.deepcopy(data))
        assert again.history == 0 and not again.changed
        # a later deletion travels with its row (the file describes it: no import row)
        project.run(DeleteSpans([ids.engineers]))
        import_data(copy_, _export(project))
        gone = _history(copy_, ids.engineers)
        assert [(r.action, r.annotator) for r in gone] == [("delete", ids.ada), ("create", ids.ada)]
    finally:
        copy_.close()


def test_an_import_records_what_the_file_says_nothing_about(rich, tmp_path):
    project, ids = rich
    data = _export(project)
    data.pop("history")  # as from a foreign format or a file written before provenance
    copy_ = h.project_for(tmp_path / "copy.annotator", data, annotator_name="Imke")
    try:
        import_data(copy_, copy.deepcopy(data))
        importer = copy_.annotator.uuid
        rows = _history(copy_, ids.mayor)
        assert [(r.action, r.summary, r.annotator) for r in rows] == [
            ("import", "imported", importer)
        ]
        assert len(_history(copy_, ids.asserts)) == len(_history(copy_, ids.doc1)) == 1
        with copy_.store.read() as session:
            assert "Imke" in {a.name for a in session.annotators()}
            count = session.history_count()
            ids_ = [e.uuid for e in session.history()]
        assert len(set(ids_)) == count and all(is_uuid(u) for u in ids_)
        import_data(copy_, copy.deepcopy(data))  # nothing changes: no new rows
        with copy_.store.read() as session:
            assert session.history_count() == count
    finally:
        copy_.close()


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("kind", "tag_type", "expected one of"),
        ("action", "rewrite", "expected one of"),
        ("annotator", "01a22502-1965-7201-acbc-4f49b5c4d7a4", "no such annotator"),
        ("at", "yesterday", "expected a UTC timestamp"),
        ("detail", [1], "expected an object"),
        ("object", "NOT-A-UUID", "expected a lower-case UUID"),
    ],
)
def test_the_validator_names_a_bad_history_row_by_path(rich, tmp_path, field, value, reason):
    project, _ = rich
    data = _export(project)
    data["history"][2][field] = value
    copy_ = h.project_for(tmp_path / "copy.annotator", data)
    try:
        with pytest.raises(ExchangeError) as caught:
            import_data(copy_, data)
        assert caught.value.errors == [
            f"$.history[2].{field}: " + caught.value.errors[0].split(": ", 1)[1]
        ]
        assert reason in caught.value.errors[0]
        with copy_.store.read() as session:  # nothing written
            assert session.history_count() == 0 and session.documents() == []
    finally:
        copy_.close()
    if field != "annotator":  # a reference that resolves: only the importer can check it
        assert h.schema_errors(data)  # the published schema refuses it too


def test_a_history_id_used_twice_is_refused(rich, tmp_path):
    project, _ = rich
    data = _export(project)
    data["history"][1]["id"] = data["history"][0]["id"]
    copy_ = h.project_for(tmp_path / "copy.annotator", data)
    try:
        with pytest.raises(ExchangeError, match=r"\$\.history\[1\]\.id: history id .* twice"):
            import_data(copy_, data)
    finally:
        copy_.close()


def test_an_annotator_null_row_imports_as_an_unknown_author(rich, tmp_path):
    project, _ = rich
    data = _export(project)
    first = data["history"][0]
    first["annotator"] = None
    copy_ = h.project_for(tmp_path / "copy.annotator", data)
    try:
        import_data(copy_, data)
        rows = _history(copy_, first["object"])
        assert [r.annotator for r in rows if r.uuid == first["id"]] == [None]
    finally:
        copy_.close()


def test_filtered_exports_carry_only_the_history_of_what_they_export(rich):
    project, ids = rich
    everything = _export(project)
    bob = _export(project, ExportOptions(annotators=frozenset({ids.bob})))
    carried = {s["id"] for d in bob["documents"] for key in ("spans", "links", "status")
               for s in d[key]} | {d["id"] for d in bob["documents"]} | {ids.entity}  # fmt: skip
    assert bob["history"] and {r["object"] for r in bob["history"]} <= carried
    assert not [r for r in bob["history"] if r["object"] == ids.mayor]  # Ada's span
    assert [r for r in bob["history"] if r["kind"] == "document_status"]
    assert len(bob["history"]) < len(everything["history"])
    assert h.schema_errors(bob) == []
    doc2 = _export(project, ExportOptions(documents=frozenset({ids.doc2})))
    objects = {r["object"] for r in doc2["history"]}
    assert ids.engineers in objects and ids.entity in objects
    assert ids.mayor not in objects and ids.doc1 not in objects


def test_a_merge_brings_the_other_files_history(tmp_path):
    a_path, b_path, ids = mh.rich_pair(tmp_path)
    with mh.open_as(b_path, "Bob") as b:
        b.run(EditSpan(ids.claim, note="Bob was here"))
        theirs = _history(b, ids.claim)
    with mh.open_as(a_path, "Ada") as a:
        merge(a, b_path, backup=False)
        mine = _history(a, ids.claim)
    assert mine == theirs
    assert mine[0].summary == "note added" and mine[0].annotator == ids.bob


def test_a_merged_documents_rows_follow_the_same_text_here(tmp_path):
    """Two projects made apart hold the same article under different ids: the other file's
    rows about its copy are about ours after the merge."""
    ids = {}
    for name in ("Ada", "Bob"):
        project = Project.create(tmp_path / f"{name}.annotator", annotator_name=name)
        add = AddDocuments([import_text(h.TEXT_2, "two.txt", "utf-8")])
        project.run(add)
        ids[name] = add.report.added[0]
        if name == "Bob":
            project.run(EditDocumentMetadata(ids[name], title="Bob's title"))
        project.close()
    assert ids["Ada"] != ids["Bob"]
    with mh.open_as(tmp_path / "Ada.annotator", "Ada") as a:
        merge(a, tmp_path / "Bob.annotator", backup=False)
        rows = _history(a, ids["Ada"])
        assert not _history(a, ids["Bob"])
    assert [r.action for r in rows].count("create") == 2  # Ada's and Bob's adding it
    assert "title" in rows[0].detail["after"]
