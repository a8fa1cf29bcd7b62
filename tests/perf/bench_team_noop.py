"""A sync with nothing to do, on the user's two paths (issue 16: ≤ 100 ms).

A throwaway PostgreSQL server (as bench_team.py starts it); the owner pushes perf_data's
project (100,000 spans at the default scale 0.1), a new member clones it to a project file.

1. Window: the real MainWindow opened on that file (open checklist included). Each run
   presses Ctrl+Shift+Y (Team ▸ Sync now's shortcut) and is timed until the sync's report is
   in the status bar and the status bar has painted it (the worker's `finished` handled, then
   the paint, in a real event loop). Baseline in the same process and project:
   `sync(project)` called directly with a new connection each time (no window, nothing kept).
2. CLI: `annotator sync PROJECT` in fresh processes: the whole process, and the sync's own
   time as it reports it. Baseline: `annotator team status PROJECT` in fresh processes (the
   same start-up and open checklist, no server), so the difference is what syncing adds.

    .venv/bin/python tests/perf/bench_team_noop.py [--scale 0.1|0.01|1] [--runs 9]
    # the CLI runs of another version alternating with these (a checkout's root, e.g. from
    # `git archive COMMIT annotator schema.sql resources | tar -x -C /tmp/old`):
    .venv/bin/python tests/perf/bench_team_noop.py --compare-code /tmp/old

Scale 1 (1M spans) needs perf_data's cached 1M project in $TMPDIR/annotator-perf (built
once if missing: about 10 minutes) and about 7 minutes for the owner's push and the clone.
Exits 1 when the window's median or the CLI's sync part is over 100 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "team"))

import perf_data as pd  # noqa: E402
from pg_server import start_server  # noqa: E402
from user_window import application, open_window, pump_until  # noqa: E402

TARGET_MS = 100.0


def say(text: str) -> None:
    print(text, flush=True)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def member_project(server, folder: Path, workdir: Path, scale: float) -> Path:
    """perf_data's project pushed by its owner, then cloned by a new member: that file."""
    from annotator.domain.ids import new_uuid
    from annotator.services import team as team_service
    from annotator.services.project import Project
    from annotator.services.team_sync import sync
    from annotator.store.team.admin import add_member, init_team

    source = folder / "owner.annotator"
    shutil.copyfile(pd.ensure_project(workdir, scale), source)
    database = server.new_database()
    admin = server.url(database)
    init_team(admin, "bench")
    started = time.perf_counter()
    with Project.open(source, annotator_name=pd.CREATOR_NAME) as owner:
        add_member(admin, f"{database}_owner", "owner", owner.annotator.uuid, pd.CREATOR_NAME)
        add_member(admin, f"{database}_new", "annotator", new_uuid(), "newcomer")
        team_service.attach(owner, server.url(database, f"{database}_owner"))
        sync(owner)
    say(f"  the owner pushed {source.stat().st_size / 1e6:.0f} MB in "
        f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    target = folder / "member.annotator"
    started = time.perf_counter()
    team_service.clone(server.url(database, f"{database}_new"), target).close()
    say(f"  the new member cloned it in {time.perf_counter() - started:.1f} s")
    return target


class StatusBarPaints:
    """When the status bar painted, and when the session last put a note in it; `wait`
    runs a real event loop (sleeping between events, as the app's does) until a note is
    painted after a moment."""

    def __init__(self, window) -> None:
        from PySide6.QtCore import QEvent, QEventLoop, QObject

        self.paints: list[float] = []
        self.notes: list[tuple[float, str]] = []
        self.loop = QEventLoop()
        self.since = float("inf")
        probe = self

        class Filter(QObject):
            def eventFilter(self, watched, event) -> bool:
                if event.type() == QEvent.Type.Paint:
                    probe.paints.append(time.perf_counter())
                    # the paint event is handled right after this filter: quit once it is
                    if probe.note_after(probe.since) is not None:
                        QTimer.singleShot(0, probe.loop.quit)
                return False

        from PySide6.QtCore import QTimer

        self.filter = Filter(window)
        window.statusBar().installEventFilter(self.filter)
        # connected after StatusFeedback's slot: the note is in the bar when this runs
        window.session.message.connect(lambda text: self.notes.append((time.perf_counter(), text)))

    def note_after(self, moment: float) -> float | None:
        return next((at for at, _text in self.notes if at > moment), None)

    def note_painted_after(self, moment: float) -> float | None:
        note = self.note_after(moment)
        return None if note is None else next((p for p in self.paints if p > note), None)

    def wait(self, since: float, timeout_s: float = 60.0) -> float:
        from PySide6.QtCore import QTimer

        self.since = since
        QTimer.singleShot(int(timeout_s * 1000), self.loop.quit)
        if self.note_painted_after(since) is None:
            self.loop.exec()
        end = self.note_painted_after(since)
        self.since = float("inf")
        if end is None:
            raise TimeoutError("the sync's report was not painted in time")
        return end


def sync_now_ms(window, probe: StatusBarPaints) -> tuple[float, str]:
    """Press Team ▸ Sync now's shortcut; ms until the report is shown and painted."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.statusBar().clearMessage()  # the last run's note timed out: this one shows anew
    pump_until(lambda: window.team.worker is None)
    QTest.qWait(50)  # let the cleared bar paint and the machine settle
    started = time.perf_counter()
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window, Qt.Key.Key_Y, keys)  # Team ▸ Sync now
    if window.team.worker is None:
        raise RuntimeError("Ctrl+Shift+Y started no sync")
    end = probe.wait(started)
    if window.team.worker is not None:
        raise RuntimeError("the report was shown before the sync's end was handled")
    return (end - started) * 1000, window.statusBar().currentMessage()


def direct_ms(project) -> float:
    from annotator.services.team_sync import sync

    started = time.perf_counter()
    sync(project)
    return (time.perf_counter() - started) * 1000


def spread(values: list[float], unit: str = "ms") -> str:
    return (f"median {statistics.median(values):.1f} {unit} (range {min(values):.1f}-"
            f"{max(values):.1f}, {len(values)} runs)")  # fmt: skip


def cli(*args: str, code: Path | None = None) -> tuple[float, str, float]:
    """`annotator ARGS` in a fresh process (of the Annotator at `code`, a checkout's root,
    when given): (wall ms, its standard output, its CPU ms: user + system, which a busy
    machine's waits for a core do not inflate)."""
    import resource

    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)  # and run there: `-m` puts the working folder first
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True,
                          text=True, check=True, env=env, cwd=code)  # fmt: skip
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, done.stdout, cpu


