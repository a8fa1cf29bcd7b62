"""The `curate` sub-command: the adjudication queue's progress, and accepting agreed units."""

from __future__ import annotations

import argparse

from annotator.cli.common import open_project, project_arg, say


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser(
        "curate",
        help="adjudication into gold: the queue of units per document (decided / total), "
        "and accepting every unit all annotators agree on",
        description="Units are the chosen annotators' spans matched across layers, then the "
        "attributes and links of spans already in gold. Decide the others in the app "
        "(Tools ▸ Curate into gold…). The decisions are recorded under --annotator.",
    )
    project_arg(p)
    p.add_argument(
        "--annotators",
        nargs="+",
        metavar="NAME",
        help="annotators to adjudicate between (names or uuids); default: everyone who "
        "annotated, except gold",
    )
    p.add_argument(
        "--documents", nargs="+", metavar="DOC", help="only these documents (titles or uuids)"
    )
    p.add_argument(
        "--accept-agreed",
        action="store_true",
        help="accept every agreed unit into gold (spans, then the links between them)",
    )
    p.add_argument("--json", action="store_true", help="write the summary as JSON on stdout")
    return {"curate": cmd_curate}


def cmd_curate(args: argparse.Namespace) -> int:
    from annotator.services.curation import build_queue, choose_annotators, choose_documents
    from annotator.services.curation_commands import AcceptAgreed

    with open_project(args, read_only=not args.accept_agreed) as project:
        annotators = choose_annotators(project, args.annotators)
        documents = choose_documents(project, args.documents)
        accepted = 0
        if args.accept_agreed:
            queue = build_queue(project, annotators, documents)
            if queue.agreed_open:
                command = AcceptAgreed([a.uuid for a in annotators], documents)
                project.run(command)
                accepted = len(command.commands)
                if command.skipped:
                    say(
                        f"left {len(command.skipped)} agreed link(s) in the queue: the schema "
                        "does not allow them between their gold spans"
                    )
        summary = build_queue(project, annotators, documents).summary()
    summary["accepted"] = accepted
    if args.json:
        import orjson

        print(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode())
        return 0
    if args.accept_agreed:
        print(f"accepted {accepted} agreed unit" + ("" if accepted == 1 else "s"))
    print(f"between {', '.join(summary['annotators'])}: {summary['decided']}/{summary['total']} "
          "units decided")  # fmt: skip
    for doc in summary["documents"]:
        waiting = ", ".join(f"{n} {kind}" for kind, n in doc["open"].items() if n) or "none"
        print(
            f"  {doc['title']}: {doc['decided']}/{doc['total']} decided; open: {waiting}"
            f" ({doc['agreed_open']} agreed)"
        )
    return 0
