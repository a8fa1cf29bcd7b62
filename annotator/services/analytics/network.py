"""The network of actors, events and claims: nodes from spans, edges from links weighted by the
number of documents that carry them, metrics and exports through networkx.

networkx is imported inside the functions that need it (an optional extra, see pyproject)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotator.errors import ValidationError
from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.extras import require
from annotator.services.gc_pause import without_gc
from annotator.store.analytics_nodes import shown_rows


@dataclass
class Node:
    key: str
    label: str
    tag: str
    kind: str
    spans: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    # (attribute, value) -> mentions, for colour (a plain dict: a Counter costs ~1 µs)
    values: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def mentions(self) -> int:
        return len(self.spans)


@dataclass
class Edge:
    """Links of one type between two nodes (an undirected type: ends in sorted order)."""

    source: str
    target: str
    link_type: str
    directed: bool
    links: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)

    @property
    def weight(self) -> int:
        return len(self.documents)


@dataclass
class Network:
    nodes: dict[str, Node]
    edges: dict[tuple[str, str, str], Edge]


@without_gc
def build_network(data: Dataset) -> Network:
    """Every kept span is a mention of its node; every kept link between two different nodes
    adds its document to the edge of its type (a link within one node, e.g. `same_as` between
    two mentions of one entity, is no edge). Reads the spans and links as small rows; each
    distinct attribute object is parsed once (a million spans share a few thousand)."""
    facts = data.span_facts()
    nodes, node_of = _fold_spans(data, facts.rows, facts.documents, facts.entities, facts.tags)
    links, link_documents, types = data.kept_links()
    return Network(nodes, _fold_links(data, links, link_documents, types, node_of))


def _fold_spans(data: Dataset, rows, documents, names, tags) -> tuple[dict[str, Node], dict]:
    """Nodes from span rows (uuid, document id, quote, entity id, tag type id, attributes) in
    table order, and each span's node by uuid."""
    nodes: dict[str, Node] = {}
    kinds = {t.key: t.kind for t in data.schema.tag_types}
    node_key, loads = data.node_key, orjson.loads
    node_of: dict[str, str] = {}  # span uuid -> node, for the links
    pairs_of: dict[str, list[tuple[str, str]]] = {}  # attributes JSON -> (name, value) pairs
    for uuid, document, quote, entity, tag_id, attributes in rows:
        tag = tags[tag_id]
        key = node_of[uuid] = node_key(tag, quote, names[entity] if entity is not None else None)
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = Node(key, "", tag, kinds.get(tag, "custom"))
        node.spans.append(uuid)
        node.documents.add(documents[document])
        if attributes != "{}":
            pairs = pairs_of.get(attributes)
            if pairs is None:
                pairs = pairs_of[attributes] = [
                    (name, str(one))
                    for name, value in loads(attributes).items()
                    for one in (value if isinstance(value, list) else [value])
                ]
            values = node.values
            for pair in pairs:
                values[pair] = values.get(pair, 0) + 1
    for node in nodes.values():  # after every span: an entity's name wins over a mention's
        node.label = data.label(node.key)
    return nodes, node_of


def _fold_links(data: Dataset, links, link_documents, types, node_of) -> dict:
    """Edges from link rows (uuid, document id, link type id, source uuid, target uuid)."""
    directed = {t.key: t.directed for t in data.schema.link_types}
    edges: dict[tuple[str, str, str], Edge] = {}
    for link, document, type_id, source_span, target_span in links:
        source, target = node_of[source_span], node_of[target_span]
        if source == target:
            continue
        link_type = types[type_id]
        is_directed = directed.get(link_type, True)
        if not is_directed and target < source:
            source, target = target, source
        key = (source, target, link_type)
        edge = edges.get(key)
        if edge is None:
            edge = edges[key] = Edge(source, target, link_type, is_directed)
        edge.links.append(link)
        edge.documents.add(link_documents[document])
    return edges


@without_gc
def shown_network(data: Dataset, limit: int) -> tuple[Network, int]:
    """The `limit` most mentioned nodes with the edges between them (what the Network tab
    lays out and draws), and how many nodes the filter keeps in all. Counted in SQL over each
    span's stored node key (store/analytics_nodes.py): only the shown nodes' spans and links
    are read, so it costs a fraction of `build_network` on a million spans. Ties at the cut
    go by entity, then by key hash (`busiest` orders them by label). With an attribute
    filter, "merge by text", spans without their key (written by another tool) or a hash
    shared by two texts, it is `busiest(build_network(data))`, exactly."""
    found = None
    if not data.merge_by_text:
        with data.project.store.read() as session:
            found = shown_rows(session, data.link_scope, limit)
    if found is not None:
        nodes, node_of = _fold_spans(data, found.spans, found.documents, found.entities, found.tags)
        if len(nodes) == len(found.groups):  # else two texts share a hash: fold them all
            edges = _fold_links(data, found.links, found.documents, found.link_types, node_of)
            return Network(nodes, edges), found.total
    full = build_network(data)
    return busiest(full, limit), len(full.nodes)


