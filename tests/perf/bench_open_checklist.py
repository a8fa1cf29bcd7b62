"""The open checklist on the user's path, from the project file on disk, at 1x, 2x and 4x.

Target (issue "Fast where the user is"): full content validation of the 10,000-document /
1M-span project <= 2 s, linear in text + spans.

Every case runs in a fresh process; rounds alternate the order of the cases. Times are wall
seconds (CPU seconds of the process are recorded too: the machine is shared):

  quick_check   baseline: raw sqlite3, `PRAGMA quick_check` on the file
  read_all      baseline: raw sqlite3 reading every text and every span's offsets, quote,
                prefix and suffix (what any content check must at least read)
  content       `validate_content` alone on a read-only connection (two connections: the
                table pass in a thread, as the checklist runs it for a large file)
  open_full     `Project.open` of a file from elsewhere (no record of a clean close), then
                close: the whole checklist, migrations none, search index check
  open_closed   `Project.open` of a file this installation closed cleanly (the record's hash
                matches: content validation skipped)
  check_cli     `annotator check PROJECT` as a subprocess: Python start-up, imports, the full
                checklist and SQLite's integrity_check

    .venv/bin/python tests/perf/bench_open_checklist.py --scales 0.025 0.05 0.1 --rounds 3
    .venv/bin/python tests/perf/bench_open_checklist.py            # 0.25, 0.5, 1 (1M spans)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import perf_data as pd

TARGET_CONTENT_S = 2.0
CASES = ("quick_check", "read_all", "content", "open_full", "open_closed", "check_cli")


def _timed(function) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def _raw(path: Path):
    import sqlite3

    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def child_quick_check(path: Path) -> dict:
    connection = _raw(path)
    return _timed(lambda: connection.execute("PRAGMA quick_check").fetchall())


def child_read_all(path: Path) -> dict:
    connection = _raw(path)

    def read() -> None:
        for query in (
            "SELECT id, text FROM documents",
            'SELECT document_id, start, "end", quote, prefix, suffix FROM spans',
            'SELECT span_id, start, "end" FROM span_fragments',
        ):
            cursor = connection.execute(query)
            while cursor.fetchmany(4096):
                pass

    return _timed(read)


def child_content(path: Path) -> dict:
    from annotator.store.checks import open_read_only
    from annotator.store.content_checks import validate_content

    connection = open_read_only(path)
    return _timed(
        lambda: validate_content(connection, path.name, second=lambda: open_read_only(path))
    )


def child_open(path: Path) -> dict:
    from annotator.services.project import Project

    return _timed(lambda: Project.open(path, annotator_name=pd.ANNOTATOR_NAME).close())


def child_check_cli(path: Path) -> dict:
    command = [sys.executable, "-m", "annotator", "check", str(path)]
    wall = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return {"seconds": time.perf_counter() - wall, "cpu": None}


CHILDREN = {
    "quick_check": child_quick_check,
    "read_all": child_read_all,
    "content": child_content,
    "open_full": child_open,
    "open_closed": child_open,
    "check_cli": child_check_cli,
}


def _prepare(args: argparse.Namespace, scale: float) -> dict[str, Path]:
    """A copy of the cached project for the opens (an open may rewrite its header), and a
    record of its clean close for `open_closed`, made by opening and closing it once."""
    built = pd.run_child(__file__, ["--child", "build", "--scale", str(scale),
                                    "--workdir", str(args.workdir)])  # fmt: skip
    source = Path(built["path"])
    if not any(case.startswith("open") for case in args.cases):
        return {"source": source, "copy": source}  # no open: no copy to make
    copy = args.workdir / f"checklist-{pd.scale_tag(scale)}.annotator"
    if not copy.exists():
        shutil.copyfile(source, copy)
    pd.run_child(__file__, ["--child", "open_closed", "--path", str(copy)])
    return {"source": source, "copy": copy}


def run(args: argparse.Namespace) -> int:
    args.workdir.mkdir(parents=True, exist_ok=True)
    empty_config = Path(tempfile.mkdtemp(prefix="checklist-config-"))
    closed_config = args.workdir / "checklist-config"
    closed_config.mkdir(exist_ok=True)
    results: dict[float, dict[str, list[dict]]] = {}
    try:
        for scale in args.scales:
            os.environ["ANNOTATOR_CONFIG_DIR"] = str(closed_config)
            paths = _prepare(args, scale)
            results[scale] = {case: [] for case in args.cases}
            for round_ in range(1, args.rounds + 1):
                order = args.cases if round_ % 2 else tuple(reversed(args.cases))
                for case in order:
                    # A file from elsewhere: no record of a clean close (a new, empty config
                    # folder each time: an open's clean close would record the file there).
                    fresh = Path(tempfile.mkdtemp(prefix="config-", dir=empty_config))
                    closed = case == "open_closed"
                    os.environ["ANNOTATOR_CONFIG_DIR"] = str(closed_config if closed else fresh)
                    path = paths["copy"] if case.startswith("open") else paths["source"]
                    result = pd.run_child(__file__, ["--child", case, "--path", str(path)])
                    results[scale][case].append(result)
                    pd.say(f"scale {scale:g} round {round_} {case}: {result['seconds']:.2f} s")
    finally:
        shutil.rmtree(empty_config, ignore_errors=True)
    return report(args, results)


def report(args: argparse.Namespace, results: dict[float, dict[str, list[dict]]]) -> int:
    load = os.getloadavg()
    print(f"\nOpen checklist, {args.rounds} fresh processes per case; load {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")  # fmt: skip
    smallest = min(results)
    rows = []
    for scale, cases in results.items():
        spans = round(pd.DOCUMENTS * scale * pd.SPANS_PER_DOCUMENT)
        for case in cases:
            times = [r["seconds"] for r in cases[case]]
            cpus = [r["cpu"] for r in cases[case] if r["cpu"] is not None]
            base = pd.median([r["seconds"] for r in results[smallest][case]])
            rows.append([
                f"{scale:g}", f"{spans:,}", case, f"{pd.median(times):.2f}",
                f"{min(times):.2f}-{max(times):.2f}",
                f"{pd.median(cpus):.2f}" if cpus else "-",
                f"{pd.median(times) / base:.2f}x" if base else "-",
                f"{pd.median(times) / max(spans, 1) * 1e6:.2f}",
            ])  # fmt: skip
    print(pd.table(["scale", "spans", "case", "median s", "range s", "cpu s",
                    f"vs scale {smallest:g}", "us/span"], rows))  # fmt: skip
    largest = max(results)
    content = pd.median([r["seconds"] for r in results[largest]["content"]])
    read_all = pd.median([r["seconds"] for r in results[largest]["read_all"]])
    ok = content <= TARGET_CONTENT_S
    print(f"content validation at scale {largest:g}: {content:.2f} s = {content / read_all:.2f}x "
          f"reading the texts and spans with raw sqlite3")  # fmt: skip
    print(f"{'PASS' if ok else 'FAIL'}: content validation {content:.2f} s "
          f"(target <= {TARGET_CONTENT_S} s at 1M spans)")  # fmt: skip
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--cases", nargs="+", choices=CASES, default=list(CASES),
        help="the cases to run (the verdict needs read_all and content)",
    )  # fmt: skip
    parser.add_argument("--workdir", type=Path, default=pd.DEFAULT_WORKDIR)
    parser.add_argument("--child", choices=[*CHILDREN, "build"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "build":
        pd.emit({"path": str(pd.ensure_project(args.workdir, args.scale))})
        return 0
    if args.child:
        pd.emit(CHILDREN[args.child](args.path))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
