"""The command line: `annotator [PROJECT]` opens the GUI; sub-commands do the headless jobs."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from annotator import __version__
from annotator.errors import AnnotatorError

COMMANDS = ("new", "add", "export", "import", "info", "check", "schema")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _progress(label: str):
    """Progress on stderr: live on a terminal; otherwise every 500 items of long work only, so
    a short job that fails prints nothing but its one-line message."""

    def report(done: int, total: int) -> None:
        if sys.stderr.isatty() or done % 500 == 0 or (done == total and total >= 500):
            end = "\n" if done == total else "\r"
            print(f"{label}: {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report


def _annotator_name(value: str) -> str:
    if not value.strip():  # a nameless annotator would make exports no project can import
        raise argparse.ArgumentTypeError("an annotator needs a name")
    return value.strip()


def _project_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="project file (*.annotator)")
    parser.add_argument(
        "--annotator", type=_annotator_name, help="annotator name (default: your login name)"
    )


class _Parser(argparse.ArgumentParser):
    """argparse with its refusals on one line (the usage is one `--help` away)."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="annotator",
        description="Annotate articles with actors, events, claims and links. "
        "Run `annotator [PROJECT]` to open the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("new", help="create a project file")
    _project_arg(p)
    p.add_argument("--name", help="project name (default: the file name)")
    p.add_argument("--schema", type=Path, help="schema file to start from (default: bundled)")
    p.add_argument("--sample", action="store_true", help="add the sample article")

    p = sub.add_parser("add", help="add documents (files or folders) to a project")
    _project_arg(p)
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_FOLDER")

    p = sub.add_parser("export", help="export a project")
    _project_arg(p)
    p.add_argument("--format", default="json", choices=["json"], help="export format")
    p.add_argument("-o", "--output", type=Path, required=True, help="output file")

    p = sub.add_parser("import", help="import a JSON export (creates the project if missing)")
    _project_arg(p)
    p.add_argument("file", type=Path, help="file to import")
    p.add_argument("--format", default="json", choices=["json"], help="import format")

    p = sub.add_parser("info", help="summarise a project")
    _project_arg(p)

    p = sub.add_parser("check", help="run the open checklist and SQLite's integrity check")
    _project_arg(p)

    p = sub.add_parser("schema", help="export or import the annotation schema")
    p.add_argument("action", choices=["export", "import"])
    _project_arg(p)
    p.add_argument("file", type=Path, help="schema file (JSON) to write or read")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS and not args_list[0].startswith("-")):
        return _gui(args_list)
    args = build_parser().parse_args(args_list)
    if args.command is None:
        return _gui([])
    try:
        return HANDLERS[args.command](args)
    except AnnotatorError as error:
        _say(f"annotator {args.command}: {_one_line(error)}")
        return 1
    except KeyboardInterrupt:
        _say("annotator: interrupted")
        return 130
    except OSError as error:
        _say(f"annotator {args.command}: {error.strerror or error}: {error.filename or ''}")
        return 1
    except Exception as error:
        if os.environ.get("ANNOTATOR_DEBUG"):
            raise
        _say(
            f"annotator {args.command}: internal error: {type(error).__name__}: {_one_line(error)}"
        )
        return 2


