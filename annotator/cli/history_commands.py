"""History sub-command: `annotator history PROJECT [OBJECT_UUID] [--limit N] [--json]`."""

from __future__ import annotations

import argparse
import sys

from annotator.cli.common import open_project, project_arg


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("the limit must be at least 1")
    return number


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser(
        "history",
        help="print who changed what and when (one span, link, entity or document, or the "
        "latest changes of the project)",
        description="With OBJECT: every recorded change of that span, link, entity, document "
        "or status, newest first. Without: the latest changes of the whole project.",
    )
    project_arg(p)
    p.add_argument("object", nargs="?", help="uuid of a span, link, entity, document or status")
    p.add_argument(
        "--limit", type=_positive, default=50, help="changes to show without OBJECT (default 50)"
    )
    p.add_argument("--json", action="store_true", help="print JSON (one object) instead of text")
    return {"history": cmd_history}


def cmd_history(args: argparse.Namespace) -> int:
    from annotator.domain.ids import is_uuid
    from annotator.errors import ValidationError
    from annotator.services.provenance import object_history, recent_changes

    wanted = args.object.strip().lower() if args.object else None
    if wanted is not None and not is_uuid(wanted):
        raise ValidationError(f"{args.object!r} is not a uuid (copy it from an export or the app)")
    with open_project(args, read_only=True) as project:
        lines = object_history(project, wanted) if wanted else recent_changes(project, args.limit)
    if wanted and not lines:
        raise ValidationError(f"no recorded changes of {wanted} in this project")
    if args.json:
        data = {"object": wanted, "history": [line.to_dict() for line in lines]}
        import json  # here, not at the top: `annotator --help` imports every command module

        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    for line in lines:
        e = line.entry
        what = e.summary or e.action
        where = "" if wanted else f"{e.object_kind} {e.object_uuid}  "
        print(f"{line.when}  {line.author}  {where}{e.action}: {what}")
    if not lines:
        print("no recorded changes yet")
    return 0
