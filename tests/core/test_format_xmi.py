"""UIMA CAS XMI for INCEpTION: dkpro-cassis loads our zip with its TypeSystem.xml (not lenient)
and reads back the same text, spans and relations; UTF-16 offsets after an emoji, a ZWJ sequence
and a combining mark; INCEpTION's own export imports at the right offsets; round trip; bad
input; control characters; the CLI."""

from __future__ import annotations

import io
import zipfile

import foreign_format_helpers as ff
import pytest

cassis = pytest.importorskip("cassis")

from annotator.io.documents.text import import_text  # noqa: E402
from annotator.io.formats.foreign_common import ForeignFormatError  # noqa: E402
from annotator.services.document_commands import AddDocuments  # noqa: E402
from annotator.services.span_commands import CreateSpan  # noqa: E402


def load_cases(path) -> dict[str, object]:
    """Every XMI in the zip, loaded by cassis with the zip's own type system (strict)."""
    with zipfile.ZipFile(path) as archive:
        typesystem = cassis.load_typesystem(io.BytesIO(archive.read("TypeSystem.xml")))
        return {
            name: cassis.load_cas_from_xmi(io.BytesIO(archive.read(name)), typesystem=typesystem)
            for name in sorted(archive.namelist())
            if name.endswith(".xmi")
        }


def test_cassis_reads_back_text_spans_and_relations(tmp_path) -> None:
    project, ids, _ = ff.rich(tmp_path)
    out = tmp_path / "inception.zip"
    result = ff.export(project, "xmi", out)
    cases = list(load_cases(out).values())
    assert len(cases) == result.documents == 2
    with project.store.read() as session:
        for cas, document in zip(cases, (ids.doc1, ids.doc2), strict=True):
            text = session.document_text(document)
            assert cas.sofa_string == text
            expected = sorted(
                (start, end, s.tag, s.uuid)
                for s in session.spans(document)
                for start, end in s.fragments
            )
            got = sorted(
                (a.begin, a.end, a.label, a.uuid) for a in cas.select("webanno.custom.Span")
            )
            assert got == expected  # cassis converts the file's UTF-16 offsets to code points
            for annotation in cas.select("webanno.custom.Span"):
                assert annotation.get_covered_text() == text[annotation.begin : annotation.end]
            links = {
                (r.Governor.uuid, r.Dependent.uuid, r.label)
                for r in cas.select("webanno.custom.SpanRelation")
            }
            assert links == {(x.source, x.target, x.type) for x in session.links(document)}
    assert result.warnings == ["1 discontinuous span(s) written as one Span per fragment"]


