"""The user's path through the real window: open a project file, tag, undo, next document, memory.

Every measurement starts from a project file on disk and goes through the real app start-up
(``Application.open_project``: ``Project.open`` with its checklist, ``ProjectSession``, the real
``MainWindow`` at 1200×900 with every dock), drives it by key presses on the reading view
(``QTest.keyClick``) and stops the clock when the reading pane has painted the result (a paint
probe on its viewport). The baseline is a bare ``QPlainTextEdit`` of the same size showing the
same text (``setPlainText`` + first paint), measured in the same process; the order of baseline
and app alternates between processes, and every figure is the median over fresh processes.

    .venv/bin/python tests/perf/bench_window.py open --case 1m-10k --runs 5
    .venv/bin/python tests/perf/bench_window.py edit --case 5m-50k --runs 3
    .venv/bin/python tests/perf/bench_window.py next --scale 0.1 --runs 3
    .venv/bin/python tests/perf/bench_window.py memory --case 5m-50k --runs 3
    .venv/bin/python tests/perf/bench_window.py arcs --case 5m-50k --case 250k-10k-l50 --runs 3
    .venv/bin/python tests/perf/bench_window.py all        # the table of tests/perf/README.md

``--skip-checklist`` replaces the open checklist with a no-op (to separate the window's cost
from the file check, which has its own benchmark); the table says which was used.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from perf_data import DEFAULT_WORKDIR, ensure_project, median, say, table
from window_children import (
    child_arcs,
    child_edit,
    child_load,
    child_memory,
    child_next,
    child_open,
)


# -- the parent: fresh processes, medians, the table ---------------------------------------------
def _run(args: list[str]) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", *args]
    out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"child failed ({out.returncode}): {' '.join(command)}")
    return json.loads(lines[-1])


def _case_path(workdir: Path, case: str) -> Path:
    from window_data import ensure_case_project

    return ensure_case_project(workdir, case)


def _fmt(values: list[float]) -> str:
    return f"{median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def bench_open(workdir: Path, case: str, runs: int, skip: bool) -> list[list[Any]]:
    path = _case_path(workdir, case)
    base, app, document = [], [], []
    for k in range(runs):
        order = "base-first" if k % 2 == 0 else "app-first"
        flags = ["--skip-checklist"] if skip else []
        r = _run(["open", str(path), order, *flags])
        base.append(r["base"])
        app.append(r["app"])
        document.append(r["document"])
        say(
            f"  open {case} run {k + 1}: project {r['app']:.1f} ms, document "
            f"{r['document']:.1f} ms, bare {r['base']:.1f} ms"
        )
    target = 2.0
    note = " (no checklist)" if skip else ""
    whole = median([a / b for a, b in zip(app, base, strict=True)])
    doc = median([a / b for a, b in zip(document, base, strict=True)])
    return [
        [
            f"open project file → first frame, {case}{note}",
            _fmt(app),
            _fmt(base),
            f"{whole:.2f}×",
            f"≤ {target:g}× bare",
            "met" if whole <= target else "MISSED",
        ],
        [
            f"  of which open document → first frame, {case}",
            _fmt(document),
            _fmt(base),
            f"{doc:.2f}×",
            f"≤ {target:g}× bare",
            "met" if doc <= target else "MISSED",
        ],
    ]


def bench_edit(workdir: Path, case: str, runs: int, skip: bool) -> list[list[Any]]:
    path = _case_path(workdir, case)
    results = [
        _run(["edit", str(path), *(["--skip-checklist"] if skip else [])]) for _ in range(runs)
    ]
    rows = []
    for key in ("tag", "undo"):
        values = [r[key] for r in results]
        settled = [r[f"{key}_settled"] for r in results]
        own = [r[f"{key}_window"] for r in results]
        core = [r[f"{key}_core"] for r in results]
        rows.append(
            [
                f"{key} key → repainted, {case}",
                _fmt(values),
                f"settled {_fmt(settled)}",
                "",
                "≤ 16 ms",
                "met" if median(values) <= 16 else "MISSED",
            ]
        )
        rows.append(
            [
                f"  of which the window (the rest: services {_fmt(core)})",
                _fmt(own),
                "",
                "",
                "≤ 16 ms",
                "met" if median(own) <= 16 else "MISSED",
            ]
        )
    return rows


def bench_next(workdir: Path, scale: float, runs: int, skip: bool) -> list[Any]:
    path = ensure_project(workdir, scale)
    flags = ["--skip-checklist"] if skip else []
    results = [_run(["next", str(path), *flags]) for _ in range(runs)]
    values = [r["next"] for r in results]
    settled = [r["next_settled"] for r in results]
    opened = [r["open"] for r in results]
    documents = round(10_000 * scale)
    return [
        [
            f"next document (Ctrl+PgDown), {documents:,} documents",
            _fmt(values),
            f"settled {_fmt(settled)}",
            "",
            "≤ 100 ms",
            "met" if median(values) <= 100 else "MISSED",
        ],
        [f"open, {documents:,} documents", _fmt(opened), "", "", "", ""],
    ]


def bench_load(workdir: Path, case: str, runs: int, skip: bool) -> list[Any]:
    path = _case_path(workdir, case)
    flags = ["--skip-checklist"] if skip else []
    results = [_run(["load", str(path), *flags]) for _ in range(runs)]
    stall = [r["stall"] for r in results]
    return [
        f"{case}: rest of the spans after the first frame; longest event-loop stall",
        _fmt([r["rest"] for r in results]),
        f"stall {_fmt(stall)}",
        "",
        "GUI responsive",
        "",
    ]


def bench_memory(workdir: Path, case: str, runs: int, skip: bool) -> list[Any]:
    path = _case_path(workdir, case)
    flags = ["--skip-checklist"] if skip else []
    base, app = [], []
    for _ in range(runs):
        base.append(_run(["memory", str(path), "base", *flags])["peak_mb"])
        app.append(_run(["memory", str(path), "app", *flags])["peak_mb"])
    over = median(app) - median(base)
    return [
        f"peak RSS, window with {case}",
        f"{_fmt(app)} MB",
        f"{_fmt(base)} MB",
        f"+{over:.0f} MB",
        "≤ bare + 60 MB",
        "met" if over <= 60 else "MISSED",
    ]


def bench_arcs(workdir: Path, case: str, runs: int, skip: bool) -> list[list[Any]]:
    """Full repaint of the reading pane with every link shown (issue 13: ≤ 16 ms)."""
    path = _case_path(workdir, case)
    flags = ["--skip-checklist"] if skip else []
    results = [_run(["arcs", str(path), *flags]) for _ in range(runs)]
    shown = [r["shown"] for r in results]
    hidden = [r["hidden"] for r in results]
    bare = [r["bare"] for r in results]
    links, arcs = results[0]["links"], median([r["arcs_per_screen"] for r in results])
    return [
        [
            f"full repaint, all {links:,} links shown ({arcs:.0f} arcs on screen), {case}",
            _fmt(shown),
            f"{_fmt(bare)}",
            f"{median(shown) / max(median(bare), 1e-9):.2f}×",
            "≤ 16 ms",
            "met" if median(shown) <= 16 else "MISSED",
        ],
        [
            f"  same, links hidden, {case}",
            _fmt(hidden),
            "",
            f"{median(hidden) / max(median(bare), 1e-9):.2f}×",
            "≤ 8 ms",
            "met" if median(hidden) <= 8 else "MISSED",
        ],
        [
            "  Show all links switched on → repainted",
            _fmt([r["toggle"] for r in results]),
            "",
            "",
            "",
            "",
        ],
    ]


HEADERS = ["measure", "app, median (range), ms", "bare", "ratio", "target", ""]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        kind, path = argv[1], Path(argv[2])
        skip = "--skip-checklist" in argv
        if kind == "open":
            result = child_open(path, argv[3], skip)
        elif kind == "edit":
            result = child_edit(path, skip)
        elif kind == "next":
            result = child_next(path, skip)
        elif kind == "load":
            result = child_load(path, skip)
        elif kind == "arcs":
            result = child_arcs(path, skip)
        else:
            result = child_memory(path, argv[3], skip)
        print(json.dumps(result), flush=True)
        from PySide6.QtWidgets import QApplication

        for window in QApplication.topLevelWidgets():  # release the project's lock file
            session = getattr(window, "session", None)
            if session is not None:
                session.close()
        os._exit(0)  # skip Qt's teardown of a big window
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("open", "edit", "next", "load", "memory", "arcs", "all"))
    parser.add_argument("--case", action="append", help="e.g. 1m-10k, 5m-50k (repeatable)")
    parser.add_argument("--scale", type=float, default=0.1, help="next: fraction of 10k docs")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-checklist", action="store_true")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    rows: list[list[Any]] = []
    what = args.what
    cases = args.case or (["1m-10k", "5m-50k"] if what != "memory" else ["5m-50k"])
    if what in ("open", "all"):
        for case in cases:
            rows += bench_open(args.workdir, case, args.runs, args.skip_checklist)
    if what in ("edit", "all"):
        for case in cases if what == "edit" else ["5m-50k"]:
            rows += bench_edit(args.workdir, case, args.runs, args.skip_checklist)
    if what in ("load", "all"):
        for case in cases if what == "load" else ["20m-200k"]:
            rows.append(bench_load(args.workdir, case, args.runs, args.skip_checklist))
    if what in ("arcs", "all"):
        for case in cases if what == "arcs" else ["5m-50k", "250k-10k-l50"]:
            rows += bench_arcs(args.workdir, case, args.runs, args.skip_checklist)
    if what in ("next", "all"):
        rows += bench_next(args.workdir, args.scale, args.runs, args.skip_checklist)
    if what in ("memory", "all"):
        rows += [bench_memory(args.workdir, c, args.runs, args.skip_checklist) for c in cases[-1:]]
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs")
    print(table(HEADERS, rows))
    return 1 if any(r[-1] == "MISSED" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
