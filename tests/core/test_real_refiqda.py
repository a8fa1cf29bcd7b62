"""REFI-QDA projects that NVivo 12 and ATLAS.ti 23 wrote import with every coded segment's text
right, checked against an independent reading of the standard (ElementTree over project.qde,
UTF-16 positions as NVivo counts, CRLF then turned into LF) and the official XSD."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
import zipfile

import foreign_format_helpers as ff
import pytest
from real_files import SCHEMAS, real_file

Q = "{urn:QDA-XML:project:1.0}"


def _independent(path):
    """(document count, [(span text, code name, user name)], code names, user names)."""
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("project.qde"))
        members = {n.lower(): n for n in archive.namelist()}
        users = {u.get("guid").lower(): u.get("name") for u in root.iter(f"{Q}User")}
        codes = {c.get("guid").lower(): c.get("name") for c in root.iter(f"{Q}Code")}
        documents, spans = 0, []
        for source in root.iter(f"{Q}TextSource"):
            name = source.get("plainTextPath").split("internal://")[1].lower()
            raw = archive.read(members[f"sources/{name}"]).decode("utf-8-sig")
            units = raw.encode("utf-16-le")
            documents += 1
            for selection in source.iter(f"{Q}PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                covered = units[2 * start : 2 * end].decode("utf-16-le").replace("\r\n", "\n")
                for coding in selection.iter(f"{Q}Coding"):
                    code = codes[coding.find(f"{Q}CodeRef").get("targetGUID").lower()]
                    spans.append((covered, code, users[coding.get("creatingUser").lower()]))
    return root, documents, spans, codes, users


def _imported(tmp_path, path):
    with ff.fresh(tmp_path / "new.annotator") as project:
        report = ff.import_file(project, "refiqda", path)
        with project.store.read() as session:
            names = {a.uuid: a.name for a in session.annotators()}
            labels = {t.key: t.label for t in session.schema().tag_types}
            schema = session.schema()
            docs = session.documents()
            spans = [
                (session.document_text(d.uuid), s, d) for d in docs for s in session.spans(d.uuid)
            ]
    found = sorted(
        (
            " … ".join(text[a:b] for a, b in s.fragments),
            labels[s.tag].rsplit(" / ", 1)[-1],
            names[s.annotator],
        )
        for text, s, _ in spans
    )
    return report, docs, found, names, schema


def test_nvivo_project_imports_every_segment_with_its_text(tmp_path) -> None:
    path = real_file("qdpx/nvivo12_oltas_teszt.qdpx")
    root, documents, expected, _, users = _independent(path)
    codable = {c.get("guid") for c in root.iter(f"{Q}Code") if c.get("isCodable") == "true"}
    report, docs, found, names, schema = _imported(tmp_path, path)
    assert len(docs) == documents == 2
    assert len(found) == len(expected) == 330
    assert found == sorted(expected)  # the text of every span, its code and its coder
    assert not any("\r" in text for text, *_ in found)
    # each coder a layer (two coded here), the third user kept; every code kept
    assert set(users.values()) <= set(names.values())
    assert {who for *_, who in found} == {who for *_, who in expected} == {"Gergo", "test_user"}
    labels = {t.label for t in schema.tag_types}
    assert "1. Oltás típusa / COVID" in labels and "2. Attitűd szint az oltáshoz / piros" in labels
    # each codable code a type with its guid; "Attituderoots" (not codable) only names a path
    assert {t.uuid for t in schema.tag_types} >= codable and len(codable) == 151
    assert any(t.label.startswith("Attituderoots / 1. Conspiracist") for t in schema.tag_types)
    described = next(t for t in schema.tag_types if t.label == "1. Oltás típusa")
    assert described.guideline == "COVID vay nem COVID"
    assert any("code(s)" in line and "no coding" in line for line in report.conflicts)


def test_atlas_codebook_only_project_keeps_its_users(tmp_path) -> None:
    path = real_file("qdpx/atlas23_codebook_only.qdpx")
    *_, users = _independent(path)
    report, docs, found, names, _ = _imported(tmp_path, path)
    assert docs == [] and found == []
    assert set(users.values()) <= set(names.values())
    assert report.added.get("annotators") == len(users) == 2
    assert "kept 0 code(s) and 2 user(s)" in " ".join(report.conflicts)


def test_the_real_projects_are_what_the_official_xsd_accepts_or_not(tmp_path) -> None:
    """Our reading does not depend on validity: NVivo's file is checked against the XSD so a
    change of the sample is noticed; the import must work either way."""
    xmlschema = pytest.importorskip("xmlschema")
    xsd = SCHEMAS / "refi-qda" / "Project-mrt2019.xsd"
    if not xsd.exists():
        pytest.skip(f"{xsd} is absent")
    schema = xmlschema.XMLSchema(str(xsd))
    with zipfile.ZipFile(real_file("qdpx/nvivo12_oltas_teszt.qdpx")) as archive:
        assert schema.is_valid(archive.read("project.qde").decode("utf-8"))


def _one_coding_project(origin: str, start: int, end: int) -> str:
    """A project.qde with one coded selection of source CCCCCCCC-…-1 (a synthetic fixture of
    the tools' layout: users, a two-level codebook, a source memo and a loose memo)."""
    return (
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="m" origin="{origin}">'
        '<Users><User guid="BBBBBBBB-0000-0000-0000-000000000001" name="Ann"/>'
        '<User guid="BBBBBBBB-0000-0000-0000-000000000002" name="Idle"/></Users>'
        '<CodeBook><Codes><Code guid="AAAAAAAA-0000-0000-0000-000000000001" name="People" '
        'isCodable="true" color="#ff0000"><Code guid="AAAAAAAA-0000-0000-0000-000000000002" '
        'name="Mayor" isCodable="true"/></Code></Codes></CodeBook>'
        '<Sources><TextSource guid="CCCCCCCC-0000-0000-0000-000000000001" name="doc" '
        'plainTextPath="internal://CCCCCCCC-0000-0000-0000-000000000001.txt">'
        '<NoteRef targetGUID="DDDDDDDD-0000-0000-0000-000000000001"/>'
        f'<PlainTextSelection guid="EEEEEEEE-0000-0000-0000-000000000001" '
        f'startPosition="{start}" endPosition="{end}">'
        '<Coding guid="FFFFFFFF-0000-0000-0000-000000000001" '
        'creatingUser="BBBBBBBB-0000-0000-0000-000000000001">'
        '<CodeRef targetGUID="AAAAAAAA-0000-0000-0000-000000000002"/></Coding>'
        "</PlainTextSelection></TextSource></Sources>"
        '<Notes><Note guid="DDDDDDDD-0000-0000-0000-000000000001" name="memo">'
        "<PlainTextContent>about the doc</PlainTextContent></Note>"
        '<Note guid="DDDDDDDD-0000-0000-0000-000000000002" name="loose">'
        "<PlainTextContent>project memo</PlainTextContent></Note></Notes></Project>"
    )


def _utf16_at(text: str, part: str) -> int:
    return text.encode("utf-16-le").find(part.encode("utf-16-le")) // 2


def test_maxqda_lower_case_sources_and_crlf_counted_as_one(tmp_path) -> None:
    """MAXQDA stores sources in "sources/" (lower case) and counts a line end as one position
    in UTF-16 units, though a source may hold CRLF (see refiqda's module note)."""
    text = "Line one 😀\r\nMayor Jane\r\nend"
    shown = text.replace("\r\n", "\n")  # the text as MAXQDA counts it
    start = _utf16_at(shown, "Mayor")
    qde = _one_coding_project("MAXQDA 2024", start, start + 14)  # "Mayor Jane\nend"
    path = tmp_path / "maxqda.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/cccccccc-0000-0000-0000-000000000001.txt", text)
    report, docs, found, names, schema = _imported(tmp_path, path)
    assert found == [("Mayor Jane\nend", "Mayor", "Ann")]  # 14 units: the line end counted once
    assert {"Ann", "Idle"} <= set(names.values())
    assert {t.label for t in schema.tag_types} >= {"People", "People / Mayor"}
    assert next(t for t in schema.tag_types if t.label == "People").color == "#ff0000"
    assert docs[0].extra == {"memo": "about the doc"}
    assert report.loss.count("project memo(s) not attached") == 1
    assert "1 project memo(s)" in report.summary()


