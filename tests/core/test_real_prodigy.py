"""Prodigy JSONL as Prodigy writes it: the same text in several rows, `answer` accept/ignore/
reject, relations by token index; checked against a plain JSON reading and spaCy's alignment."""

from __future__ import annotations

import json

import foreign_format_helpers as ff
import orjson
import pytest
from real_files import real_file


def _imported(tmp_path, path):
    with ff.fresh(tmp_path / "new.annotator") as project:
        report = ff.import_file(project, "spacy-jsonl", path)
        with project.store.read() as session:
            labels = {t.key: t.label for t in session.schema().tag_types}
            docs = session.documents()
            texts = {d.uuid: session.document_text(d.uuid) for d in docs}
            spans = [s for d in docs for s in session.spans(d.uuid)]
            links = [x for d in docs for x in session.links(d.uuid)]
    return report, texts, spans, links, labels


def test_repeated_texts_are_one_document_and_skipped_answers_counted(tmp_path) -> None:
    path = real_file("spacy/prodigy_ner_with_duplicates.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    kept = [r for r in rows if r.get("answer") not in ("reject", "ignore")]
    expected = {
        (r["text"], s["start"], s["end"], s["label"], r["text"][s["start"] : s["end"]])
        for r in kept
        for s in r.get("spans", [])
    }
    report, texts, spans, _, labels = _imported(tmp_path, path)
    assert len(texts) == len({r["text"] for r in kept}) < len(kept)
    found = {
        (
            texts[s.document],
            s.start,
            s.fragments[-1][1],
            labels[s.tag],
            texts[s.document][s.start : s.fragments[-1][1]],
        )
        for s in spans
    }
    assert found == expected and len(spans) == len(expected)
    ignored = sum(r.get("answer") == "ignore" for r in rows)
    assert report.loss.count('answer(s) "ignore" skipped') == ignored  # the LossReport's count
    assert f'{ignored} answer(s) "ignore" skipped' in report.summary()
    assert "repeated text(s) imported as the same document" in " ".join(report.conflicts)
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    for text, start, end, label, _ in expected:  # every span falls on spaCy's tokens
        assert nlp(text).char_span(start, end, label=label) is not None


def test_reject_rows_skipped_and_relations_resolved_through_tokens(tmp_path) -> None:
    text = "Anna Berg met Bob Stone in Rome"
    words = text.split(" ")
    tokens, at = [], 0
    for i, word in enumerate(words):
        tokens.append({"text": word, "start": at, "end": at + len(word), "id": i, "ws": True})
        at += len(word) + 1
    person = [
        {"start": 0, "end": 9, "token_start": 0, "token_end": 1, "label": "PERSON"},
        {"start": 14, "end": 23, "token_start": 3, "token_end": 4, "label": "PERSON"},
        {"start": 27, "end": 31, "token_start": 6, "token_end": 6, "label": "GPE"},
    ]
    # head/child are token indices (Prodigy's rel.manual): token 1 "Berg" is in span 0,
    # token 6 "Rome" is span 2; read as span indices they would name other spans
    relations = [{"head": 1, "child": 6, "label": "IN"}, {"head": 3, "child": 1, "label": "MET"}]
    row = {"text": text, "tokens": tokens, "spans": person, "relations": relations}
    lines = [
        row | {"answer": "accept", "_annotator_id": "ds-alex"},
        row | {"answer": "accept", "_annotator_id": "ds-sam", "relations": relations[:1]},
        row | {"answer": "reject", "_annotator_id": "ds-kim"},
    ]
    path = tmp_path / "rel.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(x) for x in lines))
    report, texts, spans, links, _ = _imported(tmp_path, path)
    (doc_text,) = texts.values()
    by_uuid = {s.uuid: doc_text[s.start : s.fragments[-1][1]] for s in spans}
    found = sorted((by_uuid[x.source], by_uuid[x.target]) for x in links)
    assert found == [("Anna Berg", "Rome"), ("Anna Berg", "Rome"), ("Bob Stone", "Anna Berg")]
    assert len(spans) == 6  # two layers (alex, sam) of three spans; kim's reject skipped
    assert report.loss.count('answer(s) "reject" skipped') == 1
    assert '1 answer(s) "reject" skipped' in report.summary()
    assert "one layer per annotator" in " ".join(report.conflicts)
