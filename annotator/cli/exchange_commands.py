"""Exchange sub-commands: export and import in every registered format, schema files."""

from __future__ import annotations

import argparse
from pathlib import Path

from annotator.cli.common import open_project, progress, project_arg, say


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name. The format
    registry is read only when a format is named or a help page lists them (not to slow down
    every other command): see annotator/cli/__init__.py."""
    p = sub.add_parser("export", help="export a project to another format (see export --help)")
    p.late_epilog = lambda: "formats: " + ", ".join(_format_keys("export"))
    project_arg(p)
    p.add_argument(
        "--format",
        type=_known_format("export"),
        help="export format (default: the one the output's suffix names, else json)",
    )
    p.add_argument(
        "-o", "--output", type=Path, required=True, help="output file ('-': standard output)"
    )
    p.add_argument(
        "--layer",
        action="append",
        metavar="ANNOTATOR",
        help="export only this annotator's layer (name, uuid or its first 8+ characters; 'gold' "
        "for the gold layer); "
        "repeat for several",
    )

    p = sub.add_parser(
        "import",
        help="import a file (creates the project if missing; see import --help for the formats)",
    )
    p.late_epilog = lambda: "formats: " + ", ".join(_format_keys("import"))
    project_arg(p)
    p.add_argument("file", type=Path, help="file to import")
    p.add_argument(
        "--format",
        type=_known_format("import"),
        help="import format (default: the one the file's suffix names, brat for a folder, "
        "else json)",
    )
    p.add_argument(
        "--document",
        metavar="DOCUMENT",
        help="w3c: the project document (title or uuid) that annotations made elsewhere "
        "(Hypothesis, Recogito) annotate when their target source is absent or unknown",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="only print what the import would add, update, skip and lose; write nothing",
    )

    p = sub.add_parser("schema", help="export or import the annotation schema")
    p.add_argument("action", choices=["export", "import"])
    project_arg(p)
    p.add_argument("file", type=Path, help="schema file (JSON) to write or read")
    return {"export": cmd_export, "import": cmd_import, "schema": cmd_schema}


def _format_keys(direction: str) -> list[str]:
    from annotator.io.formats import export_formats, import_formats

    formats = export_formats() if direction == "export" else import_formats()
    return [f.key for f in formats]


def _known_format(direction: str):
    """An argparse `type` that accepts a registered format key (read on use, not at start)."""

    def check(value: str) -> str:
        keys = _format_keys(direction)
        if value not in keys:
            raise argparse.ArgumentTypeError(
                f"unknown {direction} format {value!r} (choose from {', '.join(keys)})"
            )
        return value

    check.__name__ = f"{direction} format"
    return check


def _layers(project, names: list[str] | None) -> frozenset[str] | None:
    """Annotator uuids for the --layer names (a name, 'gold', a uuid or a unique start of one;
    an ambiguous name is refused)."""
    if not names:
        return None
    from annotator.domain.annotator_names import find_annotators

    with project.store.read() as session:
        annotators = session.annotators()
    return frozenset(a.uuid for a in find_annotators(annotators, names))


def _by_suffix(path: Path, formats: list, suffixes, what: str):
    """The format a path's suffix names: the only one with that suffix, JSON for .json (our
    own format before Label Studio's and W3C's), JSON for a suffix none has; several refused,
    naming them, so a .zip is never silently written or read as the wrong one."""
    suffix = path.suffix.lower()
    matches = [f for f in formats if suffix in suffixes(f)]
    if len(matches) == 1:
        return matches[0]
    by_key = {f.key: f for f in formats}
    if not matches or suffix == ".json":
        return by_key["json"]
    from annotator.io.formats import UnknownFormat

    keys = sorted(f.key for f in matches)  # the registry's order follows import order
    raise UnknownFormat(
        f"{path.name}: a {suffix} file could be {', '.join(keys[:-1])} or {keys[-1]}; "
        f"choose the {what} format with --format"
    )


def export_format_for(args: argparse.Namespace):
    from annotator.io.formats import export_format, export_formats

    if args.format:
        return export_format(args.format)
    formats = [f for f in export_formats() if f.picked_by_suffix]
    return _by_suffix(args.output, formats, lambda f: (f.suffix,), "export")


def import_format_for(args: argparse.Namespace):
    from annotator.io.formats import import_format, import_formats

    if args.format:
        return import_format(args.format)
    if args.file.is_dir():
        return import_format("brat")  # the one format that reads a folder (a collection)
    return _by_suffix(args.file, list(import_formats()), lambda f: f.suffixes, "import")


def cmd_export(args: argparse.Namespace) -> int:
    from annotator.io.formats import ExportOptions, check_export_destination
    from annotator.services.exchange_files import ProjectSnapshot

    to_stdout = str(args.output) == "-"
    if to_stdout and not args.format:
        args.format = "json"  # no suffix to go by
    fmt = export_format_for(args)
    with open_project(args, read_only=True) as project:
        options = ExportOptions(
            annotators=_layers(project, args.layer), progress=progress("exporting")
        )
        if to_stdout:
            result = _export_to_stdout(fmt, project, options)
        else:
            check_export_destination(project.path, args.output)
            result = fmt.write(ProjectSnapshot(project), args.output, options)
    for warning in result.warnings:
        say(f"warning: {warning}")
    where = "standard output" if to_stdout else args.output
    say(f"exported {result.documents} document(s) to {where}")
    return 0


def _export_to_stdout(fmt, project, options):
    """`-o -`: the export is written to a private temporary folder (every exporter writes a
    file, atomically), then copied to standard output and removed."""
    import shutil
    import sys
    import tempfile

    from annotator.services.exchange_files import ProjectSnapshot

    with tempfile.TemporaryDirectory(prefix="annotator-export-") as folder:
        path = Path(folder) / f"export{fmt.suffix}"
        result = fmt.write(ProjectSnapshot(project), path, options)
        with path.open("rb") as exported:
            shutil.copyfileobj(exported, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return result


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.domain.model import Schema
    from annotator.services.project import Project

    fmt = import_format_for(args)
    dry_run = getattr(args, "dry_run", False)
    if dry_run and not args.project.exists():
        from annotator.errors import ValidationError

        raise ValidationError(f"{args.project.name} does not exist; --dry-run creates nothing")
    if not args.project.exists():
        info = {}
        if fmt.key == "json":
            from annotator.io.formats.json.reader import load_json_file

            data = load_json_file(args.file)
            head = data.get("project", {}) if isinstance(data, dict) else {}
            info = {
                "uuid": head.get("id"),
                "name": head.get("name"),
                "created": head.get("created"),
            }
            info = {k: v for k, v in info.items() if isinstance(v, str) and v}
        project = Project.create(
            args.project, schema=Schema(), annotator_name=args.annotator, info=info
        )
        try:
            report = _import(fmt, project, args, dry_run)
        except BaseException:
            project.close()
            args.project.unlink(missing_ok=True)
            raise
        project.close()
    else:
        with open_project(args) as project:
            report = _import(fmt, project, args, dry_run)
    if dry_run:
        print("dry run: nothing was written; the import would give")
    print(report.summary())
    return 0


def _import(fmt, project, args: argparse.Namespace, dry_run: bool):
    """Read the file, then apply it as one command (or only preview it)."""
    from annotator.services.exchange_files import import_file

    document = _document(fmt, project, getattr(args, "document", None))
    return import_file(
        project, fmt.key, args.file, progress("importing"), document=document, dry_run=dry_run
    )


def _document(fmt, project, document: str | None) -> str | None:
    """The uuid of the --document a W3C file annotates (w3c only)."""
    from annotator.errors import ValidationError

    if not document:
        return None
    if fmt.key != "w3c":
        raise ValidationError("--document applies to W3C imports only")
    with project.store.read() as session:
        found = [d.uuid for d in session.documents() if document in (d.uuid, d.title)]
    if len(found) != 1:
        raise ValidationError(
            f"--document {document!r}: "
            + ("no such document" if not found else "several documents have that title")
        )
    return found[0]


def cmd_schema(args: argparse.Namespace) -> int:
    import orjson

    from annotator.io.formats import check_export_destination
    from annotator.io.formats.json.reader import load_json_file
    from annotator.io.schema_file import read_schema_file, schema_file
    from annotator.services.schema_import import ImportSchema

    with open_project(args, read_only=args.action == "export") as project:
        if args.action == "export":
            check_export_destination(project.path, args.file)
            args.file.write_bytes(
                orjson.dumps(schema_file(project.schema), option=orjson.OPT_INDENT_2)
            )
            say(f"wrote {args.file}")
        else:
            command = ImportSchema(read_schema_file(load_json_file(args.file)))
            project.run(command)
            say(command.summary())
    return 0
