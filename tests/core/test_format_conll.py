"""CoNLL-2003 / IOB2 export: seqeval reads it back (strict IOB2 equals lenient, so every tag is
well formed), entities are the spans' texts after an emoji / ZWJ family / combining mark, the
overlap rule, layer filter, counted drops, cancel and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import json_helpers as h
import pytest

from annotator.cli import main
from annotator.io.formats import ExportOptions
from annotator.io.formats.conll import tokenize
from annotator.services.exchange_files import export_file
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

seqeval_scheme = pytest.importorskip("seqeval.scheme")
from seqeval.metrics.sequence_labeling import get_entities  # noqa: E402


@pytest.fixture
def rich(tmp_path):
    project, ids = h.build_rich_project(tmp_path / "rich.annotator")
    yield project, ids
    project.close()


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    """Sentences of (token, tag); -DOCSTART- lines dropped."""
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
            continue
        columns = line.split(" ")
        assert len(columns) == 4, line
        if columns[0] != "-DOCSTART-":
            current.append((columns[0], columns[-1]))
    return sentences


def export(project: Project, path: Path, **options: Any):
    result = export_file(project, "conll", path, ExportOptions(**options))
    return read_conll(path), result


def entities(sentences: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """(tag, tokens joined by a space) of every entity, checked to be well-formed IOB2."""
    found = []
    for sentence in sentences:
        tags = [t for _, t in sentence]
        lenient = [(label, a, b) for label, a, b in get_entities(tags)]
        strict = seqeval_scheme.Entities([tags], scheme=seqeval_scheme.IOB2).entities[0]
        assert lenient == [(e.tag, e.start, e.end - 1) for e in strict], tags
        found += [(label, " ".join(w for w, _ in sentence[a : b + 1])) for label, a, b in lenient]
    return found


def test_entities_are_the_spans_after_emoji_zwj_and_combining_mark(rich, tmp_path):
    project, _ = rich
    sentences, result = export(project, tmp_path / "out.conll")
    tokens = [w for s in sentences for w, _ in s]
    assert tokens[:4] == ["😀", "👩\u200d👩\u200d👧", "𝐀", "Cafe\u0301"]
    assert entities(sentences) == [
        ("actor", "Mayor Jane Doe"),
        ("claim", "the bridge"),
        ("claim", "was safe"),
        ("event", "met"),
        ("place", "Springfield"),
        ("actor", "Jane Doe"),
        ("actor", "Engineers"),
    ]
    assert result.documents == 2 and result.spans == 6
    assert "1 discontinuous span(s) split: one entity per fragment" in result.warnings
    assert "3 links dropped: CoNLL has no relations" in result.warnings
    assert "1 notes dropped: CoNLL has no notes" in result.warnings
    assert (tmp_path / "out.conll").read_text(encoding="utf-8").count("-DOCSTART-") == 2


def test_overlaps_keep_the_longest_span_whole(rich, tmp_path):
    project, ids = rich
    with project.store.read() as session:
        text = session.document_text(ids.doc1)
    project.run(CreateSpan(ids.doc1, "actor", [h.between(text, "Jane")]))  # nested in "Mayor…"
    project.run(CreateSpan(ids.doc1, "place", [h.between(text, "Doe said")]))  # crosses it
    sentences, result = export(project, tmp_path / "out.conll")
    found = entities(sentences)
    assert ("actor", "Mayor Jane Doe") in found and ("actor", "Jane") not in found
    assert not any(label == "place" and "said" in words for label, words in found)
    assert (
        "2 spans dropped: they overlap a longer or earlier span (one tag per token)"
        in result.warnings
    )


def test_a_span_inside_a_word_still_gets_whole_tokens(rich, tmp_path):
    project, ids = rich
    with project.store.read() as session:
        text = session.document_text(ids.doc2)
    start, _ = h.between(text, "bridge")
    project.run(CreateSpan(ids.doc2, "place", [(start + 1, start + 4)]))  # "rid" inside a word
    sentences, _ = export(project, tmp_path / "out.conll", documents=frozenset({ids.doc2}))
    assert ("place", "rid") in entities(sentences)
    assert [w for s in sentences for w, _ in s if w in ("b", "rid", "ge")] == ["b", "rid", "ge"]
    assert "Engineers" in [w for s in sentences for w, _ in s]  # cut only where a span is


def test_tokenizer_keeps_graphemes_and_cuts_where_asked():
    text = "a👍🏽b Cafe\u0301, 👩\u200d👩\u200d👧!"
    words = [text[a:b] for a, b in tokenize(text)]
    assert words == ["a", "👍🏽", "b", "Cafe\u0301", ",", "👩\u200d👩\u200d👧", "!"]
    word = "Springfield"
    assert [word[a:b] for a, b in tokenize(word, {6})] == ["Spring", "field"]


def test_layer_filter_and_several_layers_warning(rich, tmp_path):
    project, ids = rich
    sentences, result = export(project, tmp_path / "bob.conll", annotators=frozenset({ids.bob}))
    assert entities(sentences) == [] and result.spans == 0
    project.switch_annotator("Bob")
    with project.store.read() as session:
        text = session.document_text(ids.doc2)
    project.run(CreateSpan(ids.doc2, "actor", [h.between(text, "mayor")]))
    _, result = export(project, tmp_path / "all.conll")
    assert any("layers merged" in w for w in result.warnings)


def test_cancel_leaves_no_file(rich, tmp_path):
    project, _ = rich
    with pytest.raises(Exception, match="cancel"):
        export(project, tmp_path / "out.conll", progress=lambda done, total: False)
    assert list(tmp_path.glob("*.conll")) == [] and list(tmp_path.glob(".out*")) == []


def test_cli_prints_warnings(rich, tmp_path, capsys):
    project, _ = rich
    path = project.path
    project.close()
    out = tmp_path / "cli.conll"
    assert main(["export", "--format", "conll", "-o", str(out), str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning: 3 links dropped: CoNLL has no relations" in err
    assert entities(read_conll(out))[0] == ("actor", "Mayor Jane Doe")


def test_no_sentence_boundary_inside_an_entity(tmp_path):
    """ "J. K. Rowling" holds ". " twice: a sentence may not end there, or the tokens after it
    start with I- and seqeval's strict mode drops the entity."""
    from annotator.io.documents.text import import_text
    from annotator.services.document_commands import AddDocuments
    from annotator.services.span_commands import CreateSpan

    text = "Books by J. K. Rowling sold well. Fans\nof Harry\nPotter agree."
    with Project.create(tmp_path / "p.annotator", name="p", annotator_name="Ada") as project:
        add = AddDocuments([import_text(text, "t.txt", "utf-8")])
        project.run(add)
        (doc,) = add.report.added
        for needle, tag in (("J. K. Rowling", "actor"), ("Harry\nPotter", "actor")):
            start = text.index(needle)
            project.run(CreateSpan(doc, tag, [(start, start + len(needle))]))
        sentences, _ = export(project, tmp_path / "out.conll")
    found = entities(sentences)  # asserts strict IOB2 == lenient in every sentence
    assert found == [("actor", "J . K . Rowling"), ("actor", "Harry Potter")]
    assert all(not s[0][1].startswith("I-") for s in sentences)
    strict = [
        e
        for s in sentences
        for e in seqeval_scheme.Entities([[t for _, t in s]], scheme=seqeval_scheme.IOB2).entities[
            0
        ]
    ]
    assert len(strict) == 2
    assert [w for w, _ in sentences[-1]][-2:] == ["agree", "."]
