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


def check_progress():
    """On a terminal, the open checklist's stage and share done on stderr, one line rewritten
    in place (`steps` for `Project.open`); None otherwise. Clear it with `end_progress`."""
    if not sys.stderr.isatty():
        return None
    import time

    shown = [0.0, ""]

    def steps(done: int, total: int, text: str) -> bool:
        moment = time.monotonic()
        if text != shown[1] or moment - shown[0] >= 0.2:
            share = f" {100 * done // total}%" if total else ""
            print(f"\r\033[K{text}{share}", end="", file=sys.stderr, flush=True)
            shown[:] = [moment, text]
        return True

    return steps


def end_progress(steps) -> None:
    if steps is not None:
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def open_project(args: argparse.Namespace, *, read_only: bool = False):
    """The project of args. `read_only` for commands that only read: they work while the
    project is open in the app (which holds it for writing); writing commands are refused.
    On a terminal the checklist's progress shows on stderr while it opens."""
    from annotator.services.project import Project

    steps = check_progress()
    try:
        return Project.open(
            args.project, annotator_name=my_name(args), read_only=read_only, steps=steps
        )
    finally:
        end_progress(steps)


def my_name(args: argparse.Namespace) -> str:
    """Who runs this command: `--annotator`, else the name the app and `annotator whoami`
    share (services/identity), else the login name."""
    from annotator.services.identity import current_name

    return getattr(args, "annotator", None) or current_name()
