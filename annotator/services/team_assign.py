"""The trainer workflow on a team: assign documents to members, a member's queue with the
next unfinished document, and every member's progress."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.services.project import Project
from annotator.services.team import require_link
from annotator.store.team import TeamError


@dataclass(frozen=True)
class QueueItem:
    document: str  # uuid here
    title: str
    status: str  # new, in_progress, done (this member's, in this project)


@dataclass(frozen=True)
class MemberProgress:
    name: str
    kind: str
    assigned: int
    in_progress: int
    done: int


def _hashes(project: Project, documents: list[str]) -> dict[str, str]:
    """document uuid → text hash, refusing unknown documents."""
    with project.store.read() as session:
        known = {d.uuid: d for d in session.documents()}
    missing = [d for d in documents if d not in known]
    if missing:
        raise ValidationError(f"no document {missing[0]} in this project")
    return {d: known[d].sha256 for d in documents}


def assign(project: Project, member: str, documents: list[str], *, remove: bool = False) -> int:
    """Assign (or, with remove, unassign) documents of this project to a member (their login
    or annotator name); return how many assignments changed. Curators and owners only."""
    from annotator.store.team import assignments
    from annotator.store.team.connect import connect

    link = require_link(project)
    shas = list(_hashes(project, documents).values())
    with connect(link.url) as connection:
        uuid = assignments.member_uuid(connection, member)
        if uuid is None:
            raise TeamError(f"no team member {quoted(member)}")
        if remove:
            return assignments.unassign(connection, shas, uuid)
        return assignments.assign(connection, shas, uuid, link.member)


def queue(project: Project) -> list[QueueItem]:
    """This member's assigned documents, in assignment order, with their status here."""
    from annotator.store.team import assignments
    from annotator.store.team.connect import connect

    link = require_link(project)
    with connect(link.url) as connection:
        assigned = assignments.assigned_to_me(connection)
    with project.store.read() as session:
        by_sha = {d.sha256: d for d in session.documents()}
        statuses = {s.document: s.status for s in session.statuses() if s.annotator == link.member}
    items = []
    for sha, _when in assigned:
        document = by_sha.get(sha)
        if document is not None:  # not pulled yet: the next sync brings it
            items.append(
                QueueItem(document.uuid, document.title, statuses.get(document.uuid, "new"))
            )
    return items


def next_unfinished(items: list[QueueItem]) -> QueueItem | None:
    return next((item for item in items if item.status != "done"), None)


def progress(project: Project) -> list[MemberProgress]:
    """Every member's assigned, in-progress and done counts, as last pushed."""
    from annotator.store.team import assignments
    from annotator.store.team.connect import connect

    link = require_link(project)
    with connect(link.url) as connection:
        return [MemberProgress(*row) for row in assignments.progress(connection)]