def window_runs(path: Path, runs: int) -> float:
    window, session, _paints, _refreshes = open_window(path, "newcomer")
    probe = StatusBarPaints(window)
    first, message = sync_now_ms(window, probe)
    say(f"1. first Sync now after opening the window: {first:.1f} ms ({message!r})")
    say(f"   runs start; {uptime()}")
    by_window, direct = [], []
    for _ in range(runs):
        by_window.append(sync_now_ms(window, probe)[0])
        direct.append(direct_ms(session.project))
    say(f"   Sync now by its shortcut, until the report is painted: {spread(by_window)}")
    say(f"   baseline, sync(project) in-process, a new connection each: {spread(direct)}")
    window.close()  # syncs on close, closes the file cleanly (as a user's session ends)
    session.close()
    return statistics.median(by_window)


def cli_runs(path: Path, runs: int, code: Path | None = None) -> float:
    """Fresh `annotator sync` processes, each followed by a `team status` (the baseline); with
    `code`, the same again with that checkout's Annotator, alternating run by run."""
    import json

    say(f"2. `annotator sync` in fresh processes; {uptime()}")
    versions = {"this code": None} | ({f"the code at {code}": code} if code else {})
    found: dict[str, dict[str, list[float]]] = {
        name: {"wall": [], "inner": [], "cpu": [], "status": [], "status_cpu": []}
        for name in versions
    }
    for run in range(runs):
        order = list(versions.items())
        for name, where in order if run % 2 == 0 else order[::-1]:
            wall, out, cpu = cli("sync", str(path), "--annotator", "newcomer", "--json",
                                 code=where)  # fmt: skip
            status, _out, status_cpu = cli("team", "status", str(path), "--annotator",
                                           "newcomer", code=where)  # fmt: skip
            inner = json.loads(out.splitlines()[0])["seconds"] * 1000
            for key, value in zip(found[name], (wall, inner, cpu, status, status_cpu), strict=True):
                found[name][key].append(value)
    for name in versions:
        f = found[name]
        say(f"   {name}: whole process {spread(f['wall'])}; CPU {spread(f['cpu'])}")
        say(f"     the sync itself, as it reports it: {spread(f['inner'])}")
        say(f"     baseline, `annotator team status` (same start-up and open, read-only, no "
            f"server): {spread(f['status'])}; CPU {spread(f['status_cpu'])}")  # fmt: skip
        wall = statistics.median(f["wall"]) - statistics.median(f["status"])
        cpu = statistics.median(f["cpu"]) - statistics.median(f["status_cpu"])
        say(f"     sync adds {wall:.0f} ms of wall time, {cpu:.0f} ms of CPU")
    return statistics.median(found["this code"]["inner"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="of the 1M-span data set")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--skip-window", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument(
        "--compare-code", type=Path, help="a checkout whose `annotator sync` runs alternate"
    )
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "annotator-perf"
    )
    args = parser.parse_args()
    os.environ.setdefault("ANNOTATOR_CONFIG_DIR", tempfile.mkdtemp(prefix="annotator-id-"))
    app = application()
    server = start_server()
    medians = []
    try:
        with tempfile.TemporaryDirectory(prefix="annotator-team-noop-") as name:
            say(f"A sync with nothing to do, scale {args.scale:g}; {uptime()}")
            path = member_project(server, Path(name), args.workdir, args.scale)
            if not args.skip_window:
                medians.append(window_runs(path, args.runs))
                app.processEvents()
            if not args.skip_cli:
                medians.append(cli_runs(path, args.runs, args.compare_code))
            say(f"target ≤ {TARGET_MS:.0f} ms; {uptime()}")
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
    return 0 if all(m <= TARGET_MS for m in medians) else 1


if __name__ == "__main__":
    sys.exit(main())
