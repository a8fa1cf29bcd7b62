"""The statistics of a Dataset as plain data (`annotator stats --json`) and as text tables."""

from __future__ import annotations

from collections import Counter
from typing import Any

from annotator.services.analytics import statistics
from annotator.services.analytics.dataset import (
    Dataset,
    links_per_type_of,
    spans_per_document_tag_of,
)
from annotator.services.analytics.statistics import Table
from annotator.services.project import Project


def table_json(table: Table) -> dict[str, dict[str, int]]:
    """{row: {column: count}} without the zero cells."""
    found: dict[str, dict[str, int]] = {}
    for (row, column), count in table.counts.items():
        if count:
            found.setdefault(row, {})[column] = count
    return found


def totals(data: Dataset) -> dict[str, Any]:
    """Documents, spans and links, and spans per tag and links per type (counted in SQL)."""
    tags: Counter = Counter()
    for _, tag, count in data.count("document_tag", spans_per_document_tag_of):
        tags[tag] += count
    types = dict(data.count("link_types", links_per_type_of))
    return {
        "documents": len(data.documents),
        "spans": sum(tags.values()),
        "links": sum(types.values()),
        "spans_per_tag": dict(sorted(tags.items())),
        "links_per_type": dict(sorted(types.items())),
    }


def summary_json(project: Project, data: Dataset, unit: str = "document") -> dict[str, Any]:
    return {
        "filter": data.filter.describe(),
        **totals(data),
        "spans_per_tag_by": {
            grouping: table_json(statistics.spans_per_tag(data, grouping))
            for grouping in statistics.GROUPINGS
        },
        "attribute_values": table_json(statistics.attribute_distribution(data)),
        "cooccurrence": {
            "unit": unit,
            "counts": table_json(statistics.cooccurrence(project, data, unit)),
        },
        "progress": table_json(statistics.progress(data)),
    }


def text_table(header: list[str], rows: list[list[object]]) -> list[str]:
    """Columns padded to their widest cell; the first left-aligned, the others right."""
    cells = [[str(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for number, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if number == 0:
            lines.append("-" * len(lines[0]))
    return lines


def render_summary(project: Project, data: Dataset, grouping: str, unit: str) -> str:
    found = totals(data)
    lines = [
        f"{found['documents']:,} document(s), {found['spans']:,} span(s), "
        f"{found['links']:,} link(s) ({data.filter.describe()})",
        "",
        f"Spans per tag by {grouping}:",
    ]
    table = statistics.spans_per_tag(data, grouping)
    lines += text_table([grouping, *table.columns], table.as_rows())
    attributes = statistics.attribute_distribution(data)
    lines += ["", "Attribute values:"]
    lines += text_table(["attribute = value", "spans"], attributes.as_rows())
    links = found["links_per_type"]
    lines += ["", "Links per type:"]
    lines += text_table(["type", "links"], [[k, v] for k, v in links.items()])
    matrix = statistics.cooccurrence(project, data, unit)
    lines += ["", f"Actors named in the same {unit} (pairs, most first):"]
    pairs = sorted(
        ((n, a, b) for (a, b), n in matrix.counts.items() if a < b), key=lambda x: (-x[0], x[1])
    )
    lines += text_table(["actor", "actor", f"{unit}s"], [[a, b, n] for n, a, b in pairs[:30]])
    progress = statistics.progress(data)
    lines += ["", "Progress (documents per annotator and status):"]
    lines += text_table(["annotator", *progress.columns], progress.as_rows())
    return "\n".join(lines)
