"""Bulk import: the production bulk path against raw sqlite3 executemany of the same rows.

Target (store research note §6): production ≤ 1.2× raw, both measured in this run.

  raw   a file made from schema.sql (WAL, synchronous=FULL, foreign_keys=ON); timed from
        the domain objects: building the exact tuples the production path writes (ids
        included), then one transaction of executemany (documents, spans, span fragments,
        links). Both parts are reported; "executemany alone" is the stricter comparison.
  ours  a Project made with the default schema, then one `project.store.write()` with
        `insert_document` for each document, `bulk_insert_spans` and `bulk_insert_links`,
        from the same domain objects.
  json  (informational) `import_json` of an export of the same data into an empty project.

Each case runs in a fresh process; rounds alternate the order of raw and ours. The timer
covers the inserts and COMMIT (not creating the file, not closing it); CPU time of the
process over the same interval is reported too, as it suffers less from other load. The first round
checks that both files hold identical documents, spans, fragments and links.

    .venv/bin/python tests/perf/bench_store_import.py --scale 0.1 --rounds 3   # quick check
    .venv/bin/python tests/perf/bench_store_import.py                          # 1M spans
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import perf_data as pd

from annotator.services.exchange_files import ProjectSnapshot

TARGET_RATIO = 1.2


def _remove(path: Path) -> None:
    for leftover in (
        path,
        Path(f"{path}-wal"),
        Path(f"{path}-shm"),
        path.with_name(f".{path.name}.lock"),
    ):
        leftover.unlink(missing_ok=True)


# -- children -----------------------------------------------------------------------------------
def child_raw(args: argparse.Namespace) -> dict:
    data = pd.load_data(args.workdir, args.scale)
    pd.settle()
    path = args.workdir / f"import-raw-{pd.scale_tag(args.scale)}.annotator"
    _remove(path)
    connection = pd.create_raw_file(path, data, hardened=args.hardened_baseline)
    started, cpu = time.perf_counter(), time.process_time()
    rows = pd.raw_rows(data)
    converted = time.perf_counter()
    pd.raw_insert(connection, rows)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    connection.close()
    result = {
        "seconds": seconds,
        "cpu_s": cpu,
        "convert_s": converted - started,
        "insert_s": seconds - (converted - started),
        "peak_rss_mb": pd.peak_rss_mb(),
    }
    if args.verify:
        result["digest"] = pd.table_digest(path)
    _remove(path)
    return result


def child_ours(args: argparse.Namespace) -> dict:
    data = pd.load_data(args.workdir, args.scale)
    pd.settle()
    path = args.workdir / f"import-ours-{pd.scale_tag(args.scale)}.annotator"
    _remove(path)
    project = pd.create_project(path, data)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        pd.production_insert(project, data)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        project.close()
    result = {"seconds": seconds, "cpu_s": cpu, "peak_rss_mb": pd.peak_rss_mb()}
    if args.verify:
        result["digest"] = pd.table_digest(path)
    _remove(path)
    return result


def child_export(args: argparse.Namespace) -> dict:
    """Make the JSON file the json case imports (an export of the cached project)."""
    from annotator.io.formats.json.writer import export_json
    from annotator.services.project import Project

    source = pd.ensure_project(args.workdir, args.scale)
    destination = _json_file(args)
    with Project.open(source, annotator_name=pd.CREATOR_NAME) as project:
        export_json(ProjectSnapshot(project), destination)
    return {"bytes": destination.stat().st_size}


def child_json(args: argparse.Namespace) -> dict:
    from annotator.services.exchange_files import import_json
    from annotator.services.project import Project

    path = args.workdir / f"import-json-{pd.scale_tag(args.scale)}.annotator"
    _remove(path)
    project = Project.create(path, annotator_name=pd.CREATOR_NAME)
    try:
        started = time.perf_counter()
        report = import_json(project, _json_file(args))
        seconds = time.perf_counter() - started
    finally:
        project.close()
    _remove(path)
    return {"seconds": seconds, "peak_rss_mb": pd.peak_rss_mb(), "added": report.added}


def _json_file(args: argparse.Namespace) -> Path:
    return args.workdir / f"export-{pd.scale_tag(args.scale)}.json"


CHILDREN = {"raw": child_raw, "ours": child_ours, "export": child_export, "json": child_json}


# -- driver -------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    args.workdir.mkdir(parents=True, exist_ok=True)
    common = ["--scale", str(args.scale), "--workdir", str(args.workdir)]
    if args.hardened_baseline:
        common.append("--hardened-baseline")
    results: dict[str, list[dict]] = {"raw": [], "ours": [], "json": []}
    log = args.workdir / "results-import.jsonl"
    pd.say(f"scale {args.scale:g}: preparing the data set (cached in {args.workdir}) ...")
    started = time.perf_counter()
    pd.run_child(__file__, ["--child", "prepare", *common])
    pd.say(f"  ready in {time.perf_counter() - started:.0f} s")

    def one(case: str, round_: int, extra: tuple[str, ...] = ()) -> dict:
        result = pd.run_child(__file__, ["--child", case, *common, *extra])
        result |= {"case": case, "round": round_, "scale": args.scale, "at": time.time()}
        with log.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")
        shown = {k: v for k, v in result.items() if k not in ("digest", "at", "case", "round")}
        pd.say(f"  round {round_} {case}: {shown}")
        return result

    for round_ in range(1, args.rounds + 1):
        order = ["raw", "ours"] if round_ % 2 else ["ours", "raw"]
        verify = ["--verify"] if round_ == 1 else []
        for case in order:
            results[case].append(one(case, round_, tuple(verify)))
    if args.json_rounds:
        pd.say("exporting the cached project to JSON for the json case ...")
        pd.run_child(__file__, ["--child", "export", *common])
        for round_ in range(1, args.json_rounds + 1):
            results["json"].append(one("json", round_))
    return report(args, results)


def report(args: argparse.Namespace, results: dict[str, list[dict]]) -> int:
    documents = round(pd.DOCUMENTS * args.scale)
    data_rows = documents * (
        1 + pd.SPANS_PER_DOCUMENT * (1 + 1 / pd.DISCONTINUOUS_EVERY) + pd.LINKS_PER_DOCUMENT
    )
    raw = {r["round"]: r for r in results["raw"]}
    ours = results["ours"]
    ratios = [r["seconds"] / raw[r["round"]]["seconds"] for r in ours]
    strict = [r["seconds"] / raw[r["round"]]["insert_s"] for r in ours]
    cpu_ratios = [r["cpu_s"] / raw[r["round"]]["cpu_s"] for r in ours]
    rows = []

    def row(label: str, times: list[float], cpu: list[float], ratio: str, peak: str) -> None:
        rows.append(
            [
                label,
                len(times),
                f"{pd.median(times):.2f}",
                f"{min(times):.2f}",
                f"{max(times):.2f}",
                f"{pd.median(cpu):.2f}" if cpu else "",
                f"{data_rows / pd.median(times):,.0f}",
                ratio,
                peak,
            ]
        )

    def peak(case: str) -> str:
        return f"{max(r['peak_rss_mb'] for r in results[case]):.0f}"

    raw_runs = results["raw"]
    row(
        "raw: tuples from the objects + executemany",
        [r["seconds"] for r in raw_runs],
        [r["cpu_s"] for r in raw_runs],
        "1.000",
        peak("raw"),
    )
    row("  of which building the tuples", [r["convert_s"] for r in raw_runs], [], "", "")
    row("  of which executemany + COMMIT", [r["insert_s"] for r in raw_runs], [], "", "")
    row(
        "production bulk path",
        [r["seconds"] for r in ours],
        [r["cpu_s"] for r in ours],
        f"{pd.median(ratios):.3f}",
        peak("ours"),
    )
    if results["json"]:
        json_times = [r["seconds"] for r in results["json"]]
        row(
            "import_json of an export (info)",
            json_times,
            [],
            f"{pd.median(json_times) / pd.median([r['seconds'] for r in raw_runs]):.2f}",
            peak("json"),
        )
    print()
    print(
        f"Bulk import, scale {args.scale:g}: {documents:,} documents, "
        f"{documents * pd.SPANS_PER_DOCUMENT:,} spans, {documents * pd.LINKS_PER_DOCUMENT:,} "
        f"links ({data_rows:,.0f} rows with fragments), one transaction; baseline pragmas: "
        + ("production hardening + " if args.hardened_baseline else "")
        + "WAL, synchronous=FULL, foreign_keys=ON"
    )
    headers = ["case", "n", "median s", "min s", "max s", "CPU s", "rows/s", "vs raw", "peak MB"]
    print(pd.table(headers, rows))
    print(f"per-round ratios ours/raw: {', '.join(f'{r:.3f}' for r in ratios)}")
    print(
        f"ours/raw in CPU time (less sensitive to other load): median {pd.median(cpu_ratios):.3f}"
    )
    print(
        f"ours/raw executemany alone (tuples built before the timer): median "
        f"{pd.median(strict):.3f} (per round {', '.join(f'{r:.3f}' for r in strict)})"
    )
    failed = False
    digests = {r.get("digest") for case in ("raw", "ours") for r in results[case]} - {None}
    if len(digests) != 1:
        print("FAIL: the two paths wrote different rows")
        failed = True
    else:
        print("rows written: identical in both files (md5 of every row)")
    ratio = pd.median(ratios)
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(
        f"{verdict}: production bulk import {ratio:.3f}x raw from the same objects "
        f"(target <= {TARGET_RATIO}x)"
    )
    return 1 if failed or ratio > TARGET_RATIO else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    pd.common_arguments(parser)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of raw + ours (default 5)")
    parser.add_argument(
        "--json-rounds", type=int, default=1, help="runs of the json case (default 1; 0 = skip)"
    )
    parser.add_argument("--child", choices=[*CHILDREN, "prepare"], help=argparse.SUPPRESS)
    parser.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "prepare":
        pd.load_data(args.workdir, args.scale)
        pd.emit({})
        return 0
    if args.child:
        pd.emit(CHILDREN[args.child](args))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
