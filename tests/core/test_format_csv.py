"""CSV export: pandas and the csv module read spans.csv and links.csv back; offsets are code
points after an emoji / ZWJ family / combining mark; filters, counted drops, cancel and the CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import json_helpers as h
import pytest

from annotator.cli import main
from annotator.io.formats import ExportOptions
from annotator.io.formats.csv import LINK_COLUMNS, SPAN_COLUMNS
from annotator.services.exchange_files import export_file
from annotator.services.project import Project
from annotator.services.span_commands import DeleteSpans

pd = pytest.importorskip("pandas")


@pytest.fixture
def rich(tmp_path):
    project, ids = h.build_rich_project(tmp_path / "rich.annotator")
    yield project, ids
    project.close()


def export(project: Project, path: Path, **options: Any):
    result = export_file(project, "csv", path, ExportOptions(**options))
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["links.csv", "spans.csv"]
        frames = {
            name: pd.read_csv(
                io.BytesIO(archive.read(name)),
                encoding="utf-8-sig",
                dtype=str,
                keep_default_na=False,
            )
            for name in ("spans.csv", "links.csv")
        }
    return frames["spans.csv"], frames["links.csv"], result


def test_pandas_reads_every_span_and_link_with_code_point_offsets(rich, tmp_path):
    project, ids = rich
    spans, links, result = export(project, tmp_path / "out.zip")
    assert tuple(spans.columns) == SPAN_COLUMNS and tuple(links.columns) == LINK_COLUMNS
    assert len(spans) == result.spans == 6 and len(links) == result.links == 3
    assert result.warnings == []
    with project.store.read() as session:
        texts = {d.uuid: session.document_text(d.uuid) for d in session.documents()}
    assert texts[ids.doc1].index("Mayor") > texts[ids.doc1].index("e\u0301")
    for row in spans.itertuples():
        fragments = [tuple(map(int, f.split("-"))) for f in row.fragments.split(";")]
        text = texts[row.document_id]
        assert row.text == " … ".join(text[a:b] for a, b in fragments)
        assert (int(row.start), int(row.end)) == (fragments[0][0], fragments[-1][1])
    mayor = spans.set_index("span_id").loc[ids.mayor]
    assert (int(mayor.start), int(mayor.end)) == h.between(texts[ids.doc1], "Mayor Jane Doe")
    assert mayor.note == "named with 👩\u200d👩\u200d👧 before"
    assert mayor.entity_name == "Jane Doe" and json.loads(mayor.attributes) == {"kind": "person"}
    assert spans.set_index("span_id").loc[ids.claim].fragments.count(";") == 1
    asserts = links.set_index("link_id").loc[ids.asserts]
    assert (asserts.source_id, asserts.target_id) == (ids.mayor, ids.claim)
    assert asserts.source_text == "Mayor Jane Doe" and asserts.directed == "yes"
    participates = links.set_index("link_id").loc[ids.participates]
    assert json.loads(participates.attributes) == {"role": "participant"}


def test_the_csv_module_reads_it_too(rich, tmp_path):
    project, _ = rich
    export(project, tmp_path / "out.zip")
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        raw = archive.read("spans.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need to see UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 6 and all(set(r) == set(SPAN_COLUMNS) for r in rows)
    with project.store.read() as session:
        assert {r["document_title"] for r in rows} == {d.title for d in session.documents()}


def test_filters(rich, tmp_path):
    project, ids = rich
    spans, links, _ = export(
        project,
        tmp_path / "a.zip",
        annotators=frozenset({ids.ada}),
        documents=frozenset({ids.doc2}),
    )
    assert list(spans.span_id) == [ids.engineers] and len(links) == 0
    spans, _, result = export(project, tmp_path / "b.zip", annotators=frozenset({ids.bob}))
    assert len(spans) == 0 and result.documents == 2


def test_a_link_to_a_span_outside_the_layers_is_counted(rich, tmp_path):
    """Bob links Ada's spans: exporting Bob's layer alone cannot carry the link."""
    from annotator.services.link_commands import CreateLink

    project, ids = rich
    project.switch_annotator("Bob")
    project.run(CreateLink(ids.claim, ids.place, "about"))
    _, links, result = export(project, tmp_path / "bob.zip", annotators=frozenset({ids.bob}))
    assert len(links) == 0
    assert result.warnings == ["1 links dropped: an endpoint is in a layer not exported"]
    project.run(DeleteSpans([ids.place]))  # the link goes with it
    _, _, result = export(project, tmp_path / "bob2.zip", annotators=frozenset({ids.bob}))
    assert result.warnings == []


def test_cancel_leaves_no_file(rich, tmp_path):
    project, _ = rich
    with pytest.raises(Exception, match="cancel"):
        export_file(
            project, "csv", tmp_path / "out.zip", ExportOptions(progress=lambda done, total: False)
        )
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".out*")) == []


def test_cli_export(rich, tmp_path, capsys):
    project, _ = rich
    path = project.path
    project.close()
    out = tmp_path / "cli.zip"
    assert main(["export", "--format", "csv", "-o", str(out), str(path), "--layer", "Ada"]) == 0
    assert "exported 2 document(s)" in capsys.readouterr().err
    with zipfile.ZipFile(out) as archive:
        rows = archive.read("links.csv").decode("utf-8-sig").splitlines()
    assert len(rows) == 4 and rows[0].startswith("document_id,")


def test_cells_that_start_like_formulas_are_neutralised_and_counted(tmp_path):
    """A hostile article's =HYPERLINK(...) must not run when the CSV is opened in a spreadsheet."""
    import service_helpers as sh

    from annotator.services.span_commands import CreateSpan

    text = 'Intro. =HYPERLINK("http://x") and @SUM(A1) and plain words.'
    project = Project.create(
        tmp_path / "f.annotator", annotator_name="Ada", schema=sh.make_schema()
    )
    try:
        doc = sh.add_document(project, text=text, title="=cmd|' /C calc'!A0")
        tag = project.schema.tag_types[0].key
        start = text.index("=HYPERLINK")
        project.run(CreateSpan(doc, tag, [(start, start + 10)], note="+1 for this"))
        start = text.index("plain")
        project.run(CreateSpan(doc, tag, [(start, start + 5)]))
        spans, _links, result = export(project, tmp_path / "f.zip")
    finally:
        project.close()
    rows = {row["start"]: row for row in spans.to_dict("records")}
    hostile, plain = rows[str(text.index("=HYPERLINK"))], rows[str(text.index("plain"))]
    assert hostile["text"] == "'=HYPERLINK" and hostile["note"] == "'+1 for this"
    assert hostile["document_title"] == "'=cmd|' /C calc'!A0"
    assert plain["text"] == "plain" and plain["note"] == ""
    assert all(not str(v).startswith(("=", "+", "@")) for r in rows.values() for v in r.values())
    # the title on both rows, the hostile quote and its note
    assert any("4 cells" in w and "formulas" in w for w in result.warnings), result.warnings
