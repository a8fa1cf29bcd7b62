"""Project search at 10,000 documents: first-page latency, and what the index adds to import.

Targets (issue 4): (a) `search_documents` returns its first page (20 documents with their
KWIC lines, and the total count, as the Search panel asks) in <= 50 ms, p95 over repeated runs
of each query; (b) keeping the full-text index adds <= 1.3x to the bulk import time.

(b) is measured on the two bulk imports a user runs, each with and without the index:

  add       `annotator add PROJECT FOLDER` (the CLI handler, through `annotator.cli.main`)
            of a folder of .txt files into a new, empty project: collecting the files,
            reading, encoding detection, header metadata, SHA-256, the duplicate check and
            `AddDocuments` in one transaction. The files are written once (UTF-8, a header of
            title, outlet, byline and date over the generated text).
  json      `import_json` of an export of perf_data's project (the documents with 100 spans
            and 20 links each) into a new, empty project.

"Without the index" is a switch only this benchmark has: the child process replaces
`SearchReads.index_documents` (the one statement per batch both paths use) with a no-op. After
each run the file is checked with sqlite3: with the index every document is found by a word
they all hold (and the rare word in its documents), without it nothing is.

The store-level cases isolate the index cost itself (documents already built in memory):

  per-row   `insert_document` for every document (its documents_fts entry with each row).
  batched   `insert_document(..., index=False)`, then one `index_documents` for the batch
            (what AddDocuments and import_json do).
  skipped   `insert_document(..., index=False)` alone: no index entries.

Documents come from perf_data's text generator (about 4,000 code points, emoji, non-ASCII
words; titles of six words); one document in 1,000 also holds the rare word "kittiwake".
Each import runs in a fresh process, rounds alternate the order; ratios are medians of
per-round ratios (wall and CPU time). The search child opens the last batched project, warms
up once, then times each query `--repeat` times.

    .venv/bin/python tests/perf/bench_search.py --scale 0.1 --rounds 1 --json-rounds 1  # quick
    .venv/bin/python tests/perf/bench_search.py                   # 10,000 documents, ~15 min
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import random
import sqlite3
import sys
import time
from pathlib import Path

import perf_data as pd

from annotator.services.exchange_files import ProjectSnapshot

TARGET_MS = 50.0
TARGET_RATIO = 1.3
RARE_WORD = "kittiwake"
RARE_EVERY = 1_000
QUERIES = (
    ("common word", "the"),
    ("rare word", RARE_WORD),
    ("phrase", '"naval exercises"'),
    ("prefix", "patr*"),
    ("two words, one excluded", "delegates -border"),
)
AUTHOR_NAMES = ("Ada", "Brook", "Cole", "Dara", "Ellis", "Farah", "Grant", "Hale", "Iris", "Joss")
CHILDREN = ("per-row", "batched", "skipped", "search", "prepare", "add", "json")


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    path.with_name(f".{path.name}.lock").unlink(missing_ok=True)


def documents(scale: float) -> list:
    """Deterministic documents (domain values), as perf_data makes them."""
    from annotator.domain.model import Document, DocumentInfo

    rng = random.Random(pd.SEED)
    result = []
    for index in range(round(pd.DOCUMENTS * scale)):
        text = pd._text(rng, index)
        if index % RARE_EVERY == RARE_EVERY // 2:
            text = text.replace(" the ", f" the {RARE_WORD} ", 1)
        when = "2025-01-01T00:00:00.000Z"
        info = DocumentInfo(
            uuid=f"00000000-0000-7000-8000-{index:012d}",
            title=f"Report {index}: {' '.join(rng.choices(pd.WORDS, k=6))}",
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            length=len(text),
            language="en",
            source_filename=f"report-{index:05d}.txt",
            source_encoding="utf-8",
            imported=when,
            created=when,
            modified=when,
        )
        result.append(Document(info, text))
    return result


def _project_path(args: argparse.Namespace, case: str) -> Path:
    return args.workdir / f"search-{case}-{pd.scale_tag(args.scale)}.annotator"


def child_import(args: argparse.Namespace, case: str) -> dict:
    from annotator.services.project import Project

    docs = documents(args.scale)
    path = _project_path(args, case)
    _remove(path)
    project = Project.create(path, annotator_name=pd.CREATOR_NAME)
    pd.settle()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        with project.store.write() as session:
            for document in docs:
                session.insert_document(document, index=case == "per-row")
            if case == "batched":
                session.index_documents([d.info.uuid for d in docs])
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        project.close()
    if case == "skipped":
        _remove(path)  # its index is empty: never searched
    return {"seconds": seconds, "cpu_s": cpu, "documents": len(docs)}


def rare_documents(count: int) -> int:
    """How many of `count` generated documents hold the rare word."""
    return sum(1 for index in range(count) if index % RARE_EVERY == RARE_EVERY // 2)


def _without_index() -> None:
    """The benchmark's own switch (no user-facing option): batches get no index entries."""
    from annotator.store.search import SearchReads

    SearchReads.index_documents = lambda self, documents: None  # type: ignore[method-assign]


