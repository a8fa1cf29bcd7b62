"""Analytics benchmark: on the 10,000-document project (1M spans, 200k links) each view's data
is ready in <= 2 s; the network view pans and zooms with 5,000 nodes in <= 16 ms a frame; the
report for 1,000 documents is written in <= 10 s.

* data: in a fresh process per view, from the project file on disk: open the project (timed
  apart: the app has it open when the window reloads), load the dataset for the "all layers"
  filter (documents, names, statuses: each view reads its own rows or counts) and compute
  the view's figures (what the Analytics window does on a reload): network (the busiest
  5,000 nodes the tab lays out, their edges and the count of every node; exports fold them
  all), timeline, claims, statistics. Median of --rounds; CPU time of the process too.
  The claims row times what the Claims tab reads before it paints (every claim's summary
  and the first page's full rows); `--child claims-fold` the fold of every claim's full row
  (the baseline, what exports still do); `--child claims-tab` the real tab until painted.
  The timeline row times what the Timeline tab reads before it paints (events per chart point
  and every claim's spread, counted in SQL); `--child timeline-fold` the fold of every event
  and claim span (the baseline, what the CSV export still does); `--child timeline-tab` the
  real tab until its chart and first page are painted.
* frame: the real NetworkView (offscreen Qt) showing the 5,000 most mentioned nodes of that
  network and their edges; a frame = one pan step or one zoom step plus a synchronous repaint
  of the viewport (1600x1000). Median and 95th percentile of --frames.
* report: `annotator report PROJECT -o report.html --layer all` on the 1,000-document project,
  a fresh process, until the file is written. Median of --rounds.

    .venv/bin/python tests/perf/bench_analytics.py               # full size
    .venv/bin/python tests/perf/bench_analytics.py --scale 0.1    # quick check
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from perf_data import (
    ANNOTATOR_NAME,
    common_arguments,
    emit,
    run_child,
    say,
    table,
)

VIEWS = ("network", "timeline", "claims", "statistics")
DATA_TARGET_S, FRAME_TARGET_MS, REPORT_TARGET_S = 2.0, 16.0, 10.0


def child_view(path: Path, view: str) -> None:
    from annotator.gui.analytics.network_tab import VIEW_NODES
    from annotator.services.analytics import claims, network, statistics, timeline, timeline_pages
    from annotator.services.analytics.claim_pages import PAGE, ClaimTable
    from annotator.services.analytics.dataset import load_dataset
    from annotator.services.analytics.filters import AnalyticsFilter
    from annotator.services.project import Project

    opening = time.perf_counter()
    with Project.open(path, annotator_name=ANNOTATOR_NAME, read_only=True) as project:
        started = time.perf_counter()  # the window works on the project the app has open
        cpu = time.process_time()
        data = load_dataset(project, AnalyticsFilter(layer="all"))
        loaded = time.perf_counter()
        if view == "network":  # what the Network tab lays out: the busiest nodes, and the count
            _shown, size = network.shown_network(data, VIEW_NODES)
        elif view == "timeline":  # what the Timeline tab reads before it paints: the events
            counts = timeline_pages.event_counts(data)  # per chart point, the claims' spread
            size = counts.events + len(timeline_pages.SpreadTable(data).rows)
        elif view == "timeline-fold":  # the baseline: every event and claim span folded
            size = len(timeline.events(data)) + len(timeline.claim_spread(data))
        elif view == "claims":  # what the Claims tab reads before it paints: every claim's
            table = ClaimTable(data)  # summary, and the full rows of the first page
            table.full(table.order[:PAGE])
            size = len(table.order)
        elif view == "claims-fold":  # the baseline: every claim's full row (the Python fold)
            size = len(claims.claim_rows(data))
        else:
            for grouping in statistics.GROUPINGS:
                statistics.spans_per_tag(data, grouping)
            statistics.attribute_distribution(data)
            statistics.cooccurrence(project, data, "document")
            size = len(statistics.progress(data).rows)
    done = time.perf_counter()
    emit(
        {
            "seconds": done - started,
            "cpu": time.process_time() - cpu,
            "load": loaded - started,
            "open": started - opening,
            "size": size,
        }
    )


def child_claims_tab(path: Path) -> None:
    """The real Claims tab (offscreen, 1600x1000): from the dataset until its first page is
    painted, then a scroll to the end of the fetched rows and a sort by the claim column."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from annotator.gui.analytics.claims_tab import ClaimsTab
    from annotator.services.analytics.dataset import load_dataset
    from annotator.services.analytics.filters import AnalyticsFilter
    from annotator.services.project import Project

    app = QApplication.instance() or QApplication([])
    tab = ClaimsTab()
    tab.resize(1600, 1000)
    tab.show()
    app.processEvents()
    with Project.open(path, annotator_name=ANNOTATOR_NAME, read_only=True) as project:
        started, cpu = time.perf_counter(), time.process_time()
        tab.set_data(load_dataset(project, AnalyticsFilter(layer="all")))
        tab.table.viewport().repaint()
        shown, shown_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        tab.table.scrollToBottom()  # fetches the next page
        app.processEvents()
        tab.table.viewport().repaint()
        scrolled = time.perf_counter() - started
        started = time.perf_counter()
        tab.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        tab.table.viewport().repaint()
        sorted_s = time.perf_counter() - started
        emit(
            {
                "seconds": shown,
                "cpu": shown_cpu,
                "scroll": scrolled,
                "sort": sorted_s,
                "size": len(tab.model.rows),
            }
        )


