"""One interactive edit: create one span and commit, raw sqlite3 against the services.

Target (store research note §6): the services' median ≤ 0.5 ms over raw, same run.

Each mode gets its own copy of the cached project (built once through the production bulk
path: 1M spans at scale 1, 100k at --scale 0.1), all open at once in this process:

  raw  sqlite3 with the baseline settings (WAL, synchronous=FULL, foreign_keys=ON):
       BEGIN IMMEDIATE; INSERT span; INSERT fragment; COMMIT. Values (uuid, quote,
       context, ids) are prepared before the timer: it measures the database work only.
  run  `project.run(CreateSpan(document, tag, [(start, end)]))`: command, undo history,
       schema and text lookups, one transaction (constructing the command is timed too).
  do   `CreateSpan(...).do(project)`: the same without the history.

Edits go to documents spread over the whole project, in blocks of --block edits per mode,
the modes rotating, after --warmup edits per mode. Each edit is timed alone (perf_counter).
Medians, p95 and p99 are over all timed edits; the "over raw" figure is the difference of
the medians (and, as a check, the median of per-block differences).

    .venv/bin/python tests/perf/bench_store_edit.py --scale 0.1     # 100k-span project
    .venv/bin/python tests/perf/bench_store_edit.py                  # 1M-span project
    .venv/bin/python tests/perf/bench_store_edit.py --document-mb 5  # one 5 MB document

With --document-mb, every edit goes to one long document (issue 11: each edit used to re-read
its whole text, +20 ms at 5 MB; the store now keeps the text of the document being edited in
memory, checked by its sha256: annotator/store/texts.py).
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import time
from pathlib import Path

import perf_data as pd

TARGET_MS = 0.5
MODES = ("raw", "run", "do")


def child_build(args: argparse.Namespace) -> dict:
    path = pd.ensure_project(args.workdir, args.scale)
    return {"bytes": path.stat().st_size}


def _long_file(args: argparse.Namespace) -> Path:
    return args.workdir / f"edit-long-{args.document_mb:g}mb.annotator"


def child_build_long(args: argparse.Namespace) -> dict:
    """A project file holding one document of --document-mb MB (perf_data's words, emoji
    included), written to disk as a user's import would, through AddDocuments."""
    import random

    from annotator.io.documents.text import import_text
    from annotator.services.document_commands import AddDocuments
    from annotator.services.project import Project

    path = _long_file(args)
    building = path.with_name(f"building-{path.name}")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    rng = random.Random(pd.SEED)
    sentences, size = [], 0
    while size < args.document_mb * 1_000_000:
        sentence = " ".join(rng.choices(pd.WORDS, k=rng.randint(8, 20))).capitalize() + "."
        if rng.random() < 0.05:
            sentence += " " + rng.choice(pd.EMOJI)
        sentences.append(sentence)
        size += len(sentence) + 1
    text = "\n".join(" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6))
    with Project.create(building, annotator_name=pd.ANNOTATOR_NAME) as project:
        project.run(AddDocuments([import_text(text, "long.txt", "utf-8")]))
    shutil.move(building, path)
    return {"bytes": path.stat().st_size, "characters": len(text)}


def _copy(args: argparse.Namespace, source: Path, mode: str) -> Path:
    target = args.workdir / f"edit-{mode}-{source.stem}.annotator"
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def run(args: argparse.Namespace) -> int:
    from annotator.domain.ids import new_uuid, now
    from annotator.domain.offsets import context_of
    from annotator.services.project import Project
    from annotator.services.span_commands import CreateSpan

    args.workdir.mkdir(parents=True, exist_ok=True)
    common = ["--scale", str(args.scale), "--workdir", str(args.workdir)]
    if args.document_mb:
        common += ["--document-mb", str(args.document_mb)]
        source = _long_file(args)
        if not source.exists():
            pd.say(f"a project with one {args.document_mb:g} MB document ...")
            pd.run_child(__file__, ["--child", "build-long", *common])
    else:
        pd.say(f"scale {args.scale:g}: the project (cached in {args.workdir}) ...")
        pd.run_child(__file__, ["--child", "build", *common])
        source = pd.project_file(args.workdir, args.scale)
    paths = {mode: _copy(args, source, mode) for mode in MODES}

    raw = pd.raw_connect(paths["raw"], hardened=args.hardened_baseline)
    documents = raw.execute("SELECT id, uuid, text FROM documents ORDER BY id").fetchall()
    tags = raw.execute("SELECT id, key FROM tag_types ORDER BY id").fetchall()
    annotator_id = raw.execute(
        "SELECT id FROM annotators WHERE name = ?", (pd.ANNOTATOR_NAME,)
    ).fetchone()[0]
    projects = {}
    for mode in ("run", "do"):
        started = time.perf_counter()
        projects[mode] = Project.open(paths[mode], annotator_name=pd.ANNOTATOR_NAME)
        pd.say(f"  opened the {mode} copy in {time.perf_counter() - started:.1f} s")
    spans_before = raw.execute("SELECT count(*) FROM spans").fetchone()[0]

    counter = [0]

    def target() -> tuple[int, str, str, int, str, int, int]:
        """The next edit's place: documents spread over the project, varied offsets."""
        i = counter[0]
        counter[0] += 1
        doc_id, doc_uuid, text = documents[(i * 7919) % len(documents)]
        tag_id, tag_key = tags[i % len(tags)]
        start = (i * 131) % (len(text) - 40)
        return doc_id, doc_uuid, text, tag_id, tag_key, start, start + 3 + i % 30

    span_sql = (
        'INSERT INTO spans (uuid, document_id, annotator_id, tag_type_id, start, "end", quote, '
        "prefix, suffix, attributes, note, entity_id, created, modified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', '', NULL, ?, ?)"
    )
    fragment_sql = 'INSERT INTO span_fragments (span_id, ordinal, start, "end") VALUES (?, 0, ?, ?)'
    clock, cpu_clock = time.perf_counter_ns, time.process_time_ns

    def edit_raw() -> tuple[int, int]:
        doc_id, _, text, tag_id, _, start, end = target()
        prefix, suffix = context_of(text, ((start, end),))
        when = now()
        values = (new_uuid(), doc_id, annotator_id, tag_id, start, end, text[start:end])
        values += (prefix, suffix, when, when)
        began, cpu = clock(), cpu_clock()
        raw.execute("BEGIN IMMEDIATE")
        span_id = raw.execute(span_sql, values).lastrowid
        raw.execute(fragment_sql, (span_id, start, end))
        raw.execute("COMMIT")
        return clock() - began, cpu_clock() - cpu

    def edit_run() -> tuple[int, int]:
        _, doc_uuid, _, _, tag_key, start, end = target()
        project = projects["run"]
        began, cpu = clock(), cpu_clock()
        project.run(CreateSpan(doc_uuid, tag_key, [(start, end)]))
        return clock() - began, cpu_clock() - cpu

    def edit_do() -> tuple[int, int]:
        _, doc_uuid, _, _, tag_key, start, end = target()
        project = projects["do"]
        began, cpu = clock(), cpu_clock()
        CreateSpan(doc_uuid, tag_key, [(start, end)]).do(project)
        return clock() - began, cpu_clock() - cpu

    edits = {"raw": edit_raw, "run": edit_run, "do": edit_do}
    samples: dict[str, list[float]] = {mode: [] for mode in MODES}
    cpu_samples: dict[str, list[float]] = {mode: [] for mode in MODES}
    block_medians: dict[str, list[float]] = {mode: [] for mode in MODES}
    gc.collect()
    for mode in MODES:
        for _ in range(args.warmup):
            edits[mode]()
    blocks = max(1, args.edits // args.block)
    pd.say(f"  {blocks} blocks of {args.block} edits per mode ...")
    for index in range(blocks):
        order = MODES[index % 3 :] + MODES[: index % 3]
        for mode in order:
            measured = [edits[mode]() for _ in range(args.block)]
            times = [wall / 1e6 for wall, _ in measured]
            samples[mode] += times
            cpu_samples[mode] += [cpu / 1e6 for _, cpu in measured]
            block_medians[mode].append(pd.median(times))
    raw.close()
    for project in projects.values():
        project.close()
    spans_after = {}
    for mode in MODES:
        connection = pd.raw_connect(paths[mode])
        spans_after[mode] = connection.execute("SELECT count(*) FROM spans").fetchone()[0]
        connection.close()
    for path in paths.values():
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    added = args.warmup + blocks * args.block
    consistent = all(after - spans_before == added for after in spans_after.values())
    return report(args, samples, cpu_samples, block_medians, spans_before, consistent)


def report(args, samples, cpu_samples, block_medians, spans_before, consistent) -> int:
    raw_median = pd.median(samples["raw"])
    labels = {
        "raw": "raw sqlite3 (baseline)",
        "run": "project.run(CreateSpan)",
        "do": "CreateSpan.do (no history)",
    }
    rows = []
    diffs = {}
    for mode in MODES:
        values = samples[mode]
        per_block = [b - r for b, r in zip(block_medians[mode], block_medians["raw"], strict=True)]
        diffs[mode] = pd.median(values) - raw_median
        rows.append(
            [
                labels[mode],
                len(values),
                f"{pd.median(values):.3f}",
                f"{pd.percentile(values, 0.95):.3f}",
                f"{pd.percentile(values, 0.99):.3f}",
                f"{max(values):.1f}",
                f"{diffs[mode]:+.3f}" if mode != "raw" else "",
                f"{pd.median(per_block):+.3f}" if mode != "raw" else "",
                f"{pd.percentile(values, 0.95) - pd.percentile(samples['raw'], 0.95):+.3f}"
                if mode != "raw"
                else "",
                f"{pd.median(cpu_samples[mode]):.3f}",
                f"{pd.median(cpu_samples[mode]) - pd.median(cpu_samples['raw']):+.3f}"
                if mode != "raw"
                else "",
            ]
        )
    print()
    where = f"one {args.document_mb:g} MB document" if args.document_mb else f"scale {args.scale:g}"
    print(
        f"One span create + commit on a copy of a {spans_before:,}-span project "
        f"({where}), WAL + synchronous=FULL; times in ms (wall clock; CPU = "
        "this process's CPU time during the edit, without the wait for the disk)"
    )
    print(
        pd.table(
            [
                "mode",
                "n",
                "median",
                "p95",
                "p99",
                "max",
                "median over raw",
                "per-block median over raw",
                "p95 over raw",
                "CPU median",
                "CPU over raw",
            ],
            rows,
        )
    )
    if not consistent:
        print("FAIL: a copy did not gain exactly one span per edit")
    verdicts = []
    for mode in ("run", "do"):
        ok = diffs[mode] <= TARGET_MS
        verdicts.append(ok)
        print(
            f"{'PASS' if ok else 'FAIL'}: {labels[mode]} {diffs[mode]:+.3f} ms over raw "
            f"(target <= {TARGET_MS} ms)"
        )
    log = args.workdir / "results-edit.jsonl"
    with log.open("a", encoding="utf-8") as handle:
        handle.write(
            json.dumps(
                {
                    "scale": args.scale,
                    "at": time.time(),
                    "samples_ms": samples,
                    "cpu_ms": cpu_samples,
                }
            )
            + "\n"
        )
    return 0 if all(verdicts) and consistent else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    pd.common_arguments(parser)
    parser.add_argument("--edits", type=int, default=1000, help="timed edits per mode")
    parser.add_argument("--block", type=int, default=20, help="edits per mode in a row")
    parser.add_argument("--warmup", type=int, default=20, help="untimed edits per mode first")
    parser.add_argument(
        "--document-mb",
        type=float,
        default=0,
        help="edit one document of this many MB (a project of its own) instead of the perf "
        "project's 4 KB documents",
    )
    parser.add_argument("--child", choices=["build", "build-long"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "build-long":
        pd.emit(child_build_long(args))
        return 0
    if args.child == "build":
        pd.emit(child_build(args))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
