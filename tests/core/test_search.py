"""Project search over the FTS5 index: ranking, phrases, prefixes, folding, exclusion, safe
parsing of any input, and exact code-point offsets of every hit (KWIC lines)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from service_helpers import add_document, make_schema

from annotator.errors import ValidationError
from annotator.services.exchange_files import ProjectSnapshot
from annotator.services.project import Project
from annotator.services.search import context, search_documents
from annotator.services.search_query import find_terms, parse_query

#: Emoji, a ZWJ family, a decomposed é and an astral letter before the words searched for.
HOSTILE = "😀 👩\u200d👩\u200d👧 Cafe\u0301 𝐀 news: the Mayor of Springfield met Crème Brûlée."


@pytest.fixture
def project(tmp_path: Path):
    with Project.create(tmp_path / "s.annotator", annotator_name="Ann", schema=make_schema()) as p:
        yield p


def _titles(page) -> list[str]:
    return [r.title for r in page.results]


def test_title_and_frequency_rank_above_a_single_mention(project: Project) -> None:
    add_document(project, "A long story about rivers. The bridge is mentioned once.", "Rivers")
    add_document(
        project, "The bridge opened. The bridge closed. The bridge is safe again.", "Bridge news"
    )
    add_document(project, "Nothing relevant in this one at all.", "Other")
    page = search_documents(project, "bridge")
    assert _titles(page) == ["Bridge news", "Rivers"]
    assert page.total == 2 and not page.has_more
    assert page.results[0].hit_count == 3 and page.results[1].hit_count == 1
    assert page.results[0].score < page.results[1].score  # bm25: lower is better


def test_phrase_needs_the_words_together(project: Project) -> None:
    add_document(project, "Jane Doe spoke first.", "Together")
    add_document(project, "Doe and Jane spoke.", "Apart")
    page = search_documents(project, '"jane doe"')
    assert _titles(page) == ["Together"]
    (hit,) = page.results[0].hits
    assert (hit.start, hit.end, hit.match) == (0, 8, "Jane Doe")


def test_prefix_matches_word_beginnings_and_highlights_the_word(project: Project) -> None:
    add_document(project, "Springfield council met.", "One")
    add_document(project, "A spring morning.", "Two")
    add_document(project, "Offspring are not prefixes.", "Three")
    page = search_documents(project, "spring*")
    assert sorted(_titles(page)) == ["One", "Two"]
    matches = {r.title: [h.match for h in r.hits] for r in page.results}
    assert matches == {"One": ["Springfield"], "Two": ["spring"]}


def test_case_and_diacritics_fold_both_ways(project: Project) -> None:
    uuid = add_document(project, HOSTILE, "Hostile")
    for query in ("cafe", "CAFÉ", "creme brulee", "Crème", "MAYOR"):
        page = search_documents(project, query)
        assert _titles(page) == ["Hostile"], query
    hits = search_documents(project, "cafe").results[0].hits
    assert [HOSTILE[h.start : h.end] for h in hits] == ["Cafe\u0301"]
    assert page.results[0].document == uuid


def test_exclusion_and_or(project: Project) -> None:
    add_document(project, "The mayor praised the bridge.", "Praise")
    add_document(project, "The mayor criticised the tunnel.", "Critique")
    add_document(project, "Engineers inspected the tunnel.", "Inspection")
    assert _titles(search_documents(project, "mayor -bridge")) == ["Critique"]
    assert sorted(_titles(search_documents(project, "bridge OR engineers"))) == [
        "Inspection",
        "Praise",
    ]
    assert _titles(search_documents(project, 'mayor -"the tunnel"')) == ["Praise"]
    # OR binds tighter than the implicit AND: tunnel AND (mayor OR engineers)
    assert sorted(_titles(search_documents(project, "tunnel mayor OR engineers"))) == [
        "Critique",
        "Inspection",
    ]


def test_offsets_exact_after_emoji_zwj_and_combining_marks(project: Project) -> None:
    add_document(project, HOSTILE, "Hostile")
    (result,) = search_documents(project, 'springfield "crème brûlée" mayor').results
    found = [(h.start, h.end, h.match) for h in result.hits]
    for start, end, match in found:
        assert HOSTILE[start:end] == match
    assert [m for _, _, m in found] == ["Mayor", "Springfield", "Crème Brûlée"]
    assert found[0][0] == HOSTILE.index("Mayor")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"', "type a word"),
        ("((", "type a word"),
        ("OR", "type a word"),
        ("-bridge", "not excluded"),
        ("   ", "type a word"),
    ],
)
def test_bad_input_gives_a_clear_message(project: Project, query: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        search_documents(project, query)


def test_fts_operators_in_input_are_words_not_syntax(project: Project) -> None:
    add_document(project, "NEAR the bridge: title AND text.", "Ops")
    for query in ("NEAR(bridge", "title:bridge", 'bridge" OR', "^bridge", "{title}: bridge", "a*b"):
        search_documents(project, query)  # never an FTS5 syntax error
    assert _titles(search_documents(project, "NEAR( bridge")) == ["Ops"]  # two plain words
    assert _titles(search_documents(project, "title: AND")) == ["Ops"]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_input_parses_to_a_valid_expression_or_a_clear_message(query: str) -> None:
    import sqlite3

    try:
        expression = parse_query(query).match_expression()
    except ValidationError:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(t, tokenize='unicode61 remove_diacritics 2')")
    db.execute("SELECT * FROM f WHERE f MATCH ?", (expression,)).fetchall()


@settings(max_examples=100, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(["😀", "\u200d", "\u0301", "𝐀", " ", "é", "x", "."]), max_size=12
    ),
    st.sampled_from(["word", "Wörd", "WORD"]),
)
def test_find_terms_offsets_point_at_the_word(noise: str, word: str) -> None:
    text = noise + " " + word + " " + noise
    ranges, count = find_terms(text, parse_query("word").terms)
    assert count == len(ranges)
    assert (len(noise) + 1, len(noise) + 1 + len(word)) in ranges
    for start, end in ranges:
        assert text[start:end].casefold().replace("ö", "o") == "word"


def test_paging_and_context(project: Project) -> None:
    for index in range(5):
        add_document(project, f"Report {index}: the harbour was busy. " * (index + 1), f"D{index}")
    first = search_documents(project, "harbour", limit=2)
    second = search_documents(project, "harbour", limit=2, offset=2)
    assert first.total == 5 and first.has_more
    assert not set(_titles(first)) & set(_titles(second))
    assert _titles(first)[0] == "D4"  # most mentions first
    text = "one two three four five six seven eight nine ten KEY a b c d e f g h i j k"
    before, match, after = context(text, text.index("KEY"), text.index("KEY") + 3)
    assert (before, match, after) == ("five six seven eight nine ten ", "KEY", " a b c d e f")


def _index_matches_documents(project: Project) -> None:
    """FTS5's integrity-check against the content table (rank 1: every document's entries)."""
    import sqlite3

    connection = sqlite3.connect(project.path)
    try:
        connection.execute(
            "INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 1)"
        )
    finally:
        connection.close()


def test_batch_indexing_of_added_documents_survives_undo_redo_and_json_import(
    project: Project, tmp_path: Path
) -> None:
    from service_helpers import imported

    from annotator.io.formats.json.writer import export_json
    from annotator.services.document_commands import AddDocuments
    from annotator.services.exchange_files import import_json

    add = AddDocuments([imported(f"Harbour report {i} {HOSTILE}", f"H{i}") for i in range(3)])
    project.run(add)
    _index_matches_documents(project)
    assert search_documents(project, "harbour").total == 3
    project.undo()
    _index_matches_documents(project)
    with pytest.raises(ValidationError):
        search_documents(project, "")
    assert search_documents(project, "harbour").total == 0
    project.redo()
    _index_matches_documents(project)
    assert search_documents(project, "harbour").total == 3
    exported = tmp_path / "e.json"
    export_json(ProjectSnapshot(project), exported)
    with Project.create(
        tmp_path / "copy.annotator", annotator_name="Bo", schema=make_schema()
    ) as copy:
        import_json(copy, exported)
        _index_matches_documents(copy)
        assert search_documents(copy, "crème").total == 3
