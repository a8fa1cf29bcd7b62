"""What the curation window reads around its units: document texts and the spans (the
annotators' and gold's) that link units and attribute units point at, cached per document."""

from __future__ import annotations

from annotator.domain.agreement.units import UnitSpan
from annotator.domain.curation import Unit
from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.gui.session import ProjectSession
from annotator.services.curation import CurationQueue


class UnitTexts:
    def __init__(self, session: ProjectSession) -> None:
        self.session = session
        self._texts: dict[str, str] = {}
        self._spans: dict[str, dict[str, UnitSpan]] = {}

    def clear(self) -> None:
        self._texts.clear()
        self._spans.clear()

    def forget(self, document: str) -> None:
        """After a change in the document: its spans are read again (its text cannot change)."""
        self._spans.pop(document, None)

    def text(self, document: str) -> str:
        if document not in self._texts:
            with self.session.read() as read:
                self._texts[document] = read.document_text(document)
        return self._texts[document]

    def spans(self, document: str, queue: CurationQueue | None) -> dict[str, UnitSpan]:
        """The annotators' spans and the gold spans of a document, by uuid (links show them)."""
        if document not in self._spans:
            found: dict[str, UnitSpan] = {}
            for doc in queue.documents if queue else []:
                if doc.document == document:
                    for unit in doc.units:
                        found.update((v.uuid, v) for v in unit.versions if isinstance(v, UnitSpan))
            with self.session.read() as read:
                for span in read.spans(document, GOLD_ANNOTATOR_UUID):
                    found[span.uuid] = UnitSpan(span.uuid, span.tag, span.fragments)
            self._spans[document] = found
        return self._spans[document]

    def extent(self, unit: Unit, queue: CurationQueue | None) -> tuple[int, int] | None:
        """Where to show a unit: a link's two gold ends, an attribute unit's gold span, else
        the extent of the versions."""
        spans = self.spans(unit.document, queue)
        if unit.kind == "link" and unit.endpoints:
            found = [s for s in (spans.get(u) for u in unit.endpoints) if s is not None]
            return (min(s.start for s in found), max(s.end for s in found)) if found else None
        gold = spans.get(unit.gold or "")
        return (gold.start, gold.end) if gold is not None else unit.extent
