"""Every analytics figure against an independent count in plain SQL on the project file, on a
generated project and on the sample project; graph exports read back with networkx."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.services.analytics import claims, network, statistics, timeline
from annotator.services.analytics.dataset import load_dataset
from annotator.services.analytics.filters import AnalyticsFilter
from annotator.services.project import Project
from annotator.services.sample import create_sample_project
from tests.core.analytics_helpers import NODE_SQL, generate_project, sql

LAYER_SQL = "JOIN annotators a ON a.id = s.annotator_id WHERE a.name IN ({})"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("analytics") / "generated.annotator"
    generate_project(path).close()
    return path


def _data(path: Path, **fields):
    with Project.open(path, annotator_name="ana", read_only=True) as project:
        return load_dataset(project, AnalyticsFilter(**fields))


def _names(layer: str) -> str:
    return {"mine": "'ana'", "all": "'ana', 'bob'", "bob": "'bob'"}[layer]


@pytest.mark.parametrize("layer", ["mine", "all", "bob"])
@pytest.mark.parametrize("grouping", ["outlet", "month", "document", "author"])
def test_spans_per_tag(generated: Path, layer: str, grouping: str) -> None:
    table = statistics.spans_per_tag(_data(generated, layer=layer), grouping)
    column = {
        "outlet": "NULLIF(d.outlet, '')",
        "author": "NULLIF(d.author, '')",
        "month": "NULLIF(substr(d.published, 1, 7), '')",
        "document": "d.title",
    }[grouping]
    expected = sql(
        generated,
        f"SELECT COALESCE({column}, '(none)'), t.key, count(*) FROM spans s "
        "JOIN documents d ON d.id = s.document_id JOIN tag_types t ON t.id = s.tag_type_id "
        f"{LAYER_SQL.format(_names(layer))} GROUP BY 1, 2",
    )
    assert expected
    assert {k: v for k, v in table.counts.items() if v} == {(r, c): n for r, c, n in expected}
    for (row, column_key), spans in table.spans.items():
        assert len(spans) == table.count(row, column_key)


@pytest.mark.parametrize("layer", ["mine", "all"])
def test_network_edges_and_weights(generated: Path, layer: str, tmp_path: Path) -> None:
    graph = network.build_network(_data(generated, layer=layer))
    a, b = NODE_SQL.format(e="ea", t="ta", s="sa"), NODE_SQL.format(e="eb", t="tb", s="sb")
    rows = sql(
        generated,
        f"SELECT CASE WHEN lt.directed OR {a} <= {b} THEN {a} ELSE {b} END, "
        f"CASE WHEN lt.directed OR {a} <= {b} THEN {b} ELSE {a} END, lt.key, "
        "count(DISTINCT l.document_id), count(*) FROM links l "
        "JOIN link_types lt ON lt.id = l.link_type_id "
        "JOIN spans sa ON sa.id = l.source_span_id JOIN spans sb ON sb.id = l.target_span_id "
        "JOIN tag_types ta ON ta.id = sa.tag_type_id JOIN tag_types tb ON tb.id = sb.tag_type_id "
        "LEFT JOIN entities ea ON ea.id = sa.entity_id "
        "LEFT JOIN entities eb ON eb.id = sb.entity_id "
        f"JOIN annotators an ON an.id = l.annotator_id WHERE an.name IN ({_names(layer)}) "
        f"AND {a} <> {b} GROUP BY 1, 2, 3",
    )
    assert rows
    found = {k: (e.weight, len(e.links)) for k, e in graph.edges.items()}
    assert found == {(s, t, k): (w, n) for s, t, k, w, n in rows}
    nodes = sql(
        generated,
        f"SELECT {NODE_SQL.format(e='e', t='t', s='s')}, count(*) FROM spans s "
        "JOIN tag_types t ON t.id = s.tag_type_id LEFT JOIN entities e ON e.id = s.entity_id "
        f"{LAYER_SQL.format(_names(layer))} GROUP BY 1",
    )
    assert {k: n.mentions for k, n in graph.nodes.items()} == dict(nodes)

    nx = pytest.importorskip("networkx")
    expected = {(e.source, e.target, e.link_type): e.weight for e in graph.edges.values()}
    for suffix, read in ((".graphml", nx.read_graphml), (".gexf", nx.read_gexf)):
        (path,) = network.export_network(graph, tmp_path / f"g{suffix}")
        back = read(path)
        assert set(back.nodes) == set(graph.nodes), suffix
        edges = {(s, t, d["link_type"]): int(d["weight"]) for s, t, d in back.edges(data=True)}
        assert edges == expected, suffix
        labels = {n: d["label"] for n, d in back.nodes(data=True)}
        assert labels == {k: n.label for k, n in graph.nodes.items()}
    edge_path, node_path = network.export_network(graph, tmp_path / "g.csv")
    with open(edge_path, encoding="utf-8") as rows_in:
        edges = {
            (r["source"], r["target"], r["link_type"]): int(r["weight"])
            for r in csv.DictReader(rows_in)
        }
    assert edges == expected
    with open(node_path, encoding="utf-8") as rows_in:
        assert {r["id"]: int(r["mentions"]) for r in csv.DictReader(rows_in)} == dict(nodes)


def test_metrics_against_networkx_on_the_edges(generated: Path) -> None:
    nx = pytest.importorskip("networkx")
    graph = network.build_network(_data(generated, layer="all"))
    metrics = network.compute_metrics(graph)
    plain = nx.Graph()
    plain.add_nodes_from(graph.nodes)
    plain.add_edges_from((s, t) for s, t, _ in graph.edges)
    assert metrics["degree"] == dict(plain.degree())
    assert metrics["betweenness"] == pytest.approx(nx.betweenness_centrality(plain))
    assert max(metrics["component"].values()) == nx.number_connected_components(plain)


def test_claims_table(generated: Path, tmp_path: Path) -> None:
    data = _data(generated)
    rows = {r.node: r for r in claims.claim_rows(data)}
    node = NODE_SQL.format(e="e", t="t", s="s")
    base = (
        "FROM spans s JOIN tag_types t ON t.id = s.tag_type_id LEFT JOIN entities e "
        "ON e.id = s.entity_id JOIN documents d ON d.id = s.document_id "
        "JOIN annotators a ON a.id = s.annotator_id WHERE a.name = 'ana' AND t.key = 'claim'"
    )
    documents = sql(generated, f"SELECT {node}, count(DISTINCT s.document_id) {base} GROUP BY 1")
    assert {k: len(r.documents) for k, r in rows.items()} == dict(documents)
    outlets = sql(
        generated, f"SELECT {node}, count(DISTINCT NULLIF(d.outlet, '')) {base} GROUP BY 1"
    )
    assert {k: len(r.outlets) for k, r in rows.items()} == dict(outlets)
    stances = sql(
        generated,
        f"SELECT {node}, json_extract(s.attributes, '$.stance'), count(*) {base} GROUP BY 1, 2",
    )
    assert {(k, v): n for k, r in rows.items() for v, n in r.values["stance"].items()} == {
        (k, v): n for k, v, n in stances
    }
    verdicts = sql(
        generated,
        f"SELECT {node}, json_extract(s.attributes, '$.verdict'), count(*) {base} "
        "AND json_extract(s.attributes, '$.verdict') IS NOT NULL GROUP BY 1, 2",
    )
    assert {(k, v): n for k, r in rows.items() for v, n in r.values["verdict"].items()} == {
        (k, v): n for k, v, n in verdicts
    }
    asserted = sql(
        generated,
        f"SELECT {NODE_SQL.format(e='eb', t='tb', s='sb')}, "
        "COALESCE(ea.name, sa.quote), count(*) FROM links l "
        "JOIN link_types lt ON lt.id = l.link_type_id AND lt.key = 'asserts' "
        "JOIN spans sa ON sa.id = l.source_span_id JOIN spans sb ON sb.id = l.target_span_id "
        "JOIN tag_types tb ON tb.id = sb.tag_type_id "
        "LEFT JOIN entities ea ON ea.id = sa.entity_id "
        "LEFT JOIN entities eb ON eb.id = sb.entity_id "
        "JOIN annotators an ON an.id = l.annotator_id "
        "WHERE an.name = 'ana' GROUP BY 1, 2",
    )
    assert asserted
    assert {(k, who): n for k, r in rows.items() for who, n in r.asserted_by.items()} == {
        (k, who): n for k, who, n in asserted
    }
    out = tmp_path / "claims.csv"
    claims.write_claims(data, list(rows.values()), out)
    with open(out, encoding="utf-8") as rows_in:
        written = list(csv.DictReader(rows_in))
    assert sorted(int(r["documents"]) for r in written) == sorted(n for _, n in documents)
    openpyxl = pytest.importorskip("openpyxl")
    claims.write_claims(data, list(rows.values()), tmp_path / "claims.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "claims.xlsx").active
    assert sheet.max_row == len(rows) + 1
    assert [c.value for c in sheet[1]] == claims.claim_header(data)


def test_attributes_cooccurrence_progress_timeline(generated: Path) -> None:
    data = _data(generated)
    attributes = sql(
        generated,
        "SELECT t.key || '.' || j.key || ' = ' || j.value, count(*) "
        "FROM spans s, json_each(s.attributes) j JOIN tag_types t ON t.id = s.tag_type_id "
        "JOIN attribute_defs ad ON ad.tag_type_id = t.id AND ad.key = j.key "
        "AND ad.value_type IN ('choice', 'multi_choice', 'boolean') "
        "JOIN annotators a ON a.id = s.annotator_id WHERE a.name = 'ana' GROUP BY 1",
    )
    table = statistics.attribute_distribution(data)
    assert attributes
    assert table.counts == {(r, "spans"): n for r, n in attributes}

    with Project.open(generated, annotator_name="ana", read_only=True) as project:
        matrix = statistics.cooccurrence(project, data, "document")
    node = NODE_SQL.format(e="e", t="t", s="s")
    pairs = sql(
        generated,
        f"WITH m AS (SELECT DISTINCT s.document_id d, {node} n, COALESCE(e.name, s.quote) label "
        "FROM spans s JOIN tag_types t ON t.id = s.tag_type_id AND t.kind = 'actor' "
        "LEFT JOIN entities e ON e.id = s.entity_id JOIN annotators a ON a.id = s.annotator_id "
        "WHERE a.name = 'ana') SELECT x.label, y.label, count(*) FROM m x JOIN m y ON x.d = y.d "
        "GROUP BY x.n, y.n",
    )
    assert matrix.counts == {(a, b): n for a, b, n in pairs}

    progress = statistics.progress(data)
    statuses = sql(
        generated,
        "SELECT a.name, st.status, count(*) FROM document_status st "
        "JOIN annotators a ON a.id = st.annotator_id GROUP BY 1, 2",
    )
    assert {k: v for k, v in progress.counts.items() if k[1] != "not started"} == {
        (a, s): n for a, s, n in statuses
    }
    documents = sql(generated, "SELECT count(*) FROM documents")[0][0]
    for name in progress.rows:
        assert sum(progress.count(name, c) for c in progress.columns) == documents

    events = timeline.events(data, "document")
    dated = sql(
        generated,
        "SELECT s.uuid, "
        "COALESCE(json_extract(s.attributes, '$.date'), substr(d.published, 1, 10)), "
        "json_extract(s.attributes, '$.date') IS NULL FROM spans s JOIN tag_types t "
        "ON t.id = s.tag_type_id AND t.key = 'event' JOIN documents d ON d.id = s.document_id "
        "JOIN annotators a ON a.id = s.annotator_id WHERE a.name = 'ana'",
    )
    assert {(e.span, e.date, e.estimated) for e in events} == {(u, d, bool(x)) for u, d, x in dated}
    spread = {r.node: (r.first, r.last) for r in timeline.claim_spread(data)}
    first_last = sql(
        generated,
        f"SELECT {node}, min(NULLIF(d.published, '')), max(NULLIF(d.published, '')) FROM spans s "
        "JOIN tag_types t ON t.id = s.tag_type_id AND t.key = 'claim' LEFT JOIN entities e "
        "ON e.id = s.entity_id JOIN documents d ON d.id = s.document_id JOIN annotators a "
        "ON a.id = s.annotator_id WHERE a.name = 'ana' GROUP BY 1",
    )
    assert spread == {n: (f or "", last or "") for n, f, last in first_last}


def test_filters_narrow_to_the_sql_counts(generated: Path) -> None:
    def count(where: str) -> int:
        return sql(
            generated,
            "SELECT count(*) FROM spans s JOIN documents d ON d.id = s.document_id "
            "JOIN tag_types t ON t.id = s.tag_type_id JOIN annotators a "
            f"ON a.id = s.annotator_id WHERE a.name = 'ana' AND {where}",
        )[0][0]

    assert len(_data(generated, outlet="global").spans) == count("d.outlet = 'Global Times'")
    ranged = _data(generated, published_from="2024-02", published_to="2024-04-15")
    assert len(ranged.spans) == count(
        "d.published <> '' AND substr(d.published, 1, 7) >= '2024-02' "
        "AND d.published <= '2024-04-15'"
    )
    assert len(_data(generated, tags=frozenset({"claim"})).spans) == count("t.key = 'claim'")
    critical = _data(generated, attributes={"stance": frozenset({"critical"})})
    assert len(critical.spans) == count(
        "(t.key <> 'claim' OR json_extract(s.attributes, '$.stance') = 'critical')"
    )
    only = _data(generated, link_types=frozenset({"asserts"}))
    assert Counter(link.link_type for link in only.links) == {
        "asserts": sql(
            generated,
            "SELECT count(*) FROM links l JOIN link_types lt ON lt.id = l.link_type_id "
            "JOIN annotators a ON a.id = l.annotator_id "
            "WHERE a.name = 'ana' AND lt.key = 'asserts'",
        )[0][0]
    }


def test_sample_project_figures(tmp_path: Path) -> None:
    path = tmp_path / "sample.annotator"
    create_sample_project(path, "ana").close()
    data = _data(path)
    per_tag = sql(
        path,
        "SELECT t.key, count(*) FROM spans s JOIN tag_types t ON t.id = s.tag_type_id GROUP BY 1",
    )
    table = statistics.spans_per_tag(data, "outlet")
    assert {c: n for (_, c), n in table.counts.items()} == dict(per_tag)
    edges = network.build_network(data).edges
    links = sql(path, "SELECT count(*) FROM links")[0][0]
    assert sum(len(e.links) for e in edges.values()) == links  # no link joins one node
    dated = sql(
        path,
        "SELECT count(*) FROM spans WHERE json_extract(attributes, '$.date') IS NOT NULL",
    )[0][0]
    assert sum(not e.estimated for e in timeline.events(data)) == dated


def test_cli_stats_claims_graph(generated: Path, tmp_path: Path, capsys) -> None:
    assert main(["stats", str(generated), "--annotator", "ana", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    per_tag = sql(
        generated,
        "SELECT t.key, count(*) FROM spans s JOIN tag_types t ON t.id = s.tag_type_id "
        "JOIN annotators a ON a.id = s.annotator_id WHERE a.name = 'ana' GROUP BY 1",
    )
    assert found["spans_per_tag"] == dict(per_tag)
    assert main(["stats", str(generated), "--annotator", "ana", "--by", "month"]) == 0
    assert "Spans per tag by month" in capsys.readouterr().out
    out = tmp_path / "claims.csv"
    assert main(["claims", str(generated), "--annotator", "ana", "-o", str(out)]) == 0
    with open(out, encoding="utf-8") as rows_in:
        assert len(list(csv.DictReader(rows_in))) == len(claims.claim_rows(_data(generated)))
    pytest.importorskip("networkx")
    graph_path = tmp_path / "g.graphml"
    assert (
        main(
            ["graph", str(generated), "--annotator", "ana", "--layer", "all", "-o", str(graph_path)]
        )
        == 0
    )
    assert graph_path.exists()
    assert main(["graph", str(generated), "--annotator", "ana", "-o", str(tmp_path / "g.txt")]) == 1
    assert "cannot write a network as .txt" in capsys.readouterr().err
    assert main(["stats", str(generated), "--annotator", "zoe", "--tags", "claim"]) == 0
    assert "zoe's layer has no annotations" in capsys.readouterr().err
    assert main(["stats", str(generated), "--annotator", "ana", "--layer", "nobody"]) == 1
    assert "no annotator “nobody”" in capsys.readouterr().err
