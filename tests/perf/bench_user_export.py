"""JSON export of one large document, through the CLI in a fresh process (issue 11).

Target: `annotator export PROJECT -o out.json` of a project holding one 20 MB document
peaks at ≤ 150 MB resident memory (the issue measured 179 / 304 / 555 MB for 5 / 10 / 20 MB).

The projects (built once, cached in the work folder): one document of `--megabytes` MB of
perf_data's words with emoji (so Python would hold the text at four bytes a character) and
`--spans-per-mb` spans per MB, with one short document beside it. The default density is 10
spans per MB: today's open checklist costs spans × text size (issue 11; another branch makes
it linear), so a 20 MB document at the issue's 10,000 spans per MB would take an hour to open.
With that fixed, `--spans-per-mb 10000` measures the dense case (the export streams the
spans in batches; tests/core/test_export_large_document.py shows memory flat in them).
`--scales` multiplies the size and the spans (1 2 4 for the scaling table; the default
0.25 0.5 1 gives 5, 10 and 20 MB).

Each round runs, in fresh processes, alternating their order:
  baseline  `annotator info PROJECT` (the same interpreter, imports and open checklist, no
            export): its peak RSS is what any command on that file costs;
  export    `annotator export PROJECT -o out.json`.
Peak RSS is the child's `ru_maxrss`; wall time is measured around it. The output is checked
(valid JSON text of the right length, spans counted) on the first round.

    .venv/bin/python tests/perf/bench_user_export.py                     # 5, 10, 20 MB
    .venv/bin/python tests/perf/bench_user_export.py --scales 0.25 0.5 1 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import perf_data as pd

from annotator.services.exchange_files import ProjectSnapshot

TARGET_MB = 150.0
ROOT = Path(__file__).resolve().parents[2]


def _file(args: argparse.Namespace, scale: float) -> Path:
    mb, spans = args.megabytes * scale, round(args.spans_per_mb * args.megabytes * scale)
    return args.workdir / f"export-{mb:g}mb-{spans}.annotator"


def _text(megabytes: float, seed: int) -> str:
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    pieces: list[str] = []
    size = 0
    while size < target:
        sentence = " ".join(rng.choices(pd.WORDS, k=rng.randint(8, 20))).capitalize() + "."
        if rng.random() < 0.05:
            sentence += " " + rng.choice(pd.EMOJI)
        pieces.append(sentence)
        size += len(sentence) + 1
    return "\n".join(" ".join(pieces[i : i + 6]) for i in range(0, len(pieces), 6))


def child_build(args: argparse.Namespace) -> dict:
    from annotator.domain.ids import new_uuid, now
    from annotator.domain.model import Span
    from annotator.io.documents.text import import_text
    from annotator.services.document_commands import AddDocuments
    from annotator.services.project import Project
    from annotator.services.span_commands import anchored

    path = _file(args, args.scale)
    megabytes = args.megabytes * args.scale
    count = round(args.spans_per_mb * megabytes)
    building = path.with_name(f"building-{path.name}")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    with Project.create(building, annotator_name=pd.ANNOTATOR_NAME) as project:
        add = AddDocuments(
            [
                import_text(_text(megabytes, pd.SEED), "long.txt", "utf-8"),
                import_text("A short note beside it.", "short.txt", "utf-8"),
            ]
        )
        project.run(add)
        document = add.report.added[0]
        with project.store.read() as read:
            text = read.document_text(document)
        rng = random.Random(pd.SEED)
        when = now()
        me = project.annotator.uuid
        tags = ("actor", "event", "claim", "place")
        spans = [
            anchored(
                Span(
                    new_uuid(), document, me, rng.choice(tags), (), "", created=when, modified=when
                ),
                text,
                [(s, s + rng.randint(3, 40))],
            )
            for s in sorted(rng.sample(range(len(text) - 50), count))
        ]
        with project.store.write() as session:
            session.bulk_insert_spans(spans)
    shutil.move(building, path)
    return {"bytes": path.stat().st_size, "characters": len(text), "spans": count}


def child_inproc(args: argparse.Namespace) -> dict:
    """The export's own peak: open the project here (not counted: VmHWM is reset after the
    open checklist), then `export_json`, the function the CLI and the GUI call."""
    from annotator.io.formats.json.writer import export_json
    from annotator.services.project import Project

    with Project.open(_file(args, args.scale), annotator_name=pd.ANNOTATOR_NAME) as project:
        opened = pd.peak_rss_mb()
        reset = pd.reset_peak_rss()
        base = pd.rss_mb()
        started = time.perf_counter()
        export_json(ProjectSnapshot(project), args.output)
        seconds = time.perf_counter() - started
        peak = pd.peak_rss_mb()
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "before_mb": base,
        "open_peak_mb": opened,
        "reset": reset,
    }


def child_measure(args: argparse.Namespace) -> dict:
    """One CLI command (info or export) as the only child of this fresh process, so that
    `ru_maxrss` of the children is that command's peak alone."""
    path = _file(args, args.scale)
    command = [sys.executable, "-m", "annotator", args.case, str(path)]
    command += ["--annotator", pd.ANNOTATOR_NAME]
    if args.case == "export":
        command += ["-o", str(args.output)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "peak_mb": peak_kb / 1024}


