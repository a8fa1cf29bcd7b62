"""FTS5 options for building the search index in bulk, in plain sqlite3 (no application code).

What `bench_search.py` cannot show: whether a different FTS5 setting would make the index
cheaper. Each variant runs in a fresh process on the same 10,000 generated documents
(perf_data's texts, plus with `--vocabulary large` 150 words a document drawn from about
110,000 made-up words, Zipf-like, as a real corpus has far more distinct words than the
generator's 80): a file with `documents` and `documents_fts` as schema.sql makes them (WAL,
synchronous=FULL), the rows inserted, then the index built, in one transaction. Reported: CPU
time of the whole transaction and of the index statements, minimum and median over rounds (the
minimum is the figure least disturbed by other load on a shared machine).

  none            no index entries (the documents-only baseline)
  default         prefix='2 3', FTS5 defaults; INSERT ... SELECT per 500 documents (production)
  one-statement   the same, one INSERT ... SELECT for all documents
  rebuild         the same through FTS5's 'rebuild' command
  hashsize-64mb   'hashsize' 64 MB (pending terms flushed to a segment less often)
  no-automerge    'automerge' 0 during the bulk, then 'optimize' (one merge at the end)
  both            hashsize 64 MB and no automerge, then 'optimize'
  pgsz-16000      'pgsz' 16,000 bytes (fewer, larger leaf pages)
  cache-64mb      PRAGMA cache_size 64 MB for the transaction
  no-prefix       without the prefix indexes (a file format change)

`--latency` then builds the index with and without the prefix indexes and times prefix queries
(the Search panel's first page: ranked page and total count), median of 7.

    .venv/bin/python tests/perf/bench_fts_options.py --rounds 5 --vocabulary large --latency
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

import perf_data as pd

VARIANTS = (
    "none",
    "default",
    "one-statement",
    "rebuild",
    "hashsize-64mb",
    "no-automerge",
    "both",
    "pgsz-16000",
    "cache-64mb",
    "no-prefix",
)
PREFIX_QUERIES = ("t*", "th*", "c*", "co*", "con*", "conta*", "patr*")
_SYLLABLES = [
    "ba",
    "be",
    "co",
    "con",
    "de",
    "di",
    "fa",
    "ge",
    "ha",
    "in",
    "ka",
    "la",
    "le",
    "ma",
    "mi",
    "na",
    "no",
    "pa",
    "pe",
    "po",
    "ra",
    "re",
    "ri",
    "sa",
    "se",
    "si",
    "ta",
    "te",
    "ti",
    "to",
    "tra",
    "un",
    "va",
    "ve",
    "vi",
    "wa",
    "ze",
    "st",
    "ch",
    "th",
]
_RANKED = (
    "SELECT d.id FROM (SELECT rowid AS id, bm25(documents_fts, 10.0, 1.0) AS score "
    "FROM documents_fts WHERE documents_fts MATCH ? ORDER BY score, rowid LIMIT 20) r "
    "JOIN documents d ON d.id = r.id"
)
_COUNT = "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?"


def rows(count: int, vocabulary: str) -> list[tuple[int, str, str]]:
    """(id, title, text) of the generated documents."""
    rng, extra = random.Random(pd.SEED), random.Random(7)
    words: list[str] = []
    if vocabulary == "large":
        made_up = (
            "".join(extra.choices(_SYLLABLES, k=extra.randint(2, 4))) for _ in range(200_000)
        )
        words = list(dict.fromkeys(made_up))
    # cumulative once: `choices` would rebuild them from plain weights on every call
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    result = []
    for index in range(count):
        title = f"Report {index}: " + " ".join(rng.choices(pd.WORDS, k=6))
        text = pd._text(rng, index)
        if words:
            text += " " + " ".join(extra.choices(words, cum_weights=cumulative, k=150))
        result.append((index + 1, title, text))
    return result


def create(path: Path, prefix: bool) -> sqlite3.Connection:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute(
        "CREATE TABLE documents (id INTEGER PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL)"
    )
    connection.execute(
        "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content = 'documents', "
        "content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'"
        + (", prefix = '2 3')" if prefix else ")")
    )
    return connection


def _config(connection: sqlite3.Connection, key: str, value: int) -> None:
    connection.execute(
        "INSERT INTO documents_fts (documents_fts, rank) VALUES (?, ?)", (key, value)
    )


def _command(connection: sqlite3.Connection, command: str) -> None:
    connection.execute("INSERT INTO documents_fts (documents_fts) VALUES (?)", (command,))


def build_index(connection: sqlite3.Connection, variant: str, count: int) -> None:
    """The index statements of one variant (inside the open transaction)."""
    if variant in ("hashsize-64mb", "both"):
        _config(connection, "hashsize", 64 * 1024 * 1024)
    if variant in ("no-automerge", "both"):
        _config(connection, "automerge", 0)
    if variant == "pgsz-16000":
        _config(connection, "pgsz", 16_000)
    if variant == "rebuild":
        _command(connection, "rebuild")
        return
    step = count if variant == "one-statement" else 500
    for start in range(1, count + 1, step):
        connection.execute(
            "INSERT INTO documents_fts (rowid, title, text) SELECT id, title, text "
            "FROM documents WHERE id BETWEEN ? AND ?",
            (start, start + step - 1),
        )
    if variant in ("no-automerge", "both"):
        _command(connection, "optimize")


def child(args: argparse.Namespace) -> dict:
    documents = rows(round(pd.DOCUMENTS * args.scale), args.vocabulary)
    path = args.workdir / f"fts-options-{os.getpid()}.db"
    connection = create(path, prefix=args.child != "no-prefix")
    if args.child == "cache-64mb":
        connection.execute("PRAGMA cache_size = -65536")
    pd.settle()
    cpu = time.process_time()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany("INSERT INTO documents (id, title, text) VALUES (?, ?, ?)", documents)
    index_cpu = time.process_time()
    if args.child != "none":
        build_index(connection, args.child, len(documents))
    index_cpu = time.process_time() - index_cpu
    connection.execute("COMMIT")
    cpu = time.process_time() - cpu
    found = connection.execute(_COUNT, ("patr*",)).fetchone()[0]
    connection.close()
    size = sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*"))
    for leftover in path.parent.glob(f"{path.name}*"):
        leftover.unlink()
    return {"cpu_s": cpu, "index_cpu_s": index_cpu, "mb": size / 1e6, "found": found}


def latency(args: argparse.Namespace) -> list[list]:
    documents = rows(round(pd.DOCUMENTS * args.scale), args.vocabulary)
    timings: dict[bool, dict[str, float]] = {}
    for prefix in (False, True):
        path = args.workdir / f"fts-latency-{os.getpid()}.db"
        connection = create(path, prefix)
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany("INSERT INTO documents VALUES (?, ?, ?)", documents)
        build_index(connection, "default", len(documents))
        connection.execute("COMMIT")
        timings[prefix] = {}
        for query in PREFIX_QUERIES:
            runs = []
            for _ in range(7):
                started = time.perf_counter()
                connection.execute(_RANKED, (query,)).fetchall()
                connection.execute(_COUNT, (query,)).fetchone()
                runs.append((time.perf_counter() - started) * 1000)
            timings[prefix][query] = pd.median(runs)
        connection.close()
        for leftover in path.parent.glob(f"{path.name}*"):
            leftover.unlink()
    return [[q, f"{timings[False][q]:.1f}", f"{timings[True][q]:.1f}"] for q in PREFIX_QUERIES]


def run(args: argparse.Namespace) -> int:
    args.workdir.mkdir(parents=True, exist_ok=True)
    common = ["--scale", str(args.scale), "--workdir", str(args.workdir)]
    common += ["--vocabulary", args.vocabulary]
    results: dict[str, list[dict]] = {variant: [] for variant in VARIANTS}
    for round_ in range(args.rounds):
        order = VARIANTS if round_ % 2 == 0 else tuple(reversed(VARIANTS))
        for variant in order:
            results[variant].append(pd.run_child(__file__, ["--child", variant, *common]))
        pd.say(f"round {round_ + 1} done")
    base = min(r["cpu_s"] for r in results["none"])
    rows_ = []
    for variant, runs in results.items():
        total = [r["cpu_s"] for r in runs]
        index = [r["index_cpu_s"] for r in runs]
        rows_.append(
            [
                variant,
                f"{min(total):.2f}",
                f"{pd.median(total):.2f}",
                f"{min(index):.2f}",
                f"{pd.median(index):.2f}",
                f"{min(total) / base:.1f}×",
                f"{runs[0]['mb']:.0f}",
            ]
        )
    print(
        f"\nFTS5 bulk index, {round(pd.DOCUMENTS * args.scale):,} documents, "
        f"{args.vocabulary} vocabulary, {args.rounds} rounds (CPU seconds)"
    )
    headers = ["variant", "min", "median", "index min", "index median", "min vs none", "MB"]
    print(pd.table(headers, rows_))
    if args.latency:
        print("\nprefix query, first page + count, median ms")
        print(pd.table(["query", "no prefix index", "prefix='2 3'"], latency(args)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    pd.common_arguments(parser)
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--vocabulary", choices=("generator", "large"), default="generator")
    parser.add_argument("--latency", action="store_true", help="time prefix queries too")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        pd.emit(child(args))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
