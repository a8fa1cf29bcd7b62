"""Team sub-commands: `annotator team init|add-member|clone|attach|detach|status|blind|assign|
queue|progress` and `annotator sync PROJECT` (services/team*.py; psycopg loads only in them)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.cli.common import annotator_name, open_project, project_arg, say

ROLES = ("annotator", "curator", "owner")


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser(
        "sync",
        help="sync a project with its team database: push your changes, pull everyone else's",
    )
    project_arg(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    team = sub.add_parser("team", help="set up, join and leave a shared PostgreSQL team database")
    commands = team.add_subparsers(dest="team_command", metavar="TEAM_COMMAND", required=True)
    c = commands.add_parser("init", help="create the team schema in a PostgreSQL database")
    c.add_argument("url", help="postgresql://host/database (an administrator's login)")
    c.add_argument("--name", required=True, help="the team's name")
    c = commands.add_parser("add-member", help="add a member: a login role with a team role")
    c.add_argument("url", help="postgresql://host/database (an administrator's login)")
    c.add_argument("login", help="the member's PostgreSQL login name (created if new)")
    c.add_argument("--role", choices=ROLES, default="annotator", help="default: annotator")
    c.add_argument("--annotator-uuid", help="the member's annotator id (default: a new one)")
    c.add_argument("--annotator-name", type=annotator_name, help="default: the login name")
    c.add_argument(
        "--password", action="store_true", help="ask for a password for a new login role"
    )
    c = commands.add_parser("clone", help="make a new project from a team database, as a member")
    c.add_argument("url", help="postgresql://you@host/database")
    c.add_argument("project", type=Path, help="the new project file (*.annotator)")
    c = commands.add_parser("attach", help="sync an existing project with a team from now on")
    project_arg(c)
    c.add_argument("url", help="postgresql://you@host/database")
    c = commands.add_parser("detach", help="stop syncing; the project stays an ordinary file")
    project_arg(c)
    c = commands.add_parser("status", help="the project's team, last sync and pending changes")
    project_arg(c)
    c = commands.add_parser("blind", help="turn the team's blind mode on or off (owners)")
    project_arg(c)
    c.add_argument("state", choices=("on", "off"))
    c.add_argument("--release-gold", choices=("on", "off"), help="show the gold layer to all")
    c = commands.add_parser("assign", help="assign documents to a member (curators, owners)")
    project_arg(c)
    c.add_argument("member", help="the member's login or annotator name")
    c.add_argument("documents", nargs="+", metavar="DOCUMENT", help="document id")
    c.add_argument("--remove", action="store_true", help="unassign instead")
    c = commands.add_parser("queue", help="your assigned documents and the next unfinished one")
    project_arg(c)
    c = commands.add_parser("progress", help="every member's assigned, in-progress, done counts")
    project_arg(c)
    return {"sync": cmd_sync, "team": cmd_team}


def cmd_sync(args: argparse.Namespace) -> int:
    from annotator.services.team_sync import prepare, sync

    prepare()  # the driver's import overlaps the open checklist
    with open_project(args) as project:
        report = sync(project, _phase)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        import dataclasses

        import orjson

        data = dataclasses.asdict(report)
        print(orjson.dumps(data).decode("utf-8"))
    else:
        print(report.summary())
        if report.merge is not None and report.merge.changed:
            print(report.merge.summary())
        for line in report.refused[:20]:
            print(f"refused: {line}")
    for warning in report.warnings:
        say(f"annotator sync: {warning}")
    return 0


def _phase(done: int, total: int, text: str = "") -> bool:
    if sys.stderr.isatty() and text:
        print(f"\r{text} ({done}/{total})\033[K", end="", file=sys.stderr, flush=True)
    return True


def cmd_team(args: argparse.Namespace) -> int:
    return _TEAM[args.team_command](args)


def _init(args: argparse.Namespace) -> int:
    from annotator.services import team

    group = team.init(args.url, args.name)
    print(f"team {args.name!r} ready; members join the role {group}")
    return 0


def _add_member(args: argparse.Namespace) -> int:
    from annotator.services import team

    password = None
    if args.password:
        import getpass  # here, not at the top: `annotator --help` imports every command module

        password = getpass.getpass(f"password for {args.login}: ")
    uuid = team.add_member(
        args.url,
        args.login,
        args.role,
        annotator_uuid=args.annotator_uuid,
        annotator_name=args.annotator_name,
        password=password,
    )
    print(f"{args.login}: {args.role}, annotator {uuid}")
    return 0


def _clone(args: argparse.Namespace) -> int:
    from annotator.services import team

    project = team.clone(args.url, args.project, _phase)
    try:
        for line in getattr(project, "team_refused", [])[:20]:
            print(f"refused: {line}")
        print(f"{args.project.name}: cloned as {project.annotator.name}")
    finally:
        project.close()
    return 0


def _attach(args: argparse.Namespace) -> int:
    from annotator.services import team
    from annotator.services.team_sync import sync

    with open_project(args) as project:
        link = team.attach(project, args.url)
        report = sync(project, _phase)
    print(f"{args.project.name}: attached to team {link.name}; {report.summary()}")
    return 0


def _detach(args: argparse.Namespace) -> int:
    from annotator.services import team

    with open_project(args) as project:
        team.detach(project)
    print(f"{args.project.name}: no longer synced with a team")
    return 0


def _status(args: argparse.Namespace) -> int:
    from annotator.services.team_status import status

    with open_project(args, read_only=True) as project:
        print(status(project).describe())
    return 0


def _blind(args: argparse.Namespace) -> int:
    from annotator.services import team

    with open_project(args, read_only=True) as project:
        link = team.require_link(project)
    released = None if args.release_gold is None else args.release_gold == "on"
    team.set_visibility(link.url, blind=args.state == "on", gold_released=released)
    print(f"team {link.name}: blind mode {args.state}")
    return 0


def _assign(args: argparse.Namespace) -> int:
    from annotator.services.team_assign import assign

    with open_project(args, read_only=True) as project:
        changed = assign(project, args.member, args.documents, remove=args.remove)
    print(f"{'unassigned' if args.remove else 'assigned'} {changed} documents")
    return 0


def _queue(args: argparse.Namespace) -> int:
    from annotator.services.team_assign import next_unfinished, queue

    with open_project(args, read_only=True) as project:
        items = queue(project)
    upcoming = next_unfinished(items)
    for item in items:
        mark = "→" if item is upcoming else " "
        print(f"{mark} {item.status:<11} {item.document}  {item.title}")
    if not items:
        print("nothing assigned to you")
    return 0


def _progress(args: argparse.Namespace) -> int:
    from annotator.services.team_assign import progress

    with open_project(args, read_only=True) as project:
        rows = progress(project)
    print(f"{'member':<24} {'role':<10} assigned  in progress  done")
    for row in rows:
        print(
            f"{row.name:<24} {row.kind:<10} {row.assigned:>8}  {row.in_progress:>11}  {row.done:>4}"
        )
    return 0


_TEAM = {
    "init": _init,
    "add-member": _add_member,
    "clone": _clone,
    "attach": _attach,
    "detach": _detach,
    "status": _status,
    "blind": _blind,
    "assign": _assign,
    "queue": _queue,
    "progress": _progress,
}
