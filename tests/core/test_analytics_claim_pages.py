"""The paged claims table (summaries counted in SQL over span_keys, full rows read a page at a
time) equals the Python fold `claims.claim_rows` — same rows, same order — for filters and page
reads drawn by hypothesis on a generated project; falls back to the fold where SQL cannot count;
and a page reads only its own claims' spans."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.services.analytics import claim_pages, claims
from annotator.services.analytics.dataset import Dataset, load_dataset
from annotator.services.analytics.filters import AnalyticsFilter
from annotator.services.command import Compound
from annotator.services.project import Project
from annotator.services.schema_commands import AddAttribute
from annotator.services.span_commands import EditSpan
from annotator.store.analytics_claims import claim_page
from tests.core.analytics_helpers import generate_project

TOPICS = ("war", "trade", "health")


@pytest.fixture(scope="module")
def project_path(tmp_path_factory) -> Path:
    """A generated project whose claims also carry a multi-choice and a boolean attribute."""
    path = tmp_path_factory.mktemp("claimpages") / "generated.annotator"
    project = generate_project(path, seed=23, documents=18)
    project.run(AddAttribute("tag", "claim", "topics", "Topics", "multi_choice", choices=TOPICS))
    project.run(AddAttribute("tag", "claim", "checked", "Checked", "boolean"))
    with project.store.read() as session:
        found = [
            (s.uuid, s.attributes)
            for d in session.documents()
            for s in session.spans(d.uuid, project.annotator.uuid)
            if s.tag == "claim"
        ]
    edits = []
    for number, (uuid, attributes) in enumerate(found):
        extra = dict(attributes)
        if number % 3:
            extra["topics"] = [TOPICS[number % 3]]
        if number % 4:
            extra["checked"] = number % 4 == 1
        edits.append(EditSpan(uuid, attributes=extra))
    project.run(Compound("topics", edits))
    project.close()
    return path


def _open(path: Path) -> Project:
    return Project.open(path, annotator_name="ana", read_only=True)


filters = st.builds(
    AnalyticsFilter,
    outlet=st.sampled_from(["", "global", "daily"]),
    published_from=st.sampled_from(["", "2024-02"]),
    published_to=st.sampled_from(["", "2024-05-15"]),
    tags=st.frozensets(st.sampled_from(["actor", "event", "claim"])),
    link_types=st.frozensets(st.sampled_from(["asserts", "supports", "contradicts"])),
    layer=st.sampled_from(["mine", "all", "bob", "gold"]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=filters, cuts=st.lists(st.integers(min_value=1, max_value=7), max_size=6))
def test_paged_rows_equal_the_python_fold(project_path: Path, choice, cuts: list[int]) -> None:
    with _open(project_path) as project:
        expected = claims.claim_rows(load_dataset(project, choice))
        table = claim_pages.ClaimTable(load_dataset(project, choice))
        assert table.paged
        assert [s.node for s in table.order] == [r.node for r in expected]
        assert [s.label for s in table.order] == [r.label for r in expected]
        assert [(s.documents, s.outlets) for s in table.order] == [
            (len(r.documents), len(r.outlets)) for r in expected
        ]
        # pages read in a drawn order and size (later pages first), each read once
        bounds, start = [], 0
        for size in cuts * 5:
            bounds.append((start, start + size))
            start += size
        bounds.append((start, len(expected)))
        found: dict[int, claims.ClaimRow] = {}
        for first, last in reversed(bounds):
            for offset, row in enumerate(table.full(table.order[first:last])):
                found[first + offset] = row
        assert [found[i] for i in range(len(expected))] == expected


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=filters, merge=st.booleans())
def test_where_sql_cannot_count_the_table_is_the_fold(
    project_path: Path, choice, merge: bool
) -> None:
    choice = AnalyticsFilter(**{**vars(choice), "attributes": {"stance": frozenset({"neutral"})}})
    with _open(project_path) as project:
        expected = claims.claim_rows(load_dataset(project, choice, merge_by_text=merge))
        table = claim_pages.ClaimTable(load_dataset(project, choice, merge_by_text=merge))
        assert not table.paged
        assert table.full(table.order) == expected
        merged = claim_pages.ClaimTable(
            load_dataset(project, AnalyticsFilter(), merge_by_text=True)
        )
        assert not merged.paged


def test_a_file_with_missing_span_keys_uses_the_fold(project_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.annotator"
    shutil.copy(project_path, copy)
    with sqlite3.connect(copy) as raw:
        raw.execute("DELETE FROM span_keys WHERE span_id = (SELECT min(span_id) FROM span_keys)")
    with _open(copy) as project:
        table = claim_pages.ClaimTable(load_dataset(project, AnalyticsFilter(layer="all")))
        expected = claims.claim_rows(load_dataset(project, AnalyticsFilter(layer="all")))
    assert not table.paged and table.full(table.order) == expected
    assert table.every_row() == expected


def test_the_first_page_folds_no_claim_span(project_path: Path, monkeypatch) -> None:
    """Count guard: summaries and a page never read every claim span or every link (the
    fold's reads), and a page's spans are only its claims' mentions."""
    with _open(project_path) as project:
        expected = claims.claim_rows(load_dataset(project, AnalyticsFilter(layer="all")))
        data = load_dataset(project, AnalyticsFilter(layer="all"))

        def refuse(*_args, **_kwargs):
            raise AssertionError("the paged table read every claim span or link")

        monkeypatch.setattr(Dataset, "span_facts", refuse)
        monkeypatch.setattr(Dataset, "link_ends", refuse)
        monkeypatch.setattr(claim_pages, "claim_rows", refuse)
        table = claim_pages.ClaimTable(data)
        first = table.full(table.order[:2])
        assert first == expected[:2]
        with project.store.read() as session:
            groups = [s.group for s in table.order[:2]]
            page = claim_page(session, data.link_scope, groups, data.tags_of_kind("claim"))
        assert (
            len(page.spans)
            == sum(len(r.spans) for r in first)
            < len([u for r in expected for u in r.spans])
        )


def test_two_claim_texts_under_one_hash_fold_every_claim(project_path: Path, tmp_path: Path):
    """A claim text stored under another's hash (as if the two hashes collided): the
    summaries merge them, the page that reads them sees two texts and the table takes the
    fold's rows instead."""
    copy = tmp_path / "collided.annotator"
    shutil.copy(project_path, copy)
    with sqlite3.connect(copy) as raw:
        (claim,) = raw.execute("SELECT id FROM tag_types WHERE key = 'claim'").fetchone()
        first, second = raw.execute(
            "SELECT text_hash FROM span_keys WHERE tag_type_id = ? AND entity_id IS NULL "
            "GROUP BY text_hash ORDER BY count(*) DESC LIMIT 2",
            [claim],
        ).fetchall()
        raw.execute(
            "UPDATE span_keys SET text_hash = ? WHERE text_hash = ? AND tag_type_id = ?",
            [first[0], second[0], claim],
        )
    with _open(copy) as project:
        expected = claims.claim_rows(load_dataset(project, AnalyticsFilter(layer="all")))
        table = claim_pages.ClaimTable(load_dataset(project, AnalyticsFilter(layer="all")))
        assert table.paged and len(table.order) == len(expected) - 1  # merged
        table.full(table.order)
        assert table.refolded and not table.paged
        assert table.full(table.order) == expected
