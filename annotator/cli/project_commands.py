"""Project sub-commands: new, add, info, check."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from annotator.cli.common import open_project, progress, project_arg, say


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser("new", help="create a project file")
    project_arg(p)
    p.add_argument("--name", help="project name (default: the file name)")
    p.add_argument("--schema", type=Path, help="schema file to start from (default: bundled)")
    p.add_argument("--sample", action="store_true", help="add the sample article")

    p = sub.add_parser("add", help="add documents (files or folders) to a project")
    project_arg(p)
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_FOLDER")

    p = sub.add_parser("info", help="summarise a project")
    project_arg(p)

    p = sub.add_parser("check", help="run the open checklist and SQLite's integrity check")
    project_arg(p)
    return {"new": cmd_new, "add": cmd_add, "info": cmd_info, "check": cmd_check}


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
    say(f"created {args.project}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from annotator.io.importers import ImportRefused, collect_files, read_reported
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
    with open_project(args, read_only=True) as project, project.store.read() as session:
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

    report = say if sys.stderr.isatty() else None
    store = ProjectStore.open(args.project, progress=report, read_only=True)
    try:
        problems = store.integrity_check()
    finally:
        store.close()
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        say(f"annotator check: {args.project.name}: {problems[0]}{more}")
        return 1
    print(f"{args.project.name}: ok")
    return 0
