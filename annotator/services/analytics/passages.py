"""Passages behind a figure, as keyword-in-context lines (left context, the span, right)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotator.services.analytics.dataset import Dataset
from annotator.services.project import Project
from annotator.store.analytics_counts import link_passages, span_passages
from annotator.store.analytics_reads import span_contexts


@dataclass(frozen=True)
class Passage:
    """One span behind a figure; `detail` says why it is listed (e.g. the link it carries)."""

    document: str
    span: str
    start: int
    end: int
    quote: str
    annotator: str
    detail: str = ""


@dataclass(frozen=True)
class KwicLine:
    passage: Passage
    title: str
    left: str
    keyword: str
    right: str


def passages_of_spans(data: Dataset, spans: Iterable[str], detail: str = "") -> list[Passage]:
    """The passages of kept span uuids, in document order (then position): read from the
    store for just these spans (a view holds uuids, not every span's row)."""
    wanted = dict.fromkeys(spans)
    with data.project.store.read() as session:
        rows = span_passages(session, data.scope, wanted)
    found = [
        Passage(document, uuid, start, end, quote, annotator, detail)
        for uuid, document, start, end, quote, annotator in rows
    ]
    order = {uuid: i for i, uuid in enumerate(data.documents)}
    asked = {uuid: i for i, uuid in enumerate(wanted)}  # ties keep the order asked for
    found.sort(key=lambda p: (order.get(p.document, 0), p.start, p.end, asked[p.span]))
    return found


def passages_of_links(data: Dataset, links: Iterable[str]) -> list[Passage]:
    """One passage per kept link: its source span, the detail naming the link and its
    target (read from the store for just these links)."""
    with data.project.store.read() as session:
        rows = link_passages(session, data.link_scope, set(links))
    found = [
        Passage(
            document,
            source,
            start,
            end,
            quote,
            annotator,
            f"{link_type} → {' '.join(target_quote.split())[:60]}",
        )
        for link_type, annotator, source, document, start, end, quote, target_quote in rows
    ]
    order = {uuid: i for i, uuid in enumerate(data.documents)}
    found.sort(key=lambda p: (order.get(p.document, 0), p.start, p.end))
    return found


def kwic(project: Project, data: Dataset, passages: list[Passage]) -> list[KwicLine]:
    """Keyword-in-context lines for passages (their stored prefix and suffix)."""
    with project.store.read() as session:
        contexts = span_contexts(session, {p.span for p in passages})
    lines = []
    for passage in passages:
        prefix, suffix = contexts.get(passage.span, ("", ""))
        document = data.documents.get(passage.document)
        lines.append(
            KwicLine(
                passage,
                document.title if document else passage.document,
                " ".join(prefix.split()),
                " ".join(passage.quote.split()),
                " ".join(suffix.split()),
            )
        )
    return lines