def _one_line(error: BaseException) -> str:
    """The first line of an error's message (SQLite and SQLAlchemy errors run to several)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _gui(args: list[str]) -> int:
    if len(args) > 1:
        _say("usage: annotator [PROJECT]  (or annotator COMMAND --help)")
        return 2
    try:
        from annotator.gui.app import run
    except ImportError as error:
        _say(f"annotator: the desktop app cannot start: {error}")
        return 1
    return run(Path(args[0]) if args else None)


# -- handlers ----------------------------------------------------------------------------------
def _open(args: argparse.Namespace):
    from annotator.services.project import Project

    return Project.open(args.project, annotator_name=args.annotator)


def cmd_new(args: argparse.Namespace) -> int:
    from annotator.services.project import Project

    schema = None
    if args.schema:
        from annotator.io.json_import import load_json_file
        from annotator.io.schema_file import read_schema_file

        schema = read_schema_file(load_json_file(args.schema))
    name = args.name or ("Sample project" if args.sample else None)
    project = Project.create(args.project, name=name, annotator_name=args.annotator, schema=schema)
    if args.sample:
        from annotator.services.document_commands import AddDocuments
        from annotator.services.sample import sample_document

        project.run(AddDocuments([sample_document()]))
    project.close()
    _say(f"created {args.project}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from annotator.io.importers import ImportRefused, collect_files, read_one
    from annotator.services.document_commands import AddDocuments

    files = collect_files(args.paths)
    if not files:
        _say("annotator add: no files found")
        return 1
    refused: list[ImportRefused] = []
    documents = []
    report = _progress("reading")
    for index, path in enumerate(files, 1):
        try:
            documents.append(read_one(path))
        except ImportRefused as error:
            refused.append(error)
        report(index, len(files))
    with _open(args) as project:
        command = AddDocuments(documents)
        if documents:
            project.run(command)
    if refused and not command.report.added:  # a failure: one line
        more = len(refused) + len(command.report.duplicates) - 1
        _say(
            f"annotator add: nothing added: {refused[0]}" + (f" (and {more} more)" if more else "")
        )
        return 1
    for error in refused:
        _say(f"skipped {error}")
    for name, title in command.report.duplicates:
        _say(f"skipped {name}: already in the project ({title})")
    _say(f"added {len(command.report.added)} document(s) to {args.project.name}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from annotator.io.json_export import export_json

    with _open(args) as project:
        count = export_json(project, args.output, _progress("exporting"))
    _say(f"exported {count} document(s) to {args.output}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.domain.model import Schema
    from annotator.io.json_import import import_json, load_json_file
    from annotator.services.project import Project

    if not args.project.exists():
        data = load_json_file(args.file)
        head = data.get("project", {}) if isinstance(data, dict) else {}
        info = {"uuid": head.get("id"), "name": head.get("name"), "created": head.get("created")}
        info = {k: v for k, v in info.items() if isinstance(v, str) and v}
        project = Project.create(
            args.project, schema=Schema(), annotator_name=args.annotator, info=info
        )
        try:
            report = import_json(project, args.file)
        except BaseException:
            project.close()
            args.project.unlink(missing_ok=True)
            raise
        project.close()
    else:
        with _open(args) as project:
            report = import_json(project, args.file)
    print(report.summary())
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    with _open(args) as project, project.store.read() as session:
        info = session.project_info()
        documents = session.documents()
        tags: Counter[str] = Counter()
        link_types: Counter[str] = Counter()
        for document in documents:
            tags.update(span.tag for span in session.spans(document.uuid))
            link_types.update(link.type for link in session.links(document.uuid))
        annotators = session.annotators()
        entities = session.entities()
    print(f"project:    {info.get('name', '')} ({args.project})")
    print(f"documents:  {len(documents)}")
    print(f"spans:      {sum(tags.values())}")
    for key, count in sorted(tags.items()):
        print(f"  {key}: {count}")
    print(f"links:      {sum(link_types.values())}")
    for key, count in sorted(link_types.items()):
        print(f"  {key}: {count}")
    print(f"entities:   {len(entities)}")
    print(f"annotators: {', '.join(a.name for a in annotators) or '-'}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from annotator.store.project_store import ProjectStore

    store = ProjectStore.open(args.project, progress=_say if sys.stderr.isatty() else None)
    try:
        problems = store.integrity_check()
    finally:
        store.close()
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        _say(f"annotator check: {args.project.name}: {problems[0]}{more}")
        return 1
    print(f"{args.project.name}: ok")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    import orjson

    from annotator.io.json_import import load_json_file
    from annotator.io.schema_file import read_schema_file, schema_file
    from annotator.services.schema_import import ImportSchema

    with _open(args) as project:
        if args.action == "export":
            args.file.write_bytes(
                orjson.dumps(schema_file(project.schema), option=orjson.OPT_INDENT_2)
            )
            _say(f"wrote {args.file}")
        else:
            command = ImportSchema(read_schema_file(load_json_file(args.file)))
            project.run(command)
            _say(command.summary())
    return 0


HANDLERS = {
    "new": cmd_new,
    "add": cmd_add,
    "export": cmd_export,
    "import": cmd_import,
    "info": cmd_info,
    "check": cmd_check,
    "schema": cmd_schema,
}
