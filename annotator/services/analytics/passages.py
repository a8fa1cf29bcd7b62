"""Passages behind a figure, as keyword-in-context lines (left context, the span, right)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotator.services.analytics.dataset import Dataset
from annotator.services.project import Project
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
    """The passages of span uuids, in document order (the order `spans` gives within one)."""
    found = []
    for uuid in dict.fromkeys(spans):
        span = data.spans.get(uuid)
        if span is not None:
            found.append(
                Passage(
                    span.document, uuid, span.start, span.end, span.quote, span.annotator, detail
                )
            )
    order = {uuid: i for i, uuid in enumerate(data.documents)}
    found.sort(key=lambda p: (order.get(p.document, 0), p.start, p.end))
    return found


def passages_of_links(data: Dataset, links: Iterable[str]) -> list[Passage]:
    """One passage per link: its source span, the detail naming the link and its target."""
    wanted = set(links)
    found = []
    for link in data.links:
        if link.uuid not in wanted:
            continue
        source, target = data.spans[link.source], data.spans[link.target]
        detail = f"{link.link_type} → {' '.join(target.quote.split())[:60]}"
        found.append(
            Passage(
                source.document,
                source.uuid,
                source.start,
                source.end,
                source.quote,
                link.annotator,
                detail,
            )
        )
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
