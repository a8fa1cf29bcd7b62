"""JSON export: `annotator.io.formats.json.writer.export_json` against raw sqlite3 + orjson.

Targets (store research note §6): production ≤ 1.35× raw in time; its peak RSS ≤ 150 MB.

The project is built once through the production bulk path and cached in --workdir. Every
export then runs in a fresh process, rounds alternating the order of the two cases:

  raw   sqlite3 + orjson, streamed one document at a time: documents, spans and links (and
        statuses) read by four cursors in document order and merge-joined, discontinuous
        spans' fragments read first, JSON columns passed through as orjson Fragments. It
        writes exactly our exporter's bytes: the small head (project, schema, annotators) and
        tail (entities, tombstones) are taken from a warm-up export and written verbatim.
  ours  `Project.open` (not timed), then `export_json(ProjectSnapshot(project), path)`.

Both write to a temp file, fsync it and rename it; the timer covers the whole export. Peak
RSS is VmHWM from /proc/self/status. For ours it is reset (/proc/self/clear_refs) after the
project is open, so "peak RSS export" is the export's own high-water mark and "peak RSS
process" includes the open checklist. The outputs are checked to be byte-identical.

    .venv/bin/python tests/perf/bench_store_export.py --scale 0.1 --rounds 3   # quick check
    .venv/bin/python tests/perf/bench_store_export.py                          # 1M spans
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import perf_data as pd

from annotator.services.exchange_files import ProjectSnapshot

TARGET_RATIO = 1.35
TARGET_RSS_MB = 150
DOCUMENTS_KEY = b',"documents":['
TAIL_KEY = b'],"entities":'


def _output(args: argparse.Namespace, case: str) -> Path:
    return args.workdir / f"export-{case}-{pd.scale_tag(args.scale)}.json"


def _head_tail(args: argparse.Namespace) -> tuple[Path, Path]:
    tag = pd.scale_tag(args.scale)
    return args.workdir / f"export-head-{tag}.bin", args.workdir / f"export-tail-{tag}.bin"


# -- the raw baseline ---------------------------------------------------------------------------
def raw_export(database: Path, destination: Path, head: bytes, tail: bytes, hardened: bool) -> int:
    """Stream the documents array with sqlite3 + orjson; head and tail written verbatim."""
    import orjson

    dumps, fragment = orjson.dumps, orjson.Fragment
    temp = destination.with_name(f".{destination.name}.partial")
    connection = pd.raw_connect(database, hardened=hardened)
    try:
        connection.execute("BEGIN")
        annotators = dict(connection.execute("SELECT id, uuid FROM annotators"))
        tags = dict(connection.execute("SELECT id, key FROM tag_types"))
        link_types = dict(connection.execute("SELECT id, key FROM link_types"))
        entities = dict(connection.execute("SELECT id, uuid FROM entities"))
        multi: dict[int, list[list[int]]] = {}
        for span_id, start, end in connection.execute(
            'SELECT span_id, start, "end" FROM span_fragments WHERE span_id IN '
            "(SELECT span_id FROM span_fragments WHERE ordinal = 1) ORDER BY span_id, ordinal"
        ):
            multi.setdefault(span_id, []).append([start, end])
        spans = connection.execute(
            'SELECT document_id, id, uuid, tag_type_id, start, "end", quote, prefix, suffix, '
            "annotator_id, attributes, note, entity_id, created, modified FROM spans "
            'ORDER BY document_id, start, "end", uuid'
        )
        links = connection.execute(
            "SELECT l.document_id, l.uuid, l.link_type_id, a.uuid, b.uuid, l.annotator_id, "
            "l.attributes, l.note, l.created, l.modified FROM links l "
            "JOIN spans a ON a.id = l.source_span_id JOIN spans b ON b.id = l.target_span_id "
            "ORDER BY l.document_id, l.uuid"
        )
        statuses = connection.execute(
            "SELECT document_id, uuid, annotator_id, status, modified FROM document_status "
            "ORDER BY document_id, uuid"
        )
        documents = connection.execute(
            "SELECT id, uuid, title, text, sha256, author, outlet, url, published, language, "
            "source_filename, source_encoding, extra, imported, created, modified, author_id "
            "FROM documents ORDER BY id"
        )
        span = next(spans, None)
        link = next(links, None)
        status = next(statuses, None)
        count = 0
        with temp.open("wb") as out:
            write = out.write
            write(head)
            for (
                doc_id,
                doc_uuid,
                title,
                text,
                sha256,
                author,
                outlet,
                url,
                published,
                language,
                source_filename,
                source_encoding,
                extra,
                imported,
                created,
                modified,
                author_id,
            ) in documents:
                doc_spans = []
                while span is not None and span[0] < doc_id:
                    span = next(spans, None)
                while span is not None and span[0] == doc_id:
                    (
                        _,
                        span_id,
                        su,
                        tag,
                        start,
                        end,
                        quote,
                        pre,
                        suf,
                        ann,
                        attrs,
                        note,
                        ent,
                        c,
                        m,
                    ) = span
                    doc_spans.append(
                        {
                            "id": su,
                            "tag": tags[tag],
                            "fragments": multi.get(span_id) or [[start, end]],
                            "text": quote,
                            "prefix": pre,
                            "suffix": suf,
                            "annotator": annotators[ann],
                            "attributes": fragment(attrs),
                            "note": note,
                            "entity": entities.get(ent) if ent is not None else None,
                            "created": c,
                            "modified": m,
                        }
                    )
                    span = next(spans, None)
                doc_links = []
                while link is not None and link[0] < doc_id:
                    link = next(links, None)
                while link is not None and link[0] == doc_id:
                    _, lu, kind, source, target, ann, attrs, note, c, m = link
                    doc_links.append(
                        {
                            "id": lu,
                            "type": link_types[kind],
                            "source": source,
                            "target": target,
                            "annotator": annotators[ann],
                            "attributes": fragment(attrs),
                            "note": note,
                            "created": c,
                            "modified": m,
                        }
                    )
                    link = next(links, None)
                doc_statuses = []
                while status is not None and status[0] < doc_id:
                    status = next(statuses, None)
                while status is not None and status[0] == doc_id:
                    _, su, ann, value, m = status
                    doc_statuses.append(
                        {"id": su, "annotator": annotators[ann], "status": value, "modified": m}
                    )
                    status = next(statuses, None)
                if count:
                    write(b",")
                write(
                    dumps(
                        {
                            "id": doc_uuid,
                            "title": title,
                            "text": text,
                            "sha256": sha256,
                            "metadata": {
                                "author": author,
                                "outlet": outlet,
                                "url": url,
                                "published": published,
                                "language": language,
                                "source_filename": source_filename,
                                "source_encoding": source_encoding,
                                "imported": imported,
                                "extra": fragment(extra),
                            },
                            "created": created,
                            "modified": modified,
                            "author": annotators.get(author_id) if author_id is not None else None,
                            "spans": doc_spans,
                            "links": doc_links,
                            "status": doc_statuses,
                        }
                    )
                )
                count += 1
            write(tail)
            out.flush()
            os.fsync(out.fileno())
        connection.execute("COMMIT")
    finally:
        connection.close()
    os.replace(temp, destination)
    return count


# -- children -----------------------------------------------------------------------------------
def child_build(args: argparse.Namespace) -> dict:
    path = pd.ensure_project(args.workdir, args.scale)
    return {"bytes": path.stat().st_size}


def child_raw(args: argparse.Namespace) -> dict:
    head_path, tail_path = _head_tail(args)
    head, tail = head_path.read_bytes(), tail_path.read_bytes()
    database = pd.project_file(args.workdir, args.scale)
    before = pd.peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    count = raw_export(database, _output(args, "raw"), head, tail, args.hardened_baseline)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = pd.peak_rss_mb()
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "documents": count,
        "peak_rss_mb": peak,
        "peak_rss_process_mb": peak,
        "rss_before_mb": before,
    }


def child_ours(args: argparse.Namespace) -> dict:
    from annotator.io.formats.json.writer import export_json
    from annotator.services.project import Project

    database = pd.project_file(args.workdir, args.scale)
    opened = time.perf_counter()
    project = Project.open(database, annotator_name=pd.CREATOR_NAME)
    open_s = time.perf_counter() - opened
    try:
        open_peak = pd.peak_rss_mb()
        before = pd.rss_mb()
        reset = pd.reset_peak_rss()
        started, cpu = time.perf_counter(), time.process_time()
        count = export_json(ProjectSnapshot(project), _output(args, "ours"))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = pd.peak_rss_mb()
    finally:
        project.close()
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "documents": count,
        "peak_rss_mb": peak if reset else None,
        "peak_rss_process_mb": max(open_peak, peak),
        "rss_before_mb": before,
        "open_s": open_s,
    }


CHILDREN = {"build": child_build, "raw": child_raw, "ours": child_ours}


# -- driver -------------------------------------------------------------------------------------
def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _split_head_tail(args: argparse.Namespace) -> None:
    """Save the head and tail of a production export for the raw writer."""
    data = _output(args, "ours").read_bytes()
    cut = data.index(DOCUMENTS_KEY) + len(DOCUMENTS_KEY)
    end = data.rindex(TAIL_KEY)
    head_path, tail_path = _head_tail(args)
    head_path.write_bytes(data[:cut])
    tail_path.write_bytes(data[end:])


def run(args: argparse.Namespace) -> int:
    args.workdir.mkdir(parents=True, exist_ok=True)
    common = ["--scale", str(args.scale), "--workdir", str(args.workdir)]
    if args.hardened_baseline:
        common.append("--hardened-baseline")
    log = args.workdir / "results-export.jsonl"
    pd.say(f"scale {args.scale:g}: the project (cached in {args.workdir}) ...")
    built = pd.run_child(__file__, ["--child", "build", *common])
    pd.say(f"  {built['bytes'] / 1e6:.1f} MB")

    def one(case: str, round_: int) -> dict:
        result = pd.run_child(__file__, ["--child", case, *common])
        result |= {"case": case, "round": round_, "scale": args.scale, "at": time.time()}
        with log.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")
        shown = {k: v for k, v in result.items() if k not in ("at", "case", "round", "scale")}
        pd.say(f"  round {round_} {case}: {shown}")
        return result

    pd.say("warm-up export (ours; its head and tail feed the raw writer) ...")
    one("ours", 0)
    _split_head_tail(args)
    results: dict[str, list[dict]] = {"raw": [], "ours": []}
    identical = True
    for round_ in range(1, args.rounds + 1):
        for case in ["raw", "ours"] if round_ % 2 else ["ours", "raw"]:
            results[case].append(one(case, round_))
        if round_ in (1, args.rounds):
            same = _md5(_output(args, "raw")) == _md5(_output(args, "ours"))
            identical &= same
            pd.say(f"  outputs byte-identical: {same}")
    size = _output(args, "ours").stat().st_size
    for case in ("raw", "ours"):
        _output(args, case).unlink(missing_ok=True)
    return report(args, results, size, identical)


def report(args: argparse.Namespace, results: dict[str, list[dict]], size: int, same: bool) -> int:
    raw = {r["round"]: r["seconds"] for r in results["raw"]}
    ratios = [r["seconds"] / raw[r["round"]] for r in results["ours"]]
    labels = {"raw": "raw sqlite3 + orjson (baseline)", "ours": "export_json (production)"}
    rows = []
    for case in ("raw", "ours"):
        times = [r["seconds"] for r in results[case]]
        peaks = [r["peak_rss_mb"] for r in results[case] if r["peak_rss_mb"] is not None]
        rows.append(
            [
                labels[case],
                len(times),
                f"{pd.median(times):.2f}",
                f"{min(times):.2f}",
                f"{max(times):.2f}",
                f"{size / 1e6 / pd.median(times):.0f}",
                f"{pd.median(ratios):.3f}" if case == "ours" else "1.000",
                f"{max(peaks):.0f}" if peaks else "n/a",
                f"{max(r['peak_rss_process_mb'] for r in results[case]):.0f}",
            ]
        )
    spans = round(pd.DOCUMENTS * args.scale * pd.SPANS_PER_DOCUMENT)
    print()
    print(
        f"JSON export, scale {args.scale:g}: {round(pd.DOCUMENTS * args.scale):,} documents, "
        f"{spans:,} spans, {round(spans / 5):,} links; output {size / 1e6:.1f} MB"
    )
    print(
        pd.table(
            [
                "case",
                "n",
                "median s",
                "min s",
                "max s",
                "MB/s",
                "vs raw",
                "peak RSS export MB",
                "peak RSS process MB",
            ],
            rows,
        )
    )
    opens = [r["open_s"] for r in results["ours"]]
    print(f"(not timed: Project.open with its checklist, median {pd.median(opens):.1f} s)")
    print(f"per-round ratios ours/raw: {', '.join(f'{r:.3f}' for r in ratios)}")
    print("outputs byte-identical: " + ("yes" if same else "NO"))
    ratio = pd.median(ratios)
    peaks = [r["peak_rss_mb"] for r in results["ours"]]
    peak = max(peaks) if None not in peaks else None
    time_ok = ratio <= TARGET_RATIO
    rss_ok = peak is not None and peak <= TARGET_RSS_MB
    print(f"{'PASS' if time_ok else 'FAIL'}: export {ratio:.3f}x raw (target <= {TARGET_RATIO}x)")
    shown = f"{peak:.0f} MB" if peak is not None else "unknown (clear_refs refused)"
    print(f"{'PASS' if rss_ok else 'FAIL'}: peak RSS {shown} (target <= {TARGET_RSS_MB} MB)")
    return 0 if time_ok and rss_ok and same else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    pd.common_arguments(parser)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of raw + ours (default 5)")
    parser.add_argument("--child", choices=list(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        pd.emit(CHILDREN[args.child](args))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
