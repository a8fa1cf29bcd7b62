"""Team database benchmarks (issue 16), on a PostgreSQL server this script starts itself:

1. 20 members, each in a process of their own (`annotator sync`, the CLI a user runs), push
   5,000 new spans each at the same moment: the total wall time until all are synced.
2. A new member clones a team database of 1M spans and 200k links (`team.clone`, the path of
   `annotator team clone`) against the same data's JSON import into a new project
   (`import_json`, the path of `annotator import`): target ≤ 1.5×.
3. A sync with nothing to do (`sync`, what Team ▸ Sync now runs): target ≤ 100 ms (median),
   on member 0's project and on the clone; on the clone also `annotator sync` in fresh
   processes (whole process, and the sync's own time as it reports it).

    .venv/bin/python tests/perf/bench_team.py [--scale 0.1] [--members 20] [--spans 5000]

The 1M-span project is perf_data's (cached in $TMPDIR/annotator-perf; copied, never changed).
Exits 1 when a target is missed. The server runs with fsync off (a test server); figures are
wall times on a shared machine, so `uptime` is printed with them.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "team"))

import perf_data as pd  # noqa: E402
from pg_server import start_server  # noqa: E402

from annotator.domain.ids import new_uuid, now  # noqa: E402
from annotator.domain.model import Span  # noqa: E402
from annotator.services import team as team_service  # noqa: E402
from annotator.services.exchange_files import ProjectSnapshot  # noqa: E402
from annotator.services.project import Project  # noqa: E402
from annotator.services.team_sync import sync  # noqa: E402
from annotator.store.team.admin import add_member, init_team  # noqa: E402

TEXT = " ".join(f"word{i:05d}" for i in range(12_000))  # 120,000 code points


def say(text: str) -> None:
    print(text, flush=True)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def concurrent_pushes(server, folder: Path, members: int, spans: int) -> dict:
    say(f"1. {members} members push {spans} new spans each, at once")
    from annotator.io.documents.text import import_text
    from annotator.services.document_commands import AddDocuments

    database = server.new_database()
    admin = server.url(database)
    init_team(admin, "bench")
    owner = Project.create(folder / "owner.annotator", annotator_name="owner")
    add = AddDocuments([import_text(TEXT, "long.txt", "utf-8")])
    owner.run(add)
    (document,) = add.report.added
    add_member(admin, f"{database}_owner", "owner", owner.annotator.uuid, "owner")
    team_service.attach(owner, server.url(database, f"{database}_owner"))
    sync(owner)
    owner.close()
    paths = []
    for index in range(members):
        login = f"{database}_m{index}"
        add_member(admin, login, "annotator", new_uuid(), f"m{index}")
        path = folder / f"m{index}.annotator"
        project = team_service.clone(server.url(database, login), path)
        when = now()
        rows = []
        for n in range(spans):
            start = (n * 10) % (len(TEXT) - 9)
            rows.append(Span(new_uuid(), document, project.annotator.uuid, "actor",
                             ((start, start + 9),), TEXT[start : start + 9],
                             created=when, modified=when))  # fmt: skip
        with project.store.write() as session:
            session.bulk_insert_spans(rows)
        project.close()
        paths.append((path, f"m{index}"))
    say(f"  {members} members ready, {spans} new spans each; {uptime()}")
    started = time.perf_counter()
    children = [
        subprocess.Popen([sys.executable, "-m", "annotator", "sync", str(p), "--annotator", n],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for p, n in paths
    ]  # fmt: skip
    failures = [c.communicate()[1] for c in children if c.wait() != 0]
    total = time.perf_counter() - started
    import psycopg

    with psycopg.connect(admin) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM team.spans WHERE annotator_uuid <> %s", ("",)
        ).fetchone()
    first = Project.open(paths[0][0], annotator_name=paths[0][1])
    try:
        sync(first)  # takes in everyone's spans, so the no-op below has the whole team's
        noop = [_timed(lambda: sync(first)) for _ in range(9)]
        with first.store.read() as session:
            local = session._raw().execute("SELECT count(*) FROM spans").fetchone()[0]
    finally:
        first.close()
    return {"seconds": total, "server_spans": count, "failures": failures, "members": members,
            "noop_ms": [x * 1000 for x in noop], "noop_project_spans": local}  # fmt: skip


def _timed(job) -> float:
    started = time.perf_counter()
    job()
    return time.perf_counter() - started


def clone_versus_json(server, folder: Path, workdir: Path, scale: float, rounds: int) -> dict:
    from annotator.io.formats.json.writer import export_json
    from annotator.services.exchange_files import import_json

    cached = pd.ensure_project(workdir, scale)
    source = folder / "source.annotator"
    shutil.copyfile(cached, source)
    json_path = folder / "export.json"
    with Project.open(source, annotator_name=pd.CREATOR_NAME) as project:
        export_json(ProjectSnapshot(project), json_path)
    database = server.new_database()
    admin = server.url(database)
    init_team(admin, "big")
    owner = Project.open(source, annotator_name=pd.CREATOR_NAME)
    add_member(admin, f"{database}_owner", "owner", owner.annotator.uuid, pd.CREATOR_NAME)
    add_member(admin, f"{database}_new", "annotator", new_uuid(), "newcomer")
    team_service.attach(owner, server.url(database, f"{database}_owner"))
    say(f"  pushing {source.stat().st_size / 1e6:.0f} MB as the owner's first push ...")
    first_push = _timed(lambda: sync(owner))
    owner.close()
    json_times, clone_times, noop, cli_noop, first = [], [], [], [], 0.0
    for round_ in range(rounds):
        for case in ("json", "clone") if round_ % 2 == 0 else ("clone", "json"):
            target = folder / f"{case}-{round_}.annotator"
            if case == "json":
                project = Project.create(target, annotator_name="newcomer")
                json_times.append(_timed(lambda p=project: import_json(p, json_path)))
                project.close()
            else:
                url = server.url(database, f"{database}_new")
                clone_times.append(_timed(lambda u=url, t=target: team_service.clone(u, t).close()))
                if round_ == rounds - 1:
                    with Project.open(target, annotator_name="newcomer") as project:
                        first = _timed(lambda p=project: sync(p)) * 1000
                        noop = [_timed(lambda p=project: sync(p)) * 1000 for _ in range(9)]
                    cli_noop = [_cli_sync(target, "newcomer") for _ in range(5)]
            target.unlink(missing_ok=True)
            say(f"  round {round_ + 1} {case}: "
                f"{(json_times if case == 'json' else clone_times)[-1]:.1f} s")  # fmt: skip
    return {"first_push": first_push, "json": json_times, "clone": clone_times,
            "noop_ms_1m": noop, "first_sync_ms": first, "cli_noop": cli_noop}  # fmt: skip


def _cli_sync(path: Path, annotator: str) -> tuple[float, float]:
    """`annotator sync PATH` in a fresh process (as a user runs it): (wall seconds of the
    whole process, milliseconds of the sync itself as it reports them)."""
    import json

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "sync", str(path), "--annotator", annotator, "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    return wall, json.loads(done.stdout.splitlines()[0])["seconds"] * 1000


def _report_pushes(pushes: dict, expected: int) -> bool:
    failed = len(pushes["failures"])
    say(f"   all synced in {pushes['seconds']:.1f} s; the server holds "
        f"{pushes['server_spans']} spans (expected {expected}); syncs (push and pull) that "
        f"succeeded: {pushes['members'] - failed} of {pushes['members']}")  # fmt: skip
    for failure in sorted(set(pushes["failures"]))[:3]:
        say(f"   a failed sync said: {failure.strip()}")
    median = statistics.median(pushes["noop_ms"])
    say(f"3. no-op sync on a project of {pushes['noop_project_spans']} spans: median "
        f"{median:.0f} ms (range {min(pushes['noop_ms']):.0f}-"
        f"{max(pushes['noop_ms']):.0f}, 9 runs; target ≤ 100 ms)")  # fmt: skip
    return pushes["server_spans"] == expected and not failed and median <= 100


def _report_noop(result: dict) -> bool:
    noop = result["noop_ms_1m"]
    if not noop:
        return True
    walls = [w for w, _ in result["cli_noop"]]
    inner = [m for _, m in result["cli_noop"]]
    say(
        f"3. no-op sync of the clone, in the open project (Sync now's path): median "
        f"{statistics.median(noop):.0f} ms (range {min(noop):.0f}-{max(noop):.0f}, 9 runs; "
        f"the first sync after the clone {result['first_sync_ms']:.0f} ms); target ≤ 100 ms"
    )
    say(
        f"   `annotator sync` on the clone, 5 fresh processes: wall median "
        f"{statistics.median(walls):.2f} s (range {min(walls):.2f}-{max(walls):.2f}), of "
        f"which the sync itself median {statistics.median(inner):.0f} ms (range "
        f"{min(inner):.0f}-{max(inner):.0f}; start-up and the open checklist are the rest)"
    )
    return statistics.median(noop) <= 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the 1M-span data set")
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--spans", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2, help="clone and JSON import rounds")
    parser.add_argument("--skip-clone", action="store_true")
    parser.add_argument("--skip-pushes", action="store_true", help="only the clone comparison")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "annotator-perf"
    )
    args = parser.parse_args()
    os.environ.setdefault("ANNOTATOR_CONFIG_DIR", tempfile.mkdtemp(prefix="annotator-id-"))
    server = start_server()
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="annotator-team-bench-") as name:
            folder = Path(name)
            if not args.skip_pushes:
                ok &= _report_pushes(concurrent_pushes(server, folder, args.members, args.spans),
                                     args.members * args.spans)  # fmt: skip
            if not args.skip_clone:
                say(f"2. clone vs JSON import, scale {args.scale:g}; {uptime()}")
                result = clone_versus_json(server, folder, args.workdir, args.scale, args.rounds)
                ratio = statistics.median(result["clone"]) / statistics.median(result["json"])
                say(f"   owner's first push (attach): {result['first_push']:.1f} s")
                say(f"   JSON import: {', '.join(f'{t:.1f}' for t in result['json'])} s; clone: "
                    f"{', '.join(f'{t:.1f}' for t in result['clone'])} s; "
                    f"ratio of medians {ratio:.2f} (target ≤ 1.5)")  # fmt: skip
                ok &= _report_noop(result)
                ok &= ratio <= 1.5
        say(uptime())
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
