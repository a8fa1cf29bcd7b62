"""Sync a project with its team database: push our changes, then pull everyone else's
through the merge machinery, with the merge's report.

Push: the rows changed since the last push (tombstones and history included), as upserts
keyed like a merge keys them, by the merge rules, in one server transaction; only tables whose
change count moved are read (store.team.local), so a sync with nothing to push reads none.
Pull: the rows above the last pulled change number, streamed into a private project file,
each row checked as it is written, the file then held to the same row checks as a
colleague's file (store.merge_incoming) and merged (store.merge.merge_other), in one local
transaction that also moves the sync marks, so an interrupted sync leaves the project as it
was and the next one catches up. Schema conflicts take the team's version (only owners change
the team schema).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from annotator.domain.ids import new_uuid, now
from annotator.domain.merge_report import MergeReport
from annotator.errors import IncomingRowsError
from annotator.services.project import Project
from annotator.services.team import TeamLink, require_link
from annotator.store.checks import open_read_only
from annotator.store.ddl import schema_version
from annotator.store.merge_incoming import incoming_problems
from annotator.store.team import TeamError
from annotator.store.team.connect import KeptConnection

if TYPE_CHECKING:
    from annotator.store.merge import OtherFile

__all__ = ["KeptConnection", "SyncReport", "prepare", "sync"]

# The merge machinery (services.merge, store.merge) is imported by a sync that has pulled
# something: a sync with nothing to do never loads it (about 30 ms of a CLI run's imports).

#: progress(done, total, text) → False to cancel (services.merge.Progress).
Progress = Callable[..., bool | None]


@dataclass
class SyncReport:
    """What one sync did."""

    team: str = ""
    pushed: dict[str, int] = field(default_factory=dict)  # rows written to the server
    kept_theirs: int = 0  # our versions the server held newer ones of (pulled instead)
    pulled: int = 0  # changed rows read from the server
    refused: list[str] = field(default_factory=list)  # pulled rows that failed the checks
    merge: MergeReport | None = None  # what the pull changed here (None: nothing)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [f"pushed {sum(self.pushed.values())} rows", f"pulled {self.pulled} rows"]
        if self.merge is not None and self.merge.changed:
            parts.append(self.merge.summary())
        if self.refused:
            parts.append(f"refused {len(self.refused)} pulled rows")
        return f"team {self.team}: " + "; ".join(parts)


def prepare() -> None:
    """Warm up before opening the project to sync: the driver's import starts on a thread
    (store.team.connect.preload_driver), so it overlaps the open checklist."""
    from annotator.store.team.connect import preload_driver

    preload_driver()


def sync(
    project: Project,
    progress: Progress | None = None,
    notify: bool = True,
    keep: KeptConnection | None = None,
) -> SyncReport:
    """Push, then pull. Raises TeamOffline when the server cannot be reached (nothing changed
    here then) and TeamError when it refuses. `keep`: a connection kept between syncs (a
    window's), used when still open and given back when the sync ends cleanly.

    A sync with nothing to do asks the server one statement (who we are, the team's settings
    and its last change number), reads the local change counts and writes the link's marks."""
    from annotator.store.team.admin import probe
    from annotator.store.team.connect import plain_connect
    from annotator.store.team.local import (
        PushMark,
        change_counts,
        changed_rows,
        max_ids,
        moved_tables,
    )
    from annotator.store.team.push import Member, push

    started = time.perf_counter()
    link = require_link(project)
    report = SyncReport(team=link.name)
    with plain_connect(link.url, keep) as team:
        info = _check_member(probe(team), link, project, report)
        server = team.connection
        _say(progress, 0, "Pushing")
        mark = now()
        with project.store.read() as session:
            local = session._raw()
            counts = change_counts(local)  # only tables whose count moved can hold news
            tables = moved_tables(counts, link.pushed_counts)
            rows = changed_rows(local, PushMark(link.pushed_at, link.pushed_ids), tables)
            read_up_to = max_ids(local)
        member = Member(info["member"], info["kind"])
        pushed = push(server, rows, member, lambda text: _say(progress, 0, text))
        report.pushed, report.kept_theirs = pushed.sent, pushed.older
        link.pushed_at, link.pushed_ids, link.kind = mark, read_up_to, info["kind"]
        link.pushed_counts = counts
        if (info["blind"], info["gold_released"]) != (link.blind, link.gold_released):
            link.last_seq = 0  # rows hidden before may be visible now: read everything again
        if pushed.own == (0, 0) and info["last_seq"] <= link.last_seq:
            # nothing pushed, and no change numbered since the last pull: nothing to pull
            link.last_sync = now()
            _apply(project, Path(), link, report, False, progress)
        else:
            _say(progress, 1, "Pulling")
            _pull_and_apply(project, server, link, report, progress, pushed.own)
    if notify and report.merge is not None and report.merge.changed:
        from annotator.services.merge import MERGED

        project.notify(MERGED)
    report.seconds = time.perf_counter() - started
    return report


def _pull_and_apply(project, server, link: TeamLink, report: SyncReport, progress, own) -> None:
    with tempfile.TemporaryDirectory(prefix="annotator-sync-") as folder:
        snapshot = Path(folder) / "team.annotator"
        with server.transaction(), project.store.read() as session:
            server.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            pulled = _pull(server, snapshot, link, session, progress, own)
        report.pulled, report.refused = pulled.rows, pulled.refused
        link.last_seq, link.last_sync = pulled.last_seq, now()
        link.blind, link.gold_released = pulled.blind, pulled.gold_released
        _apply(project, snapshot, link, report, pulled.rows > 0, progress)


def _say(progress: Progress | None, step: int, text: str) -> None:
    if progress is not None and progress(step, 3, text) is False:
        raise TeamError("sync cancelled; the project is unchanged")


def _check_member(info: dict, link: TeamLink, project: Project, report: SyncReport) -> dict:
    if not info["member"]:
        raise TeamError("you are not (or no longer) a member of this team")
    if info["member"] != link.member:
        raise TeamError(
            f"this project belongs to team member {link.member}; you connect as {info['member']}"
        )
    if project.annotator.uuid != link.member:
        report.warnings.append(
            f"you annotate here as {project.annotator.name}, not as the team member this "
            "project belongs to; that work is not pushed"
        )
    return info


def _pull(server, snapshot: Path, link: TeamLink, session, progress: Progress | None, own):
    from annotator.store.team.pull import pull

    def step(done: int, total: int, text: str) -> bool | None:
        return None if progress is None else progress(done, total, text)

    return pull(server, snapshot, link.last_seq, session._raw(), step, own)


@contextmanager
def _pulled(snapshot: Path, progress: Progress | None) -> Iterator[OtherFile]:
    """The pulled file, held to the merge's checks of every incoming row, then read-only.

    The file is this process's own: pull wrote it into a private folder, through
    parameterised inserts into a schema it created, checking each row as it went (refusing
    and naming the bad ones). So it needs none of what the open checklist guards against in a
    file from elsewhere (a damaged header or pages, a hostile schema), and it holds only what
    changed: the checks below read just those rows, with progress and no deadline, so a busy
    machine makes a pull slower, never refused."""
    _say(progress, 2, "Checking the pulled rows")
    with closing(open_read_only(snapshot)) as connection:
        problems = incoming_problems(connection)
    if problems:  # what the row checks of the pull let through, the merge's own refuse
        raise IncomingRowsError("the pulled changes", problems)
    from annotator.store.merge import open_other

    with open_other(snapshot, schema_version()) as other:
        yield other


def _count_the_merge_as_pushed(link: TeamLink, before: dict, after: dict) -> None:
    """What the merge wrote came from the server: a table's count may move past it, unless
    the table changed here between the push's read and the merge (then its count stays at
    what the push saw, and the next sync reads that table again)."""
    pushed = link.pushed_counts
    link.pushed_counts = {
        table: after[table] if before.get(table) == pushed.get(table) else pushed[table]
        for table in after
        if table in pushed
    }


def _apply(
    project: Project,
    snapshot: Path,
    link: TeamLink,
    report: SyncReport,
    changed: bool,
    progress: Progress | None,
) -> None:
    """Merge the pulled file (when it holds changes) and move the marks, in one transaction."""
    from annotator.store.merge import merge_other, record_report
    from annotator.store.team.local import change_counts, max_ids, write_link

    if not changed:
        with project.store.write() as session:
            write_link(session._raw(), link.to_json())
        return
    merge = MergeReport(source=f"team {link.name}", merged=now())
    with _pulled(snapshot, progress) as other, project.store.write() as session:
        before = change_counts(session._raw())
        merge_other(session, other, "theirs", merge, None)
        _count_the_merge_as_pushed(link, before, change_counts(session._raw()))
        if report.refused:
            for line in report.refused[:20]:
                merge.conflict(f"refused from the team database: {line}")
        if merge.changed or merge.conflicts:
            text = orjson.dumps(merge.to_dict()).decode("utf-8")
            record_report(session, new_uuid(), merge, project.annotator.uuid, text)
        raw = session._raw()
        link.pushed_ids = max_ids(raw)  # what the pull brought is not ours to push again
        write_link(raw, link.to_json())
    if merge.changed:
        project.history.clear()  # undo steps may no longer apply
        project.invalidate_schema()
    report.merge = merge
