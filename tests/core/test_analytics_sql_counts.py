"""The analytics views, counted in SQL and folded from small rows, equal the previous folds in
Python over every kept span (kept here as the oracle), for filters drawn by hypothesis on a
generated project with choice, multi-choice and boolean attributes; and the counts, views and
passages read no dataset of every span (count guards)."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.services.analytics import claims, network, statistics, timeline
from annotator.services.analytics.dataset import Dataset, load_dataset
from annotator.services.analytics.filters import AnalyticsFilter
from annotator.services.analytics.passages import Passage, passages_of_links, passages_of_spans
from annotator.services.analytics.summary import summary_json, totals
from annotator.services.command import Compound
from annotator.services.project import Project
from annotator.services.schema_commands import AddAttribute
from annotator.services.span_commands import EditSpan
from tests.core.analytics_helpers import generate_project

TOPICS = ("war", "trade", "health")


@pytest.fixture(scope="module")
def project_path(tmp_path_factory) -> Path:
    """The generated project, its claims also given a multi-choice and a boolean attribute."""
    path = tmp_path_factory.mktemp("sqlcounts") / "generated.annotator"
    project = generate_project(path, seed=11, documents=16)
    project.run(AddAttribute("tag", "claim", "topics", "Topics", "multi_choice", choices=TOPICS))
    project.run(AddAttribute("tag", "claim", "checked", "Checked", "boolean"))
    with project.store.read() as session:
        claims = [
            (s.uuid, s.attributes)
            for d in session.documents()
            for s in session.spans(d.uuid, project.annotator.uuid)
            if s.tag == "claim"
        ]
    edits = []
    for number, (uuid, attributes) in enumerate(claims):
        extra = dict(attributes)
        if number % 5 != 4:
            extra["topics"] = list(dict.fromkeys([TOPICS[number % 3], *TOPICS[: number % 2]]))
        if number % 4:
            extra["checked"] = number % 4 == 1
        edits.append(EditSpan(uuid, attributes=extra))
    project.run(Compound("topics", edits))
    project.close()
    return path


# -- the previous computation, over every kept span in Python (the oracle) -------------------
def python_spans_per_tag(data: Dataset, grouping: str) -> tuple[dict, dict]:
    counts: Counter = Counter()
    spans: dict = defaultdict(list)
    for span in data.spans.values():
        cell = (statistics._group_value(data, span.document, grouping), span.tag)
        counts[cell] += 1
        spans[cell].append(span.uuid)
    return dict(counts), dict(spans)


def python_attribute_distribution(data: Dataset) -> tuple[dict, dict]:
    counted = {
        (t.key, a.key)
        for t in data.schema.tag_types
        for a in t.attributes
        if a.value_type in ("choice", "multi_choice", "boolean")
    }
    counts: Counter = Counter()
    spans: dict = defaultdict(list)
    for span in data.spans.values():
        for key, value in span.attributes.items():
            if (span.tag, key) not in counted:
                continue
            for one in value if isinstance(value, list) else [value]:
                if one is None or one == "":
                    continue
                shown = str(one).lower() if isinstance(one, bool) else str(one)
                cell = (f"{span.tag}.{key} = {shown}", statistics.SPANS)
                counts[cell] += 1
                spans[cell].append(span.uuid)
    return dict(counts), dict(spans)


def python_totals(data: Dataset) -> dict:
    return {
        "documents": len(data.documents),
        "spans": len(data.spans),
        "links": len(data.links),
        "spans_per_tag": dict(sorted(Counter(s.tag for s in data.spans.values()).items())),
        "links_per_type": dict(sorted(Counter(link.link_type for link in data.links).items())),
    }


def _sorted(spans) -> dict:
    """Cell -> its span uuids in sorted order (the order of a list within a cell is how the
    rows happened to come: the passages are sorted by document and position when shown)."""
    return {cell: sorted(spans[cell]) for cell in spans}


def _open(path: Path) -> Project:
    return Project.open(path, annotator_name="ana", read_only=True)


filters = st.builds(
    AnalyticsFilter,
    outlet=st.sampled_from(["", "global", "daily"]),
    published_from=st.sampled_from(["", "2024-02"]),
    published_to=st.sampled_from(["", "2024-05-15"]),
    tags=st.frozensets(st.sampled_from(["actor", "event", "claim"])),
    link_types=st.frozensets(st.sampled_from(["asserts", "supports", "contradicts"])),
    attributes=st.dictionaries(
        st.sampled_from(["stance", "topics", "checked"]),
        st.frozensets(st.sampled_from(["critical", "neutral", "war", "trade", "True"]), min_size=1),
        max_size=2,
    ),
    layer=st.sampled_from(["mine", "all", "bob", "gold"]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=filters)
def test_sql_counts_equal_the_python_computation(project_path: Path, choice) -> None:
    with _open(project_path) as project:
        data = load_dataset(project, choice)
        for grouping in statistics.GROUPINGS:
            table = statistics.spans_per_tag(data, grouping)
            counts, spans = python_spans_per_tag(data, grouping)
            assert table.counts == counts, grouping
            assert _sorted(table.spans) == _sorted(spans), grouping
        table = statistics.attribute_distribution(data)
        counts, spans = python_attribute_distribution(data)
        assert table.counts == counts
        assert _sorted(table.spans) == _sorted(spans)
        assert totals(data) == python_totals(data)
        assert data.span_count == len(data.spans) and data.link_count == len(data.links)


def test_multi_choice_and_boolean_values_are_counted(project_path: Path) -> None:
    with _open(project_path) as project:
        table = statistics.attribute_distribution(load_dataset(project, AnalyticsFilter()))
    rows = {row for row, _ in table.counts}
    assert {f"claim.topics = {t}" for t in TOPICS} <= rows
    assert {"claim.checked = true", "claim.checked = false"} <= rows


def test_statistics_read_no_row_per_span(project_path: Path, monkeypatch) -> None:
    """The count guard: the statistics of a dataset never read its spans or links, and take
    a fixed number of statements however many spans the project holds."""
    statements: list[str] = []
    with _open(project_path) as project:
        data = load_dataset(project, AnalyticsFilter(layer="all"))
        plain_read = project.store.read

        @contextmanager
        def traced_read():
            with plain_read() as session:
                raw: sqlite3.Connection = session.connection.connection.driver_connection
                raw.set_trace_callback(statements.append)
                try:
                    yield session
                finally:
                    raw.set_trace_callback(None)

        monkeypatch.setattr(project.store, "read", traced_read)
        found = summary_json(project, data)
    assert data._spans is None and data._links is None  # no row per span was read
    assert found["spans"] > 100 and found["attribute_values"]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # a few statements a figure: the (document, tag) counts once for every grouping, the
    # attribute values, the link types, the actor spans of the co-occurrence
    assert 0 < len(selects) <= 25, selects


# -- the claims table and the timeline, also against their previous Python folds ------------
def python_claim_rows(data: Dataset) -> list[claims.ClaimRow]:
    counted = claims.counted_attributes(data)
    rows: dict[str, claims.ClaimRow] = {}
    for span in data.spans_of_kind("claim"):
        node = data.node(span)
        row = rows.get(node)
        if row is None:
            row = rows[node] = claims.ClaimRow(
                node, data.label(node), values={k: {} for k in counted}
            )
        row.spans.append(span.uuid)
        row.documents.add(span.document)
        outlet = data.documents[span.document].outlet
        if outlet:
            row.outlets.add(outlet)
        for key in counted:
            value = span.attributes.get(key)
            for one in value if isinstance(value, list) else [value]:
                if one is not None and one != "":
                    shown = str(one).lower() if isinstance(one, bool) else str(one)
                    row.values[key][shown] = row.values[key].get(shown, 0) + 1
    for link in data.links:
        source = data.node(data.spans[link.source])
        target = data.node(data.spans[link.target])
        if link.link_type == claims.ASSERTS and target in rows:
            who = data.label(source)
            rows[target].asserted_by[who] = rows[target].asserted_by.get(who, 0) + 1
            rows[target].links.append(link.uuid)
        elif link.link_type == claims.SUPPORTS and target in rows and source != target:
            rows[target].supporting.add(data.label(source))
            rows[target].links.append(link.uuid)
        elif link.link_type == claims.CONTRADICTS and source != target:
            for one, other in ((source, target), (target, source)):
                if one in rows:
                    rows[one].contradicting.add(data.label(other))
                    rows[one].links.append(link.uuid)
    return sorted(rows.values(), key=lambda r: (-len(r.documents), r.label.casefold()))


def python_events(data: Dataset, lanes: str) -> list[timeline.TimelineEvent]:
    date_keys = timeline._date_keys(data)
    actors: dict[str, set[str]] = defaultdict(set)
    if lanes == "actor":
        for link in data.links:
            if link.link_type == timeline.PARTICIPATES:
                actors[link.target].add(data.label(data.node(data.spans[link.source])))
    found = []
    for span in data.spans_of_kind("event"):
        date = next(
            (
                str(span.attributes[k])
                for k in date_keys.get(span.tag, [])
                if span.attributes.get(k)
            ),
            "",
        )
        estimated = not date
        if estimated:
            date = data.published(span.document)[:10]
        if lanes == "actor":
            lane = tuple(sorted(actors.get(span.uuid, ()))) or (timeline.NO_ACTOR,)
        else:
            lane = (data.documents[span.document].title or span.document,)
        found.append(
            timeline.TimelineEvent(
                span.uuid, data.label(data.node(span)), date, estimated, span.document, lane
            )
        )
    found.sort(key=lambda e: (e.date == "", e.date, e.label.casefold()))
    return found


def python_claim_spread(data: Dataset) -> list[timeline.ClaimSpread]:
    spread: dict[str, timeline.ClaimSpread] = {}
    for span in data.spans_of_kind("claim"):
        node = data.node(span)
        row = spread.get(node)
        if row is None:
            row = spread[node] = timeline.ClaimSpread(node, data.label(node))
        row.spans.append(span.uuid)
        row.documents.add(span.document)
        info = data.documents[span.document]
        if info.outlet:
            row.outlets.add(info.outlet)
        date = info.published[:10]
        if date:
            row.first = min(row.first, date) if row.first else date
            row.last = max(row.last, date)
    return sorted(spread.values(), key=lambda r: (r.first == "", r.first, r.label.casefold()))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=filters, merge=st.booleans(), lanes=st.sampled_from(["actor", "document"]))
def test_claims_and_timeline_equal_the_python_folds(
    project_path: Path, choice, merge: bool, lanes: str
) -> None:
    with _open(project_path) as project:
        fresh = load_dataset(project, choice, merge_by_text=merge)
        oracle = load_dataset(project, choice, merge_by_text=merge)  # its own label cache
        found_rows, expected_rows = claims.claim_rows(fresh), python_claim_rows(oracle)
        assert _rows(found_rows) == _rows(expected_rows)
        assert [len(r.documents) for r in found_rows] == [len(r.documents) for r in expected_rows]
        fresh = load_dataset(project, choice, merge_by_text=merge)
        oracle = load_dataset(project, choice, merge_by_text=merge)
        found, expected = timeline.events(fresh, lanes), python_events(oracle, lanes)
        assert sorted(found, key=repr) == sorted(expected, key=repr)
        assert [(e.date, e.label) for e in found] == [(e.date, e.label) for e in expected]
        assert _rows(timeline.claim_spread(fresh)) == _rows(python_claim_spread(oracle))


def _rows(rows: list) -> list:
    """Rows with their span and link lists sorted: within a row (and between rows that tie
    on the sort key) the order is the order the rows were read in, which a document filter's
    index changes for the Python fold and not for the ordered SQL reads."""
    found = []
    for row in rows:
        fields = dict(vars(row))
        for name in ("spans", "links"):
            if name in fields:
                fields[name] = sorted(fields[name])
        found.append(sorted(fields.items(), key=lambda item: item[0]))
    return sorted(found, key=repr)


def python_network(data: Dataset) -> network.Network:
    nodes: dict[str, network.Node] = {}
    kinds = {t.key: t.kind for t in data.schema.tag_types}
    for span in data.spans.values():
        key = data.node(span)
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = network.Node(key, "", span.tag, kinds.get(span.tag, "custom"))
        node.spans.append(span.uuid)
        node.documents.add(span.document)
        for name, value in span.attributes.items():
            for one in value if isinstance(value, list) else [value]:
                node.values[(name, str(one))] = node.values.get((name, str(one)), 0) + 1
    for node in nodes.values():
        node.label = data.label(node.key)
    directed = {t.key: t.directed for t in data.schema.link_types}
    edges: dict[tuple[str, str, str], network.Edge] = {}
    for link in data.links:
        source, target = data.node(data.spans[link.source]), data.node(data.spans[link.target])
        if source == target:
            continue
        is_directed = directed.get(link.link_type, True)
        if not is_directed and target < source:
            source, target = target, source
        edge = edges.setdefault(
            (source, target, link.link_type),
            network.Edge(source, target, link.link_type, is_directed),
        )
        edge.links.append(link.uuid)
        edge.documents.add(link.document)
    return network.Network(nodes, edges)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=filters, merge=st.booleans())
def test_network_equals_the_python_fold(project_path: Path, choice, merge: bool) -> None:
    with _open(project_path) as project:
        found = network.build_network(load_dataset(project, choice, merge_by_text=merge))
        expected = python_network(load_dataset(project, choice, merge_by_text=merge))
    assert {k: _rows([n]) for k, n in found.nodes.items()} == {
        k: _rows([n]) for k, n in expected.nodes.items()
    }
    assert {k: _rows([e]) for k, e in found.edges.items()} == {
        k: _rows([e]) for k, e in expected.edges.items()
    }


def test_views_and_passages_read_only_what_they_show(project_path: Path) -> None:
    """The views and the passages of a click never read the dataset of every span; the
    passages are those the rows in memory give (the previous way)."""
    with _open(project_path) as project:
        data = load_dataset(project, AnalyticsFilter(layer="all"))
        graph = network.build_network(data)
        claims.claim_rows(data), timeline.events(data), timeline.claim_spread(data)
        node = max(graph.nodes.values(), key=lambda n: (n.mentions, n.key))
        edge = max(graph.edges.values(), key=lambda e: (len(e.links), e.source, e.target))
        found = passages_of_spans(data, node.spans, "why")
        linked = passages_of_links(data, edge.links)
        assert data._spans is None and data._links is None
        oracle = load_dataset(project, AnalyticsFilter(layer="all"))
    spans = oracle.spans
    expected = sorted(
        (
            Passage(s.document, s.uuid, s.start, s.end, s.quote, s.annotator, "why")
            for s in (spans[u] for u in node.spans)
        ),
        key=lambda p: (list(oracle.documents).index(p.document), p.start, p.end),
    )
    assert found == expected and len(found) == node.mentions
    assert len(linked) == len(edge.links)
    assert {p.span for p in linked} == {
        link.source for link in oracle.links if link.uuid in set(edge.links)
    }
