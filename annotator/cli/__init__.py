"""The command line: `annotator [PROJECT]` opens the GUI; sub-commands do the headless jobs.

Each sub-command lives in a module of this package with a `register(subparsers)` function that
adds its parser and returns its handlers; COMMAND_MODULES lists them in `--help` order.

Start-up stays fast because every command module is cheap to import and to register:
- to add a command, write `annotator/cli/<area>_commands.py` with `register(sub) -> dict` and
  add its module name to COMMAND_MODULES (one line);
- at the top of that module import only the standard library and `annotator.cli.common`; import
  the services, the store, io formats and any third-party library inside the handler that needs
  them (`def cmd_x(args): from annotator.services.x import ...`), so `annotator --help` and the
  other commands never pay for them;
- `register` must not import them either (no format registry for `choices=`: validate with a
  `type=` callable or in the handler, and list dynamic choices with `late_epilog`).
tests/core/test_cli_startup.py holds every module in COMMAND_MODULES to this: building the parser
imports neither Qt, SQLAlchemy nor any annotator package but `annotator.cli`."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from annotator import __version__
from annotator.cli.common import Parser, one_line, say

COMMAND_MODULES: tuple[str, ...] = (
    "annotator.cli.project_commands",
    "annotator.cli.identity_commands",
    "annotator.cli.exchange_commands",
    "annotator.cli.agreement_commands",
    "annotator.cli.merge_commands",
    "annotator.cli.curation_commands",
    "annotator.cli.search_commands",
    "annotator.cli.history_commands",
    "annotator.cli.desktop_commands",
    "annotator.cli.analytics_commands",
    "annotator.cli.team_commands",
)

HANDLERS: dict[str, Callable] = {}


def build_parser() -> Parser:
    parser = Parser(
        prog="annotator",
        description="Annotate articles with actors, events, claims and links. "
        "Run `annotator [PROJECT]` to open the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in COMMAND_MODULES:
        for name, handler in importlib.import_module(module).register(sub).items():
            HANDLERS.setdefault(name, handler)  # setdefault: tests may monkeypatch a handler
    return parser


def _command_names() -> tuple[str, ...]:
    if not HANDLERS:
        build_parser()
    return tuple(HANDLERS)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in _command_names() and not args_list[0].startswith("-")):
        return _gui(args_list)
    args = build_parser().parse_args(args_list)
    if args.command is None:
        return _gui([])
    from annotator.errors import AnnotatorError

    try:
        return HANDLERS[args.command](args)
    except AnnotatorError as error:
        say(f"annotator {args.command}: {one_line(error)}")
        return 1
    except KeyboardInterrupt:
        say("annotator: interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`annotator info p | head -3`): stop quietly, like other tools.
        # Python would report the failed flush of stdout at exit, so stdout goes nowhere now.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:
        say(f"annotator {args.command}: {error.strerror or error}: {error.filename or ''}")
        return 1
    except Exception as error:
        if os.environ.get("ANNOTATOR_DEBUG"):
            raise
        say(
            f"annotator {args.command}: internal error: {type(error).__name__}: "
            f"{one_line(error)} (a bug: please report it to the Annotator maintainers with "
            "this line; ANNOTATOR_DEBUG=1 shows where it happened)"
        )
        return 2


def _gui(args: list[str]) -> int:
    if len(args) > 1:
        say("usage: annotator [PROJECT]  (or annotator COMMAND --help)")
        return 2
    from annotator.platform_check import platform_problem

    problem = platform_problem()
    if problem is not None:  # before Qt loads: Qt would abort the process instead
        say(f"annotator: the desktop app cannot start: {problem}")
        return 1
    try:
        from annotator.gui.app import run
    except ImportError as error:
        say(f"annotator: the desktop app cannot start: {error}")
        return 1
    return run(Path(args[0]) if args else None)


COMMANDS = _command_names()
