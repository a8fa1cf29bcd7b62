"""The report: one self-contained HTML file (charts inline as SVG, styles inline, no script, no
remote resource) with the network, timeline, claims table, statistics and every claim with its
quoted passages, sources and annotators. `images="png"` gives the same document with PNG
images named in a dict, for the PDF writer (Qt's rich text draws no SVG)."""

from __future__ import annotations

import base64
from collections import Counter
from html import escape
from pathlib import Path

from annotator.domain.ids import now
from annotator.services.analytics import charts, claims, statistics, timeline_pages
from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.network import build_network, busiest, compute_metrics
from annotator.services.analytics.passages import kwic, passages_of_spans
from annotator.services.gc_pause import without_gc
from annotator.services.project import Project

NETWORK_NODES = 120  # the busiest nodes drawn in the report's network image
TOP_ROWS = 40  # rows of the long statistics tables
RASTER_MARKS = 1000  # a timeline of more points (lane, day) is a PNG in the report

STYLE = """
body { font: 15px/1.5 Georgia, 'Noto Serif', serif; max-width: 70em; margin: 2em auto;
       padding: 0 1em; color: #222; }
h1, h2, h3 { font-family: 'Helvetica Neue', Arial, sans-serif; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; }
th { background: #f2f2f2; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.figure { margin: 1em 0; } .figure svg, .figure img { max-width: 100%; height: auto; }
.caption { color: #555; font-size: 13px; margin-top: 0; }
blockquote { margin: .6em 0; padding: .3em .8em; border-left: 4px solid #CC79A7;
             background: #faf6f9; }
mark { background: #f6e3ef; font-weight: bold; }
.source { color: #555; font-size: 13px; }
.meta { color: #555; }
"""


