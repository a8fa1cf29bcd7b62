"""Charts as matplotlib Figures (no pyplot, no GUI backend): the Qt windows draw them on a
QtAgg canvas, the report writes them as SVG, the CLI runs headless. Every clickable artist is
mapped to the key of the figure it shows, so a click leads back to its passages."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from annotator.services.analytics.extras import require
from annotator.services.analytics.statistics import Table
from annotator.services.analytics.timeline import TimelineEvent

#: Colour-blind-safe palette (Okabe-Ito), cycled.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MAX_ROWS = 40  # a bar chart of more rows shows the largest


@dataclass
class Chart:
    figure: Any
    picks: dict[Any, tuple[str, str]] = field(default_factory=dict)  # artist -> (row, column)
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


def timeline_chart(events: list[TimelineEvent], title: str = "Events") -> Chart:
    """Events on a date axis, one lane per actor or document; estimated dates hollow."""
    dates_module = require("matplotlib.dates")
    import datetime

    dated = [e for e in events if _date(e.date, datetime)]
    lanes = sorted({lane for e in dated for lane in e.lanes})
    figure = _figure(9, max(2.5, 0.4 * len(lanes) + 1.5))
    axes = figure.add_subplot()
    chart = Chart(figure)
    index = {lane: i for i, lane in enumerate(lanes)}
    for event in dated:
        when = _date(event.date, datetime)
        for lane in event.lanes:
            colour = PALETTE[index[lane] % len(PALETTE)]
            (point,) = axes.plot(
                [when],
                [index[lane]],
                "o",
                markersize=9,
                picker=6,
                markerfacecolor="none" if event.estimated else colour,
                markeredgecolor=colour,
            )
            chart.picks[point] = (event.span, lane)
            if len(dated) <= 40:  # few events: name them
                axes.annotate(
                    _short(event.label, 24),
                    (when, index[lane]),
                    fontsize=7,
                    xytext=(5, 6),
                    textcoords="offset points",
                )
    axes.set_yticks(range(len(lanes)), [_short(lane, 30) for lane in lanes])
    axes.set_ylim(-0.7, max(len(lanes) - 0.3, 0.7))
    axes.xaxis.set_major_formatter(dates_module.DateFormatter("%Y-%m-%d"))
    figure.autofmt_xdate()
    undated = len(events) - len(dated)
    note = f"; {undated} undated" if undated else ""
    axes.set_title(f"{title} (hollow: publication date stands in{note})")
    axes.grid(axis="x", alpha=0.3)
    return chart


def network_figure(positions: dict[str, tuple[float, float]], network, data, limit: int = 300):
    """The network drawn for the report: the `limit` busiest nodes, coloured by tag."""
    figure = _figure(9, 7)
    axes = figure.add_subplot()
    axes.set_axis_off()
    busiest = sorted(network.nodes.values(), key=lambda n: -n.mentions)[:limit]
    shown = {n.key for n in busiest}
    for edge in network.edges.values():
        if edge.source in shown and edge.target in shown:
            (x1, y1), (x2, y2) = positions[edge.source], positions[edge.target]
            axes.plot(
                [x1, x2],
                [y1, y2],
                color="#999999",
                linewidth=0.5 + edge.weight**0.5,
                alpha=0.6,
                zorder=1,
            )
    colours = {t.key: t.color for t in data.schema.tag_types}
    for node in busiest:
        x, y = positions[node.key]
        axes.scatter(
            [x],
            [y],
            s=30 + 12 * node.mentions**0.8,
            color=colours.get(node.tag, "#777"),
            zorder=2,
            edgecolors="white",
            linewidths=0.5,
        )
        axes.annotate(
            _short(node.label, 28),
            (x, y),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
            zorder=3,
        )
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


def _date(value: str, datetime):
    try:
        return (
            datetime.date.fromisoformat(value[:10])
            if len(value) >= 10
            else (datetime.date.fromisoformat(value + "-01") if len(value) == 7 else None)
        )
    except ValueError:
        return None
