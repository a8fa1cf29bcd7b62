"""The analytics sub-commands: `graph`, `stats`, `claims` and `report`, each with the same
filters as the app's Analytics windows. Heavy libraries (networkx, matplotlib, openpyxl) are
imported inside the handlers, so `annotator --help` stays fast."""

from __future__ import annotations

import argparse
import functools
import gc
from collections.abc import Callable
from pathlib import Path

from annotator.cli.common import open_project, project_arg, say


def filter_args(parser: argparse.ArgumentParser) -> None:
    """The filters every analytics command takes."""
    group = parser.add_argument_group("filters")
    group.add_argument("--title", default="", help="documents whose title contains this")
    group.add_argument("--outlet", default="", help="documents whose outlet contains this")
    group.add_argument("--author", default="", help="documents whose author contains this")
    group.add_argument(
        "--published-from",
        default="",
        metavar="DATE",
        help="published on or after (YYYY[-MM[-DD]])",
    )
    group.add_argument(
        "--published-to", default="", metavar="DATE", help="published on or before (YYYY-MM-DD)"
    )
    group.add_argument("--tags", nargs="+", default=[], metavar="TAG", help="only these tag keys")
    group.add_argument(
        "--link-types", nargs="+", default=[], metavar="TYPE", help="only these link type keys"
    )
    group.add_argument(
        "--attribute",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="keep spans whose tag has KEY only with this value (repeat for more values), "
        "e.g. --attribute stance=critical",
    )
    group.add_argument(
        "--layer",
        default="mine",
        help="whose annotations: mine (default), gold, all, or an annotator's name",
    )
    group.add_argument(
        "--merge-by-text",
        action="store_true",
        help="an entity's node also takes in the spans with its name that link to no entity",
    )


def make_filter(args: argparse.Namespace):
    from annotator.services.analytics.filters import AnalyticsFilter, parse_attribute_filters

    return AnalyticsFilter(
        title=args.title,
        outlet=args.outlet,
        author=args.author,
        published_from=args.published_from,
        published_to=args.published_to,
        tags=frozenset(args.tags),
        link_types=frozenset(args.link_types),
        attributes=parse_attribute_filters(args.attribute),
        layer=args.layer,
    )


def _load(args: argparse.Namespace):
    """(project, dataset) for the command's project and filters; the caller closes project."""
    from annotator.services.analytics.dataset import load_dataset

    project = open_project(args, read_only=True)
    try:
        data = load_dataset(project, make_filter(args), merge_by_text=args.merge_by_text)
    except BaseException:
        project.close()
        raise
    if not data.span_count and args.layer == "mine":
        say(
            f"note: {project.annotator.name}'s layer has no annotations in this filter; "
            "try --layer all, --layer gold or --layer NAME"
        )
    return project, data


def _one_shot(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run a command with the cyclic collector paused throughout: its rows hold no cycles,
    and each full collection walked every live object again (the report's rows, text and the
    plotting libraries: 1-2 s of a 6 s report). What is left is frozen out of the collector's
    sight before it is turned back on (also for a caller that runs commands in-process)."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        was_on = gc.isenabled()
        gc.disable()
        try:
            return command(args)
        finally:
            gc.freeze()
            if was_on:
                gc.enable()

    return run


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser(
        "graph",
        help="the network of actors, events and claims as GraphML, GEXF or CSV",
        description="Nodes are entities (else the span's normalised text), edges the links by "
        "type, weighted by the number of documents that carry them. Metrics: degree, "
        "betweenness, connected component. CSV writes the edge list to OUT and the node list "
        "to OUT's name with .nodes.csv.",
    )
    project_arg(p)
    p.add_argument("-o", "--output", type=Path, required=True, help="out.graphml|.gexf|.csv")
    filter_args(p)
    p = sub.add_parser(
        "stats",
        help="statistics: spans per tag by document/outlet/author/month, attribute values, "
        "actor co-occurrence, progress",
    )
    project_arg(p)
    p.add_argument("--json", action="store_true", help="write every table as JSON on stdout")
    p.add_argument(
        "--by",
        choices=("document", "outlet", "author", "month"),
        default="document",
        help="how the spans-per-tag table groups (text output; JSON has all four)",
    )
    p.add_argument(
        "--cooccurrence",
        choices=("document", "sentence"),
        default="document",
        help="count actors named together in a document (default) or a sentence",
    )
    filter_args(p)
    p = sub.add_parser(
        "claims",
        help="the claims table (who asserts, documents, outlets, stance, verdict, supporting "
        "and contradicting claims) as CSV or XLSX",
    )
    project_arg(p)
    p.add_argument(
        "-o", "--output", type=Path, help="claims.csv or claims.xlsx (default: CSV on stdout)"
    )
    filter_args(p)
    p = sub.add_parser(
        "report",
        help="one self-contained HTML (or PDF) report: network, timeline, claims, statistics, "
        "every claim with its passages and sources",
    )
    project_arg(p)
    p.add_argument("-o", "--output", type=Path, required=True, help="report.html or report.pdf")
    filter_args(p)
    return {"graph": cmd_graph, "stats": cmd_stats, "claims": cmd_claims, "report": cmd_report}


@_one_shot
def cmd_graph(args: argparse.Namespace) -> int:
    from annotator.services.analytics.network import build_network, export_network

    project, data = _load(args)
    with project:
        network = build_network(data)
    for path in export_network(network, args.output):
        say(f"wrote {path}")
    say(f"{len(network.nodes):,} nodes, {len(network.edges):,} edges")
    return 0


@_one_shot
def cmd_stats(args: argparse.Namespace) -> int:
    from annotator.services.analytics.summary import render_summary, summary_json

    project, data = _load(args)
    with project:
        if args.json:
            import orjson

            found = summary_json(project, data, args.cooccurrence)
            print(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
        else:
            print(render_summary(project, data, args.by, args.cooccurrence))
    return 0


@_one_shot
def cmd_claims(args: argparse.Namespace) -> int:
    import csv
    import sys

    from annotator.services.analytics.claims import (
        claim_cells,
        claim_header,
        claim_rows,
        write_claims,
    )

    project, data = _load(args)
    with project:
        rows = claim_rows(data)
    if args.output is None:
        writer = csv.writer(sys.stdout)
        writer.writerow(claim_header(data))
        writer.writerows(claim_cells(data, row) for row in rows)
    else:
        write_claims(data, rows, args.output)
        say(f"wrote {len(rows):,} claims to {args.output}")
    return 0


@_one_shot
def cmd_report(args: argparse.Namespace) -> int:
    suffix = args.output.suffix.lower()
    if suffix == ".pdf":
        from annotator.gui.analytics.pdf import write_report  # Qt lays out the PDF
    elif suffix in (".html", ".htm"):
        from annotator.services.analytics.report import write_html as write_report
    else:
        from annotator.errors import ValidationError

        raise ValidationError(f"cannot write a report as {suffix or 'a file without suffix'}")
    project, data = _load(args)
    with project:
        written = write_report(project, data, args.output)
    say(f"wrote {written}")
    return 0