def _timed_index(spent: dict[str, float]) -> None:
    """Add the time spent in `index_documents` to `spent`: the index's share of the very run
    being timed, which other load on the machine cannot skew the way it skews two runs."""
    from annotator.store.search import SearchReads

    index_documents = SearchReads.index_documents

    def timed(self: SearchReads, documents: list[str]) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        index_documents(self, documents)
        spent["seconds"] += time.perf_counter() - started
        spent["cpu_s"] += time.process_time() - cpu

    SearchReads.index_documents = timed  # type: ignore[method-assign]


def _files_folder(args: argparse.Namespace) -> Path:
    return args.workdir / f"search-files-{pd.scale_tag(args.scale)}"


def _json_file(args: argparse.Namespace) -> Path:
    return args.workdir / f"search-export-{pd.scale_tag(args.scale)}.json"


def child_prepare(args: argparse.Namespace) -> dict:
    """Write the .txt folder (add) and the JSON export (json) once; later runs reuse them."""
    folder = _files_folder(args)
    if not folder.exists():
        building = folder.with_name(f"building-{folder.name}")
        building.mkdir(parents=True, exist_ok=True)
        rng = random.Random(pd.SEED + 1)
        for index, document in enumerate(documents(args.scale)):
            header = (
                f"{document.info.title}\n{rng.choice(pd.OUTLETS)}\n"
                f"By {' '.join(rng.sample(AUTHOR_NAMES, 2))}\n"
                f"Published: 2025-{1 + index % 12:02d}-{1 + index % 28:02d}\n\n"
            )
            path = building / f"report-{index:05d}.txt"
            path.write_text(header + document.text, encoding="utf-8", newline="\n")
        building.rename(folder)
    destination = _json_file(args)
    if args.json_rounds and not destination.exists():
        from annotator.io.formats.json.writer import export_json
        from annotator.services.project import Project

        source = pd.ensure_project(args.workdir, args.scale)
        partial = destination.with_suffix(".partial")
        with Project.open(source, annotator_name=pd.CREATOR_NAME) as project:
            export_json(ProjectSnapshot(project), partial)
        partial.replace(destination)
    return {}


