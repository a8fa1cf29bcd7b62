"""Frozen value types of the model: schema items, documents, spans, links, entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TagKind = Literal["actor", "event", "claim", "custom"]
TAG_KINDS: tuple[str, ...] = ("actor", "event", "claim", "custom")
ValueType = Literal["choice", "multi_choice", "text", "number", "date", "boolean"]
VALUE_TYPES: tuple[str, ...] = ("choice", "multi_choice", "text", "number", "date", "boolean")
Status = Literal["new", "in_progress", "done"]
STATUSES: tuple[str, ...] = ("new", "in_progress", "done")
Fragments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Annotator:
    uuid: str
    name: str
    identifier: str = ""
    created: str = ""
    modified: str = ""


@dataclass(frozen=True)
class AttributeDef:
    """One attribute of a tag or link type. `default` and values are JSON-compatible."""

    uuid: str
    key: str
    label: str
    value_type: str
    choices: tuple[str, ...] = ()
    required: bool = False
    default: Any = None
    guideline: str = ""
    created: str = ""
    modified: str = ""
    author: str | None = None


@dataclass(frozen=True)
class TagType:
    uuid: str
    key: str
    label: str
    kind: str
    color: str
    hotkey: str | None = None
    guideline: str = ""
    attributes: tuple[AttributeDef, ...] = ()
    created: str = ""
    modified: str = ""
    author: str | None = None

    def attribute(self, key: str) -> AttributeDef | None:
        return next((a for a in self.attributes if a.key == key), None)


@dataclass(frozen=True)
class LinkType:
    """A typed link; empty `sources`/`targets` mean any tag type may be that endpoint."""

    uuid: str
    key: str
    label: str
    directed: bool
    color: str
    guideline: str = ""
    sources: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    attributes: tuple[AttributeDef, ...] = ()
    created: str = ""
    modified: str = ""
    author: str | None = None

    def allows(self, source_tag: str, target_tag: str) -> bool:
        """Whether a link of this type may go from a span tagged source_tag to target_tag.

        A symmetric (undirected) type is allowed when either orientation fits.
        """

        def fits(src: str, dst: str) -> bool:
            return (not self.sources or src in self.sources) and (
                not self.targets or dst in self.targets
            )

        return fits(source_tag, target_tag) or (not self.directed and fits(target_tag, source_tag))

    def attribute(self, key: str) -> AttributeDef | None:
        return next((a for a in self.attributes if a.key == key), None)


@dataclass(frozen=True)
class Schema:
    """The project's tag types and link types, in display order."""

    tag_types: tuple[TagType, ...] = ()
    link_types: tuple[LinkType, ...] = ()

    def tag(self, key: str) -> TagType | None:
        return next((t for t in self.tag_types if t.key == key), None)

    def link_type(self, key: str) -> LinkType | None:
        return next((t for t in self.link_types if t.key == key), None)

    def tag_for_hotkey(self, hotkey: str) -> TagType | None:
        return next((t for t in self.tag_types if t.hotkey == hotkey), None)

    def allowed_link_types(self, source_tag: str, target_tag: str) -> tuple[LinkType, ...]:
        return tuple(t for t in self.link_types if t.allows(source_tag, target_tag))


@dataclass(frozen=True)
class DocumentInfo:
    """A document without its text (what lists and tables show)."""

    uuid: str
    title: str
    sha256: str
    length: int = 0
    author: str = ""
    outlet: str = ""
    url: str = ""
    published: str = ""
    language: str = ""
    source_filename: str = ""
    source_encoding: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    imported: str = ""
    created: str = ""
    modified: str = ""
    author_uuid: str | None = None


@dataclass(frozen=True)
class Document:
    info: DocumentInfo
    text: str

    @property
    def uuid(self) -> str:
        return self.info.uuid


@dataclass(frozen=True, slots=True)
class Span:
    """One annotated span. Slotted: a window holds every span of the open document (50,000 in
    a long one), and an instance dict cost about 380 bytes more per span."""

    uuid: str
    document: str
    annotator: str
    tag: str
    fragments: Fragments
    quote: str
    prefix: str = ""
    suffix: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    entity: str | None = None
    created: str = ""
    modified: str = ""

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


@dataclass(frozen=True)
class Link:
    uuid: str
    document: str
    type: str
    source: str
    target: str
    annotator: str
    attributes: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    created: str = ""
    modified: str = ""


@dataclass(frozen=True)
class Entity:
    uuid: str
    name: str
    kind: str = ""
    aliases: tuple[str, ...] = ()
    external_ids: dict[str, str] = field(default_factory=dict)
    note: str = ""
    created: str = ""
    modified: str = ""
    author: str | None = None


@dataclass(frozen=True)
class DocumentStatus:
    uuid: str
    document: str
    annotator: str
    status: str
    modified: str = ""


@dataclass(frozen=True)
class Tombstone:
    uuid: str
    kind: str
    deleted: str
    author: str | None = None
