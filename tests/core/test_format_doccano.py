"""doccano JSONL and Label Studio JSON: shape per their documentation, UTF-16 offsets after an
emoji, a ZWJ sequence and a combining mark, layers, warnings, round trips, bad input, the CLI."""

from __future__ import annotations

import re

import foreign_format_helpers as ff
import json_helpers as h
import orjson
import pytest

from annotator.io.formats.foreign_common import ForeignFormatError
from annotator.io.text_positions import Utf16Offsets


def utf16(text: str, start: int, end: int) -> tuple[int, int]:
    """What JavaScript's String indices are for a code point range (computed independently)."""
    return len(text[:start].encode("utf-16-le")) // 2, len(text[:end].encode("utf-16-le")) // 2


def test_utf16_offsets_both_ways_and_inside_a_pair_refused() -> None:
    text = "😀 👩‍👩‍👧 e\u0301 x"
    units = Utf16Offsets(text)
    for point in range(len(text) + 1):
        unit = len(text[:point].encode("utf-16-le")) // 2
        assert units.to_units(point) == unit
        assert units.to_points(unit) == point
    with pytest.raises(ValueError, match="inside a character"):
        units.to_points(1)  # between the two halves of 😀
    with pytest.raises(ValueError, match="outside"):
        units.to_points(units.units + 1)


def test_doccano_lines_have_documented_shape_and_utf16_offsets(tmp_path) -> None:
    project, _, _ = ff.rich(tmp_path)
    out = tmp_path / "out.jsonl"
    result = ff.export(project, "doccano", out)
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(lines) == result.documents == 2
    first = lines[0]
    assert set(first) >= {"id", "text", "entities", "relations", "Comments"}
    text = first["text"]
    mayor = next(e for e in first["entities"] if e["label"] == "actor")
    start, end = h.between(text, "Mayor Jane Doe")
    assert (mayor["start_offset"], mayor["end_offset"]) == utf16(text, start, end)
    assert (mayor["start_offset"], mayor["end_offset"]) != (start, end)  # the emoji counted 2
    ids_ = {e["id"] for e in first["entities"]}
    assert all({r["from_id"], r["to_id"]} <= ids_ for r in first["relations"])
    assert {r["type"] for r in first["relations"]} == {"asserts", "participates_in", "located_in"}
    joined = "\n".join(result.warnings)
    assert "attribute sets dropped" in joined and "notes dropped" in joined
    assert "1 discontinuous span(s) written as one entity per fragment" in joined
    assert "layer names dropped" in joined  # Ada's and Bob's spans merged


def test_doccano_round_trip_and_reimport(tmp_path) -> None:
    project, _, _ = ff.rich(tmp_path)
    first, second = ff.round_trip(project, "doccano", tmp_path)
    assert ff.outputs_equal(first, second)


def test_doccano_plain_label_lists_import(tmp_path) -> None:
    text = "😀 👩‍👩‍👧 Cafe\u0301 Jane Doe spoke."
    start, end = h.between(text, "Jane Doe")
    line = {"id": 7, "text": text, "label": [[*utf16(text, start, end), "Person"]]}
    source = tmp_path / "plain.jsonl"
    source.write_bytes(orjson.dumps(line) + b"\n")
    with ff.fresh(tmp_path / "p.annotator") as project:
        report = ff.import_file(project, "doccano", source)
        assert "1 tag type" in report.summary()
        with project.store.read() as session:
            (doc,) = session.documents()
            (span,) = session.spans(doc.uuid)
        assert (span.quote, span.tag, span.fragments) == ("Jane Doe", "Person", ((start, end),))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"text": "abc", "label": [[0, 2, "X"]]}\n{"text": 5}\n', "line 2"),
        (b'{"text": "abc", "label": [[0, 9, "X"]]}\n', "line 1: label[0]"),
        (b'{"text": "\xf0\x9f\x98\x80 a", "label": [[1, 3, "X"]]}\n', "inside a character"),
        (
            b'{"text": "ab", "entities": [{"id": 1, "label": "X", "start_offset": 0, '
            b'"end_offset": 1}], "relations": [{"from_id": 1, "to_id": 9, "type": "r"}]}\n',
            "relations[0]",
        ),
        (b"not json\n", "line 1: not valid JSON"),
    ],
)
def test_doccano_bad_input_names_line_and_writes_nothing(tmp_path, content, message) -> None:
    project, _, _ = ff.rich(tmp_path)
    before = ff.counts(project)
    source = tmp_path / "bad.jsonl"
    source.write_bytes(content)
    with pytest.raises(ForeignFormatError, match=re.escape(message)) as error:
        ff.import_file(project, "doccano", source)
    assert str(error.value).startswith("bad.jsonl: ")
    assert ff.counts(project) == before


