"""Merging project files (services.merge) on real files: matching rules, newer wins, tombstones,
schema conflicts, provenance, the kept report and the backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest
from fixtures_hostile import as_version_1, run_sql
from json_helpers import TEXT_1, between
from merge_helpers import canonical, open_as, rich_pair

from annotator.domain.ids import new_uuid, now
from annotator.domain.layers import GOLD_ANNOTATOR_NAME, GOLD_ANNOTATOR_UUID
from annotator.domain.model import Annotator
from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments, EditDocumentMetadata
from annotator.services.entity_commands import SetStatus
from annotator.services.merge import backup_path, merge, past_reports, schema_conflicts
from annotator.services.project import Project
from annotator.services.schema_commands import EditTagType
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan


def test_edits_from_both_sides_meet_and_deletions_stay(tmp_path: Path) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="Bob's note"))
        b.run(DeleteSpans([rich.place]))
        new = CreateSpan(rich.doc2, "event", [(0, 6)])
        b.run(new)
        b.run(SetStatus(rich.doc2, "done"))
    with open_as(a_path, "Ada") as a:
        a.run(EditSpan(rich.claim, note="Ada's note"))
        report = merge(a, b_path)
        with a.store.read() as session:
            assert session.span(rich.mayor).note == "Bob's note"
            assert session.span(rich.claim).note == "Ada's note"
            assert session.span(new.uuid).annotator == rich.bob
            assert not session.spans_by_uuid([rich.place])
            assert session.tombstoned(rich.place) and session.tombstoned(rich.located)
            assert not session.links_by_uuid([rich.located])  # its endpoint went
            assert session.status(rich.doc2, rich.bob).status == "done"
        assert a.store.integrity_check() == []
    history = report.added.pop("history entries")  # Bob's commands' provenance travels
    assert history >= 4
    assert report.added == {"spans": 1, "tombstones": 2}
    assert report.updated == {"spans": 1, "statuses": 1}
    assert report.deleted == {"spans": 1}
    assert report.examples["added spans"] == [new.uuid]
    assert report.skipped["spans: unchanged or older"] == 4  # claim: Ada's is newer


def test_merging_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="Bob's note"))
        b.run(DeleteSpans([rich.place]))
    with open_as(a_path, "Ada") as a:
        merge(a, b_path)
        once = canonical(a)
        again = merge(a, b_path)
        assert canonical(a) == once
    assert not again.changed
    assert again.conflict_count == 0


def test_merge_is_commutative_in_content(tmp_path: Path) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="Bob's note"))
        b.run(DeleteSpans([rich.jane]))
        b.run(CreateSpan(rich.doc2, "event", [(0, 6)]))
    with open_as(a_path, "Ada") as a:
        a.run(EditSpan(rich.mayor, attributes={"kind": "media"}))  # later than Bob's edit
        a.run(EditSpan(rich.jane, note="edited after Bob deleted it"))
        a.run(SetStatus(rich.doc2, "in_progress"))
    a2, b2 = tmp_path / "a2.annotator", tmp_path / "b2.annotator"
    a2.write_bytes(a_path.read_bytes())
    b2.write_bytes(b_path.read_bytes())
    with open_as(a_path, "Ada") as a:
        merge(a, b_path)
        a_into = canonical(a)
    with open_as(b2, "Bob") as b:
        merge(b, a2)
        b_into = canonical(b)
    assert a_into == b_into
    spans = {s["id"]: s for d in a_into["documents"] for s in d["spans"]}
    assert rich.jane not in spans  # deleted by Bob: Ada's later edit does not bring it back
    assert spans[rich.mayor]["attributes"] == {"kind": "media"}


def test_a_deleted_span_stays_deleted_after_merging_an_old_copy(tmp_path: Path) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)  # b still has the mayor span
    with open_as(a_path, "Ada") as a:
        a.run(DeleteSpans([rich.mayor]))
        report = merge(a, b_path)
        with a.store.read() as session:
            assert not session.spans_by_uuid([rich.mayor])
    # the mayor span, and the nested span deleted before the copy was made
    assert report.skipped["spans: deleted in one of the files"] == 1
    with open_as(b_path, "Bob") as b:  # and the other way: the tombstone deletes it there
        report = merge(b, a_path)
        with b.store.read() as session:
            assert not session.spans_by_uuid([rich.mayor])
            assert not session.links_by_uuid([rich.asserts])
    assert report.deleted == {"spans": 1}


def test_same_text_under_another_id_is_one_document(tmp_path: Path) -> None:
    """Two projects made apart import the same article: their spans land on our copy."""
    ours = Project.create(tmp_path / "ours.annotator", annotator_name="Ada")
    add = AddDocuments([import_text(TEXT_1, "one.txt", "utf-8")])
    ours.run(add)
    (mine,) = add.report.added
    with Project.create(tmp_path / "theirs.annotator", annotator_name="Bob") as theirs:
        add = AddDocuments([import_text(TEXT_1, "copy.txt", "utf-8")])
        theirs.run(add)
        (doc,) = add.report.added
        span = CreateSpan(doc, "actor", [between(TEXT_1.replace("\r\n", "\n"), "Jane Doe")])
        theirs.run(span)
        other = AddDocuments([import_text("Another text entirely.", "two.txt", "utf-8")])
        theirs.run(other)
        theirs.run(EditDocumentMetadata(other.report.added[0], title="Bridge story"))
    with ours:
        ours.run(EditDocumentMetadata(mine, title="Bridge story"))  # newer than theirs
        report = merge(ours, tmp_path / "theirs.annotator")
        with ours.store.read() as session:
            assert session.span(span.uuid).document == mine
            assert [d.title for d in session.documents()] == ["Bridge story"] * 2
    assert report.skipped["document ids: the same text under another id here"] == 1
    assert report.added["documents"] == 1
    assert any("\u201cBridge story\u201d: another text" in line for line in report.conflicts)


@pytest.mark.parametrize("side", ["mine", "theirs"])
def test_schema_conflict_is_reported_and_resolved_as_chosen(tmp_path: Path, side: str) -> None:
    a_path, b_path, _ = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditTagType("actor", color="#000000", label="Person"))
    with open_as(a_path, "Ada") as a:
        before = a.schema.tag("actor")
        (conflict,) = schema_conflicts(a, b_path)
        assert (conflict.ident, conflict.fields) == ("tag type:actor", ("label", "color"))
        report = merge(a, b_path, conflicts={conflict.ident: side})
        actor = a.schema.tag("actor")
    if side == "theirs":
        assert (actor.color, actor.label, actor.uuid) == ("#000000", "Person", before.uuid)
        assert report.updated["tag types"] == 1
    else:
        assert actor == before
    assert report.conflicts == [
        "tag type “actor” differs in label, color; "
        + (
            "the merged file's definition taken"
            if side == "theirs"
            else "this project's definition kept"
        )
    ]


def test_gold_layer_history_and_decisions_travel(tmp_path: Path) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, GOLD_ANNOTATOR_NAME) as b:
        with b.store.write() as session:  # the gold annotator, as adjudication writes it
            when = now()
            session.insert_annotator(
                Annotator(GOLD_ANNOTATOR_UUID, GOLD_ANNOTATOR_NAME, "", when, when)
            )
        b.annotator = Annotator(GOLD_ANNOTATOR_UUID, GOLD_ANNOTATOR_NAME, "", when, when)
        gold = CreateSpan(rich.doc1, "actor", [between(TEXT_1.replace("\r\n", "\n"), "Mayor")])
        b.run(gold)
    history, decision = new_uuid(), new_uuid()
    with sqlite3.connect(b_path) as connection:
        connection.execute(
            "INSERT INTO history (uuid, object_uuid, object_kind, action, at) "
            "VALUES (?, ?, 'span', 'create', ?)",
            (history, gold.uuid, now()),
        )
        connection.execute(
            "INSERT INTO decisions (uuid, document_id, unit_kind, unit_key, verdict, gold_uuid, "
            "decided) VALUES (?, 1, 'span', '[0, 5]', 'accept', ?, ?)",
            (decision, gold.uuid, now()),
        )
    with open_as(a_path, "Ada") as a:
        report = merge(a, b_path)
        with a.store.read() as session:
            assert session.span(gold.uuid).annotator == GOLD_ANNOTATOR_UUID
    assert report.added["history entries"] >= 1 and report.added["decisions"] == 1
    with sqlite3.connect(a_path) as connection:
        assert connection.execute("SELECT uuid FROM decisions").fetchall() == [(decision,)]
        assert connection.execute(
            "SELECT count(*) FROM history WHERE uuid = ?", (history,)
        ).fetchone() == (1,)


def test_report_is_kept_and_a_backup_is_written(tmp_path: Path) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="Bob's note"))
    before = a_path.read_bytes()
    with open_as(a_path, "Ada") as a:
        report = merge(a, b_path)
        (kept,) = past_reports(a)
    assert kept.to_dict() == report.to_dict()
    assert report.backup == str(backup_path(a_path))
    assert Path(report.backup).read_bytes() != b""
    with open_as(Path(report.backup), "Ada") as copy:  # the backup is the project before
        with copy.store.read() as session:
            assert session.span(rich.mayor).note != "Bob's note"
    assert before  # the project itself changed; the copy holds the old content
    with sqlite3.connect(a_path) as connection:
        (text,) = connection.execute("SELECT report FROM merge_reports").fetchone()
    assert orjson.loads(text)["updated"] == {"spans": 1}


def test_merged_files_bring_their_merge_reports(tmp_path: Path) -> None:
    a_path, b_path, _ = rich_pair(tmp_path)
    c_path = tmp_path / "c.annotator"
    c_path.write_bytes(a_path.read_bytes())
    with open_as(b_path, "Bob") as b:
        merge(b, c_path, backup=False)
    with open_as(a_path, "Ada") as a:
        merge(a, b_path, backup=False)
        sources = sorted(r.source for r in past_reports(a))
    assert sources == ["b.annotator", "c.annotator"]


def test_a_version_1_file_is_merged_after_its_own_checks(tmp_path: Path) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="from a version 1 file"))
    as_version_1(b_path)
    with open_as(a_path, "Ada") as a:
        report = merge(a, b_path)
        with a.store.read() as session:
            assert session.span(rich.mayor).note == "from a version 1 file"
    assert report.updated == {"spans": 1}


def test_edits_at_the_same_moment_resolve_the_same_way_round(tmp_path: Path) -> None:
    """Same `modified` on both sides: the higher-ranked content wins whichever file is ours."""
    a_path, b_path, rich = rich_pair(tmp_path)
    stamp = "2030-01-01T00:00:00.000Z"
    for path, note in ((a_path, "alpha"), (b_path, "beta")):
        run_sql(
            path,
            f"UPDATE spans SET note = '{note}', modified = '{stamp}' WHERE uuid = '{rich.mayor}'",
        )
        run_sql(
            path,
            f"UPDATE document_status SET status = '{'done' if note == 'alpha' else 'new'}', "
            f"modified = '{stamp}' WHERE status = 'in_progress'",
        )
    a2, b2 = tmp_path / "a2.annotator", tmp_path / "b2.annotator"
    a2.write_bytes(a_path.read_bytes())
    b2.write_bytes(b_path.read_bytes())
    with open_as(a_path, "Ada") as a:
        merge(a, b_path, backup=False)
        a_into = canonical(a)
        with a.store.read() as session:
            assert session.span(rich.mayor).note == "beta"
            assert session.status(rich.doc1, rich.bob).status == "new"
    with open_as(b2, "Bob") as b:
        merge(b, a2, backup=False)
        assert canonical(b) == a_into


def test_taking_theirs_with_a_renamed_attribute_adds_it_under_a_new_id(tmp_path: Path) -> None:
    a_path, b_path, _ = rich_pair(tmp_path)
    run_sql(
        b_path,
        "UPDATE attribute_defs SET key = 'kind_of_actor', label = 'Kind of actor' "
        "WHERE key = 'kind' AND tag_type_id = (SELECT id FROM tag_types WHERE key = 'actor')",
    )
    with open_as(a_path, "Ada") as a:
        before = a.schema.tag("actor")
        report = merge(a, b_path, conflicts="theirs")
        actor = a.schema.tag("actor")
        assert a.store.integrity_check() == []
    keys = {attribute.key for attribute in actor.attributes}
    assert {"kind", "kind_of_actor"} <= keys  # ours kept (spans use it), theirs added
    assert actor.attribute("kind").uuid == before.attribute("kind").uuid
    assert actor.attribute("kind_of_actor").uuid != before.attribute("kind").uuid
    assert report.updated["tag types"] == 1
