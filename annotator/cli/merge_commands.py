"""Merge sub-command: merge colleagues' project files into a project and print the reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.cli.common import open_project, project_arg, say


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser(
        "merge",
        help="merge other project files into a project (documents by text, schema by key, "
        "annotations by id; newer edits win; deletions stay deleted)",
    )
    project_arg(p)
    p.add_argument("others", nargs="*", type=Path, metavar="OTHER", help="project file to merge")
    side = p.add_mutually_exclusive_group()
    side.add_argument(
        "--mine",
        dest="conflicts",
        action="store_const",
        const="mine",
        help="on a schema conflict keep this project's definition (the default)",
    )
    side.add_argument(
        "--theirs",
        dest="conflicts",
        action="store_const",
        const="theirs",
        help="on a schema conflict take the merged file's definition",
    )
    p.add_argument("--json", action="store_true", help="print the reports as JSON lines")
    p.add_argument(
        "--no-backup",
        action="store_true",
        help="do not write <project>.before-merge.annotator first",
    )
    p.add_argument(
        "--history", action="store_true", help="print the merge reports kept in the project"
    )
    p.set_defaults(conflicts="mine")
    return {"merge": cmd_merge}


def _phase(done: int, total: int, text: str = "") -> bool:
    if sys.stderr.isatty() and text:
        print(f"\r{text} ({done}/{total})\033[K", end="", file=sys.stderr, flush=True)
    return True


def _print(report, as_json: bool) -> None:
    if as_json:
        import orjson

        print(orjson.dumps(report.to_dict()).decode("utf-8"))
    else:
        print(report.summary())


def cmd_merge(args: argparse.Namespace) -> int:
    from annotator.errors import IncomingRowsError
    from annotator.services.merge import merge, past_reports

    if not args.others and not args.history:
        say("annotator merge: name at least one OTHER project file (or --history)")
        return 2
    with open_project(args, read_only=not args.others) as project:
        if args.history:
            for report in past_reports(project):
                _print(report, args.json)
        for index, other in enumerate(args.others):
            try:
                report = merge(
                    project,
                    other,
                    _phase,
                    conflicts=args.conflicts,
                    backup=not args.no_backup and index == 0,
                )
            except IncomingRowsError as error:  # each problem, then the one-line refusal
                for line in error.errors:
                    say(f"  {other.name}: {line}")
                raise
            if sys.stderr.isatty():
                print(file=sys.stderr)
            _print(report, args.json)
    return 0
