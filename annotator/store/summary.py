"""A project's counts for `annotator info`, read over plain sqlite3 after the open checklist.

`ProjectStore.open(read_only=True)` would give the same answer, but it builds SQLAlchemy
engines, and importing SQLAlchemy alone takes longer than the whole command may (issue 11:
`annotator info` ≤ 0.4 s). The open is the same as `ProjectStore._open_read_only`: the project
lock when nobody holds it (else read through the holder's WAL), the full open checklist, and a
refusal of a file that needs an upgrade."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import ProjectFileError, ProjectLockedError
from annotator.store.checks import open_read_only, run_checklist
from annotator.store.ddl import schema_version
from annotator.store.lock import ProjectLock


@dataclass(frozen=True)
class ProjectSummary:
    name: str
    documents: int
    spans_by_tag: dict[str, int]
    links_by_type: dict[str, int]
    entities: int
    annotators: list[str]  # in the order they joined the project


def project_summary(path: Path, progress: Callable[[str], None] | None = None) -> ProjectSummary:
    """Check the project at path like a read-only open does, then count what it holds."""
    path = Path(path)
    if not path.is_file():
        raise ProjectFileError(f"{path.name} does not exist or is not a file")
    lock: ProjectLock | None = ProjectLock(path, holder="a read-only command, until it finishes")
    try:
        lock.acquire()
    except ProjectLockedError:
        lock = None  # the app has it open: read the snapshot its last commit left
    try:
        version = run_checklist(path, progress=progress, shared=lock is None)
        if version != schema_version():
            raise ProjectFileError(
                f"{path.name} is format version {version} and must first be upgraded to "
                f"version {schema_version()}, which a read-only command does not do: open "
                "it in the Annotator app (close any older Annotator that has it open first)"
            )
        connection = open_read_only(path, shared=lock is None)
        try:
            return _count(connection)
        finally:
            connection.close()
    finally:
        if lock is not None:
            lock.release()


def _count(connection) -> ProjectSummary:
    def pairs(sql: str) -> dict[str, int]:
        return {key: count for key, count in connection.execute(sql)}

    def one(sql: str) -> int:
        return int(connection.execute(sql).fetchone()[0])

    connection.execute("BEGIN")  # one snapshot for every count
    try:
        info = dict(connection.execute("SELECT key, value FROM project_info"))
        return ProjectSummary(
            name=str(info.get("name", "")),
            documents=one("SELECT count(*) FROM documents"),
            spans_by_tag=pairs(
                "SELECT g.key, count(*) FROM spans s JOIN tag_types g ON g.id = s.tag_type_id "
                "GROUP BY g.key"
            ),
            links_by_type=pairs(
                "SELECT k.key, count(*) FROM links l JOIN link_types k ON k.id = l.link_type_id "
                "GROUP BY k.key"
            ),
            entities=one("SELECT count(*) FROM entities"),
            annotators=[
                row[0] for row in connection.execute("SELECT name FROM annotators ORDER BY id")
            ],
        )
    finally:
        connection.execute("COMMIT")
