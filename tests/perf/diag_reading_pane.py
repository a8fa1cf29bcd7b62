"""Diagnostic (a proxy, not the user's path): the reading pane widget alone against bare
QPlainTextEdit: open, edit, repaint, memory.

It feeds in-memory display spans to a standalone ReadingView: no project file, no checklist, no
window, no table models. Use it to tell the widget's own cost from the rest; the figures that
count come from ``bench_window.py`` (the real window from a project file).

Run ``python tests/perf/diag_reading_pane.py`` (``--help`` for options). Offscreen, 1200×900,
a 5 MB article-like text with 50,000 spans (nested and overlapping, 30 % linked to a nearby
span). Prints a table of medians and exits non-zero when a target is missed. Not part of the
default test run (pytest ignores tests/perf);
``pytest -o addopts= tests/perf/diag_reading_pane.py`` runs a shorter version as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from annotator.gui.reading import DisplayLink, DisplaySpan, ReadingView

WIDTH, HEIGHT = 1200, 900
COLORS = ("#e6a23c", "#409eff", "#9b59b6")
SENTENCES = [
    "The city council approved the budget for next year after a long debate.",
    "Mayor Ana Kovač said the plan would fund new schools and repair old bridges.",
    "Opposition members claimed the figures were inflated by optimistic forecasts.",
    "According to the finance office, revenue grew by 4.2 % in the last quarter.",
    "Residents protested outside the town hall on Tuesday morning.",
    "The transport authority announced that bus fares will not rise before 2026.",
    "Critics argued that the consultation had been rushed and poorly advertised.",
    "A spokesperson for the union welcomed the agreement on public sector wages.",
    "The regional court will hear the case about the harbour contract in March.",
    "Experts from the university warned that the flood defences need upgrades.",
    "Officials denied that the tender process had favoured a single company.",
    "The deputy mayor’s office published the full list of projects online.",
]


def make_text(size: int, seed: int = 7) -> str:
    """Paragraphs of 3–7 sentences (LF-separated), about ``size`` code points."""
    rng = random.Random(seed)
    paragraphs, total = [], 0
    while total < size:
        para = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 7)))
        if len(paragraphs) % 40 == 7:  # an emoji now and then (astral: offsets differ)
            para = para.replace("morning.", "morning 😀.", 1)
        paragraphs.append(para)
        total += len(para) + 1
    return "\n".join(paragraphs)[:size]


def make_annotations(
    text: str, count: int, seed: int = 11
) -> tuple[list[DisplaySpan], list[DisplayLink]]:
    """Spans of 3–60 code points: 60 % random, 25 % nested in, 15 % overlapping an earlier one;
    30 % get a link to a span within ±3,000 code points. Returned sorted by start."""
    rng = random.Random(seed)
    n = len(text)
    raw: list[tuple[int, int]] = []
    for _ in range(count):
        roll = rng.random()
        if raw and roll < 0.25:
            a, b = raw[rng.randrange(len(raw))]
            if b - a > 4:
                s = rng.randint(a, b - 3)
                raw.append((s, rng.randint(s + 1, b)))
                continue
        if raw and roll < 0.40:
            a, b = raw[rng.randrange(len(raw))]
            s = rng.randint(a + 1, b - 1) if b - a > 2 else a
            raw.append((s, min(n, s + rng.randint(3, 60))))
            continue
        s = rng.randrange(n - 61)
        raw.append((s, s + rng.randint(3, 60)))
    raw.sort()
    spans = [
        DisplaySpan(f"span-{i:06d}", ((a, b),), COLORS[i % 3], "tag", f"tag {i}\nby bench")
        for i, (a, b) in enumerate(raw)
    ]
    links = []
    for i, sp in enumerate(spans):
        if rng.random() < 0.3:
            j = i + rng.randint(-30, 30)  # ~100 code points per span: ±3,000 code points
            if 0 <= j < len(spans) and j != i and abs(spans[j].start - sp.start) <= 3000:
                links.append(DisplayLink(f"link-{i}", sp.id, spans[j].id, "rel", "#7f8c8d"))
    return spans, links


def ms(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def shown(widget: QPlainTextEdit, app: QApplication) -> QPlainTextEdit:
    widget.resize(WIDTH, HEIGHT)
    widget.show()
    app.processEvents()
    return widget


def dispose(widget: QPlainTextEdit, app: QApplication) -> None:
    widget.hide()
    widget.deleteLater()
    app.processEvents()


def peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(kind: str, size: int, count: int) -> None:
    """One memory measurement in a fresh process: prints the peak RSS in MB as JSON."""
    app = QApplication.instance() or QApplication([])
    text = make_text(size)
    if kind == "ours":
        spans, links = make_annotations(text, count)
        view = shown(ReadingView(), app)
        view.set_document(text, spans, links)
        view.set_show_all_links(True)
    else:
        if kind == "bare+data":
            data = make_annotations(text, count)  # noqa: F841 - held, like the app would
        view = shown(QPlainTextEdit(), app)
        view.setReadOnly(True)
        view.setPlainText(text)
    app.processEvents()
    bar = view.verticalScrollBar()
    for fraction in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0):  # visit a few places, like a reader
        bar.setValue(int(bar.maximum() * fraction))
        view.viewport().repaint()
    print(json.dumps({"kind": kind, "peak_mb": peak_rss_mb()}))


def measure_memory(size: int, count: int) -> dict[str, float]:
    out = {}
    for kind in ("bare", "bare+data", "ours"):
        args = [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--size",
            str(size),
            "--spans",
            str(count),
        ]
        res = subprocess.run(args, capture_output=True, text=True, check=True)
        out[kind] = json.loads(res.stdout.strip().splitlines()[-1])["peak_mb"]
    return out


Row = tuple[str, float, float | None]  # name, median, target (None: for information)


def run(size: int, count: int, reps: int, memory: bool = True) -> list[Row]:
    """All measurements; returns rows (name, median, target or None)."""
    app = QApplication.instance() or QApplication([])
    text = make_text(size)
    spans, links = make_annotations(text, count)
    shuffled = spans[:]
    random.Random(3).shuffle(shuffled)
    warm_text = make_text(20_000)
    warm_spans, warm_links = make_annotations(warm_text, 200)
    for _ in range(2):  # warm-up: fonts, glyph caches, code paths
        w = shown(QPlainTextEdit(), app)
        w.setPlainText(warm_text)
        w.viewport().repaint()
        dispose(w, app)
        v = shown(ReadingView(), app)
        v.set_document(warm_text, warm_spans, warm_links)
        v.viewport().repaint()
        dispose(v, app)

    base, ours, ours_shuffled = [], [], []
    view: ReadingView | None = None
    for rep in range(reps):  # interleaved, each on a fresh widget
        w = shown(QPlainTextEdit(), app)
        w.setReadOnly(True)
        base.append(ms(lambda w=w: (w.setPlainText(text), w.viewport().repaint())))
        dispose(w, app)
        v = shown(ReadingView(), app)
        ours.append(ms(lambda v=v: (v.set_document(text, spans, links), v.viewport().repaint())))
        if rep < reps - 1:
            dispose(v, app)
            v = shown(ReadingView(), app)
            ours_shuffled.append(
                ms(lambda v=v: (v.set_document(text, shuffled, links), v.viewport().repaint()))
            )
            dispose(v, app)
        else:
            view = v
    assert view is not None
    app.processEvents()  # idle-time indexing runs here, as it would after the first frame
    vp = view.viewport()

    visible = view._visible
    first, last = visible[0].position, visible[-1].position + visible[-1].block.length() - 1
    a, b = view._map.to_cp(first), view._map.to_cp(last)
    rng = random.Random(5)
    tlw = view.window()

    def flush() -> None:  # paint exactly what the view invalidated, synchronously
        QApplication.sendPostedEvents(tlw, QEvent.Type.UpdateRequest)

    app.processEvents()
    adds, removes, adds_full, removes_full = [], [], [], []
    for i in range(15):
        s = rng.randint(a, b - 20)
        frags = ((s, s + rng.randint(3, 15)),)
        new = DisplaySpan(f"bench-{i}", frags, COLORS[i % 3], "t", "t")
        adds.append(ms(lambda new=new: (view.add_span(new), flush())))
        removes.append(ms(lambda new=new: (view.remove_span(new.id), flush())))
        new = DisplaySpan(f"full-{i}", frags, COLORS[i % 3], "t", "t")
        adds_full.append(ms(lambda new=new: (view.add_span(new), vp.repaint())))
        removes_full.append(ms(lambda new=new: (view.remove_span(new.id), vp.repaint())))
        app.processEvents()

    plain_paint = [ms(vp.repaint) for _ in range(11)]
    linked = next(
        (d[2].id for vb in visible for d in vb.decor if view._link_map().get(d[2].id)), None
    )
    view.set_show_all_links(True)
    view.set_selected_span(linked)
    app.processEvents()
    overlay_paint = [ms(vp.repaint) for _ in range(11)]
    arcs = len(view._drawn.arcs)
    shown_spans = sum(len(vb.decor) for vb in view._visible)
    view.set_show_all_links(False)
    view.set_selected_span(None)

    bare = shown(QPlainTextEdit(), app)
    bare.setFont(view.font())
    bare.setViewportMargins(view.viewportMargins())
    bare.setPlainText(text)
    bare.viewport().repaint()
    bare_paint = [ms(bare.viewport().repaint) for _ in range(11)]
    dispose(bare, app)

    scrolls = []
    for fraction in (0.15, 0.35, 0.55, 0.75, 0.95):
        cp = int(len(text) * fraction)
        scrolls.append(ms(lambda cp=cp: (view.scroll_to(cp), vp.repaint())))
    dispose(view, app)

    med = statistics.median
    rows: list[Row] = [
        ("open: bare QPlainTextEdit setPlainText + first frame (ms)", med(base), None),
        ("open: ReadingView.set_document + first frame (ms)", med(ours), None),
        ("open ratio ours / bare", med(ours) / med(base), 1.5),
        ("open with spans in random order (ms, info)", med(ours_shuffled or ours), None),
        ("add 1 span + synchronous repaint of what it invalidated (ms)", med(adds), 2.0),
        ("remove 1 span + synchronous repaint of what it invalidated (ms)", med(removes), 2.0),
        ("add 1 span + full viewport().repaint() (ms, info)", med(adds_full), None),
        ("remove 1 span + full viewport().repaint() (ms, info)", med(removes_full), None),
        ("full repaint, bare QPlainTextEdit, same font and column (ms)", med(bare_paint), None),
        ("full repaint, tints + underlines (ms)", med(plain_paint), None),
        (
            f"full repaint, underlines + {arcs} arcs, {shown_spans} span pieces (ms)",
            med(overlay_paint),
            8.0,
        ),
        ("scroll_to never-seen position + frame (ms; research goal ≤ 12)", med(scrolls), None),
    ]
    if memory:
        mem = measure_memory(size, count)
        rows += [
            ("peak RSS bare QPlainTextEdit, text only (MB)", mem["bare"], None),
            ("peak RSS bare QPlainTextEdit + span/link objects (MB)", mem["bare+data"], None),
            ("peak RSS ReadingView (MB)", mem["ours"], None),
            ("peak RSS ours − bare (MB)", mem["ours"] - mem["bare"], 40.0),
            (
                "peak RSS ours − (bare + span/link objects) (MB)",
                mem["ours"] - mem["bare+data"],
                None,
            ),
        ]
    return rows


def missed(rows: list[Row], slack: float = 1.0) -> list[Row]:
    """Rows whose value exceeds target × slack."""
    return [r for r in rows if r[2] is not None and r[1] > r[2] * slack]


def print_table(rows: list[Row], header: str, slack: float = 1.0) -> None:
    print(header)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}} | {'median':>8} | {'target':>6} | ok")
    print(f"{'-' * width}-|-{'-' * 8}-|-{'-' * 6}-|---")
    bad = missed(rows, slack)
    for row in rows:
        name, value, target = row
        goal = "" if target is None else f"≤ {target * slack:g}"
        ok = "" if target is None else ("NO" if row in bad else "yes")
        print(f"{name:<{width}} | {value:>8.2f} | {goal:>6} | {ok}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5_000_000, help="text size in code points")
    parser.add_argument("--spans", type=int, default=50_000, help="number of spans")
    parser.add_argument("--reps", type=int, default=7, help="repetitions of the open test")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.size, args.spans)
        return 0
    rows = run(args.size, args.spans, args.reps, memory=not args.no_memory)
    header = (
        f"Reading pane benchmark: {args.size:,} code points, {args.spans:,} spans, "
        f"{WIDTH}x{HEIGHT} offscreen, medians of {args.reps} opens / 15 edits / 11 paints; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print_table(rows, header)
    return 1 if missed(rows) else 0


def test_reading_pane_budgets(qapp) -> None:
    """Shorter run as a test, budgets with 2× head-room (run it with ``-o addopts=``)."""
    rows = run(5_000_000, 50_000, reps=3)
    print_table(rows, "reading pane budgets (2x head-room for a noisy machine)", slack=2.0)
    assert not missed(rows, slack=2.0)


if __name__ == "__main__":
    sys.exit(main())