def _coded_text(tmp_path, origin: str, stored: str, counted: str, folder: str) -> list:
    """Import a project whose one selection codes "the coded words", its positions counted in
    UTF-16 units over `counted` (the text as the tool counts it; `stored` is the source file)."""
    start = _utf16_at(counted, "the coded")
    qde = _one_coding_project(origin, start, start + len("the coded words"))
    path = tmp_path / "tool.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"{folder}/CCCCCCCC-0000-0000-0000-000000000001.txt", stored)
    return _imported(tmp_path, path)[2]


def test_atlas_ti_counts_a_crlf_line_end_as_one_position(tmp_path) -> None:
    """ATLAS.ti's positions count a CRLF line end of its source once (QualCoder reads ATLAS.ti
    exports so), in UTF-16 units: an emoji before the coding counts two."""
    text = "Intro 😀 line\r\nsecond\r\nthe coded words\r\n"
    found = _coded_text(
        tmp_path, "ATLAS.ti Windows 23.2.3", text, text.replace("\r\n", "\n"), "sources"
    )
    assert found == [("the coded words", "Mayor", "Ann")]


def test_nvivo_still_counts_crlf_as_two(tmp_path) -> None:
    """NVivo (checked on a real project) counts both characters of a CRLF."""
    text = "Intro 😀 line\r\nthe coded words"
    found = _coded_text(tmp_path, "NVivo for Windows 12.6", text, text, "Sources")
    assert found == [("the coded words", "Mayor", "Ann")]