@pytest.mark.parametrize("importer", ["doccano", "spacy-jsonl"])
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"PK\x03\x04\x14\x00" + bytes(range(256)), "it is a zip archive: import it as brat"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it is binary, not text"),
        ('{"text": "ab"}\n'.encode("utf-16"), "it is UTF-16 text; save it as UTF-8"),
    ],
)
def test_a_file_that_is_no_json_lines_text_says_so(tmp_path, importer, content, reason) -> None:
    # It said "line 1: not valid JSON (str is not valid UTF-8: surrogates not allowed: …)"
    project, _, _ = ff.rich(tmp_path)
    before = ff.counts(project)
    source = tmp_path / "bad.jsonl"
    source.write_bytes(content)
    with pytest.raises(ForeignFormatError) as error:
        ff.import_file(project, importer, source)
    assert str(error.value).startswith(f"bad.jsonl: not a JSON-lines file ({reason}")
    assert "surrogates" not in str(error.value)
    assert ff.counts(project) == before


def test_labelstudio_tasks_per_documentation_with_one_annotation_per_layer(tmp_path) -> None:
    project, _, _ = ff.rich(tmp_path)
    out = tmp_path / "tasks.json"
    ff.export(project, "labelstudio", out)
    tasks = orjson.loads(out.read_bytes())
    first, second = tasks
    text = first["data"]["text"]
    regions = [r for a in first["annotations"] for r in a["result"] if r["type"] == "labels"]
    for region in regions:
        assert {"id", "from_name", "to_name", "type", "value"} <= set(region)
        value = region["value"]
        units = text.encode("utf-16-le")
        covered = units[value["start"] * 2 : value["end"] * 2].decode("utf-16-le")
        assert covered == value["text"]  # JavaScript indices give the region's text
    relations = [r for a in first["annotations"] for r in a["result"] if r["type"] == "relation"]
    region_ids = {r["id"] for r in regions}
    assert len(relations) == 3
    assert all(r["from_id"] in region_ids and r["to_id"] in region_ids for r in relations)
    people = {
        a["completed_by"]: second["data"]["annotators"][str(a["completed_by"])]
        for a in second["annotations"]
    }
    assert sorted(people.values()) == ["Ada", "Bob"]  # one annotation per layer


def test_labelstudio_round_trip_keeps_layers_and_discontinuous_spans(tmp_path) -> None:
    project, ids, bob_span = ff.rich(tmp_path)
    first, second = ff.round_trip(project, "labelstudio", tmp_path)
    assert ff.outputs_equal(first, second)
    with ff.fresh(tmp_path / "again.annotator") as copy:
        ff.import_file(copy, "labelstudio", first)
        with copy.store.read() as session:
            claim = session.span(ids.claim)
            bob = session.span(bob_span)
            names = {a.uuid: a.name for a in session.annotators()}
        assert len(claim.fragments) == 2  # joined again from its "<uuid>/1" region
        assert names[bob.annotator] == "Bob"


def test_labelstudio_layer_and_document_filters(tmp_path) -> None:
    project, ids, bob_span = ff.rich(tmp_path)
    out = tmp_path / "bob.json"
    result = ff.export(project, "labelstudio", out, annotators=frozenset({ids.bob}))
    tasks = orjson.loads(out.read_bytes())
    regions = [r["id"] for t in tasks for a in t["annotations"] for r in a["result"]]
    assert regions == [bob_span] and result.spans == 1
    ff.export(project, "labelstudio", out, documents=frozenset({ids.doc2}))
    assert [t["data"]["document_id"] for t in orjson.loads(out.read_bytes())] == [ids.doc2]


def test_labelstudio_bad_relation_names_path(tmp_path) -> None:
    source = tmp_path / "bad.json"
    task = {
        "data": {"text": "ab"},
        "annotations": [
            {
                "result": [
                    {"id": "a", "type": "labels", "value": {"start": 0, "end": 1, "labels": ["X"]}},
                    {"type": "relation", "from_id": "a", "to_id": "zz"},
                ]
            }
        ],
    }
    source.write_bytes(orjson.dumps([task]))
    with ff.fresh(tmp_path / "p.annotator") as project:
        with pytest.raises(ForeignFormatError, match=r"\$\[0\]\.annotations\[0\]\.result\[1\]"):
            ff.import_file(project, "labelstudio", source)
        assert ff.counts(project) == (0, 0, 0)


@pytest.mark.parametrize("key", ["doccano", "labelstudio"])
def test_cancelled_export_leaves_nothing(tmp_path, key) -> None:
    project, _, _ = ff.rich(tmp_path)
    ff.cancelled_export_leaves_nothing(project, key, tmp_path)


@pytest.mark.parametrize("key", ["doccano", "labelstudio"])
def test_cli_export_prints_warnings_and_import_creates_project(tmp_path, capsys, key) -> None:
    project, _, _ = ff.rich(tmp_path)
    project.close()
    out = tmp_path / f"out-{key}.json"
    code, _, err = ff.cli(capsys, "export", "--format", key, "-o", out, tmp_path / "rich.annotator")
    assert code == 0, err
    assert "warning: " in err and "exported 2 document(s)" in err
    target = tmp_path / f"new-{key}.annotator"
    code, stdout, err = ff.cli(capsys, "import", "--format", key, target, out)
    assert code == 0, err
    assert "added:" in stdout and "2 documents" in stdout
    bad = tmp_path / "bad.json"
    bad.write_text("[]" if key == "labelstudio" else "", encoding="utf-8")
    code, _, err = ff.cli(capsys, "import", "--format", key, tmp_path / "none.annotator", bad)
    assert code == 1 and "bad.json" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "none.annotator").exists()
