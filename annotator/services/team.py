"""Team membership of a project: set up a team database, join it (clone, attach), leave it.

The project keeps a small team link in project_info (the URL without any password, the team
and member it belongs to, how far it has pulled and pushed); `sync` (services/team_sync) does
the rest. Passwords come from libpq's own sources (~/.pgpass, service file, PGPASSWORD)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from annotator.domain.ids import new_uuid, now
from annotator.errors import ProjectFileError
from annotator.services.project import Project
from annotator.store.team import TeamError, TeamOffline

__all__ = ["TeamError", "TeamLink", "TeamOffline", "attach", "clone", "detach", "team_link"]


@dataclass
class TeamLink:
    """What a project remembers of its team (project_info "team")."""

    url: str
    name: str
    member: str  # the member's annotator uuid
    kind: str = "annotator"
    last_seq: int = 0  # pulled every change up to this server sequence number
    pushed_at: str = ""  # pushed every row modified before this time...
    pushed_ids: dict[str, int] = field(default_factory=dict)  # ...or inserted up to these ids
    #: The file's change counts (store.team.local.change_counts) that push had seen: a table
    #: whose count has not moved since holds nothing to push. Empty: unknown, read them all.
    pushed_counts: dict[str, int] = field(default_factory=dict)
    last_sync: str = ""
    blind: bool = False
    gold_released: bool = False

    def to_json(self) -> str:
        return orjson.dumps(dataclasses.asdict(self)).decode("utf-8")

    @classmethod
    def from_json(cls, text: str) -> TeamLink:
        try:
            data = orjson.loads(text)
            known = {f.name for f in dataclasses.fields(cls)}
            return cls(**{k: v for k, v in data.items() if k in known})
        except (orjson.JSONDecodeError, TypeError, AttributeError):
            raise TeamError("the project's team link is damaged; detach and attach again") from None


def team_link(project: Project) -> TeamLink | None:
    from annotator.store.team.local import read_link

    with project.store.read() as session:
        text = read_link(session._raw())
    return None if text is None else TeamLink.from_json(text)


def require_link(project: Project) -> TeamLink:
    link = team_link(project)
    if link is None:
        raise TeamError(
            f"{Path(project.store.path).name} is not synced with a team "
            "(annotator team clone URL PROJECT, or annotator team attach PROJECT URL)"
        )
    return link


def save_link(project: Project, link: TeamLink | None) -> None:
    from annotator.store.team.local import write_link

    with project.store.write() as session:
        write_link(session._raw(), None if link is None else link.to_json())


def init(url: str, name: str) -> str:
    """Create the team schema in the database at url (an administrator's connection)."""
    from annotator.store.team.admin import init_team

    return init_team(url, name)


def add_member(
    url: str,
    login: str,
    kind: str,
    *,
    annotator_uuid: str | None = None,
    annotator_name: str | None = None,
    password: str | None = None,
) -> str:
    """Add a member; return their annotator uuid (a new one unless given)."""
    from annotator.store.team.admin import add_member as add

    uuid = annotator_uuid or new_uuid()
    add(url, login, kind, uuid, annotator_name or login, password)
    return uuid


def set_visibility(url: str, *, blind: bool | None = None, gold_released: bool | None = None):
    from annotator.store.team.admin import set_visibility as change

    change(url, blind=blind, gold_released=gold_released)


def who(url: str) -> dict:
    """The team's name and settings and the connected member, as the server says."""
    from annotator.store.team.admin import whoami
    from annotator.store.team.connect import connect

    with connect(url) as connection:
        return whoami(connection)


def clone(url: str, destination: Path, progress=None) -> Project:
    """A new project file holding the team's data, as this member; opened as them."""
    from annotator.store.checks import run_checklist
    from annotator.store.team.connect import check_url, connect, public_url, raw
    from annotator.store.team.pull import pull
    from annotator.store.team.snapshot import stamp

    destination = Path(destination)
    if destination.exists():
        raise ProjectFileError(f"{destination.name} already exists; choose another name")
    if not destination.parent.is_dir():
        raise ProjectFileError(f"folder {destination.parent} does not exist")
    url = check_url(url)
    temp = destination.with_name(f".{destination.name}.cloning")
    temp.unlink(missing_ok=True)
    started = now()
    try:
        with connect(url) as connection:
            info = _member_of(connection)
            with connection.begin():
                server = raw(connection)
                server.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                pulled = pull(server, temp, 0, None, progress)
            name = _annotator_name(connection, info["member"])
        link = TeamLink(public_url(url), info["name"], info["member"], info["kind"] or "")
        link.last_seq, link.pushed_at, link.last_sync = pulled.last_seq, started, now()
        link.blind, link.gold_released = pulled.blind, pulled.gold_released
        project_info = {"uuid": new_uuid(), "name": destination.stem, "created": started}
        link.pushed_ids, link.pushed_counts = stamp(
            temp,
            project_info,
            lambda ids, counts: dataclasses.replace(
                link, pushed_ids=ids, pushed_counts=counts
            ).to_json(),
        )
        run_checklist(temp)
        os.replace(temp, destination)
    finally:
        temp.unlink(missing_ok=True)
    project = Project.open(destination, annotator_name=name)
    if pulled.refused:
        project.team_refused = pulled.refused  # type: ignore[attr-defined]
    return project


def _member_of(connection) -> dict:
    from annotator.store.team.admin import whoami

    info = whoami(connection)
    if not info["member"]:
        raise TeamError(
            "you are not a member of this team (ask its owner: annotator team add-member)"
        )
    return info


def _annotator_name(connection, uuid: str) -> str:
    row = connection.exec_driver_sql(
        "SELECT name FROM team.annotators WHERE uuid = %s", (uuid,)
    ).first()
    if row is None:
        raise TeamError(f"the team has no annotator {uuid}")
    return row[0]


def attach(project: Project, url: str) -> TeamLink:
    """Link an existing project to a team: its next sync pushes everything this member may
    write (for the owner: its documents, schema and layers)."""
    from annotator.store.team.connect import check_url, public_url

    if team_link(project) is not None:
        raise TeamError("this project is already synced with a team; detach it first")
    url = check_url(url)
    from annotator.store.team.connect import connect

    with connect(url) as connection:
        info = _member_of(connection)
    if info["member"] != project.annotator.uuid:
        raise TeamError(
            f"the team knows you as annotator {info['member']}, but you annotate here as "
            f"{project.annotator.name} ({project.annotator.uuid}); have the owner add you with "
            f"--annotator-uuid {project.annotator.uuid}"
        )
    link = TeamLink(public_url(url), info["name"], info["member"], info["kind"] or "")
    link.blind, link.gold_released = info["blind"], info["gold_released"]
    save_link(project, link)
    return link


def detach(project: Project) -> None:
    """Forget the team: what remains is an ordinary project file."""
    require_link(project)
    save_link(project, None)