def busiest(network: Network, limit: int) -> Network:
    """The `limit` most mentioned nodes (ties: by label) and the edges between them."""
    if len(network.nodes) <= limit:
        return network
    ranked = sorted(network.nodes.values(), key=lambda n: (-n.mentions, n.label))
    keep = {n.key for n in ranked[:limit]}
    return Network(
        {k: n for k, n in network.nodes.items() if k in keep},
        {k: e for k, e in network.edges.items() if e.source in keep and e.target in keep},
    )


def to_networkx(network: Network, metrics: dict[str, dict[str, Any]] | None = None):
    """A networkx MultiDiGraph: one edge per (source, target, link type), key = link type."""
    nx = require("networkx")

    graph = nx.MultiDiGraph()
    for node in network.nodes.values():
        extra = {name: values[node.key] for name, values in (metrics or {}).items()}
        graph.add_node(
            node.key,
            label=node.label,
            tag=node.tag,
            kind=node.kind,
            mentions=node.mentions,
            documents=len(node.documents),
            **extra,
        )
    for edge in network.edges.values():
        graph.add_edge(
            edge.source,
            edge.target,
            key=edge.link_type,
            link_type=edge.link_type,
            weight=edge.weight,
            links=len(edge.links),
            directed=edge.directed,
        )
    return graph


def compute_metrics(
    network: Network, *, exact_limit: int = 1000, betweenness_limit: int = 20000
) -> dict[str, dict[str, Any]]:
    """Degree (distinct neighbours), betweenness (exact up to `exact_limit` nodes, else
    estimated from 500 sampled sources, seeded; left out above `betweenness_limit` nodes,
    where even the estimate takes minutes) and connected component (1 = largest)."""
    nx = require("networkx")

    graph = nx.Graph()
    graph.add_nodes_from(network.nodes)
    graph.add_edges_from((e.source, e.target) for e in network.edges.values())
    degree = dict(graph.degree())
    count = graph.number_of_nodes()
    sample = None if count <= exact_limit else 500
    found: dict[str, dict[str, Any]] = {"degree": degree}
    if count <= betweenness_limit:
        found["betweenness"] = nx.betweenness_centrality(
            graph, k=sample, seed=0 if sample else None
        )
    component: dict[str, int] = {}
    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    for number, members in enumerate(parts, start=1):
        for key in members:
            component[key] = number
    found["component"] = component
    return found


def export_network(network: Network, path: Path, *, with_metrics: bool = True) -> list[Path]:
    """Write GraphML (.graphml), GEXF (.gexf) or CSV (.csv: the edge list, and the node list
    beside it as NAME.nodes.csv). Returns the files written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".graphml", ".gexf", ".csv"):
        raise ValidationError(f"cannot write a network as {suffix or 'a file without suffix'}")
    metrics = compute_metrics(network) if with_metrics else {}
    if suffix == ".csv":
        nodes_path = path.with_name(f"{path.stem}.nodes.csv")
        write_node_csv(network, nodes_path, metrics)
        write_edge_csv(network, path)
        return [path, nodes_path]
    nx = require("networkx")

    graph = to_networkx(network, metrics)
    if suffix == ".graphml":
        nx.write_graphml(graph, path)
    else:
        nx.write_gexf(graph, path)
    return [path]


def write_node_csv(network: Network, path: Path, metrics: dict[str, dict[str, Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "label", "tag", "kind", "mentions", "documents", *metrics])
        for node in network.nodes.values():
            writer.writerow(
                [
                    node.key,
                    node.label,
                    node.tag,
                    node.kind,
                    node.mentions,
                    len(node.documents),
                    *(metrics[name][node.key] for name in metrics),
                ]
            )


def write_edge_csv(network: Network, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["source", "target", "link_type", "directed", "weight", "links"])
        for edge in network.edges.values():
            writer.writerow(
                [
                    edge.source,
                    edge.target,
                    edge.link_type,
                    int(edge.directed),
                    edge.weight,
                    len(edge.links),
                ]
            )
