"""REFI-QDA .qdpx: valid against the official Project.xsd (xmlschema and lxml agree), read by a
second reader (pyrefiqda) with the same codes, selections, notes, users and links; positions in
code points after an emoji, a ZWJ sequence and a combining mark; round trip; bad input; CLI."""

from __future__ import annotations

import zipfile

import foreign_format_helpers as ff
import pytest

from annotator.io.formats.foreign_common import ForeignFormatError


def project_xml(path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde")


@pytest.fixture
def exported(tmp_path):
    project, ids, bob_span = ff.rich(tmp_path)
    out = tmp_path / "project.qdpx"
    result = ff.export(project, "refiqda", out)
    return project, ids, bob_span, out, result


def test_valid_against_the_official_schema(exported) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    etree = pytest.importorskip("lxml.etree")
    xsd = ff.need_shared("refi-qda") / "Project-mrt2019.xsd"
    *_, out, _ = exported
    data = project_xml(out)
    xmlschema.XMLSchema(str(xsd)).validate(data.decode("utf-8"))  # raises on any violation
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    assert schema.validate(etree.fromstring(data)), schema.error_log


def test_the_schema_check_can_fail(exported) -> None:
    """The validator above rejects what the standard forbids (here: isCodable missing)."""
    etree = pytest.importorskip("lxml.etree")
    xsd = ff.need_shared("refi-qda") / "Project-mrt2019.xsd"
    *_, out, _ = exported
    broken = project_xml(out).replace(b' isCodable="true"', b"", 1)
    assert not etree.XMLSchema(etree.parse(str(xsd))).validate(etree.fromstring(broken))


def test_second_reader_sees_codes_selections_notes_users_links(exported, tmp_path) -> None:
    pyrefiqda = pytest.importorskip("pyrefiqda")
    project, ids, _, out, _ = exported
    read = pyrefiqda.RefiProject.load(str(out), extract_dir=str(tmp_path / "x"))
    codes = {c.guid: c.name for c in read.code_book.codes.code}
    assert {"Actor", "Claim", "Event", "Place"} <= set(codes.values())
    users = {u.guid: u.name for u in read.users.user}
    assert sorted(users.values()) == ["Ada", "Bob"]
    source = next(s for s in read.sources.text_source if s.guid == ids.doc1)
    with project.store.read() as session:
        text = session.document_text(ids.doc1)
        mayor = session.span(ids.mayor)
        stored = session.spans(ids.doc1)
    on_disk = (tmp_path / "x" / "Sources" / f"{ids.doc1}.txt").read_text(encoding="utf-8")
    assert on_disk == text
    selections = {s.guid: s for s in source.plain_text_selection}
    selection = selections[ids.mayor]
    # UTF-16 units as NVivo counts: after 😀, 👩‍👩‍👧, 𝐀 and a combining mark.
    utf16 = text.encode("utf-16-le")
    start, end = selection.start_position, selection.end_position
    assert utf16[2 * start : 2 * end].decode("utf-16-le") == "Mayor Jane Doe"
    assert (start, end) != mayor.fragments[0]  # astral characters come before it
    assert codes[selection.coding[0].code_ref.target_guid] == "Actor"
    assert users[selection.creating_user] == "Ada"
    notes = {n.guid: n.plain_text_content for n in read.notes.note}
    assert notes[selection.note_ref[0].target_guid] == mayor.note
    assert len(selections) == sum(len(s.fragments) for s in stored)
    links = {(x.origin_guid, x.target_guid, x.name) for x in read.links.link}
    assert (ids.mayor, ids.claim, "asserts") in links and len(links) == 3


def test_warnings_name_astral_texts_and_split_spans(exported) -> None:
    *_, result = exported
    assert "1 discontinuous span(s) written as one selection per fragment" in result.warnings


def test_round_trip_and_reimport(tmp_path) -> None:
    project, _, _ = ff.rich(tmp_path)
    first, second = ff.round_trip(project, "refiqda", tmp_path)
    assert ff.outputs_equal(first, second)


def test_import_keeps_users_attributes_and_notes(exported, tmp_path) -> None:
    _, ids, bob_span, out, _ = exported
    with ff.fresh(tmp_path / "copy.annotator") as copy:
        ff.import_file(copy, "refiqda", out)
        with copy.store.read() as session:
            names = {a.uuid: a.name for a in session.annotators()}
            mayor = session.span(ids.mayor)
            bob = session.span(bob_span)
        assert mayor.attributes == {"kind": "person"} and mayor.note.startswith("named with")
        assert names[mayor.annotator] == "Ada" and names[bob.annotator] == "Bob"


def test_document_and_layer_filters(tmp_path) -> None:
    project, ids, bob_span = ff.rich(tmp_path)
    out = tmp_path / "bob.qdpx"
    ff.export(project, "refiqda", out, annotators=frozenset({ids.bob}))
    data = project_xml(out).decode()
    assert data.count("<PlainTextSelection ") == 1 and bob_span in data
    ff.export(project, "refiqda", out, documents=frozenset({ids.doc2}))
    assert project_xml(out).decode().count("<TextSource ") == 1


def _qdpx(path, qde: str, sources: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, text in (sources or {}).items():
            archive.writestr(f"Sources/{name}", text)
    return path


HEAD = '<Project xmlns="urn:QDA-XML:project:1.0" name="x">'
CODES = (
    '<CodeBook><Codes><Code guid="AAAAAAAA-0000-0000-0000-000000000001" name="Topic" '
    'isCodable="true"/></Codes></CodeBook>'
)


@pytest.mark.parametrize(
    ("qde", "message"),
    [
        ("<Project", "not well-formed XML"),
        ("<Other/>", "the root must be <Project>"),
        (
            HEAD + '<Sources><TextSource guid="11111111-0000-0000-0000-000000000001" '
            'plainTextPath="internal://missing.txt"/></Sources></Project>',
            "TextSource[0]: plainTextPath \u201cinternal://missing.txt\u201d is not in the .qdpx",
        ),
        (
            HEAD + CODES + '<Sources><TextSource guid="11111111-0000-0000-0000-000000000001">'
            "<PlainTextContent>short</PlainTextContent>"
            '<PlainTextSelection guid="22222222-0000-0000-0000-000000000001" startPosition="2" '
            'endPosition="40"><Coding guid="33333333-0000-0000-0000-000000000001"><CodeRef '
            'targetGUID="aaaaaaaa-0000-0000-0000-000000000001"/></Coding></PlainTextSelection>'
            "</TextSource></Sources></Project>",
            "TextSource[0].PlainTextSelection[0]: span [2, 40] is empty or outside the text",
        ),
        (
            HEAD + '<Sources><TextSource guid="11111111-0000-0000-0000-000000000001">'
            "<PlainTextContent>short</PlainTextContent>"
            '<PlainTextSelection guid="22222222-0000-0000-0000-000000000001" startPosition="0" '
            'endPosition="2"><Coding guid="33333333-0000-0000-0000-000000000001"><CodeRef '
            'targetGUID="99999999-0000-0000-0000-000000000001"/></Coding></PlainTextSelection>'
            "</TextSource></Sources></Project>",
            "its CodeRef names no Code",
        ),
    ],
)
def test_bad_project_names_the_place_and_writes_nothing(tmp_path, qde, message) -> None:
    project, _, _ = ff.rich(tmp_path)
    before = ff.counts(project)
    source = _qdpx(tmp_path / "bad.qdpx", qde)
    with pytest.raises(ForeignFormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ff.import_file(project, "refiqda", source)
    assert ff.counts(project) == before


def test_upper_case_and_braced_guids_from_other_tools_import(tmp_path) -> None:
    qde = (
        HEAD + CODES + '<Sources><TextSource guid="{11111111-AAAA-0000-0000-000000000001}" '
        'name="from NVivo" plainTextPath="internal://t.txt">'
        '<PlainTextSelection guid="22222222-AAAA-0000-0000-000000000001" startPosition="5" '
        'endPosition="10"><Coding guid="33333333-0000-0000-0000-000000000001"><CodeRef '
        'targetGUID="{aaaaaaaa-0000-0000-0000-000000000001}"/></Coding></PlainTextSelection>'
        "</TextSource></Sources></Project>"
    )
    source = _qdpx(tmp_path / "other.qdpx", qde, {"t.txt": "\ufeff😀 e\u0301 Topic here"})
    with ff.fresh(tmp_path / "p.annotator") as project:
        ff.import_file(project, "refiqda", source)
        with project.store.read() as session:
            (document,) = session.documents()
            (span,) = session.spans(document.uuid)
        assert (document.title, span.quote, span.tag) == ("from NVivo", "Topic", "Topic")


def test_cancelled_export_leaves_nothing(tmp_path) -> None:
    project, _, _ = ff.rich(tmp_path)
    ff.cancelled_export_leaves_nothing(project, "refiqda", tmp_path)


def test_cli_export_and_import(tmp_path, capsys) -> None:
    project, _, _ = ff.rich(tmp_path)
    project.close()
    out = tmp_path / "cli.qdpx"
    rich = tmp_path / "rich.annotator"
    code, _, err = ff.cli(capsys, "export", "--format", "refiqda", "-o", out, rich)
    assert code == 0 and "outside the BMP" in err
    code, stdout, err = ff.cli(
        capsys, "import", "--format", "refiqda", tmp_path / "n.annotator", out
    )
    assert code == 0, err
    assert "2 documents" in stdout and "3 links" in stdout


def _qualcoder_reading(path, tmp_path) -> dict[str, str]:
    """Each selection's text as QualCoder's importer (src/qualcoder/refi.py) reads it: the
    source file's text as a Python str, sliced `fulltext[startPosition:endPosition]`."""
    from xml.etree import ElementTree

    ns = "{urn:QDA-XML:project:1.0}"
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("project.qde"))
        texts = {}
        for source in root.iter(f"{ns}TextSource"):
            guid = source.get("guid")
            texts[guid] = archive.read(f"Sources/{guid}.txt").decode("utf-8")
        return {
            selection.get("guid"): texts[source.get("guid")][
                int(selection.get("startPosition")) : int(selection.get("endPosition"))
            ]
            for source in root.iter(f"{ns}TextSource")
            for selection in source.iter(f"{ns}PlainTextSelection")
        }


def test_the_qualcoder_flavour_counts_code_points(tmp_path) -> None:
    """QualCoder slices its sources as Python strings: the standard export (UTF-16 units, as
    NVivo counts) reads shifted there after an emoji, the QualCoder flavour reads right, and
    both import back into Annotator with every span's text."""
    project, ids, _ = ff.rich(tmp_path)
    standard, flavour = tmp_path / "nvivo.qdpx", tmp_path / "qualcoder.qdpx"
    ff.export(project, "refiqda", standard)
    result = ff.export(project, "refiqda-qualcoder", flavour)
    assert "positions are code points as QualCoder counts them" in " ".join(result.warnings)
    assert b"positions: code points" in project_xml(flavour)
    assert _qualcoder_reading(standard, tmp_path)[ids.mayor] != "Mayor Jane Doe"
    assert _qualcoder_reading(flavour, tmp_path)[ids.mayor] == "Mayor Jane Doe"
    with project.store.read() as session:
        wanted = {
            (d.uuid, s.fragments, session.document_text(d.uuid)[slice(*s.fragments[0])])
            for d in session.documents()
            for s in session.spans(d.uuid)
            if len(s.fragments) == 1
        }
    for out in (standard, flavour):
        with ff.fresh(tmp_path / f"back-{out.stem}.annotator") as copy:
            ff.import_file(copy, "refiqda", out)
            with copy.store.read() as session:
                got = {
                    (d.uuid, s.fragments, session.document_text(d.uuid)[slice(*s.fragments[0])])
                    for d in session.documents()
                    for s in session.spans(d.uuid)
                    if len(s.fragments) == 1
                }
        assert wanted <= got, out.name


def test_a_qdpx_suffix_still_picks_the_standard_export(tmp_path, capsys) -> None:
    project, _, _ = ff.rich(tmp_path)
    project.close()
    out = tmp_path / "by-suffix.qdpx"
    code, _, err = ff.cli(capsys, "export", "-o", out, tmp_path / "rich.annotator")
    assert code == 0, err
    assert b"UTF-16 code units" in project_xml(out)
    flavour = tmp_path / "flavour.qdpx"
    code, _, err = ff.cli(
        capsys,
        "export",
        "--format",
        "refiqda-qualcoder",
        "-o",
        flavour,
        tmp_path / "rich.annotator",
    )
    assert code == 0, err
    assert b"positions: code points" in project_xml(flavour)
