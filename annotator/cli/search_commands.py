"""Search sub-command: `annotator search PROJECT QUERY [--annotations] [--limit N] [--json]`."""

from __future__ import annotations

import argparse
import sys

from annotator.cli.common import open_project, project_arg


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("the limit must be at least 1")
    return number


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser(
        "search",
        help="search the project's documents (or annotations)",
        description='Documents: words (all must occur), "a phrase", prefix*, a OR b, -excluded. '
        "Annotations (--annotations): words of the annotated text and filters tag:KEY, "
        "annotator:NAME, note:WORD, entity:NAME, ATTRIBUTE:VALUE.",
    )
    project_arg(p)
    p.add_argument("query", help="what to look for (quote it for the shell)")
    p.add_argument("--annotations", action="store_true", help="search annotations instead")
    p.add_argument("--limit", type=_positive, default=20, help="results to show (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON (one object) instead of text")
    return {"search": cmd_search}


def cmd_search(args: argparse.Namespace) -> int:
    from annotator.services.search import search_annotations, search_documents

    with open_project(args, read_only=True) as project:
        if args.annotations:
            found = search_annotations(project, args.query, limit=args.limit)
            return _print_annotations(args, found)
        page = search_documents(project, args.query, limit=args.limit)
    return _print_documents(args, page)


def _print_documents(args: argparse.Namespace, page) -> int:
    if args.json:
        import json  # not at the top: `annotator --help` imports every command module

        data = {
            "query": page.query,
            "total": page.total,
            "ranked": page.ranked,
            "results": [
                {
                    "document": r.document,
                    "title": r.title,
                    "score": r.score,
                    "hit_count": r.hit_count,
                    "hits": [
                        {
                            "start": h.start,
                            "end": h.end,
                            "before": h.before,
                            "match": h.match,
                            "after": h.after,
                        }
                        for h in r.hits
                    ],
                }
                for r in page.results
            ],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    out = sys.stdout
    shown = len(page.results)
    order = "" if page.ranked else " in project order (too many to rank)"
    print(f"{page.total} document(s) match; showing {shown}{order}", file=out)
    for result in page.results:
        print(f"\n{result.title}  [{result.document}]  {result.hit_count} hit(s)", file=out)
        for hit in result.hits:
            print(f"  {hit.start}-{hit.end}: …{hit.before}[{hit.match}]{hit.after}…", file=out)
    return 0


def _print_annotations(args: argparse.Namespace, found) -> int:
    if args.json:
        data = [
            {
                "span": a.row.span,
                "document": a.row.document,
                "title": a.row.title,
                "tag": a.row.tag,
                "annotator": a.row.annotator,
                "start": a.row.start,
                "end": a.row.end,
                "quote": a.row.quote,
                "note": a.row.note,
                "entity": a.row.entity,
            }
            for a in found
        ]
        import json

        print(json.dumps({"query": args.query, "results": data}, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(found)} annotation(s)")
    for a in found:
        r = a.row
        print(
            f"{r.title}  {r.start}-{r.end}  {r.tag}  {r.annotator}: …{a.before}[{r.quote}]"
            f"{a.after}…"
        )
    return 0