def _check(output: Path, spans: int) -> bool:
    data = json.loads(output.read_bytes())
    long_document = data["documents"][0]
    return len(long_document["spans"]) == spans and len(data["documents"]) == 2


def run(args: argparse.Namespace) -> int:
    args.workdir.mkdir(parents=True, exist_ok=True)
    common = [
        "--workdir",
        str(args.workdir),
        "--megabytes",
        str(args.megabytes),
        "--spans-per-mb",
        str(args.spans_per_mb),
    ]
    pd.say(f"load: {os.getloadavg()}")
    for scale in args.scales:
        if not _file(args, scale).exists():
            pd.say(f"building the {scale:g}x project ...")
            pd.run_child(__file__, ["--child", "build", "--scale", str(scale), *common])
    output = args.workdir / "export-out.json"
    results: dict[float, dict[str, list[dict]]] = {
        s: {"info": [], "export": [], "inproc": []} for s in args.scales
    }
    checked: dict[float, bool] = {}
    for index in range(args.rounds):
        for scale in args.scales:
            cases = ("info", "export", "inproc")
            for case in cases if index % 2 == 0 else reversed(cases):
                child = ["--child", "inproc"] if case == "inproc" else ["--child", "measure"]
                result = pd.run_child(
                    __file__,
                    [
                        *child,
                        "--case",
                        "export" if case == "inproc" else case,
                        "--scale",
                        str(scale),
                        "--output",
                        str(output),
                        *common,
                    ],
                )
                results[scale][case].append(result)
                if case == "export" and scale not in checked:
                    spans = round(args.spans_per_mb * args.megabytes * scale)
                    checked[scale] = _check(output, spans)
            pd.say(
                f"  {scale:g}x round {index + 1}: info {results[scale]['info'][-1]}, "
                f"export {results[scale]['export'][-1]}"
            )
    output.unlink(missing_ok=True)
    pd.say(f"load: {os.getloadavg()}")
    rows, missed, own_missed = [], False, False
    for scale in args.scales:
        info, export, inproc = (results[scale][c] for c in ("info", "export", "inproc"))
        peak = pd.median([r["peak_mb"] for r in export])
        own = pd.median([r["peak_mb"] for r in inproc])
        mb = args.megabytes * scale
        if abs(mb - 20) < 1e-9:
            missed |= peak > TARGET_MB
            own_missed |= own > TARGET_MB
        missed |= not checked[scale]
        rows.append(
            [
                f"{scale:g}x",
                f"{mb:g} MB / {round(args.spans_per_mb * mb):,}",
                _range([r["peak_mb"] for r in info], "{:.0f}"),
                _range([r["peak_mb"] for r in export], "{:.0f}"),
                _range([r["peak_mb"] for r in inproc], "{:.0f}"),
                _range([r["before_mb"] for r in inproc], "{:.0f}"),
                _range([r["seconds"] for r in info], "{:.2f}"),
                _range([r["seconds"] for r in export], "{:.2f}"),
                _range([r["seconds"] for r in inproc], "{:.2f}"),
                "yes" if checked[scale] else "NO",
            ]
        )
    print(
        pd.table(
            [
                "scale",
                "document / spans",
                "CLI info peak MB",
                "CLI export peak MB",
                "export's own peak MB",
                "RSS before export MB",
                "CLI info s",
                "CLI export s",
                "export_json s",
                "output checked",
            ],
            rows,
        )
    )
    print(
        f"medians (min–max) of {args.rounds} fresh processes each. Target: the 20 MB document's "
        f"export peaks ≤ {TARGET_MB:.0f} MB: whole CLI process (open checklist included) -> "
        f"{'MISS' if missed else 'pass'}; the export itself (VmHWM reset after the open) -> "
        f"{'MISS' if own_missed else 'pass'}"
    )
    with open(args.workdir / "results-user-export.jsonl", "a", encoding="utf-8") as out:
        record = {"at": time.time(), "results": {str(k): v for k, v in results.items()}}
        out.write(json.dumps(record) + "\n")
    return 1 if missed or own_missed else 0


def _range(values: list[float], form: str) -> str:
    return (
        f"{form.format(pd.median(values))} ({form.format(min(values))}–{form.format(max(values))})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=pd.DEFAULT_WORKDIR)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--spans-per-mb", type=int, default=10)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=("build", "measure", "inproc"))
    parser.add_argument("--case", choices=("info", "export"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    if args.child == "build":
        pd.emit(child_build(args))
        return 0
    if args.child == "measure":
        pd.emit(child_measure(args))
        return 0
    if args.child == "inproc":
        pd.emit(child_inproc(args))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
