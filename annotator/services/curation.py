"""Curation use case: the adjudication queue of a project (units per document, with progress).

Which annotators: by default everyone who worked in the project except the gold layer (the
agreement rule); which documents: by default every document where one of them has a span or a
link. Units are built by `annotator.domain.curation` (spans, then attributes, then links); a
unit is decided when one of its members is named by a decision of its kind, so a unit decided
between two annotators stays decided when a third is added.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from annotator.domain.annotator_names import find_annotators
from annotator.domain.curation import Decision, Unit, attribute_units, link_units, span_units
from annotator.domain.layers import GOLD_ANNOTATOR_UUID, is_gold
from annotator.domain.model import Annotator
from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError, NotFoundError
from annotator.services.agreement import default_annotators
from annotator.services.project import Project
from annotator.store.agreement_reads import read_layers
from annotator.store.curation_reads import read_document_layers
from annotator.store.decisions import decisions

#: Up to this many documents are read through the document index, not as whole layers.
SCOPED_READ = 200


@dataclass
class DocumentQueue:
    """One document's units in queue order, decided ones included (they carry a decision)."""

    document: str
    title: str
    units: list[Unit] = field(default_factory=list)

    @property
    def open_units(self) -> list[Unit]:
        return [u for u in self.units if u.decision is None]

    @property
    def decided(self) -> int:
        return sum(1 for u in self.units if u.decision is not None)

    @property
    def total(self) -> int:
        return len(self.units)


@dataclass
class CurationQueue:
    annotators: list[Annotator]
    documents: list[DocumentQueue]

    @property
    def open_units(self) -> list[Unit]:
        return [u for d in self.documents for u in d.open_units]

    @property
    def agreed_open(self) -> list[Unit]:
        return [u for u in self.open_units if u.agreed]

    @property
    def decided(self) -> int:
        return sum(d.decided for d in self.documents)

    @property
    def total(self) -> int:
        return sum(d.total for d in self.documents)

    def summary(self) -> dict:
        """JSON-ready: per document decided/total/open and agreed units still open."""
        return {
            "annotators": [a.name for a in self.annotators],
            "decided": self.decided,
            "total": self.total,
            "documents": [
                {
                    "document": d.document,
                    "title": d.title,
                    "decided": d.decided,
                    "total": d.total,
                    "open": {
                        kind: sum(1 for u in d.open_units if u.kind == kind)
                        for kind in ("span", "attribute", "link")
                    },
                    "agreed_open": sum(1 for u in d.open_units if u.agreed),
                }
                for d in self.documents
            ],
        }


def choose_annotators(project: Project, wanted: Sequence[str] | None) -> list[Annotator]:
    """The annotators to adjudicate between (names or uuids), never the gold layer itself."""
    if not wanted:
        chosen = default_annotators(project)
    else:
        with project.store.read() as session:
            chosen = find_annotators(session.annotators(), wanted)
    if any(is_gold(a.uuid) for a in chosen):
        raise AnnotatorError("the gold layer is what curation writes; choose other annotators")
    if len(chosen) < 2:
        names = ", ".join(a.name for a in chosen) or "none"
        raise AnnotatorError(f"curation needs at least two annotators (chosen: {names})")
    return chosen


def choose_documents(project: Project, wanted: Sequence[str] | None) -> list[str] | None:
    """Document uuids for titles or uuids (None: every document an annotator worked on)."""
    if not wanted:
        return None
    with project.store.read() as session:
        infos = session.documents()
    chosen: list[str] = []
    for name in wanted:
        found = [d.uuid for d in infos if name in (d.uuid, d.title)]
        if not found:
            raise NotFoundError(f"no document {quoted(name)} in this project")
        chosen.extend(u for u in found if u not in chosen)
    return chosen


def build_queue(
    project: Project, annotators: Sequence[Annotator], documents: Sequence[str] | None = None
) -> CurationQueue:
    """The queue over the project file as it is now (one read transaction)."""
    directed = {t.key: t.directed for t in project.schema.link_types}
    with project.store.read() as session:
        found = read_queue(session, [a.uuid for a in annotators], documents, directed)
    return CurationQueue(list(annotators), found)


def read_queue(
    session,
    annotators: Sequence[str],
    documents: Sequence[str] | None,
    directed: Mapping[str, bool],
) -> list[DocumentQueue]:
    """The units of `documents` (None: those the annotators worked on) between `annotators`
    (uuids), read through any store session (a command's write session too)."""
    infos = session.documents()
    titles = {d.uuid: d.title for d in infos}
    wanted = list(documents) if documents is not None else list(titles)
    layers = [*annotators, GOLD_ANNOTATOR_UUID]
    if documents is not None and len(wanted) <= SCOPED_READ:  # a refresh after a decision
        rows = read_document_layers(session, layers, wanted)
    else:
        rows = read_layers(session, layers, set(wanted))
    if documents is None:
        worked = {doc for doc, who in [*rows.spans, *rows.links] if who in annotators}
        wanted = [d for d in wanted if d in worked]
    by_document: dict[str, list[Decision]] = {}
    for decision in decisions(session, wanted):
        by_document.setdefault(decision.document, []).append(decision)
    return [
        _document_queue(
            document,
            titles.get(document, document),
            annotators,
            rows,
            by_document.get(document, []),
            directed,
        )
        for document in wanted
    ]


def _document_queue(document, title, annotators, rows, found, directed) -> DocumentQueue:
    gold_spans = {s.uuid: s for s in rows.spans.get((document, GOLD_ANNOTATOR_UUID), ())}
    named: dict[str, dict[str, Decision]] = {"span": {}, "attribute": {}, "link": {}}
    gold_of: dict[str, str] = {}
    for decision in found:
        for member in decision.members:
            named[decision.unit_kind][member] = decision
            if decision.unit_kind == "span" and decision.gold_uuid in gold_spans:
                gold_of[member] = decision.gold_uuid

    def decided(units: list[Unit]) -> list[Unit]:
        result = []
        for unit in units:
            decision = next(
                (named[unit.kind][m] for m in unit.members if m in named[unit.kind]), None
            )
            result.append(dataclasses.replace(unit, decision=decision) if decision else unit)
        return result

    spans = decided(
        span_units(document, annotators, [rows.spans.get((document, a), []) for a in annotators])
    )
    tags = {uuid: span.tag for uuid, span in gold_spans.items()}
    attributes = decided(attribute_units(document, [u for u in spans if u.decision], gold_of, tags))
    links = decided(
        link_units(
            document,
            annotators,
            [rows.links.get((document, a), []) for a in annotators],
            gold_of,
            directed,
        )
    )
    links.sort(key=lambda u: (gold_spans[u.endpoints[0]].start, gold_spans[u.endpoints[1]].start))
    return DocumentQueue(document, title, [*spans, *attributes, *links])
