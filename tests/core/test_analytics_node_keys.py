"""Format version 5's span keys: every write path keeps span_keys equal to the Python
normalisation of each span's quote (random Unicode text too), a version 4 file is upgraded
with every key computed, and the network the window shows — counted in SQL over the keys —
equals the cut of the full network folded in Python, for random filters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fixtures_hostile import as_version_4
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from json_helpers import build_rich_project
from merge_helpers import canonical

from annotator.domain.ids import new_uuid
from annotator.domain.node_keys import normalise, quote_hash, text_hash
from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.analytics import network, statistics
from annotator.services.analytics.dataset import load_dataset
from annotator.services.analytics.filters import AnalyticsFilter
from annotator.services.document_commands import AddDocuments
from annotator.services.entity_commands import CreateEntity
from annotator.services.merge import merge
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan
from annotator.store.analytics_nodes import busiest_by_documents
from annotator.store.checks import run_checklist
from annotator.store.ddl import schema_version
from tests.core.analytics_helpers import generate_project


def key_problems(path: Path) -> list[tuple]:
    """Spans whose span_keys row is missing or differs from what their columns say."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT s.id, s.quote, s.tag_type_id, s.annotator_id, s.document_id, s.entity_id, "
            "k.tag_type_id, k.annotator_id, k.document_id, k.entity_id, k.text_hash "
            "FROM spans s LEFT JOIN span_keys k ON k.span_id = s.id"
        ).fetchall()
        extra = connection.execute(
            "SELECT span_id FROM span_keys WHERE span_id NOT IN (SELECT id FROM spans)"
        ).fetchall()
    finally:
        connection.close()
    wrong = [r for r in rows if (*r[2:6], quote_hash(r[1])) != r[6:]]
    return wrong + extra


def test_version_5_is_this_builds_format() -> None:
    assert schema_version() == 5


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_the_key_is_the_hash_of_the_views_normalised_text(text: str) -> None:
    assert quote_hash(text) == text_hash(normalise(text))
    assert -(2**63) <= quote_hash(text) < 2**63


# -- kept by the write paths --------------------------------------------------------------
@pytest.fixture
def generated(tmp_path: Path) -> Path:
    path = tmp_path / "g.annotator"
    generate_project(path, seed=5, documents=6).close()
    return path


def test_every_write_path_keeps_the_keys(generated: Path, tmp_path: Path) -> None:
    assert key_problems(generated) == []
    project = Project.open(generated, annotator_name="ana")
    with project.store.read() as session:
        document = session.documents()[0].uuid
        spans = [s for s in session.spans(document, project.annotator.uuid)]
    first = spans[0]
    entity = CreateEntity("Someone", kind="actor")
    created = CreateSpan(document, "actor", [(0, 7)])
    for command in (
        EditSpan(first.uuid, fragments=[(first.start, first.end + 3)]),  # the quote changes
        created,
        EditSpan(created.uuid, tag="event"),
        entity,
        EditSpan(created.uuid, entity=entity.uuid),
        DeleteSpans([spans[2].uuid]),
    ):
        project.run(command)
        assert key_problems(generated) == [], command
    for _ in range(6):
        project.undo()
        assert key_problems(generated) == []
    for _ in range(6):
        project.redo()
    assert key_problems(generated) == []
    project.close()
    other = tmp_path / "other.annotator"
    generate_project(other, seed=9, documents=3).close()
    project = Project.open(generated, annotator_name="ana")
    report = merge(project, other)
    project.close()
    assert report.added.get("spans") and key_problems(generated) == []


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(
        st.text(
            st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n"),
            min_size=1,
            max_size=12,
        ),
        min_size=1,
        max_size=12,
    )
)
def test_sql_groups_equal_the_python_nodes_on_random_text(tmp_path: Path, words) -> None:
    """Random Unicode quotes (case pairs beyond ASCII, white space, punctuation): the keys are
    the Python normalisation's, and the network counted in SQL equals the Python fold."""
    path = tmp_path / f"r{abs(hash(tuple(words)))}.annotator"
    if path.exists():
        path.unlink()
    pieces = [w for w in words if w.strip()] or ["x"]
    pieces += [p.upper() for p in pieces[:3]]  # some texts that fold to one node
    text = " | ".join(pieces)
    with Project.create(path, annotator_name="ana") as project:
        add = AddDocuments([ImportedDocument("t", text, sha256_text(text), {}, "", "")])
        project.run(add)
        (document,) = add.report.added
        with project.store.read() as session:
            stored = session.document_text(document)
        position = 0
        for piece in pieces:
            start = stored.index(piece, position)
            position = start + len(piece)
            project.run(CreateSpan(document, "actor", [(start, position)]))
        assert key_problems(path) == []
        data = load_dataset(project, AnalyticsFilter(layer="all"))
        shown, total = network.shown_network(data, 10_000)
        full = network.build_network(load_dataset(project, AnalyticsFilter(layer="all")))
    assert total == len(full.nodes)
    assert _nodes(shown) == _nodes(full)


# -- the shown network against the full fold ----------------------------------------------
def _nodes(found: network.Network) -> dict:
    return {
        key: (n.label, n.tag, n.kind, sorted(n.spans), sorted(n.documents), n.values)
        for key, n in found.nodes.items()
    }