@pytest.mark.parametrize(
    ("origin", "unit"),
    [
        ("NVivo for Windows 12.6", "utf16"),
        ("MAXQDA 2024", "utf16"),
        ("ATLAS.ti for Windows 23.2.3.27778", "utf16"),
        ("Annotator (positions: UTF-16 code units, as NVivo counts)", "utf16"),
        ("Annotator", "points"),  # exports before the unit was named: code points
        ("QualCoder 3.5", "points"),
        ("", "points"),
    ],
)
def test_the_unit_follows_the_origin(tmp_path, origin, unit) -> None:
    from annotator.io.formats.refiqda import position_unit

    assert position_unit(origin) == unit
    text = "😀 Mayor Jane"
    start = text.index("Mayor") + (1 if unit == "utf16" else 0)
    qde = (
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="o" origin="{origin}">'
        '<CodeBook><Codes><Code guid="aaaaaaaa-0000-0000-0000-000000000001" name="Mayor" '
        'isCodable="true"/></Codes></CodeBook><Sources><TextSource '
        'guid="cccccccc-0000-0000-0000-000000000001" name="d"><PlainTextContent>'
        f"{text}</PlainTextContent><PlainTextSelection "
        f'guid="eeeeeeee-0000-0000-0000-000000000001" startPosition="{start}" '
        f'endPosition="{start + 10}"><Coding guid="ffffffff-0000-0000-0000-000000000001">'
        '<CodeRef targetGUID="aaaaaaaa-0000-0000-0000-000000000001"/></Coding>'
        "</PlainTextSelection></TextSource></Sources></Project>"
    )
    path = tmp_path / "o.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
    _, _, found, _, _ = _imported(tmp_path, path)
    assert [text for text, *_ in found] == ["Mayor Jane"]
