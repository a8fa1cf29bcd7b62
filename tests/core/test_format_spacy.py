"""spaCy DocBin and JSONL: spaCy's blank pipeline loads the export and every span aligns to the
same text (after an emoji, a ZWJ sequence and a combining mark), ents never overlap, warnings,
layers, JSONL round trip, bad input, the CLI."""

from __future__ import annotations

import itertools

import foreign_format_helpers as ff
import json_helpers as h
import orjson
import pytest

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402
from spacy.training import offsets_to_biluo_tags  # noqa: E402

from annotator.io.formats.foreign_common import ForeignFormatError  # noqa: E402
from annotator.io.formats.spacy import entity_subset  # noqa: E402
from annotator.services.span_commands import CreateSpan  # noqa: E402


def load(path, lang: str = "xx") -> list:
    return list(DocBin().from_disk(path).get_docs(spacy.blank(lang).vocab))


def stored(project, document: str) -> list:
    with project.store.read() as session:
        return session.spans(document)


def test_docbin_loads_and_every_span_covers_the_same_text(tmp_path) -> None:
    project, ids, _ = ff.rich(tmp_path)
    # A span that cuts into a spaCy token ("Spring|field") and one overlapping "Mayor Jane Doe".
    with project.store.read() as session:
        text = session.document_text(ids.doc1)
    project.run(CreateSpan(ids.doc1, "place", [h.between(text, "Spring")]))
    project.run(CreateSpan(ids.doc1, "actor", [h.between(text, "Jane Doe said")]))
    out = tmp_path / "train.spacy"
    result = ff.export(project, "spacy", out)
    docs = load(out)
    assert len(docs) == result.documents == 2
    doc = docs[0]
    assert doc.text == text and doc.user_data["annotator"]["document_id"] == ids.doc1
    expected = sorted(
        (start, end, s.tag) for s in stored(project, ids.doc1) for start, end in s.fragments
    )
    got = sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["sc"])
    assert got == expected
    for span in doc.spans["sc"]:
        assert span.text == text[span.start_char : span.end_char]
    ents = [(e.start_char, e.end_char) for e in doc.ents]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ents))  # no overlap
    assert len(doc.ents) < len(doc.spans["sc"])
    # spaCy's own check: every entity aligns to a token boundary ("-" marks misalignment).
    tags = offsets_to_biluo_tags(doc, [(e.start_char, e.end_char, e.label_) for e in doc.ents])
    assert "-" not in tags
    relations = doc.user_data["annotator"]["relations"]
    spans = doc.spans["sc"]
    pairs = {(spans[r["head"]].text, spans[r["child"]].text, r["label"]) for r in relations}
    assert ("Mayor Jane Doe", "the bridge", "asserts") in pairs
    joined = "\n".join(result.warnings)
    assert "overlapping spans only in doc.spans['sc'], not in ents" in joined
    assert "3 links kept only in doc.user_data" in joined
    assert "1 discontinuous span(s) written as one span per fragment" in joined


def test_docbin_gold_layer_filter_and_document_filter(tmp_path) -> None:
    project, ids, _ = ff.rich(tmp_path)
    out = tmp_path / "bob.spacy"
    ff.export(project, "spacy", out, annotators=frozenset({ids.bob}))
    docs = load(out)
    assert [len(d.spans["sc"]) for d in docs] == [0, 1]
    assert docs[1].spans["sc"][0].text == "bridge"
    ff.export(project, "spacy", out, documents=frozenset({ids.doc2}))
    assert [d.user_data["annotator"]["document_id"] for d in load(out)] == [ids.doc2]


def test_docbin_language_from_documents(tmp_path) -> None:
    from annotator.io.formats.spacy import blank_pipeline

    assert blank_pipeline(["de", "de-AT"]).lang == "de"
    assert blank_pipeline(["de", "en"]).lang == "xx"
    assert blank_pipeline(["", ""]).lang == "xx"
    assert blank_pipeline(["zz"]).lang == "xx"


def test_entity_subset_is_greedy_and_never_overlaps() -> None:
    pieces = [(0, 10, "a"), (2, 4, "b"), (10, 12, "c"), (11, 20, "d"), (0, 3, "e")]
    assert entity_subset(pieces) == [0, 2]


def test_jsonl_shape_aligns_with_blank_pipeline_and_round_trips(tmp_path) -> None:
    project, _, _ = ff.rich(tmp_path)
    out = tmp_path / "data.jsonl"
    ff.export(project, "spacy-jsonl", out)
    nlp = spacy.blank("en")
    for line in out.read_bytes().splitlines():
        item = orjson.loads(line)
        doc = nlp.make_doc(item["text"])
        for start, end, label in item["spans"]["sc"]:
            span = doc.char_span(start, end, label=label)  # code points, strict alignment
            assert span is not None and span.text == item["text"][start:end]
        doc.ents = [doc.char_span(s, e, label=lab) for s, e, lab in item["entities"]]
    first, second = ff.round_trip(project, "spacy-jsonl", tmp_path)
    assert ff.outputs_equal(first, second)


def test_jsonl_imports_entities_and_prodigy_spans(tmp_path) -> None:
    text = "😀 👩‍👩‍👧 Cafe\u0301: Jane Doe met Bob."
    jane, bob = h.between(text, "Jane Doe"), h.between(text, "Bob")
    source = tmp_path / "in.jsonl"
    lines = [
        {"text": text, "entities": [[*jane, "PERSON"]]},
        {"text": text + " Again.", "spans": [{"start": bob[0], "end": bob[1], "label": "PERSON"}]},
    ]
    source.write_bytes(b"\n".join(orjson.dumps(x) for x in lines))
    with ff.fresh(tmp_path / "p.annotator") as project:
        ff.import_file(project, "spacy-jsonl", source)
        with project.store.read() as session:
            quotes = sorted(s.quote for d in session.documents() for s in session.spans(d.uuid))
        assert quotes == ["Bob", "Jane Doe"]


def test_jsonl_bad_offsets_name_the_line_and_write_nothing(tmp_path) -> None:
    project, _, _ = ff.rich(tmp_path)
    before = ff.counts(project)
    source = tmp_path / "bad.jsonl"
    source.write_bytes(
        b'{"text": "abc", "entities": [[0, 2, "X"]]}\n{"text": "x", "entities": [[0, 5, "X"]]}\n'
    )
    with pytest.raises(ForeignFormatError, match=r"^bad\.jsonl: line 2: entities\[0\]: span"):
        ff.import_file(project, "spacy-jsonl", source)
    assert ff.counts(project) == before


@pytest.mark.parametrize("key", ["spacy", "spacy-jsonl"])
def test_cancelled_export_leaves_nothing(tmp_path, key) -> None:
    project, _, _ = ff.rich(tmp_path)
    ff.cancelled_export_leaves_nothing(project, key, tmp_path)


def test_cli_exports_docbin_with_warnings(tmp_path, capsys) -> None:
    project, _, _ = ff.rich(tmp_path)
    project.close()
    out = tmp_path / "cli.spacy"
    code, _, err = ff.cli(
        capsys, "export", "--format", "spacy", "-o", out, tmp_path / "rich.annotator"
    )
    assert code == 0, err
    assert "warning: 3 links kept only in doc.user_data" in err
    assert len(load(out)) == 2
