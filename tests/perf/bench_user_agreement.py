"""Agreement ▸ Compute for 1,000 documents and 200,000 spans, through the real window and the
CLI, from a project file (issue 11).

Target: ≤ 2 s from the click on Compute until the report's tables have painted.

The project (built once, cached): perf_data's 1,000 documents (scale 0.1) with two
annotators' layers, every document marked done by both: A is perf_data's 100,000 spans and
20,000 links; B is derived from A with bench_merge_agreement's realistic disagreement (70 %
the same span, 12 % another end, 10 % another tag, 8 % a span elsewhere).

Each round is a fresh process per case, the order alternating:
  window    MainWindow over the file, Tools ▸ Agreement…, then a click on Compute: timed until
            the report is shown and the window's span table has painted;
  cli       `annotator agreement PROJECT` (the CLI in a fresh interpreter, open checklist
            included), timed around the process;
  baseline  the same process as `cli` for `annotator info PROJECT`: interpreter, imports and
            the open checklist, without agreement (what the CLI's figure stands on).
The figures (every coefficient of the report) are printed once, and a SHA-256 of the whole
report (every figure and passage, as JSON), to compare between versions. `--window-only`
skips the CLI cases; the window rows also give the CPU time, the service's share and the CPU of
agreement's second process (services/agreement_worker.py).

    .venv/bin/python tests/perf/bench_user_agreement.py --rounds 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import perf_data as pd

TARGET_S = 2.0
SECOND_NAME = "perf-second"
ROOT = Path(__file__).resolve().parents[2]


def _file(args: argparse.Namespace) -> Path:
    return args.workdir / f"agreement-{pd.scale_tag(args.scale)}.annotator"


def child_build(args: argparse.Namespace) -> dict:
    from bench_merge_agreement import second_layer

    from annotator.domain.model import Annotator, DocumentStatus

    path = _file(args)
    building = path.with_name(f"building-{path.name}")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    data = pd.load_data(args.workdir, args.scale)
    stamp = "2025-02-01T00:00:00.000Z"
    second = Annotator("01940000-0000-7000-8000-00000000b0b0", SECOND_NAME, "", stamp, stamp)
    b_spans, b_links = second_layer(data, second.uuid)
    project = pd.create_project(building, data)
    try:
        pd.production_insert(project, data)
        with project.store.write() as session:
            session.insert_annotator(second)
            session.bulk_insert_spans(b_spans)
            session.bulk_insert_links(b_links)
            for annotator in (data.annotator, second):
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
    finally:
        project.close()
    shutil.move(building, path)
    return {"spans": len(data.spans) + len(b_spans), "documents": len(data.documents)}


def child_window(args: argparse.Namespace) -> dict:
    import user_window as uw
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from annotator.gui.agreement import tables

    painted: list[float] = []
    original = tables.FigureTable.paintEvent

    def paint_event(table, event) -> None:
        original(table, event)
        painted.append(time.perf_counter())

    tables.FigureTable.paintEvent = paint_event
    from annotator.gui.agreement import window as agreement_window

    shown: list[float] = []  # when the report reached the window (the click blocks until then)
    show_report = agreement_window.AgreementWindow.show_report

    def timed_show(self, report) -> None:
        show_report(self, report)
        shown.append(time.perf_counter())

    agreement_window.AgreementWindow.show_report = timed_show
    from annotator.services import agreement as agreement_service

    computed: list[tuple[float, float]] = []  # (wall, CPU of the worker thread) of the service
    compute_agreement = agreement_service.compute_agreement

    def timed_compute(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return compute_agreement(*args, **kwargs)
        finally:
            computed.append((time.perf_counter() - wall, time.thread_time() - cpu))

    agreement_service.compute_agreement = timed_compute
    uw.application()
    path = args.workdir / f"round-{os.getpid()}.annotator"
    shutil.copyfile(_file(args), path)
    try:
        window, session, _, _ = uw.open_window(path, pd.ANNOTATOR_NAME)
        window.actions_by_id["agreement"].trigger()
        agreement = window.agreement_window
        uw.pump_until(lambda: agreement.isVisible())
        children = _children_cpu()
        started, cpu = time.perf_counter(), time.process_time()
        QTest.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)
        end = uw.pump_until(lambda: shown and next((p for p in painted if p > shown[0]), None))
        cpu = time.process_time() - cpu
        children = _children_cpu() - children  # agreement's second process, when it ran
        report = agreement.report
        figures = report.as_json()["all"]
        whole = json.dumps(report.as_json(passages=True), sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(whole.encode()).hexdigest()
        session.close()
        window.close()
    finally:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        path.with_name(f".{path.name}.lock").unlink(missing_ok=True)
    return {
        "seconds": end - started,
        "cpu": cpu,
        "service": computed[0][0],
        "service_cpu": computed[0][1],
        "second_cpu": children,
        "documents": len(report.documents),
        "digest": digest,
        "figures": figures,
    }


def _children_cpu() -> float:
    """CPU seconds of this process's ended (and reaped) child processes."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _cli(args: argparse.Namespace, command: str) -> float:
    started = time.perf_counter()
    extra = ["--annotators", pd.ANNOTATOR_NAME, SECOND_NAME] if command == "agreement" else []
    done = subprocess.run(
        [sys.executable, "-m", "annotator", command, str(_file(args)), *extra],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"annotator {command} failed: {done.stderr.strip()[-400:]}")
    return time.perf_counter() - started


