"""Imports as one services command (ImportExchange): undo removes exactly what an import added
and restores what it changed or deleted, redo gives the same again, history records it, the
preview and `annotator import --dry-run` write nothing, and readers never see a project."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import foreign_format_helpers as ff
import json_helpers as h
import pytest

from annotator.domain.ids import now
from annotator.io.exchange import Exchange, ImportContext, Loss, LossReport
from annotator.io.formats import import_format
from annotator.services.exchange_files import import_data, import_file
from annotator.services.import_exchange import ImportExchange, import_context, preview
from annotator.services.project import Project


def _theirs(tmp_path: Path) -> tuple[Project, dict, dict]:
    """A rich project, and a JSON of it that adds a document, updates a span and a link and
    tombstones another span (with its links): every kind of change an import makes."""
    project, _ids = h.build_rich_project(tmp_path / "mine.annotator")
    mine = h.export_data(project)
    theirs = copy.deepcopy(mine)
    later = "2099-01-01T00:00:00.000Z"
    doc = theirs["documents"][0]
    doc["spans"][0] |= {"note": "changed by a colleague", "modified": later}
    for link in doc["links"][:1]:
        link |= {"note": "a note", "modified": later}
    gone = theirs["documents"][1]["spans"][-1]["id"]
    theirs["tombstones"].append({"id": gone, "kind": "span", "deleted": later, "author": None})
    text = "A new text, with 😀 and Cafe\u0301."
    theirs["documents"].append(
        {
            "id": "0a0b0c0d-0000-4000-8000-000000000001",
            "title": "New",
            "text": text,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "metadata": {},
            "created": later,
            "modified": later,
            "spans": [],
            "links": [],
        }
    )
    return project, mine, theirs


def test_undo_of_an_import_restores_the_project_exactly_and_redo_repeats_it(tmp_path):
    project, mine, theirs = _theirs(tmp_path)
    report = import_data(project, theirs)
    assert report.added.get("documents") == 1 and report.updated.get("spans") == 1
    assert report.deleted.get("spans") == 1
    after = h.export_data(project)
    assert after != mine
    project.undo()
    undone = h.export_data(project)
    assert undone["documents"] == mine["documents"]
    assert undone["schema"] == mine["schema"]
    assert undone["entities"] == mine["entities"]
    assert undone["tombstones"] == mine["tombstones"]
    project.redo()
    again = h.export_data(project)
    assert again["documents"] == after["documents"]
    assert again["tombstones"] == after["tombstones"]
    with project.store.read() as session:
        history = session.history()
    assert any(e.action == "import" for e in history)
    assert any(e.summary.endswith("(undo)") for e in history)
    project.close()


def test_undo_of_a_foreign_import_removes_its_schema_annotators_and_documents(tmp_path):
    project, _, _ = ff.rich(tmp_path)
    out = tmp_path / "rich.zip"
    ff.export(project, "brat", out)
    with ff.fresh(tmp_path / "new.annotator") as new:
        before = h.export_data(new)
        report = import_file(new, "brat", out)
        assert report.added.get("spans", 0) > 0 and report.added.get("documents") == 2
        assert new.history.undo_label == "Import rich.zip"
        new.undo()
        undone = h.export_data(new)
        assert undone["documents"] == before["documents"] == []
        assert undone["schema"] == before["schema"]
        assert [a["id"] for a in undone["annotators"]] == [a["id"] for a in before["annotators"]]
        # importing again after the undo brings everything back (no tombstone keeps it out)
        assert import_file(new, "brat", out).added == report.added
    project.close()


def test_the_preview_is_the_report_and_writes_nothing(tmp_path):
    project, _, _ = ff.rich(tmp_path)
    out = tmp_path / "rich.jsonl"
    ff.export(project, "spacy-jsonl", out)
    with ff.fresh(tmp_path / "new.annotator") as new:
        before = h.export_bytes(new)
        exchange = import_format("spacy-jsonl").read(out, import_context(new), None)
        seen = preview(new, exchange)
        assert h.export_bytes(new) == before
        done = ImportExchange(exchange)
        new.run(done)
        assert done.report.summary() == seen.summary()
        assert done.report.added == seen.added and seen.changed
    project.close()


def test_dry_run_prints_the_summary_and_leaves_the_file_byte_identical(tmp_path, capsys):
    project, _, _ = ff.rich(tmp_path)
    out = tmp_path / "rich.json"
    ff.export(project, "json", out)
    project.close()
    target = tmp_path / "target.annotator"
    ff.fresh(target).close()
    before = target.read_bytes()
    code, printed, _ = ff.cli(capsys, "import", target, out, "--dry-run")
    assert code == 0
    assert printed.startswith("dry run: nothing was written")
    assert "added:" in printed and "span" in printed
    assert target.read_bytes() == before
    code, real, _ = ff.cli(capsys, "import", target, out)
    assert code == 0 and real.splitlines() == printed.splitlines()[1:]
    assert target.read_bytes() != before


def test_dry_run_of_a_missing_project_creates_nothing(tmp_path, capsys):
    out = tmp_path / "in.json"
    h.write_data(out, {"format": "annotator", "version": 1})
    code, _, err = ff.cli(capsys, "import", tmp_path / "absent.annotator", out, "--dry-run")
    assert code != 0 and "creates nothing" in err
    assert not (tmp_path / "absent.annotator").exists()


def test_losses_are_data_and_shown_in_the_summary(tmp_path):
    """A reader's LossReport is the count the summary states; an attribute value the project's
    tag type has no attribute for is counted, one per value (an independent count)."""
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"text": "The mayor spoke.", "label": [[4, 9, "actor"]], "meta": {}}\n'
        '{"text": "Another text.", "answer": "reject", "spans": []}\n',
        "utf-8",
    )
    with ff.fresh(tmp_path / "new.annotator") as new:
        exchange = import_format("doccano").read(source, import_context(new), None)
        assert isinstance(exchange.loss, LossReport)
        report = import_file(new, "doccano", source)
        assert report.loss == exchange.loss
        for line in exchange.loss.lines():
            assert f"lost: {line}" in report.summary()


def test_loss_report_counts_and_lines():
    report = LossReport.of([Loss("links dropped", 3, "R1"), Loss("notes dropped", 0)])
    assert bool(report) and report.total() == 3 and report.count("links") == 3
    assert report.lines() == ["3 links dropped (e.g. R1)"]
    assert not LossReport.of([Loss("x", 0)])


def test_an_exchange_refused_at_apply_names_the_file_and_writes_nothing(tmp_path):
    with ff.fresh(tmp_path / "new.annotator") as new:
        before = h.export_bytes(new)
        bad = Exchange("bad.json", {"format": "annotator", "version": 99})
        with pytest.raises(Exception, match=r"bad\.json"):
            new.run(ImportExchange(bad))
        assert h.export_bytes(new) == before
        assert new.history.undo_label is None


def test_a_reader_needs_no_project(tmp_path):
    """Readers take a path and a context value: a new project's context is enough."""
    from annotator.domain.ids import new_uuid
    from annotator.domain.model import Annotator

    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "The mayor spoke.", "label": [[4, 9, "actor"]]}\n', "utf-8")
    me = Annotator(new_uuid(), "Reader", "", now(), now())
    exchange = import_format("doccano").read(source, ImportContext.empty(me), None)
    assert exchange.counts() == {"documents": 1, "spans": 1, "links": 0}
    assert exchange.source == "in.jsonl" and exchange.foreign


def test_undo_of_an_entity_tombstone_gives_its_spans_their_entity_back(tmp_path):
    """A colleague's file deletes an entity that two of my spans point at: the database clears
    their reference, and undoing the import must put it back, not only the entity."""
    project, ids = h.build_rich_project(tmp_path / "mine.annotator")
    mine = h.export_data(project)
    theirs = copy.deepcopy(mine)
    later = "2099-01-01T00:00:00.000Z"
    theirs["entities"] = [e for e in theirs["entities"] if e["id"] != ids.entity]
    theirs["tombstones"].append(
        {"id": ids.entity, "kind": "entity", "deleted": later, "author": None}
    )
    report = import_data(project, theirs)
    assert report.deleted.get("entities") == 1
    with project.store.read() as session:
        assert session.spans_with_entity(ids.entity) == []
    project.undo()
    with project.store.read() as session:
        assert {s.uuid for s in session.spans_with_entity(ids.entity)} >= {ids.mayor, ids.jane}
    undone = h.export_data(project)
    for part in ("documents", "entities", "tombstones", "schema"):
        assert undone[part] == mine[part], part
    project.redo()
    with project.store.read() as session:
        assert session.spans_with_entity(ids.entity) == []
    project.close()