def test_xmi_offsets_are_utf16_units(tmp_path) -> None:
    project, ids, _ = ff.rich(tmp_path)
    out = tmp_path / "inception.zip"
    ff.export(project, "xmi", out)
    with zipfile.ZipFile(out) as archive:
        name = next(n for n in sorted(archive.namelist()) if n.endswith(".xmi"))
        raw = archive.read(name).decode("utf-8")
    with project.store.read() as session:
        text = session.document_text(ids.doc1)
        mayor = session.span(ids.mayor)
    start, end = mayor.fragments[0]
    units = (len(text[:start].encode("utf-16-le")) // 2, len(text[:end].encode("utf-16-le")) // 2)
    assert units != (start, end)
    assert f'begin="{units[0]}" end="{units[1]}" label="actor"' in raw


def test_inception_export_with_emoji_imports_at_the_right_offsets(tmp_path) -> None:
    sample = ff.need_shared("uima-xmi") / "inception_cas_with_smileys.xmi"
    with ff.fresh(tmp_path / "p.annotator") as project:
        report = ff.import_file(project, "xmi", sample)
        assert "1 span," in report.summary()
        with project.store.read() as session:
            (document,) = session.documents()
            (span,) = session.spans(document.uuid)
        assert document.title == "smileys.txt"
        assert (span.fragments, span.quote, span.tag) == (((20, 24),), "John", "PER")


def test_round_trip_keeps_everything_and_reimport_changes_nothing(tmp_path) -> None:
    project, _, _ = ff.rich(tmp_path)
    first, second = ff.round_trip(project, "xmi", tmp_path)
    assert ff.outputs_equal(first, second)


def test_layer_filter_and_bare_xmi_import(tmp_path) -> None:
    project, ids, bob_span = ff.rich(tmp_path)
    out = tmp_path / "bob.zip"
    ff.export(project, "xmi", out, annotators=frozenset({ids.bob}))
    cases = load_cases(out)
    spans = [a.uuid for cas in cases.values() for a in cas.select("webanno.custom.Span")]
    assert spans == [bob_span]
    bare = tmp_path / "one.xmi"
    with zipfile.ZipFile(out) as archive:
        bare.write_bytes(archive.read(sorted(cases)[1]))
    with ff.fresh(tmp_path / "p.annotator") as copy:
        ff.import_file(copy, "xmi", bare)
        with copy.store.read() as session:
            (document,) = session.documents()
            (span,) = session.spans(document.uuid)
            names = {a.uuid: a.name for a in session.annotators()}
        assert (span.uuid, span.quote, names[span.annotator]) == (bob_span, "bridge", "Bob")


def test_control_characters_become_replacement_characters(tmp_path) -> None:
    with ff.fresh(tmp_path / "c.annotator") as project:
        add = AddDocuments([import_text("bell\x07 Jane Doe\x0c spoke", "c.txt", "utf-8")])
        project.run(add)
        (document,) = add.report.added
        with project.store.read() as session:
            text = session.document_text(document)
        if "\x07" not in text:
            pytest.skip("the text importer already removes control characters")
        start = text.index("Jane")
        project.run(CreateSpan(document, "actor", [(start, start + 8)]))
        out = tmp_path / "c.zip"
        result = ff.export(project, "xmi", out)
        (cas,) = load_cases(out).values()
        assert "\ufffd" in cas.sofa_string and len(cas.sofa_string) == len(text)
        assert any("control characters" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<xmi:XMI", "not well-formed XML"),
        (b'<?xml version="1.0"?><a/>', "no _InitialView Sofa"),
        (
            b'<xmi:XMI xmlns:xmi="http://www.omg.org/XMI" xmlns:cas="http:///uima/cas.ecore" '
            b'xmlns:custom="http:///webanno/custom.ecore"><custom:Span xmi:id="2" sofa="1" '
            b'begin="1" end="2" label="X"/><cas:Sofa xmi:id="1" sofaID="_InitialView" '
            b'sofaString="&#128512;a"/></xmi:XMI>',
            "Span xmi:id=2: begin: offset 1 falls inside a character",
        ),
        (
            b'<xmi:XMI xmlns:xmi="http://www.omg.org/XMI" xmlns:cas="http:///uima/cas.ecore" '
            b'xmlns:custom="http:///webanno/custom.ecore"><custom:Span xmi:id="2" sofa="1" '
            b'begin="0" end="9" label="X"/><cas:Sofa xmi:id="1" sofaID="_InitialView" '
            b'sofaString="ab"/></xmi:XMI>',
            "Span xmi:id=2: end: offset 9 is outside the text",
        ),
    ],
)
def test_bad_xmi_names_file_and_element_and_writes_nothing(tmp_path, content, message) -> None:
    project, _, _ = ff.rich(tmp_path)
    before = ff.counts(project)
    source = tmp_path / "bad.xmi"
    source.write_bytes(content)
    with pytest.raises(ForeignFormatError, match=message) as error:
        ff.import_file(project, "xmi", source)
    assert str(error.value).startswith("bad.xmi: ")
    assert "bad.xmi: bad.xmi" not in str(error.value)  # the file named once
    assert ff.counts(project) == before


def test_a_bad_member_of_a_zip_names_the_zip_and_the_member_once(tmp_path, capsys) -> None:
    project, _, _ = ff.rich(tmp_path)
    project.close()
    source = tmp_path / "bad.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("docs/one.xmi", b"<xmi:XMI")
    code, _, err = ff.cli(capsys, "import", "--format", "xmi", tmp_path / "rich.annotator", source)
    assert code == 1
    assert err.startswith("annotator import: bad.zip: docs/one.xmi: not well-formed XML")
    source = tmp_path / "bad.xmi"
    source.write_bytes(b"<xmi:XMI")
    code, _, err = ff.cli(capsys, "import", "--format", "xmi", tmp_path / "rich.annotator", source)
    assert code == 1 and err.startswith("annotator import: bad.xmi: not well-formed XML"), err
    assert len(err.splitlines()) == 1


def test_cancelled_export_leaves_nothing(tmp_path) -> None:
    project, _, _ = ff.rich(tmp_path)
    ff.cancelled_export_leaves_nothing(project, "xmi", tmp_path)


def test_cli_export_and_import(tmp_path, capsys) -> None:
    project, _, _ = ff.rich(tmp_path)
    project.close()
    out = tmp_path / "cli.zip"
    code, _, err = ff.cli(
        capsys, "export", "--format", "xmi", "-o", out, tmp_path / "rich.annotator"
    )
    assert code == 0 and "warning: 1 discontinuous span(s)" in err
    code, stdout, err = ff.cli(capsys, "import", "--format", "xmi", tmp_path / "n.annotator", out)
    assert code == 0, err
    assert "2 documents" in stdout and "3 links" in stdout
