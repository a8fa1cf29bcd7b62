"""Charts as matplotlib Figures (no pyplot, no GUI backend): the Qt windows draw them on a
QtAgg canvas, the report writes them as SVG, the CLI runs headless. Every clickable artist is
mapped to the key of the figure it shows, so a click leads back to its passages."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from annotator.services.analytics.extras import require
from annotator.services.analytics.statistics import Table
from annotator.services.analytics.timeline_pages import EventCounts, busiest_lanes, calendar_date

# Labels quote the text, emoji included; matplotlib's fonts lack them and would warn per glyph.
warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")

#: Colour-blind-safe palette (Okabe-Ito), cycled.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MAX_ROWS = 40  # a bar chart of more rows shows the largest


@dataclass
class Chart:
    figure: Any
    # artist -> (row, column), or for a line of points: [(row, column)] by point index
    picks: dict[Any, Any] = field(default_factory=dict)
    grid: tuple[list[str], list[str]] | None = None  # heat map: (rows, columns) by index


def _figure(width: float = 8, height: float = 4.5):
    figure_module = require("matplotlib.figure")
    figure = figure_module.Figure(figsize=(width, height), layout="constrained")
    return figure


def bar_chart(table: Table, title: str, colours: dict[str, str] | None = None) -> Chart:
    """Stacked horizontal bars: one bar per row, a segment per column."""
    totals = {row: sum(table.count(row, c) for c in table.columns) for row in table.rows}
    rows = sorted(table.rows, key=lambda r: -totals[r])[:MAX_ROWS][::-1]
    figure = _figure(8, max(2.5, 0.32 * len(rows) + 1.2))
    axes = figure.add_subplot()
    chart = Chart(figure)
    left = [0] * len(rows)
    for index, column in enumerate(table.columns):
        values = [table.count(row, column) for row in rows]
        if not any(values):
            continue
        colour = (colours or {}).get(column, PALETTE[index % len(PALETTE)])
        bars = axes.barh([_short(r) for r in rows], values, left=left, label=column, color=colour)
        for bar, row in zip(bars, rows, strict=True):
            bar.set_picker(True)
            chart.picks[bar] = (row, column)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_title(title)
    axes.set_xlabel("spans" if "tag" in title.lower() else "count")
    if len(table.columns) > 1 and rows:
        axes.legend(fontsize="small", loc="lower right")
    return chart


def heat_map(table: Table, title: str) -> Chart:
    numpy = require("numpy")
    rows, columns = table.rows, table.columns
    size = max(4.0, 0.35 * len(columns) + 2.5)
    figure = _figure(size + 1.5, size)
    axes = figure.add_subplot()
    values = numpy.array([[table.count(r, c) for c in columns] for r in rows] or [[0]])
    image = axes.imshow(values, cmap="Blues")
    axes.set_xticks(range(len(columns)), [_short(c, 18) for c in columns], rotation=60, ha="right")
    axes.set_yticks(range(len(rows)), [_short(r, 24) for r in rows])
    if len(rows) <= 15:
        for i in range(len(rows)):
            for j in range(len(columns)):
                if values[i, j]:
                    dark = values[i, j] > values.max() / 2
                    axes.text(
                        j,
                        i,
                        str(values[i, j]),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if dark else "black",
                    )
    figure.colorbar(image, ax=axes, shrink=0.7)
    axes.set_title(title)
    return Chart(figure, grid=(list(rows), list(columns)))


def timeline_chart(counts: EventCounts, title: str = "Events", lanes: int = 30) -> Chart:
    """Events on a date axis, one lane per actor or document (the `lanes` busiest; the rest
    share one), estimated dates hollow: a point per lane and date, its area by the events on
    it. One scatter artist per lane and kind of date; a pick names the point as
    ("date\testimated", lane)."""
    dates_module = require("matplotlib.dates")
    kept, other = busiest_lanes(counts.points, lanes)
    names = kept + ([other] if other else [])
    index = {lane: i for i, lane in enumerate(names)}
    figure = _figure(9, max(2.5, 0.4 * len(names) + 1.5))
    axes = figure.add_subplot()
    chart = Chart(figure)
    series: dict[tuple[str, bool], dict[Any, list]] = {}
    for (lane, date, estimated), n in sorted(counts.points.items()):
        when = calendar_date(date)
        if when is None:
            continue
        shown = lane if lane in index else other
        point = series.setdefault((shown, estimated), {}).setdefault(when, [date, 0, []])
        point[1] += n
        point[2] += counts.names.get((lane, date, estimated), [])
    dated = counts.dated()
    base = 81 if dated < 500 else 25  # points^2: one event's marker as before
    for (lane, estimated), points in series.items():
        colour = PALETTE[index[lane] % len(PALETTE)]
        whens = list(points)
        artist = axes.scatter(
            whens,
            [index[lane]] * len(whens),
            s=[base * min(points[w][1], 400) ** 0.5 for w in whens],
            picker=True,
            facecolors="none" if estimated else colour,
            edgecolors=colour,
            linewidths=1.2,
        )
        chart.picks[artist] = [(f"{points[w][0]}\t{int(estimated)}", lane) for w in whens]
        for when in whens:  # few events: name them
            for offset, label in enumerate(points[when][2]):
                axes.annotate(
                    _short(label, 24),
                    (when, index[lane]),
                    fontsize=7,
                    xytext=(5, 6 + 9 * offset),
                    textcoords="offset points",
                )
    axes.set_yticks(range(len(names)), [_short(lane, 30) for lane in names])
    axes.set_ylim(-0.7, max(len(names) - 0.3, 0.7))
    axes.xaxis.set_major_formatter(dates_module.DateFormatter("%Y-%m-%d"))
    figure.autofmt_xdate()
    note = f"; {counts.undated:,} undated" if counts.undated else ""
    larger = "; larger: more events on the day" if dated > len(counts.points) else ""
    axes.set_title(f"{title} (hollow: publication date stands in{note}{larger})")
    axes.grid(axis="x", alpha=0.3)
    return chart


def network_figure(positions: dict[str, tuple[float, float]], network, data, limit: int = 300):
    """The network drawn for the report: the `limit` busiest nodes, coloured by tag, the 40
    busiest labelled; edges as one collection (one artist, not one per edge)."""
    collections = require("matplotlib.collections")
    figure = require("matplotlib.figure").Figure(figsize=(9, 7))
    axes = figure.add_axes((0.01, 0.01, 0.98, 0.94))
    axes.set_axis_off()
    busiest = sorted(network.nodes.values(), key=lambda n: -n.mentions)[:limit]
    shown = {n.key for n in busiest}
    edges = [e for e in network.edges.values() if e.source in shown and e.target in shown]
    axes.add_collection(
        collections.LineCollection(
            [(positions[e.source], positions[e.target]) for e in edges],
            colors="#999999",
            linewidths=[0.5 + e.weight**0.5 for e in edges],
            alpha=0.6,
            zorder=1,
        )
    )
    colours = {t.key: t.color for t in data.schema.tag_types}
    axes.scatter(
        [positions[n.key][0] for n in busiest],
        [positions[n.key][1] for n in busiest],
        s=[30 + 12 * n.mentions**0.8 for n in busiest],
        c=[colours.get(n.tag, "#777777") for n in busiest],
        zorder=2,
        edgecolors="white",
        linewidths=0.5,
    )
    for node in busiest[:40]:
        axes.annotate(
            _short(node.label, 28),
            positions[node.key],
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
            zorder=3,
            annotation_clip=False,
        )
    axes.autoscale_view()
    axes.margins(0.12)  # room for the labels of the outermost nodes
    axes.set_title(f"Network: {len(network.nodes):,} nodes, {len(network.edges):,} edges")
    return figure


def to_svg(figure) -> str:
    """The figure as an SVG document (text as paths: no font needed to read it)."""
    out = io.StringIO()
    figure.savefig(out, format="svg")
    text = out.getvalue()
    return text[text.index("<svg") :]


def to_png(figure, dpi: int = 100) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