def run(args: argparse.Namespace) -> int:
    args.workdir.mkdir(parents=True, exist_ok=True)
    common = ["--workdir", str(args.workdir), "--scale", str(args.scale)]
    if not _file(args).exists():
        pd.say("building the project (perf_data at this scale, then both layers) ...")
        pd.run_child(__file__, ["--child", "build", *common])
    load = [os.getloadavg()]
    window: list[float] = []
    window_cpu: list[float] = []
    service: list[float] = []
    service_cpu: list[float] = []
    second_cpu: list[float] = []
    cli: list[float] = []
    baseline: list[float] = []
    figures = None
    digests: set[str] = set()
    for index in range(args.rounds):
        cases = ("window",) if args.window_only else ("window", "cli", "baseline")
        for case in cases if index % 2 == 0 else reversed(cases):
            if case == "window":
                result = pd.run_child(__file__, ["--child", "window", *common])
                window.append(result["seconds"])
                window_cpu.append(result["cpu"])
                service.append(result["service"])
                service_cpu.append(result["service_cpu"])
                second_cpu.append(result.get("second_cpu", 0.0))
                figures = result["figures"]
                digests.add(result["digest"])
            elif case == "cli":
                cli.append(_cli(args, "agreement"))
            else:
                baseline.append(_cli(args, "info"))
        pd.say(
            f"  round {index + 1}: window {window[-1]:.2f} s (CPU {window_cpu[-1]:.2f}), "
            + ("" if args.window_only else f"cli {cli[-1]:.2f} s, info {baseline[-1]:.2f} s")
        )
    load.append(os.getloadavg())

    def figure(values: list[float]) -> str:
        return f"{pd.median(values):.2f} ({min(values):.2f}–{max(values):.2f})" if values else "–"

    rows = [
        ["window: Compute until painted", figure(window)],
        ["  CPU of the process meanwhile (both threads)", figure(window_cpu)],
        ["  of which the service (compute_agreement, wall)", figure(service)],
        ["  the service's CPU (its worker thread)", figure(service_cpu)],
        ["  CPU of agreement's second process (0: none ran)", figure(second_cpu)],
    ]
    if not args.window_only:
        rows += [
            ["CLI: annotator agreement (whole process)", figure(cli)],
            ["baseline: annotator info (same process, no agreement)", figure(baseline)],
            ["CLI minus baseline", f"{pd.median(cli) - pd.median(baseline):.2f}"],
        ]
    print(pd.table(["case", "seconds, median (min–max)"], rows))
    print(f"figures: {json.dumps(figures, sort_keys=True)[:600]}")
    print(f"report digest (every figure and passage): {', '.join(sorted(digests))}")
    verdict = "pass" if pd.median(window) <= TARGET_S else "MISS"
    print(
        f"{args.rounds} rounds, fresh processes; load {load}; target: window ≤ {TARGET_S} s "
        f"-> {verdict}"
    )
    with open(args.workdir / "results-user-agreement.jsonl", "a", encoding="utf-8") as out:
        out.write(
            json.dumps(
                {
                    "at": time.time(),
                    "window": window,
                    "window_cpu": window_cpu,
                    "service": service,
                    "service_cpu": service_cpu,
                    "second_cpu": second_cpu,
                    "digests": sorted(digests),
                    "cli": cli,
                    "baseline": baseline,
                    "figures": figures,
                }
            )
            + "\n"
        )
    return 0 if verdict == "pass" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=pd.DEFAULT_WORKDIR)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window-only", action="store_true", help="skip the CLI cases")
    parser.add_argument("--child", choices=("build", "window"))
    args = parser.parse_args(argv)
    if args.child == "build":
        pd.emit(child_build(args))
        return 0
    if args.child == "window":
        pd.emit(child_window(args))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
