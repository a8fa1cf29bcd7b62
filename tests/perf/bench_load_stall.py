"""The longest the event loop stalls while a long document loads through the real window
(issue 17 item 9): a QTimer heartbeat every 5 ms, the largest gap between two beats from the
first frame until every span and link is in, counted, and in the Annotations and Links tables
(which take what arrived in slices, possibly after the last read).

Each run is one fresh process; "paused" is the app as it is (the collector paused while the
spans load, then the loaded objects frozen: services/gc_pause.BulkLoad), "baseline" the same
window with BulkLoad made a no-op, measured alternately in the same run. Also reported: the
full (generation-2) collections during the load, the longest of them, and what one full
collection costs once the document is in (the loaded spans frozen, or walked); and, robust to
other processes on a loaded machine, the most main-thread CPU time between two beats and the
main thread's CPU time for the whole load (`time.thread_time`).

    python tests/perf/bench_load_stall.py --case 20m-200k --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from perf_data import DEFAULT_WORKDIR, median, table

HEARTBEAT_MS = 5


def child(path: Path, mode: str) -> dict[str, Any]:
    import gc

    from PySide6.QtCore import Qt, QTimer
    from window_children import _app, _open_window

    if mode == "baseline":  # the load as it was: the collector runs throughout
        from annotator.services.gc_pause import BulkLoad

        BulkLoad.begin = BulkLoad.end = lambda self: None  # type: ignore[method-assign]
    app = _app(skip_checklist=True)
    full: list[float] = []
    started_at: list[float] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started_at.append(time.perf_counter())
        elif started_at:
            full.append((time.perf_counter() - started_at.pop()) * 1000)

    gc.callbacks.append(watch)
    _application, window, _opened, _document = _open_window(app, path)
    content = window.session.content()
    beats: list[float] = []
    cpu: list[float] = []  # the main thread's CPU time at each beat: a gap's own work, not
    # the time other processes of a loaded machine took the CPU away

    def beat() -> None:
        beats.append(time.perf_counter())
        cpu.append(time.thread_time())

    heartbeat = QTimer(interval=HEARTBEAT_MS, timerType=Qt.TimerType.PreciseTimer)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    full.clear()
    started = time.perf_counter()
    beat()
    tables = window.tables

    def waiting() -> int:  # rows the tables have still to take (none on trees before slicing)
        return getattr(tables.span_model, "pending", 0) + getattr(tables.link_model, "pending", 0)

    while not (content.complete and window.documents.model.counts_known and not waiting()):
        app.processEvents()
    beat()
    ended = beats[-1]
    heartbeat.stop()
    gaps = [(b - a) * 1000 for a, b in pairwise(beats)]
    cpu_gaps = [(b - a) * 1000 for a, b in pairwise(cpu)]
    gc.callbacks.remove(watch)
    before = time.perf_counter()
    gc.collect()  # what the next full collection costs once the document is in
    after_load = (time.perf_counter() - before) * 1000
    return {
        "mode": mode,
        "load_ms": (ended - started) * 1000,
        "load_cpu_ms": (cpu[-1] - cpu[0]) * 1000,  # the main thread's own work in the load
        "max_gap_ms": max(gaps),
        "max_gap_cpu_ms": max(cpu_gaps),
        "gaps_over_50": sum(g > 50 for g in gaps),
        "beats": len(beats),
        "full_collections": len(full),
        "longest_full_ms": max(full, default=0.0),
        "full_after_ms": after_load,
        "spans": len(content.spans),
        "span_rows": tables.span_model.rowCount(),
        "link_rows": tables.link_model.rowCount(),
    }


def run_child(path: Path, mode: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(path), mode]
    out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"child failed ({out.returncode}): {' '.join(command)}")
    return json.loads(lines[-1])


def fmt(values: list[float]) -> str:
    return f"{median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        print(json.dumps(child(Path(argv[1]), argv[2])), flush=True)
        from PySide6.QtWidgets import QApplication

        for window in QApplication.topLevelWidgets():  # release the project's lock file
            session = getattr(window, "session", None)
            if session is not None:
                session.close()
        os._exit(0)  # skip Qt's teardown of a big window
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", default="20m-200k", help="e.g. 5m-50k, 20m-200k")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--modes", nargs="+", default=["baseline", "paused"], choices=["baseline", "paused"]
    )
    args = parser.parse_args(argv)
    from window_data import ensure_case_project

    path = ensure_case_project(args.workdir, args.case)
    results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in args.modes}
    for _ in range(args.runs):
        for mode in results:
            results[mode].append(run_child(path, mode))
    rows = []
    for mode, runs in results.items():
        rows.append(
            [
                f"{args.case}, {mode}",
                fmt([r["max_gap_ms"] for r in runs]),
                fmt([r["max_gap_cpu_ms"] for r in runs]),
                fmt([r["load_ms"] for r in runs]),
                fmt([r["load_cpu_ms"] for r in runs]),
                fmt([r["full_collections"] for r in runs]),
                fmt([r["longest_full_ms"] for r in runs]),
                fmt([r["full_after_ms"] for r in runs]),
            ]
        )
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs")
    headers = ["case", "longest stall ms", "most CPU between beats ms", "load ms", "its CPU ms"]
    headers += ["full GCs", "longest ms", "full GC after ms"]
    print(table(headers, rows))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
