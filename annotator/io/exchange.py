"""The values io converters trade in: an `Exchange` read from a file, what the reader knew of
the project (`ImportContext`), and what a reader or writer could not carry (`LossReport`).

A reader never sees a project or a store: services hand it an `ImportContext` (a snapshot of
the schema, annotators, document hashes and entities it matches against) and apply the
`Exchange` it returns as one undoable command (services/import_exchange.py)."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from annotator.domain.model import Annotator, DocumentInfo, Schema

#: How rows of files that carry no uuid get one, per reader family: (namespace, separator),
#: kept as they were so a file imported by an earlier version finds the same rows again.
FOREIGN_IDS = (
    uuidlib.UUID("5b0d7c36-2f5e-4b8a-9a57-0a3c1f6e2d11"),
    "|",
)  # spaCy, XMI, REFI-QDA, ...
BUILT_IDS = (uuidlib.UUID("5d1f6a52-3c2e-4d0b-9c55-0e6f3f0b7a11"), "\x1f")  # brat, W3C


def stable_uuid(*parts: object, ids: tuple[uuidlib.UUID, str] = FOREIGN_IDS) -> str:
    """A uuid that is the same every time for the same parts (a re-import matches its rows)."""
    namespace, separator = ids
    return str(uuidlib.uuid5(namespace, separator.join(map(str, parts))))


@dataclass(frozen=True)
class Loss:
    """One kind of thing a converter could not carry: `what` reads after the count
    ("entity reference(s) left out: ..."), `example` names one instance when known."""

    what: str
    count: int
    example: str = ""

    def line(self) -> str:
        tail = f" (e.g. {self.example})" if self.example else ""
        return f"{self.count} {self.what}{tail}"


@dataclass(frozen=True)
class LossReport:
    """Everything one read or write could not carry, each with its count; empty: nothing."""

    items: tuple[Loss, ...] = ()

    def __bool__(self) -> bool:
        return any(item.count for item in self.items)

    def __len__(self) -> int:
        return len(self.items)

    def count(self, what: str) -> int:
        """The count of losses whose `what` starts with `what` (0 when none)."""
        return sum(item.count for item in self.items if item.what.startswith(what))

    def lines(self) -> list[str]:
        return [item.line() for item in self.items if item.count]

    def total(self) -> int:
        return sum(item.count for item in self.items)

    def plus(self, *more: Loss | LossReport) -> LossReport:
        items = list(self.items)
        for extra in more:
            items += extra.items if isinstance(extra, LossReport) else [extra]
        return LossReport(tuple(item for item in items if item.count))

    @classmethod
    def of(cls, losses: Iterable[Loss]) -> LossReport:
        return cls(tuple(loss for loss in losses if loss.count))


@dataclass(frozen=True)
class ImportContext:
    """What a reader matches a file against: the project's schema, its annotators (and who is
    importing), its documents' text hashes (sha256 → uuid), titles and entity uuids."""

    schema: Schema
    annotator: Annotator
    annotators: tuple[Annotator, ...] = ()
    document_hashes: Mapping[str, str] = field(default_factory=dict)
    documents: tuple[DocumentInfo, ...] = ()
    entities: frozenset[str] = frozenset()
    #: Uuids of schema items deleted in the project (a file may not bring them back).
    tombstones: frozenset[str] = frozenset()
    #: The text of a project document by uuid (W3C anchors foreign annotations in it).
    text_of: Callable[[str], str] | None = field(default=None, compare=False)
    #: The document a file's annotations annotate when they do not say (W3C --document).
    target_document: str | None = None

    @classmethod
    def empty(cls, annotator: Annotator, schema: Schema | None = None) -> ImportContext:
        """The context of a new, empty project (tests, previews of a file on its own)."""
        return cls(schema or Schema(), annotator, (annotator,))


#: How rows the project already holds are treated: "none": newer `modified` wins (JSON);
#: "stamped": rows the reader stamped with the import time keep the project's version;
#: "all": every row already there keeps the project's version (a foreign file has no times).
KeepExisting = Literal["none", "stamped", "all"]


@dataclass(frozen=True)
class Exchange:
    """What a reader made of one file: an Annotator JSON v1 exchange (`data`: schema additions,
    annotators, documents with their spans and links, entities, tombstones, history), what it
    could not carry (`loss`) and what else it has to say (`notices`). Applying it is the
    services command ImportExchange; nothing here touches a project."""

    source: str  # the file's name, for messages
    data: Mapping[str, Any]
    loss: LossReport = LossReport()
    notices: tuple[str, ...] = ()
    stamp: str | None = None  # the import time the reader gave rows without one
    keep_existing: KeepExisting = "none"
    foreign: bool = False  # a format other than Annotator JSON (its errors say so)

    @property
    def documents(self) -> list[dict[str, Any]]:
        return list(self.data.get("documents") or []) if isinstance(self.data, Mapping) else []

    @property
    def annotators(self) -> list[dict[str, Any]]:
        return list(self.data.get("annotators") or []) if isinstance(self.data, Mapping) else []

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.data.get("entities") or []) if isinstance(self.data, Mapping) else []

    def counts(self) -> dict[str, int]:
        """Documents, spans and links the file holds (what a preview names)."""
        docs = [d for d in self.documents if isinstance(d, Mapping)]
        return {
            "documents": len(docs),
            "spans": sum(len(d.get("spans") or []) for d in docs),
            "links": sum(len(d.get("links") or []) for d in docs),
        }