def child_timeline_tab(path: Path) -> None:
    """The real Timeline tab (offscreen, 1600x1000): from the dataset until its chart and the
    first page of the claims' spread are painted; then a click on the busiest point (its
    events' passages) and a sort of the spread by claim."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from annotator.gui.analytics.timeline_tab import TimelineTab
    from annotator.services.analytics.dataset import load_dataset
    from annotator.services.analytics.extras import require
    from annotator.services.analytics.filters import AnalyticsFilter
    from annotator.services.project import Project

    require("matplotlib.backends.backend_qtagg")  # imported once a session, by any chart
    app = QApplication.instance() or QApplication([])
    tab = TimelineTab()
    tab.resize(1600, 1000)
    tab.show()
    app.processEvents()
    listed: list[int] = []
    tab.passages_requested.connect(lambda _title, passages: listed.append(len(passages)))
    with Project.open(path, annotator_name=ANNOTATOR_NAME, read_only=True) as project:
        started, cpu = time.perf_counter(), time.process_time()
        tab.set_data(load_dataset(project, AnalyticsFilter(layer="all")))
        tab.chart.canvas.draw()  # the chart drawn now, not when the event loop idles
        tab.repaint()
        shown, shown_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        picks = [pick for line in tab.chart.chart.picks.values() for pick in line]
        points = {f"{d}\t{int(e)}": n for (_, d, e), n in tab.counts.points.items()}
        tab._picked(*max(picks, key=lambda pick: points.get(pick[0], 0)))
        clicked = time.perf_counter() - started
        started = time.perf_counter()
        tab.claims.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        tab.claims.viewport().repaint()
        sorted_s = time.perf_counter() - started
        emit(
            {
                "seconds": shown,
                "cpu": shown_cpu,
                "click": clicked,
                "passages": listed[-1] if listed else 0,
                "sort": sorted_s,
                "size": len(tab.model.rows),
            }
        )


def child_frames(path: Path, frames: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from annotator.gui.analytics.network_tab import VIEW_NODES
    from annotator.gui.analytics.network_view import NetworkView
    from annotator.services.analytics.dataset import load_dataset
    from annotator.services.analytics.filters import AnalyticsFilter
    from annotator.services.analytics.layout import spring_positions
    from annotator.services.analytics.network import shown_network
    from annotator.services.project import Project

    app = QApplication.instance() or QApplication([])
    with Project.open(path, annotator_name=ANNOTATOR_NAME, read_only=True) as project:
        data = load_dataset(project, AnalyticsFilter(layer="all"))
    shown, _ = shown_network(data, VIEW_NODES)
    started = time.perf_counter()
    positions = spring_positions(shown)
    layout_s = time.perf_counter() - started
    view = NetworkView()
    view.resize(1600, 1000)
    view.show()
    colours = {t.key: QColor(t.color) for t in data.schema.tag_types}
    edge_colours = {t.key: QColor(t.color) for t in data.schema.link_types}
    view.show_network(
        shown,
        positions,
        set(shown.nodes),
        lambda n: 7 + 4 * n.mentions**0.5,
        lambda n: colours.get(n.tag, QColor("#777")),
        edge_colours,
        set(),
    )
    app.processEvents()
    view.zoom(3.0)  # a working zoom: part of the network fills the view
    times = []
    for frame in range(frames):
        step = frame % 4
        begin = time.perf_counter()
        if step == 0:
            view.zoom(1.1)
        elif step == 1:
            view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + 40)
        elif step == 2:
            view.zoom(1 / 1.1)
        else:
            view.verticalScrollBar().setValue(view.verticalScrollBar().value() + 40)
        view.viewport().repaint()
        times.append((time.perf_counter() - begin) * 1000)
    times.sort()
    emit(
        {
            "nodes": len(shown.nodes),
            "edges": len(shown.edges),
            "median_ms": stats.median(times),
            "p95_ms": times[int(0.95 * (len(times) - 1))],
            "max_ms": times[-1],
            "layout_s": layout_s,
        }
    )


def report_run(path: Path, out: Path) -> float:
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "annotator",
        "report",
        str(path),
        "--annotator",
        ANNOTATOR_NAME,
        "--layer",
        "all",
        "-o",
        str(out),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    assert out.exists()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--report-scale", type=float, default=0.1)
    parser.add_argument(
        "--child",
        choices=[*VIEWS, "claims-fold", "claims-tab", "timeline-fold", "timeline-tab", "frames"],
    )
    parser.add_argument("--project", type=Path)
    args = parser.parse_args()
    if args.child == "frames":
        child_frames(args.project, args.frames)
        return 0
    if args.child == "claims-tab":
        child_claims_tab(args.project)
        return 0
    if args.child == "timeline-tab":
        child_timeline_tab(args.project)
        return 0
    if args.child:
        child_view(args.project, args.child)
        return 0
    script = str(Path(__file__).resolve())
    path = Path(run_child_path(args.workdir, args.scale))
    report_path = Path(run_child_path(args.workdir, args.report_scale))
    say(f"load: {os.getloadavg()}")
    rows, failed = [], False
    for view in VIEWS:
        results = [
            run_child(script, ["--child", view, "--project", str(path)]) for _ in range(args.rounds)
        ]
        seconds = [r["seconds"] for r in results]
        median = stats.median(seconds)
        failed |= median > DATA_TARGET_S
        rows.append(
            [
                f"{view} data",
                f"{median:.2f} s",
                f"{min(seconds):.2f}–{max(seconds):.2f}",
                f"cpu {stats.median(r['cpu'] for r in results):.2f} s, dataset "
                f"{stats.median(r['load'] for r in results):.2f} s; {results[0]['size']:,} "
                f"items; project open {stats.median(r['open'] for r in results):.1f} s",
                f"<= {DATA_TARGET_S} s",
            ]
        )
    frame = run_child(
        script, ["--child", "frames", "--project", str(path), "--frames", str(args.frames)]
    )
    failed |= frame["median_ms"] > FRAME_TARGET_MS
    rows.append(
        [
            f"network frame ({frame['nodes']:,} nodes, {frame['edges']:,} edges)",
            f"{frame['median_ms']:.1f} ms",
            f"p95 {frame['p95_ms']:.1f}, max {frame['max_ms']:.1f}",
            f"layout {frame['layout_s']:.1f} s (worker thread)",
            f"<= {FRAME_TARGET_MS} ms",
        ]
    )
    out = args.workdir / "bench-report.html"
    seconds = [report_run(report_path, out) for _ in range(args.rounds)]
    failed |= stats.median(seconds) > REPORT_TARGET_S
    rows.append(
        [
            f"report ({report_path.name})",
            f"{stats.median(seconds):.2f} s",
            f"{min(seconds):.2f}–{max(seconds):.2f}",
            f"{out.stat().st_size / 1e6:.1f} MB HTML",
            f"<= {REPORT_TARGET_S} s",
        ]
    )
    print(table(["case", "median", "range", "notes", "target"], rows))
    say(f"load: {os.getloadavg()}")
    return 1 if failed else 0


def run_child_path(workdir: Path, scale: float) -> str:
    """The cached project of `scale`, built in a child process if missing."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
        "import perf_data; print(perf_data.ensure_project(Path(sys.argv[2]), float(sys.argv[3])))"
    )
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(Path(__file__).resolve().parent),
            str(workdir),
            str(scale),
        ],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return found.stdout.strip().splitlines()[-1]


if __name__ == "__main__":
    sys.exit(main())
