"""The `agreement` sub-command: inter-annotator agreement as a table on stdout, or JSON."""

from __future__ import annotations

import argparse

from annotator.cli.common import open_project, progress, project_arg


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser(
        "agreement",
        help="inter-annotator agreement: span F1 (exact, overlap), Cohen's and Fleiss' kappa, "
        "Krippendorff's alpha, attributes, links, confusion table",
        description="Agreement over the documents all chosen annotators marked done (or, with "
        "--all-shared, every document two of them worked on). The gold layer is left out "
        "unless named.",
    )
    project_arg(p)
    p.add_argument(
        "--annotators",
        nargs="+",
        metavar="NAME",
        help="annotators to compare (names or uuids; 'gold' for the gold layer); default: "
        "everyone who annotated, except gold",
    )
    p.add_argument(
        "--documents", nargs="+", metavar="DOC", help="only these documents (titles or uuids)"
    )
    p.add_argument(
        "--all-shared",
        action="store_true",
        help="use every document at least two of the annotators worked on, not only finished "
        "ones (an annotator who did not work on one gives missing data there)",
    )
    p.add_argument("--json", action="store_true", help="write the report as JSON on stdout")
    p.add_argument(
        "--passages",
        action="store_true",
        help="with --json: list the passages (document, start, end) behind every figure",
    )
    return {"agreement": cmd_agreement}


def cmd_agreement(args: argparse.Namespace) -> int:
    from annotator.errors import AnnotatorError
    from annotator.services.agreement import NoFinishedDocuments, compute_agreement

    with open_project(args, read_only=True) as project:
        try:
            report = compute_agreement(
                project,
                args.annotators,
                args.documents,
                all_shared=args.all_shared,
                progress=progress("agreement"),
            )
        except NoFinishedDocuments as error:
            raise AnnotatorError(
                f"{error}; mark documents done in the app, or use --all-shared to count "
                "every document two of them worked on"
            ) from None
    if args.json:
        import orjson

        data = report.as_json(passages=args.passages)
        print(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
    else:
        print(render_report(report))
    return 0


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join(
        f"{h:<{w}}" if i == 0 else f"{h:>{w}}"
        for i, (h, w) in enumerate(zip(header, widths, strict=True))
    )
    out = [line, "-" * len(line)]
    for row in rows:
        out.append(
            "  ".join(
                f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return out


def render_report(report) -> str:
    """A readable plain-text report: per pair, then for all annotators together."""
    from annotator.domain.agreement import NONE_LABEL, OVERALL

    names = report.annotators
    label = {OVERALL: "all tags", NONE_LABEL: NONE_LABEL}
    lines = [
        f"Agreement of {', '.join(names.values())} on {len(report.documents)} document(s), "
        f"{report.tokens:,} tokens"
    ]
    for document, reason in report.skipped.items():
        lines.append(f"  skipped {report.titles.get(document, document)!r}: {reason}")
    for pair in report.pairs:
        a, b = names[pair.a], names[pair.b]
        lines += ["", f"== {a} (reference) vs {b}: {pair.documents} document(s) =="]
        rows = []
        for key in [OVERALL, *report.tags]:
            exact, overlap = pair.exact[key], pair.overlap[key]
            kappa, alpha = pair.kappa[key], pair.alpha[key]
            rows.append(
                [
                    label.get(key, key),
                    f"{exact.tp}/{exact.fp}/{exact.fn}",
                    _figure(exact.f1),
                    f"{overlap.tp}/{overlap.fp}/{overlap.fn}",
                    _figure(overlap.precision),
                    _figure(overlap.recall),
                    _figure(overlap.f1),
                    _figure(kappa.value),
                    _figure(alpha.value),
                ]
            )
        lines += _table(
            ["tag", "exact TP/FP/FN", "F1", "overlap TP/FP/FN", "P", "R", "F1", "kappa", "alpha"],
            rows,
        )
        link_rows = [
            [
                "all types" if k == OVERALL else k,
                f"{c.tp}/{c.fp}/{c.fn}",
                _figure(c.precision),
                _figure(c.recall),
                _figure(c.f1),
            ]
            for k, c in pair.links.items()
            if k == OVERALL or c.tp + c.fp + c.fn
        ]
        lines += ["", "Links (on matched endpoints):"]
        lines += _table(["type", "TP/FP/FN", "P", "R", "F1"], link_rows)
        if pair.links_excluded:
            lines.append(f"{len(pair.links_excluded)} link(s) left out: an endpoint has no match")
        if pair.attributes:
            lines += ["", "Attributes (on overlap-matched spans):"]
            lines += _table(
                ["attribute", "compared", "equal", "kappa"],
                [
                    [
                        f"{x.tag}.{x.key}",
                        str(x.compared),
                        _figure(x.share_equal),
                        _figure(x.kappa.value),
                    ]
                    for x in pair.attributes
                ],
            )
        lines += ["", f"Confusion (rows: {a}, columns: {b}):"]
        keys = [*report.tags, NONE_LABEL]
        used = [k for k in keys if any(k in cell for cell in pair.confusion)]
        lines += _table(
            [f"{a} \\ {b}", *used],
            [
                [row, *(str(len(pair.confusion.get((row, col), ()))) for col in used)]
                for row in used
            ],
        )
    group = report.group
    lines += ["", f"== All {len(group.annotators)} annotators together =="]
    lines += _table(
        ["tag", "alpha", "Fleiss kappa"],
        [
            [label.get(k, k), _figure(group.alpha[k].value), _figure(group.fleiss[k].value)]
            for k in [OVERALL, *report.tags]
        ],
    )
    reasons = {c.reason for c in [*group.alpha.values(), *group.fleiss.values()] if c.reason}
    reasons |= {
        c.reason for p in report.pairs for c in [*p.kappa.values(), *p.alpha.values()] if c.reason
    }
    lines += [f"— undefined: {reason}" for reason in sorted(reasons)]
    return "\n".join(lines)
