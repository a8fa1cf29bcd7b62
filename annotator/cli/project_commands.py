"""Project sub-commands: new, add, info, check."""

from __future__ import annotations

import argparse
from pathlib import Path

from annotator.cli.common import (
    check_progress,
    end_progress,
    open_project,
    progress,
    project_arg,
    say,
)


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser("new", help="create a project file")
    project_arg(p)
    p.add_argument("--name", help="project name (default: the file name)")
    p.add_argument("--schema", type=Path, help="schema file to start from (default: bundled)")
    p.add_argument(
        "--sample",
        action="store_true",
        help="make the app's sample project: the sample article with demo annotations by the "
        'annotator "Sample"',
    )

    p = sub.add_parser("add", help="add documents (files or folders) to a project")
    project_arg(p)
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_FOLDER")

    p = sub.add_parser("info", help="summarise a project")
    project_arg(p)

    p = sub.add_parser("check", help="run the open checklist and SQLite's integrity check")
    project_arg(p)
    p.add_argument(
        "--deadline",
        type=float,
        metavar="SECONDS",
        help="give up after so many seconds, saying the check did not finish (default: none; "
        "Ctrl+C stops it too)",
    )
    return {"new": cmd_new, "add": cmd_add, "info": cmd_info, "check": cmd_check}


def cmd_new(args: argparse.Namespace) -> int:
    if args.sample and not args.schema:
        from annotator.services.sample import create_sample_project

        project = create_sample_project(
            args.project, args.annotator, by_sample=True, name=args.name or "Sample project"
        )
        project.close()
        say(f"created {args.project}")
        return 0
    from annotator.services.project import Project

    schema = None
    if args.schema:
        from annotator.io.formats.json.reader import load_json_file
        from annotator.io.schema_file import read_schema_file

        schema = read_schema_file(load_json_file(args.schema))
    name = args.name or ("Sample project" if args.sample else None)
    project = Project.create(args.project, name=name, annotator_name=args.annotator, schema=schema)
    if args.sample:  # with a schema of one's own: the article alone (the demo needs its tags)
        from annotator.services.document_commands import AddDocuments
        from annotator.services.sample import sample_document

        project.run(AddDocuments([sample_document()]))
        say("added the sample article without its demo annotations (they use the bundled schema)")
    project.close()
    say(f"created {args.project}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from annotator.io.documents.registry import ImportRefused, collect_files, read_reported
    from annotator.services.document_commands import AddDocuments

    files = collect_files(args.paths)
    if not files:
        say("annotator add: no files found")
        return 1
    refused: list[ImportRefused] = []
    documents = []
    report = progress("reading")
    for index, path in enumerate(files, 1):
        found = read_reported(path)  # a refusal is this file's line; the batch goes on
        (refused if isinstance(found, ImportRefused) else documents).append(found)
        report(index, len(files))
    with open_project(args) as project:
        command = AddDocuments(documents)
        if documents:
            project.run(command)
    if refused and not command.report.added:  # a failure: one line
        more = len(refused) + len(command.report.duplicates) - 1
        say(f"annotator add: nothing added: {refused[0]}" + (f" (and {more} more)" if more else ""))
        return 1
    for error in refused:
        say(f"skipped {error}")
    for name, title in command.report.duplicates:
        say(f"skipped {name}: already in the project ({title})")
    say(f"added {len(command.report.added)} document(s) to {args.project.name}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from annotator.store.summary import project_summary  # plain sqlite3: no SQLAlchemy import

    summary = project_summary(args.project)
    print(f"project:    {summary.name} ({args.project})")
    print(f"documents:  {summary.documents}")
    print(f"spans:      {sum(summary.spans_by_tag.values())}")
    for key, count in sorted(summary.spans_by_tag.items()):
        print(f"  {key}: {count}")
    print(f"links:      {sum(summary.links_by_type.values())}")
    for key, count in sorted(summary.links_by_type.items()):
        print(f"  {key}: {count}")
    print(f"entities:   {summary.entities}")
    print(f"annotators: {', '.join(summary.annotators) or '-'}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from annotator.store.project_store import ProjectStore

    steps = check_progress()
    try:
        # Always the full checklist (never the shortcut for a file this installation closed).
        store = ProjectStore.open(
            args.project, read_only=True, full=True, steps=steps, deadline_s=args.deadline
        )
        try:
            if steps is not None:
                steps(0, 0, "Running SQLite's integrity check")
            problems = store.integrity_check()
        finally:
            store.close()
    finally:
        end_progress(steps)  # the progress line goes before any message
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        say(f"annotator check: {args.project.name}: {problems[0]}{more}")
        return 1
    print(f"{args.project.name}: ok")
    return 0