class _Images:
    """Charts inline as SVG, or as PNG files named in `png` (for the PDF)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.png: dict[str, bytes] = {}

    def figure(self, figure, caption: str, *, raster: bool = False) -> str:
        """`raster`: a chart of thousands of marks goes in as a PNG (data URI), which stays
        small where the SVG would carry every mark."""
        if self.mode == "svg" and raster:
            png = base64.b64encode(charts.to_png(figure, dpi=110)).decode()
            body = f'<img src="data:image/png;base64,{png}" alt="{escape(caption)}">'
        elif self.mode == "svg":
            body = charts.to_svg(figure)
        else:
            name = f"chart{len(self.png) + 1}.png"
            self.png[name] = charts.to_png(figure, dpi=90)
            body = f'<img src="{name}" alt="{escape(caption)}" width="640">'
        # div and p, not figure: Qt's rich text (the PDF) places an unknown block out of order
        return f"<div class='figure'>{body}<p class='caption'>{escape(caption)}</p></div>"


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{v}</td>'
            if isinstance(v, int | float)
            else f"<td>{escape(str(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@without_gc
def build_report(project: Project, data: Dataset, images: str = "svg") -> tuple[str, dict]:
    """(the HTML text, PNG images by name — empty for SVG)."""
    from annotator.services.analytics.layout import spring_positions

    pictures = _Images(images)
    info = project.store
    title = f"Annotator report — {escape(project.path.stem)}"
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>",
        f"<style>{STYLE}</style></head><body><h1>{title}</h1>",
        f"<p class='meta'>Written {escape(now()[:16].replace('T', ' '))} UTC from "
        f"{escape(str(info.path.name))}. Filter: {escape(data.filter.describe())}. "
        f"{len(data.documents):,} document(s), {data.span_count:,} span(s), "
        f"{data.link_count:,} link(s).</p>",
    ]
    network = build_network(data)
    shown = busiest(network, NETWORK_NODES)
    parts.append("<h2>Network</h2>")
    if shown.nodes:
        metrics = compute_metrics(shown)
        positions = spring_positions(shown)
        figure = charts.network_figure(positions, shown, data, NETWORK_NODES)
        parts.append(
            pictures.figure(
                figure,
                f"The {len(shown.nodes):,} most mentioned of {len(network.nodes):,} nodes; "
                "edge width grows with the number of documents.",
            )
        )
        top = sorted(shown.nodes.values(), key=lambda n: -metrics["degree"][n.key])[:TOP_ROWS]
        parts.append(
            _table(
                ["node", "tag", "mentions", "documents", "degree", "betweenness"],
                [
                    [
                        n.label,
                        n.tag,
                        n.mentions,
                        len(n.documents),
                        metrics["degree"][n.key],
                        round(metrics["betweenness"][n.key], 4),
                    ]
                    for n in top
                ],
            )
        )
        types = Counter(e.link_type for e in network.edges.values())
        parts.append(_table(["link type", "edges"], [[k, v] for k, v in sorted(types.items())]))
    else:
        parts.append("<p>No annotations in this filter.</p>")
    counts = timeline_pages.event_counts(data, "actor")
    parts.append("<h2>Timeline</h2>")
    if counts.dated():
        chart = charts.timeline_chart(counts).figure
        many = len(counts.points) > RASTER_MARKS
        parts.append(pictures.figure(chart, "Events by actor", raster=many))
    spread = timeline_pages.SpreadTable(data).rows  # counted in SQL where it can be
    parts.append("<h3>Spread of claims</h3>")
    parts.append(
        _table(
            ["claim", "first", "last", "documents", "outlets"],
            [[r.label, r.first, r.last, r.documents, r.outlets] for r in spread],
        )
    )
    rows = claims.claim_rows(data)
    parts.append("<h2>Claims</h2>")
    parts.append(_table(claims.claim_header(data), [claims.claim_cells(data, r) for r in rows]))
    parts.append("<h2>Statistics</h2>")
    colours = {t.key: t.color for t in data.schema.tag_types}
    for grouping in ("outlet", "month"):
        table = statistics.spans_per_tag(data, grouping)
        if table.rows:
            chart = charts.bar_chart(table, f"Spans per tag by {grouping}", colours)
            parts.append(pictures.figure(chart.figure, f"Spans per tag by {grouping}"))
            parts.append(_table([grouping, *table.columns], table.as_rows()[:TOP_ROWS]))
    values = statistics.attribute_distribution(data)
    parts.append("<h3>Attribute values</h3>")
    parts.append(_table(["attribute = value", "spans"], values.as_rows()))
    matrix = statistics.cooccurrence(project, data, "document", limit=20)
    if matrix.rows:
        parts.append("<h3>Actors named in the same document</h3>")
        parts.append(pictures.figure(charts.heat_map(matrix, "Co-occurrence").figure, "Actors"))
    progress = statistics.progress(data)
    parts.append("<h3>Progress</h3>")
    parts.append(_table(["annotator", *progress.columns], progress.as_rows()))
    parts.append(_every_claim(project, data, rows))
    parts.append("</body></html>")
    return "".join(parts), pictures.png


def _every_claim(project: Project, data: Dataset, rows: list[claims.ClaimRow]) -> str:
    """Each claim with every passage: the quote in context, its source and its annotator."""
    spans = [s for row in rows for s in row.spans]
    lines = {
        line.passage.span: line for line in kwic(project, data, passages_of_spans(data, spans))
    }
    parts = [f"<h2>Every claim and its passages ({len(rows):,})</h2>"]
    for number, row in enumerate(rows, start=1):
        parts.append(f"<h3 id='claim-{number}'>{number}. {escape(row.label)}</h3>")
        facts = []
        if row.asserted_by:
            facts.append("asserted by " + ", ".join(escape(k) for k in sorted(row.asserted_by)))
        for key, counter in row.values.items():
            if counter:
                facts.append(f"{escape(key)}: {escape(claims.counts_text(counter))}")
        if facts:
            parts.append(f"<p class='meta'>{'; '.join(facts)}</p>")
        for uuid in row.spans:
            line = lines.get(uuid)
            if line is None:
                continue
            document = data.documents[line.passage.document]
            source = ", ".join(
                escape(x)
                for x in (
                    f"“{document.title}”",
                    document.outlet,
                    document.author,
                    document.published,
                    document.url,
                )
                if x
            )
            who = escape(data.annotators.get(line.passage.annotator, line.passage.annotator))
            parts.append(
                f"<blockquote>…{escape(line.left)} <mark>{escape(line.keyword)}</mark> "
                f"{escape(line.right)}…<div class='source'>{source} — annotated by {who}</div>"
                "</blockquote>"
            )
    return "".join(parts)


@without_gc  # through the write: the collector would walk the report's rows and text again
def write_html(project: Project, data: Dataset, path: Path) -> Path:
    """Write the self-contained HTML report (through a temporary file: never half-written).
    The PDF is written by the GUI layer (annotator/gui/analytics/pdf.py): it needs Qt."""
    path = Path(path)
    html, _ = build_report(project, data, "svg")
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(path)
    return path
