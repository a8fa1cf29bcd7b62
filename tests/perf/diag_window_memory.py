"""Diagnostic (not a benchmark): where the window's memory goes while a case project opens.

Prints VmRSS and VmHWM (and, with --trace, tracemalloc's traced bytes) at each step of the real
open (`bench_window.py`'s path): after the app's imports, at the reading pane's first frame,
once every span and link is in, and after a full collection; with --trace, the source lines
that allocated most between the first frame and the full load (what the spans cost). tracemalloc
itself adds RSS: read the RSS figures from a run without --trace.

    .venv/bin/python tests/perf/diag_window_memory.py --case 5m-50k
    .venv/bin/python tests/perf/diag_window_memory.py --case 5m-50k --trace --top 30
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from perf_data import DEFAULT_WORKDIR, peak_rss_mb, rss_mb


def _step(name: str) -> None:
    traced = tracemalloc.get_traced_memory()[0] / 1e6 if tracemalloc.is_tracing() else 0.0
    extra = f"  traced {traced:6.1f} MB" if tracemalloc.is_tracing() else ""
    print(f"{name:24s} RSS {rss_mb():6.1f} MB  peak {peak_rss_mb():6.1f} MB{extra}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="5m-50k")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--trace", action="store_true", help="tracemalloc: the top lines")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    from window_data import ensure_case_project

    path = ensure_case_project(args.workdir, args.case)
    if args.trace:
        tracemalloc.start()
    import window_children as children

    app = children._app(False)
    _step("imports, Qt app")
    _application, window, _, _ = children._open_window(app, path)
    _step("first frame")
    first = tracemalloc.take_snapshot() if args.trace else None
    children._loaded(app, window)
    _step("every span and link in")
    gc.collect()
    _step("after gc.collect()")
    if first is not None:
        for stat in tracemalloc.take_snapshot().compare_to(first, "lineno")[: args.top]:
            print(stat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
