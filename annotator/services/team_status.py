"""What the status indicator and `annotator team status` show: the team, the last sync and
the changes waiting to be pushed (counted locally, no connection needed)."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.services.project import Project
from annotator.services.team import TeamLink, team_link


@dataclass(frozen=True)
class TeamStatus:
    link: TeamLink | None
    pending: int  # local rows this member may push that the server has not had yet
    me: str = ""  # who annotates here: "name (uuid)", the uuid to give `team add-member`

    def describe(self) -> str:
        if self.link is None:
            return f"not synced with a team; you annotate here as {self.me}"
        last = self.link.last_sync or "never"
        return (
            f"team {self.link.name} at {self.link.url} as {self.link.kind or 'member'}; "
            f"last sync {last}; {self.pending} changes to push"
            + ("; blind" if self.link.blind else "")
        )


def pending_changes(project: Project, link: TeamLink) -> int:
    from annotator.store.team.local import PushMark, change_counts, changed_rows, moved_tables
    from annotator.store.team.push import Member

    member = Member(link.member, link.kind or "annotator")
    with project.store.read() as session:
        raw = session._raw()
        tables = moved_tables(change_counts(raw), link.pushed_counts)
        rows = changed_rows(raw, PushMark(link.pushed_at, link.pushed_ids), tables)
    # Rows modified while the last sync ran count until the next one has pushed them.
    return sum(1 for table, found in rows.items() for row in found if member.may_push(table, row))


def status(project: Project) -> TeamStatus:
    link = team_link(project)
    me = f"{project.annotator.name} ({project.annotator.uuid})"
    return TeamStatus(link, 0 if link is None else pending_changes(project, link), me)
