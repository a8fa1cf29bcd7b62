"""Node positions for the network view and the report: networkx's spring layout (seeded, so the
same network gets the same picture), pinned nodes kept where the user put them."""

from __future__ import annotations

from annotator.services.analytics.extras import require
from annotator.services.analytics.network import Network


def spring_positions(
    network: Network,
    start: dict[str, tuple[float, float]] | None = None,
    pinned: frozenset[str] = frozenset(),
    *,
    seed: int = 7,
) -> dict[str, tuple[float, float]]:
    """Positions in about [-1, 1]², starting from `start` where given (an updated network
    keeps its picture) with the `pinned` nodes held in place. Larger networks get fewer
    iterations: each costs O(n²) below 500 nodes and O(n·edges) above, in networkx."""
    nx = require("networkx")
    graph = nx.Graph()
    graph.add_nodes_from(network.nodes)
    for edge in network.edges.values():
        if graph.has_edge(edge.source, edge.target):
            graph[edge.source][edge.target]["weight"] += edge.weight
        else:
            graph.add_edge(edge.source, edge.target, weight=edge.weight)
    if graph.number_of_nodes() == 0:
        return {}
    known = {k: p for k, p in (start or {}).items() if k in graph}
    fixed = [key for key in pinned if key in known]
    count = graph.number_of_nodes()
    iterations = 50 if count <= 1000 else 30 if count <= 3000 else 20
    found = nx.spring_layout(
        graph,
        pos=known or None,
        fixed=fixed or None,
        seed=seed,
        iterations=iterations,
        k=None if count > 2 else 1.0,
    )
    return {key: (float(x), float(y)) for key, (x, y) in found.items()}
