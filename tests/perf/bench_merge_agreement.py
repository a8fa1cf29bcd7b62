"""Merge two annotators' project files, then compute every agreement figure on the result.

Two project files hold the same documents (perf_data's generated articles; scale 0.1 =
1,000 documents) and one annotator's layer each, 100,000 spans and about 20,000 links per
file at scale 0.1: A is perf_data's layer; B is derived from it with realistic disagreement
(70 % the same span, 12 % another boundary, 10 % another tag, 8 % a span elsewhere), with
B's own uuids, links kept where the schema still allows them, every document marked done.

Cases, each in a fresh process (time, CPU time, peak RSS = VmHWM reset after the setup):
  merge      `services.merge.merge` of B into a copy of A (the full checklist of B included;
             the backup copy timed apart).
  json       baseline: JSON export of B, then `import_json` of it into a copy of A (the
             exchange path that does the same job).
  raw        floor: one plain sqlite3 connection ATTACHes B and copies its new rows with
             INSERT … SELECT (ids mapped by uuid/sha256/key; no checks, conflicts or ties).
  agreement  `services.agreement.compute_agreement` of the two layers on the merged file.

    .venv/bin/python tests/perf/bench_merge_agreement.py                # scale 0.1 (100k)
    .venv/bin/python tests/perf/bench_merge_agreement.py --rounds 3
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

import perf_data as pd

from annotator.services.exchange_files import ProjectSnapshot

SECOND_NAME = "perf-annotator-b"


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    path.with_name(f".{path.name}.lock").unlink(missing_ok=True)


def _files(workdir: Path, scale: float) -> tuple[Path, Path]:
    tag = pd.scale_tag(scale)
    return workdir / f"merge-a-{tag}.annotator", workdir / f"merge-b-{tag}.annotator"


# -- the two files ------------------------------------------------------------------------------
def second_layer(data: pd.DataSet, annotator: str) -> tuple[list, list]:
    """B's spans and links: derived from A's with seeded, realistic disagreement."""
    import dataclasses

    from annotator.domain.offsets import context_of, quote_of
    from annotator.services.project import default_schema

    rng = random.Random(pd.SEED + 1)
    new_uuid = pd._Uuids(rng)
    schema = default_schema()
    tags = [t.key for t in schema.tag_types]
    texts = {d.uuid: d.text for d in data.documents}
    renamed: dict[str, tuple[str, str]] = {}  # A's span uuid → (B's uuid, B's tag)
    spans = []
    for span in data.spans:
        text, roll = texts[span.document], rng.random()
        fragments, tag, attributes = span.fragments, span.tag, span.attributes
        if roll < 0.70:
            pass
        elif roll < 0.82 and fragments[-1][1] - fragments[-1][0] > 4:  # another end
            start, end = fragments[-1]
            fragments = (*fragments[:-1], (start, end - 1 - int(rng.random() * 3)))
        elif roll < 0.92:
            tag, attributes = rng.choice([t for t in tags if t != span.tag]), {}
        else:  # a span somewhere else in the text
            length = fragments[-1][1] - fragments[-1][0]
            start = int(rng.random() * (len(text) - length))
            fragments = ((start, start + length),)
        uuid = new_uuid()
        prefix, suffix = context_of(text, fragments)
        spans.append(
            dataclasses.replace(
                span,
                uuid=uuid,
                annotator=annotator,
                tag=tag,
                fragments=fragments,
                quote=quote_of(text, fragments),
                prefix=prefix,
                suffix=suffix,
                attributes=attributes,
            )
        )
        renamed[span.uuid] = (uuid, tag)
    links = []
    for link in data.links:
        (source, source_tag), (target, target_tag) = renamed[link.source], renamed[link.target]
        if schema.link_type(link.type).allows(source_tag, target_tag):
            links.append(
                dataclasses.replace(
                    link, uuid=new_uuid(), source=source, target=target, annotator=annotator
                )
            )
    return spans, links


def child_build(args: argparse.Namespace) -> dict:
    """Write A and B (once per scale; cached in the workdir)."""
    from annotator.domain.model import Annotator, DocumentStatus

    a_path, b_path = _files(args.workdir, args.scale)
    data = pd.load_data(args.workdir, args.scale)
    stamp = "2025-02-01T00:00:00.000Z"
    second = Annotator("01940000-0000-7000-8000-00000000b0b0", SECOND_NAME, "", stamp, stamp)
    b_spans, b_links = second_layer(data, second.uuid)
    base = args.workdir / "merge-base.annotator"
    _remove(base)
    project = pd.create_project(base, data)
    with project.store.write() as session:
        for document in data.documents:
            session.insert_document(document)
    project.close()
    for path, annotator, spans, links in (
        (a_path, data.annotator, data.spans, data.links),
        (b_path, second, b_spans, b_links),
    ):
        _remove(path)
        shutil.copyfile(base, path)
        project = _open(path)
        with project.store.write() as session:
            if annotator.uuid not in session.annotator_uuids().values():
                session.insert_annotator(annotator)
            session.bulk_insert_spans(spans)
            session.bulk_insert_links(links)
            for index, document in enumerate(data.documents):
                session.put_status(
                    DocumentStatus(
                        f"01940000-0000-7000-9{index:03x}-{annotator.uuid[-12:]}",
                        document.uuid,
                        annotator.uuid,
                        "done",
                        stamp,
                    )
                )
        project.close()
    _remove(base)
    return {"spans_a": len(data.spans), "spans_b": len(b_spans), "links_a": len(data.links),
            "links_b": len(b_links), "documents": len(data.documents)}  # fmt: skip


def _open(path: Path):
    from annotator.services.project import Project

    return Project.open(path, annotator_name=pd.CREATOR_NAME)


# -- the cases ----------------------------------------------------------------------------------
def _work_copy(args: argparse.Namespace, name: str) -> Path:
    a_path, _ = _files(args.workdir, args.scale)
    work = args.workdir / f"{name}-{pd.scale_tag(args.scale)}.annotator"
    _remove(work)
    shutil.copyfile(a_path, work)
    return work


def _measure(job) -> dict:
    pd.settle()
    reset = pd.reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    extra = job() or {}
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": pd.peak_rss_mb(),
        "peak_reset": reset,
        **extra,
    }


def child_merge(args: argparse.Namespace) -> dict:
    from annotator.services.merge import backup_path, merge

    _, b_path = _files(args.workdir, args.scale)
    work = _work_copy(args, "merged")
    project = _open(work)
    started = time.perf_counter()
    project.store.save_copy(backup_path(work))
    backup_seconds = time.perf_counter() - started

    def job() -> dict:
        report = merge(project, b_path, backup=False)
        return {"added": report.added, "conflicts": report.conflict_count}

    result = _measure(job)
    project.close()
    backup_path(work).unlink(missing_ok=True)
    return result | {"backup_seconds": backup_seconds}


def child_json(args: argparse.Namespace) -> dict:
    from annotator.io.formats.json.writer import export_json
    from annotator.services.exchange_files import import_json

    _, b_path = _files(args.workdir, args.scale)
    exported = args.workdir / f"merge-b-{pd.scale_tag(args.scale)}.json"
    work = _work_copy(args, "json-merged")
    other = _open(b_path)
    project = _open(work)
    times: dict = {}

    def job() -> dict:
        started = time.perf_counter()
        export_json(ProjectSnapshot(other), exported)
        times["export_seconds"] = time.perf_counter() - started
        report = import_json(project, exported)
        return {"added": report.added}

    result = _measure(job)
    other.close()
    project.close()
    exported.unlink(missing_ok=True)
    return result | times


_RAW_MERGE = (
    "INSERT INTO annotators (uuid, name, identifier, created, modified) SELECT uuid, name, "
    "identifier, created, modified FROM o.annotators "
    "WHERE uuid NOT IN (SELECT uuid FROM annotators)",
    'INSERT INTO spans (uuid, document_id, annotator_id, tag_type_id, start, "end", quote, prefix, '
    "suffix, attributes, note, entity_id, created, modified) SELECT s.uuid, d.id, a.id, t.id, "
    's.start, s."end", s.quote, s.prefix, s.suffix, s.attributes, s.note, NULL, s.created, '
    "s.modified FROM o.spans s JOIN o.documents od ON od.id = s.document_id "
    "JOIN documents d ON d.sha256 = od.sha256 JOIN o.annotators oa ON oa.id = s.annotator_id "
    "JOIN annotators a ON a.uuid = oa.uuid JOIN o.tag_types ot ON ot.id = s.tag_type_id "
    "JOIN tag_types t ON t.key = ot.key WHERE s.uuid NOT IN (SELECT uuid FROM spans) ORDER BY s.id",
    'INSERT INTO span_fragments (span_id, ordinal, start, "end") SELECT n.id, f.ordinal, f.start, '
    'f."end" FROM o.span_fragments f JOIN o.spans s ON s.id = f.span_id '
    "JOIN spans n ON n.uuid = s.uuid WHERE n.id > :top",
    "INSERT INTO links (uuid, document_id, link_type_id, source_span_id, target_span_id, "
    "annotator_id, attributes, note, created, modified) SELECT l.uuid, x.document_id, t.id, x.id, "
    "y.id, a.id, l.attributes, l.note, l.created, l.modified FROM o.links l "
    "JOIN o.spans os ON os.id = l.source_span_id JOIN spans x ON x.uuid = os.uuid "
    "JOIN o.spans ot ON ot.id = l.target_span_id JOIN spans y ON y.uuid = ot.uuid "
    "JOIN o.annotators oa ON oa.id = l.annotator_id JOIN annotators a ON a.uuid = oa.uuid "
    "JOIN o.link_types olt ON olt.id = l.link_type_id JOIN link_types t ON t.key = olt.key "
    "WHERE l.uuid NOT IN (SELECT uuid FROM links)",
)


def child_raw(args: argparse.Namespace) -> dict:
    _, b_path = _files(args.workdir, args.scale)
    work = _work_copy(args, "raw-merged")
    connection = pd.raw_connect(work, hardened=args.hardened_baseline)

    def job() -> None:
        connection.execute("ATTACH ? AS o", (f"{b_path.resolve().as_uri()}?mode=ro",))
        connection.execute("BEGIN IMMEDIATE")
        (top,) = connection.execute("SELECT coalesce(max(id), 0) FROM spans").fetchone()
        for statement in _RAW_MERGE:
            connection.execute(statement, {"top": top} if ":top" in statement else ())
        connection.execute("COMMIT")

    result = _measure(job)
    connection.close()
    return result


def child_agreement(args: argparse.Namespace) -> dict:
    from annotator.services.agreement import compute_agreement

    work = args.workdir / f"merged-{pd.scale_tag(args.scale)}.annotator"
    project = _open(work)
    with project.store.read() as session:
        uuids = [a.uuid for a in session.annotators() if a.name in (pd.ANNOTATOR_NAME, SECOND_NAME)]

    def job() -> dict:
        report = compute_agreement(project, uuids)
        figures = report.as_json()["all"]
        return {"documents": len(report.documents), "tokens": report.tokens, "all": figures}

    result = _measure(job)
    project.close()
    return result


CHILDREN = {
    "build": child_build,
    "merge": child_merge,
    "json": child_json,
    "raw": child_raw,
    "agreement": child_agreement,
}


# -- the parent -------------------------------------------------------------------------------
CASES = ("raw", "json", "merge", "agreement")  # agreement reads the file merge wrote


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    pd.common_arguments(parser)
    parser.set_defaults(scale=0.1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="write A and B again")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        pd.emit(CHILDREN[args.child](args))
        return 0
    common = ["--scale", str(args.scale), "--workdir", str(args.workdir)]
    if args.hardened_baseline:
        common.append("--hardened-baseline")
    script = str(Path(__file__).resolve())
    a_path, b_path = _files(args.workdir, args.scale)
    if args.rebuild or not (a_path.exists() and b_path.exists()):
        pd.say(f"building {a_path.name} and {b_path.name} ...")
        pd.say(json.dumps(pd.run_child(script, ["--child", "build", *common])))
    runs: dict[str, list[dict]] = {case: [] for case in CASES}
    for round_number in range(args.rounds):
        for case in CASES:
            result = pd.run_child(script, ["--child", case, *common])
            runs[case].append(result)
            pd.say(f"round {round_number + 1} {case}: {result['seconds']:.2f} s, "
                   f"peak {result['peak_rss_mb']:.0f} MB")  # fmt: skip
    medians = {
        case: {
            k: pd.median([r[k] for r in results]) for k in ("seconds", "cpu_seconds", "peak_rss_mb")
        }
        for case, results in runs.items()
    }
    rows = [
        [
            case,
            f"{m['seconds']:.2f}",
            f"{m['cpu_seconds']:.2f}",
            f"{m['peak_rss_mb']:.0f}",
            f"{m['seconds'] / medians['raw']['seconds']:.1f}x",
            f"{m['seconds'] / medians['json']['seconds']:.2f}x",
        ]
        for case, m in medians.items()
    ]
    print(pd.table(["case", "wall s", "cpu s", "peak RSS MB", "vs raw", "vs json"], rows))
    merge_run = runs["merge"][-1]
    print(f"merge added {merge_run['added']}; backup copy {merge_run['backup_seconds']:.2f} s")
    agreement = runs["agreement"][-1]
    print(f"agreement over {agreement['documents']} documents, {agreement['tokens']} tokens")
    print(json.dumps({"scale": args.scale, "rounds": args.rounds, "medians": medians}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
