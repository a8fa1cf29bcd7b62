"""Merge other project files into the open project: checklist, backup, one transaction, report.

The other file is untrusted: a private copy of it goes through the full open checklist, is read
read-only and its rows are copied into ours (store.merge). A merge is one transaction: on any
error or cancel the project is unchanged. It is not undoable with Ctrl+Z (the undo history is
cleared, since its steps may no longer apply); a copy of the project is written beside it first
(`<name>.before-merge.annotator`) to go back to. Every report is kept in the project.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import orjson

from annotator.domain.changes import ChangeSet
from annotator.domain.ids import new_uuid, now
from annotator.domain.merge_report import MergeReport
from annotator.errors import IncomingRowsError, ProjectFileError, ValidationError
from annotator.services.project import Project
from annotator.store.checks import open_read_only, run_checklist, validate_content
from annotator.store.ddl import schema_version
from annotator.store.merge import (
    MergeCancelled,
    OtherFile,
    merge_other,
    open_other,
    record_report,
    stored_reports,
)
from annotator.store.merge_incoming import incoming_problems
from annotator.store.merge_schema import Policy, SchemaConflict

__all__ = ["MERGED", "MergeCancelled", "MergeReport", "SchemaConflict", "backup_path", "merge"]

#: progress(done, total, text) → False to cancel (annotator/gui/dialogs/progress.py's callback).
Progress = Callable[..., bool | None]


#: What a merge may have changed: anything (views reload from the file).
MERGED = ChangeSet(schema=True, annotators=True)


def backup_path(project_path: Path) -> Path:
    """Where the copy of the project from before a merge goes."""
    return project_path.with_name(f"{project_path.stem}.before-merge{project_path.suffix}")


@contextmanager
def checked_other(
    project: Project, other_path: Path, progress: Progress | None = None
) -> Iterator[OtherFile]:
    """A private copy of the other file (with its -wal, if one came along), checked like any
    file that is opened, then opened read-only. The original is never opened by SQLite."""
    other_path = Path(other_path)
    if not other_path.is_file():
        raise ProjectFileError(f"{other_path.name} does not exist or is not a file")
    if other_path.resolve() == Path(project.path).resolve() or os.path.samefile(
        other_path, project.path
    ):  # samefile: a hard link, or another spelling on a case-insensitive disk
        raise ValidationError(
            f"{other_path.name} is this project; a project cannot be merged into itself"
        )

    def say(text: str) -> None:
        if progress is not None:
            progress(0, 0, text)

    with tempfile.TemporaryDirectory(prefix="annotator-merge-") as folder:
        copy = Path(folder) / other_path.name
        say(f"Copying {other_path.name}")
        shutil.copyfile(other_path, copy)
        wal = Path(f"{other_path}-wal")
        if wal.is_file():
            shutil.copyfile(wal, f"{copy}-wal")
        version = run_checklist(copy, progress=say)
        if version < schema_version():
            # The checklist validates content at the current version only; the content tables
            # of older versions are the same, so their rows are checked here before any merge.
            with closing(open_read_only(copy)) as connection:
                validate_content(connection, other_path.name)
        say(f"Checking every row of {other_path.name}")
        with closing(open_read_only(copy)) as connection:
            problems = incoming_problems(connection)
        if problems:  # the whole incoming side is valid, or nothing is written
            raise IncomingRowsError(other_path.name, problems)
        with open_other(copy, version) as other:
            yield other


def schema_conflicts(
    project: Project, other_path: Path, progress: Progress | None = None
) -> list[SchemaConflict]:
    """The schema items the other file defines differently (for the GUI to ask about first)."""
    with checked_other(project, other_path, progress) as other, project.store.read() as session:
        return other.schema_conflicts(session)


def merge(
    project: Project,
    other_path: Path,
    progress: Progress | None = None,
    *,
    conflicts: Policy = "mine",
    backup: bool = True,
    notify: bool = True,
) -> MergeReport:
    """Merge the project file at other_path into project; return (and keep) the report.

    conflicts: "mine" or "theirs" for every schema conflict, or a choice per
    SchemaConflict.ident. Refused files raise a ProjectFileError; nothing changes then.
    notify=False leaves telling the listeners to the caller (the GUI merges on a worker thread
    and refreshes its views from the GUI thread with MERGED)."""
    other_path = Path(other_path)
    report = MergeReport(source=other_path.name, merged=now())
    with checked_other(project, other_path, progress) as other:
        report.source_uuid = other.project_uuid()
        if backup:
            destination = backup_path(Path(project.path))
            project.store.save_copy(destination)
            report.backup = str(destination)
        # store.write, not project.writing: the GUI runs this on a worker thread, and
        # project.writing would route the GUI thread's schema reads through this transaction.
        with project.store.write() as session:
            if project.annotator.uuid not in session.annotator_uuids().values():
                session.insert_annotator(project.annotator)  # the report names its author
            with session.lowering_push_mark():  # a colleague's older rows: news to the team
                touched = merge_other(session, other, conflicts, report, progress)
            text = orjson.dumps(report.to_dict()).decode("utf-8")
            record_report(session, new_uuid(), report, project.annotator.uuid, text)
    project.ensure_annotator_saved()  # written above: this only notes it
    project.history.clear()
    project.invalidate_schema()
    if notify:
        documents = frozenset(touched)
        project.notify(MERGED.merge(ChangeSet(documents=documents, documents_added=documents)))
    return report


def past_reports(project: Project) -> list[MergeReport]:
    """Every merge report kept in the project (its own and those merged files brought), newest
    first. A report that cannot be read back shows as its source name alone."""
    with project.store.read() as session:
        rows = stored_reports(session)
    reports = []
    for _uuid, merged, source, text in rows:
        try:
            report = MergeReport.from_dict(orjson.loads(text))
        except (orjson.JSONDecodeError, TypeError, ValueError):
            report = MergeReport()
        report.source, report.merged = source, merged
        reports.append(report)
    return reports
