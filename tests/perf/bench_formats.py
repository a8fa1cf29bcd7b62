"""Exchange formats: every registered export format's time relative to the JSON export.

The project (default 100,000 spans: scale 0.1 of perf_data, 1,000 documents with emoji, one
span in 20 discontinuous, attributes on one in 3, 20,000 links) is built once through the
production bulk path and cached in --workdir. Each round then exports it to JSON (the baseline,
measured in the same run) and to every format in the registry (annotator/io/formats/__init__.py, so
formats added later are measured without changing this file), each export in a fresh process
with the project opened first (not timed). Rounds alternate the order of the formats. Reported
per format: median seconds and CPU seconds, each as a ratio to JSON's (CPU time is the steadier
figure on a shared machine), output size, peak RSS of the export
(VmHWM after /proc/self/clear_refs) and the number of warnings the export returned.

    .venv/bin/python tests/perf/bench_formats.py --scale 0.01 --rounds 1   # quick check
    .venv/bin/python tests/perf/bench_formats.py                           # 100,000 spans
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import perf_data as pd

from annotator.services.exchange_files import ProjectSnapshot

DEFAULT_SCALE = 0.1  # 1,000 documents x 100 spans = 100,000 spans


def child_build(args: argparse.Namespace) -> dict:
    path = pd.ensure_project(args.workdir, args.scale)
    return {"bytes": path.stat().st_size}


def child_formats(args: argparse.Namespace) -> dict:
    from annotator.io.formats import export_formats

    return {"keys": [f.key for f in export_formats()]}


def child_export(args: argparse.Namespace) -> dict:
    from annotator.io.formats import ExportOptions, export_format
    from annotator.services.project import Project

    fmt = export_format(args.format)
    database = pd.project_file(args.workdir, args.scale)
    output = args.workdir / f"bench-formats-{fmt.key}{fmt.suffix}"
    project = Project.open(database, annotator_name=pd.CREATOR_NAME)
    try:
        reset = pd.reset_peak_rss()
        started, cpu = time.perf_counter(), time.process_time()
        result = fmt.write(ProjectSnapshot(project), output, ExportOptions())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = pd.peak_rss_mb()
    finally:
        project.close()
    size = output.stat().st_size
    output.unlink()
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "bytes": size,
        "documents": result.documents,
        "warnings": len(result.warnings),
        "peak_rss_mb": peak if reset else None,
    }


CHILDREN = {"build": child_build, "formats": child_formats, "export": child_export}


def run(args: argparse.Namespace) -> int:
    args.workdir.mkdir(parents=True, exist_ok=True)
    common = ["--scale", str(args.scale), "--workdir", str(args.workdir)]
    pd.say(f"scale {args.scale:g}: the project (cached in {args.workdir}) ...")
    built = pd.run_child(__file__, ["--child", "build", *common])
    pd.say(f"  {built['bytes'] / 1e6:.1f} MB")
    keys = pd.run_child(__file__, ["--child", "formats", *common])["keys"]
    if args.only:
        keys = [k for k in keys if k in args.only or k == "json"]
    others = [k for k in keys if k != "json"]
    log = args.workdir / "results-formats.jsonl"
    results: dict[str, list[dict]] = {key: [] for key in ["json", *others]}
    for round_ in range(1, args.rounds + 1):
        order = ["json", *(others if round_ % 2 else others[::-1])]
        for key in order:
            result = pd.run_child(__file__, ["--child", "export", "--format", key, *common])
            result |= {"format": key, "round": round_, "scale": args.scale, "at": time.time()}
            with log.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(result) + "\n")
            pd.say(f"  round {round_} {key}: {result['seconds']:.2f} s")
            results[key].append(result)
    return report(args, results)


def report(args: argparse.Namespace, results: dict[str, list[dict]]) -> int:
    baseline = pd.median([r["seconds"] for r in results["json"]])
    cpu_baseline = pd.median([r["cpu_s"] for r in results["json"]])
    rows = []
    for key, runs in results.items():
        times = [r["seconds"] for r in runs]
        peaks = [r["peak_rss_mb"] for r in runs if r["peak_rss_mb"] is not None]
        rows.append(
            [
                key,
                len(times),
                f"{pd.median(times):.2f}",
                f"{pd.median(times) / baseline:.2f}",
                f"{pd.median([r['cpu_s'] for r in runs]):.2f}",
                f"{pd.median([r['cpu_s'] for r in runs]) / cpu_baseline:.2f}",
                f"{runs[-1]['bytes'] / 1e6:.1f}",
                f"{max(peaks):.0f}" if peaks else "n/a",
                runs[-1]["warnings"],
            ]
        )
    documents = round(pd.DOCUMENTS * args.scale)
    spans = documents * pd.SPANS_PER_DOCUMENT
    print()
    print(
        f"Export formats, scale {args.scale:g}: {documents:,} documents, {spans:,} spans, "
        f"{documents * pd.LINKS_PER_DOCUMENT:,} links; JSON median {baseline:.2f} s = 1.00"
    )
    headers = ["format", "n", "median s", "vs JSON", "CPU s", "CPU vs JSON", "output MB"]
    print(pd.table([*headers, "peak RSS MB", "warnings"], rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    pd.common_arguments(parser)
    parser.set_defaults(scale=DEFAULT_SCALE)
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all formats")
    parser.add_argument("--only", nargs="*", help="measure only these format keys (+ json)")
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=list(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        pd.emit(CHILDREN[args.child](args))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