def _index_counts(path: Path, word: str) -> dict:
    """Documents in the file, and how many the index finds for `word` (sqlite3, read-only)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        documents_count = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        found = connection.execute(
            "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", (word,)
        ).fetchone()[0]
    finally:
        connection.close()
    return {"documents": documents_count, "found": found}


def child_user(args: argparse.Namespace, case: str) -> dict:
    """One user-facing bulk import (add or json) into a new project, with or without index."""
    from annotator.services.project import Project

    path = args.workdir / f"search-{case}-{pd.scale_tag(args.scale)}.annotator"
    _remove(path)
    Project.create(path, annotator_name=pd.CREATOR_NAME).close()
    spent = {"seconds": 0.0, "cpu_s": 0.0}  # inside index_documents (with the index)
    if args.no_index:
        _without_index()
    else:
        _timed_index(spent)
    if case == "add":
        from annotator.cli import main as cli_main

        argv = ["add", str(path), str(_files_folder(args)), "--annotator", pd.CREATOR_NAME]
        pd.settle()
        chatter = io.StringIO()  # the CLI's progress lines and summary (stderr)
        started, cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stderr(chatter):
            code = cli_main(argv)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if code != 0:
            raise SystemExit(f"annotator add failed: {chatter.getvalue().strip()}")
        word = RARE_WORD
    else:
        from annotator.services.exchange_files import import_json

        with Project.open(path, annotator_name=pd.CREATOR_NAME) as project:
            pd.settle()
            started, cpu = time.perf_counter(), time.process_time()
            import_json(project, _json_file(args))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        word = "the"
    counts = _index_counts(path, word)
    _remove(path)
    expected = rare_documents(counts["documents"]) if case == "add" else counts["documents"]
    if counts["found"] != (0 if args.no_index else expected) or not counts["documents"]:
        raise SystemExit(f"{case}: the index finds {counts['found']} documents for {word!r}")
    result = {"seconds": seconds, "cpu_s": cpu, "peak_rss_mb": pd.peak_rss_mb(), **counts}
    return result | {"index_s": spent["seconds"], "index_cpu_s": spent["cpu_s"]}


def child_search(args: argparse.Namespace) -> dict:
    from annotator.services.project import Project
    from annotator.services.search import search_documents

    path = _project_path(args, "batched")
    timings: dict[str, list[float]] = {}
    counts: dict[str, list[int]] = {}
    with Project.open(path, annotator_name=pd.CREATOR_NAME) as project:
        for _, query in QUERIES:  # warm-up: page cache, compiled statements
            search_documents(project, query)
        for _ in range(args.repeat):
            for label, query in QUERIES:
                started = time.perf_counter()
                page = search_documents(project, query)
                timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
                counts[label] = [page.total or 0, len(page.results)]
    return {"ms": timings, "counts": counts}


def _paired(
    common: list[str], first: list[str], second: list[str], rounds: int, label: str
) -> tuple[list[dict], list[dict]]:
    """Rounds of two child runs, the order alternating; the results of each, in round order."""
    runs: tuple[list[dict], list[dict]] = ([], [])
    for round_ in range(rounds):
        order = (0, 1) if round_ % 2 == 0 else (1, 0)
        for which in order:
            result = pd.run_child(__file__, ["--child", *(first, second)[which], *common])
            runs[which].append(result)
            name = " ".join((first, second)[which])
            pd.say(f"{label} round {round_ + 1}: {name} {result['seconds']:.2f} s")
    return runs


def _ratios(top: list[dict], bottom: list[dict], key: str) -> list[float]:
    return [a[key] / b[key] for a, b in zip(top, bottom, strict=True)]


def run(args: argparse.Namespace) -> int:
    args.workdir.mkdir(parents=True, exist_ok=True)
    common = ["--scale", str(args.scale), "--workdir", str(args.workdir)]
    pd.say(f"scale {args.scale:g}: preparing the files and the export (cached) ...")
    pd.run_child(__file__, ["--child", "prepare", *common, "--json-rounds", str(args.json_rounds)])
    cases = ("per-row", "batched", "skipped")
    runs: dict[str, list[dict]] = {case: [] for case in cases}
    for round_ in range(args.rounds):
        order = cases if round_ % 2 == 0 else tuple(reversed(cases))
        for case in order:
            runs[case].append(pd.run_child(__file__, ["--child", case, *common]))
            pd.say(f"store round {round_ + 1}: {case} {runs[case][-1]['seconds']:.2f} s")
    search = pd.run_child(__file__, ["--child", "search", *common, "--repeat", str(args.repeat)])
    user: dict[str, tuple[list[dict], list[dict]]] = {}
    for case, rounds in (("add", args.add_rounds), ("json", args.json_rounds)):
        if rounds:
            user[case] = _paired(common, [case], [case, "--no-index"], rounds, case)
    with (args.workdir / "results-search.jsonl").open("a", encoding="utf-8") as log:
        stamp = {"scale": args.scale, "at": time.time()}
        for case, results in runs.items():
            log.writelines(json.dumps({"case": case, **r, **stamp}) + "\n" for r in results)
        for case, (indexed, bare) in user.items():
            for label, results in ((case, indexed), (f"{case} --no-index", bare)):
                log.writelines(json.dumps({"case": label, **r, **stamp}) + "\n" for r in results)
    return report(args, runs, search, user)


def _row(label: str, results: list[dict], wall: list[float], cpu: list[float]) -> list:
    ratio = f"{pd.median(wall):.2f}× (CPU {pd.median(cpu):.2f}×)" if wall else "1×"
    return [
        label,
        len(results),
        f"{pd.median([r['seconds'] for r in results]):.2f}",
        f"{pd.median([r['cpu_s'] for r in results]):.2f}",
        ratio,
    ]


def report(args: argparse.Namespace, runs: dict, search: dict, user: dict) -> int:
    documents_count = runs["skipped"][0]["documents"]
    print(f"\nProject search, scale {args.scale:g}: {documents_count:,} documents")
    rows = []
    worst = 0.0
    for label, query in QUERIES:
        values = search["ms"][label]
        total, shown = search["counts"][label]
        p95 = pd.percentile(values, 0.95)
        worst = max(worst, p95)
        rows.append([label, query, f"{total:,}", shown, f"{pd.median(values):.1f}", f"{p95:.1f}"])
    print(pd.table(["query", "text", "matches", "shown", "median ms", "p95 ms"], rows))
    skipped = runs["skipped"]
    rows = [
        _row(
            f"store: {case}",
            runs[case],
            _ratios(runs[case], skipped, "seconds"),
            _ratios(runs[case], skipped, "cpu_s"),
        )
        for case in ("per-row", "batched")
    ]
    rows.append(_row("store: skipped (documents only)", skipped, [], []))
    verdicts = {}
    per_round = [
        f"{case}/skipped per round: wall "
        + ", ".join(f"{r:.2f}" for r in _ratios(runs[case], skipped, "seconds"))
        for case in ("per-row", "batched")
    ]
    titles = {"add": "annotator add (.txt folder)", "json": "import_json (with spans)"}
    for case, (indexed, bare) in user.items():
        wall, cpu = _ratios(indexed, bare, "seconds"), _ratios(indexed, bare, "cpu_s")
        rows.append(_row(f"{titles[case]}: with index", indexed, wall, cpu))
        rows.append(_row(f"{titles[case]}: without", bare, [], []))
        verdicts[case] = pd.median(wall)
        inside = [r["seconds"] / (r["seconds"] - r.get("index_s", 0.0)) for r in indexed]
        rows.append(
            [
                f"{titles[case]}: of which index_documents",
                len(indexed),
                f"{pd.median([r.get('index_s', 0.0) for r in indexed]):.2f}",
                f"{pd.median([r.get('index_cpu_s', 0.0) for r in indexed]):.2f}",
                f"{pd.median(inside):.2f}× (same run: total / total minus index)",
            ]
        )
        per_round.append(
            f"{case} with/without per round: wall {', '.join(f'{r:.2f}' for r in wall)}; "
            f"CPU {', '.join(f'{r:.2f}' for r in cpu)}"
        )
    print()
    print(pd.table(["import", "n", "median s", "CPU s", "with / without index"], rows))
    print("\n".join(per_round))
    batched = pd.median(_ratios(runs["batched"], skipped, "seconds"))
    search_ok = worst <= TARGET_MS
    print(
        f"{'PASS' if search_ok else 'FAIL'}: first page p95 {worst:.1f} ms at worst "
        f"(target <= {TARGET_MS:g} ms)"
    )
    ok = search_ok
    for case, ratio in verdicts.items():
        ok = ok and ratio <= TARGET_RATIO
        print(
            f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'}: {titles[case]} with the index "
            f"{ratio:.2f}x the same import without (target <= {TARGET_RATIO}x)"
        )
    print(
        f"(info) store-level documents-only insert: the batched index entries make it "
        f"{batched:.2f}x (not a user's import: no files, no spans)"
    )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    pd.common_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3, help="store-level rounds (default 3)")
    parser.add_argument(
        "--add-rounds", type=int, default=3, help="annotator add rounds (default 3; 0 = skip)"
    )
    parser.add_argument(
        "--json-rounds", type=int, default=3, help="import_json rounds (default 3; 0 = skip)"
    )
    parser.add_argument("--repeat", type=int, default=30, help="runs of each query (default 30)")
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--no-index", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "prepare":
        pd.emit(child_prepare(args))
    elif args.child == "search":
        pd.emit(child_search(args))
    elif args.child in ("add", "json"):
        pd.emit(child_user(args, args.child))
    elif args.child:
        pd.emit(child_import(args, args.child))
    else:
        return run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
