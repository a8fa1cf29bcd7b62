"""What every sub-command shares: one-line messages, progress on stderr, the project argument."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def progress(label: str):
    """Progress on stderr: live on a terminal; otherwise every 500 items of long work only, so
    a short job that fails prints nothing but its one-line message."""

    def report(done: int, total: int) -> None:
        if sys.stderr.isatty() or (done and done % 500 == 0) or (done == total and total >= 500):
            end = "\n" if done == total else "\r"
            print(f"{label}: {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report


def annotator_name(value: str) -> str:
    if not value.strip():  # a nameless annotator would make exports no project can import
        raise argparse.ArgumentTypeError("an annotator needs a name")
    return value.strip()


def project_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="project file (*.annotator)")
    parser.add_argument(
        "--annotator",
        type=annotator_name,
        help="annotator name for this command (default: yours, see `annotator whoami`)",
    )


class Parser(argparse.ArgumentParser):
    """argparse with its refusals on one line (the usage is one `--help` away), and an epilog
    computed only when the help is shown (`late_epilog`), for lists that are costly to build
    (the registered formats) and must not slow down every other command."""

    late_epilog: Callable[[], str] | None = None

    def format_help(self) -> str:
        if self.late_epilog is not None:
            self.epilog, self.late_epilog = self.late_epilog(), None
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def one_line(error: BaseException) -> str:
    """The first line of an error's message (SQLite and SQLAlchemy errors run to several)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def open_project(args: argparse.Namespace, *, read_only: bool = False):
    """The project of args. `read_only` for commands that only read: they work while the
    project is open in the app (which holds it for writing); writing commands are refused."""
    from annotator.services.project import Project

    return Project.open(args.project, annotator_name=my_name(args), read_only=read_only)


def my_name(args: argparse.Namespace) -> str:
    """Who runs this command: `--annotator`, else the name the app and `annotator whoami`
    share (services/identity), else the login name."""
    from annotator.services.identity import current_name

    return getattr(args, "annotator", None) or current_name()
