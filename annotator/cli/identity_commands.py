"""Identity sub-command: `annotator whoami [--set NAME]`, the name the app and the CLI share."""

from __future__ import annotations

import argparse

from annotator.cli.common import annotator_name, say


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser(
        "whoami",
        help="print (or --set) the annotator name your work is recorded under",
        description="The name is shared with the desktop app (asked at its first start, changed "
        "in Help ▸ Change annotator…). Every command's --annotator overrides it for that "
        "command only.",
    )
    p.add_argument(
        "--set", type=annotator_name, metavar="NAME", help="annotate as NAME from now on"
    )
    return {"whoami": cmd_whoami}


def cmd_whoami(args: argparse.Namespace) -> int:
    from annotator.services.identity import identity_path, saved_name, set_current_name

    if args.set is not None:
        try:
            name = set_current_name(args.set)
        except OSError as error:
            say(f"annotator whoami: cannot save the name: {error}")
            return 1
        say(f"you annotate as {name} (saved in {identity_path()})")
        return 0
    name = saved_name()
    if name is None:
        from annotator.services.identity import login_name

        print(login_name())
        say("(your login name: choose one with `annotator whoami --set NAME`)")
        return 0
    print(name)
    return 0