def _edges(found: network.Network, keep: set[str] | None = None) -> dict:
    return {
        key: (sorted(e.links), sorted(e.documents), e.directed)
        for key, e in found.edges.items()
        if keep is None or (e.source in keep and e.target in keep)
    }


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "many.annotator"
    generate_project(path, seed=13, documents=14).close()
    return path


filters = st.builds(
    AnalyticsFilter,
    outlet=st.sampled_from(["", "global", "daily"]),
    published_to=st.sampled_from(["", "2024-04"]),
    tags=st.frozensets(st.sampled_from(["actor", "event", "claim"])),
    link_types=st.frozensets(st.sampled_from(["asserts", "supports", "same_as"])),
    attributes=st.sampled_from([{}, {}, {"stance": frozenset({"critical"})}]),
    layer=st.sampled_from(["mine", "all", "bob", "gold"]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=filters, limit=st.sampled_from([1, 3, 8, 40, 10_000]), merge=st.booleans())
def test_shown_network_is_the_cut_of_the_full_network(
    many: Path, choice, limit: int, merge: bool, monkeypatch
) -> None:
    with Project.open(many, annotator_name="ana", read_only=True) as project:
        full = network.build_network(load_dataset(project, choice, merge_by_text=merge))
        data = load_dataset(project, choice, merge_by_text=merge)
        if not choice.attributes and not merge:  # counted in SQL: no fold of every span
            monkeypatch.setattr(network, "build_network", _refused)
        shown, total = network.shown_network(data, limit)
        monkeypatch.undo()
    assert total == len(full.nodes)
    expected = network.busiest(full, limit)
    assert sorted(n.mentions for n in shown.nodes.values()) == sorted(
        n.mentions for n in expected.nodes.values()
    )
    assert _nodes(shown) == {k: v for k, v in _nodes(full).items() if k in shown.nodes}
    assert _edges(shown) == _edges(full, set(shown.nodes))


def _refused(data):
    raise AssertionError("the shown network folded every span")


def test_a_span_written_by_another_tool_falls_back_to_the_python_fold(
    many: Path, tmp_path: Path
) -> None:
    path = tmp_path / "copy.annotator"
    path.write_bytes(many.read_bytes())
    connection = sqlite3.connect(path)
    uuid = new_uuid()
    connection.execute(
        'INSERT INTO spans (uuid, document_id, annotator_id, tag_type_id, start, "end", quote, '
        "prefix, suffix, created, modified) SELECT ?, document_id, annotator_id, tag_type_id, "
        'start, "end", quote, prefix, suffix, created, modified FROM spans ORDER BY id LIMIT 1',
        (uuid,),
    )
    connection.execute(
        'INSERT INTO span_fragments (span_id, ordinal, start, "end") '
        'SELECT id, 0, start, "end" FROM spans WHERE uuid = ?',
        (uuid,),
    )
    connection.commit()
    connection.close()
    assert len(key_problems(path)) == 1  # no key: another tool knows nothing of them
    with Project.open(path, annotator_name="ana", read_only=True) as project:
        choice = AnalyticsFilter(layer="all")
        shown, total = network.shown_network(load_dataset(project, choice), 10_000)
        full = network.build_network(load_dataset(project, choice))
    assert total == len(full.nodes) and _nodes(shown) == _nodes(full)
    with Project.open(path, annotator_name="ana") as project:  # a writing open fills them
        pass
    assert key_problems(path) == []


# -- the upgrade --------------------------------------------------------------------------
def test_a_version_4_file_is_upgraded_with_every_key(tmp_path: Path) -> None:
    path = tmp_path / "old.annotator"
    project, _ = build_rich_project(path)
    before = canonical(project)
    project.close()
    as_version_4(path)
    assert run_checklist(path, full=True) == 4  # a version 4 file is sound as version 4
    project = Project.open(path, annotator_name="Ada")
    assert project.store.user_version() == 5
    assert canonical(project) == before
    project.close()
    assert key_problems(path) == []
    assert run_checklist(path, full=True) == 5


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=filters, limit=st.sampled_from([1, 2, 3, 5, 25]))
def test_cooccurrence_counted_over_the_keys_equals_the_python_fold(
    many: Path, choice, limit: int, monkeypatch
) -> None:
    answers: list = []
    monkeypatch.setattr(
        statistics,
        "busiest_by_documents",
        lambda *a: answers.append(busiest_by_documents(*a)) or answers[-1],
    )
    with Project.open(many, annotator_name="ana", read_only=True) as project:
        found = statistics.cooccurrence(project, load_dataset(project, choice), "document", limit)
        assert (answers[0] is None) == bool(choice.attributes)  # SQL counted it unless
        monkeypatch.setattr(statistics, "busiest_by_documents", lambda *_: None)
        expected = statistics.cooccurrence(
            project, load_dataset(project, choice), "document", limit
        )
        monkeypatch.undo()
    assert (found.columns, found.rows, found.counts) == (
        expected.columns,
        expected.rows,
        expected.counts,
    )
    assert {c: sorted(s) for c, s in found.spans.items()} == {
        c: sorted(s) for c, s in expected.spans.items()
    }
