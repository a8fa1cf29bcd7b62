"""Dataset: the documents, spans and links an AnalyticsFilter keeps, with each span's node
(its entity, else its normalised text), read once and shared by every analysis."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.domain.model import Schema
from annotator.errors import ValidationError
from annotator.services.analytics.filters import ALL, GOLD, MINE, AnalyticsFilter
from annotator.services.gc_pause import without_gc
from annotator.services.project import Project
from annotator.store.analytics_reads import (
    DocumentRow,
    LinkRow,
    SpanRow,
    all_documents,
    read_analytics,
)

_TRIM = " \t\n.,;:!?\"'“”‘’«»()[]{}"


def normalise(text: str) -> str:
    """The text a node is known by: whitespace folded, case folded, outer punctuation off."""
    return " ".join(text.split()).casefold().strip(_TRIM)


@dataclass
class Dataset:
    """What the filter keeps. `spans` by uuid; `links` only those whose both ends are kept.

    Nodes: a span linked to an entity is that entity's node; any other span is the node of
    its tag and normalised text ("Russia" and "russia" are one actor). With `merge_by_text` an
    entity's node also takes in the loose spans of the same tag whose text is its name."""

    filter: AnalyticsFilter
    schema: Schema
    documents: dict[str, DocumentRow]
    spans: dict[str, SpanRow]
    links: list[LinkRow]
    entities: dict[str, str]
    annotators: dict[str, str]
    statuses: list[tuple[str, str, str]]
    layer_annotators: frozenset[str] | None
    merge_by_text: bool = False
    _nodes: dict[str, str] = field(default_factory=dict, repr=False)
    _labels: dict[str, str] = field(default_factory=dict, repr=False)
    _kinds: dict[str, str] = field(default_factory=dict, repr=False)

    # -- nodes -------------------------------------------------------------------------------
    def node(self, span: SpanRow) -> str:
        """The node key of a span (cached)."""
        key = self._nodes.get(span.uuid)
        if key is None:
            if span.entity is not None and not self.merge_by_text:
                key = f"entity:{span.entity}"
                self._labels.setdefault(key, self.entities.get(span.entity, span.quote))
            else:
                words = self.entities[span.entity] if span.entity is not None else span.quote
                key = f"text:{span.tag}:{normalise(words)}"
                label = " ".join(words.split())
                if span.entity is not None:
                    self._labels[key] = label  # the entity's name wins over a mention's
                else:
                    self._labels.setdefault(key, label)
            self._nodes[span.uuid] = key
        return key

    def label(self, node: str) -> str:
        return self._labels.get(node, node)

    def kind(self, tag: str) -> str:
        if not self._kinds:
            self._kinds.update({t.key: t.kind for t in self.schema.tag_types})
        return self._kinds.get(tag, "custom")

    def tag_label(self, tag: str) -> str:
        found = self.schema.tag(tag)
        return found.label if found is not None else tag

    def tags_of_kind(self, kind: str) -> set[str]:
        return {t.key for t in self.schema.tag_types if t.kind == kind}

    def spans_of_kind(self, kind: str) -> Iterable[SpanRow]:
        keys = self.tags_of_kind(kind)
        return (s for s in self.spans.values() if s.tag in keys)

    def published(self, document: str) -> str:
        return self.documents[document].published


def resolve_layer(project: Project, layer: str, names: dict[str, str]) -> frozenset[str] | None:
    """The annotator uuids of a layer choice (None: every layer)."""
    choice = layer.strip()
    if choice in ("", MINE):
        return frozenset({project.annotator.uuid})
    if choice == GOLD:
        return frozenset({GOLD_ANNOTATOR_UUID})
    if choice == ALL:
        return None
    if choice in names:
        return frozenset({choice})
    found = frozenset(uuid for uuid, name in names.items() if name == choice)
    if not found:
        raise ValidationError(f"no annotator {choice!r} in this project (layers: mine, gold, all)")
    return found


def _kept_by_attributes(
    attributes: dict[str, Any], defined: set[str], wanted: dict[str, frozenset[str]]
) -> bool:
    for key, values in wanted.items():
        if key not in defined:
            continue
        value = attributes.get(key)
        given = value if isinstance(value, list) else [value]
        if not any(str(v).casefold() in {w.casefold() for w in values} for v in given):
            return False
    return True


@without_gc
def load_dataset(
    project: Project, choice: AnalyticsFilter, *, merge_by_text: bool = False
) -> Dataset:
    """Read what `choice` keeps from the project (one read transaction)."""
    schema = project.schema
    with project.store.read() as session:
        names = {a.uuid: a.name for a in session.annotators()}
        layer = resolve_layer(project, choice.layer, names)
        every = all_documents(session)
        documents = [
            d.uuid for d in every if choice.keeps_document(d.title, d.author, d.outlet, d.published)
        ]
        rows = read_analytics(
            session,
            None if len(documents) == len(every) else documents,
            layer,
            choice.tags or None,
        )
    wanted = dict(choice.attributes)
    spans = rows.spans
    if wanted:
        tag_attributes = {t.key: {a.key for a in t.attributes} for t in schema.tag_types}
        spans = {
            uuid: s
            for uuid, s in spans.items()
            if _kept_by_attributes(s.attributes, tag_attributes.get(s.tag, set()), wanted)
        }
    link_attributes = {t.key: {a.key for a in t.attributes} for t in schema.link_types}
    links = [
        link
        for link in rows.links
        if (not choice.link_types or link.link_type in choice.link_types)
        and (link.source in spans and link.target in spans)
        and (
            not wanted
            or _kept_by_attributes(
                link.attributes, link_attributes.get(link.link_type, set()), wanted
            )
        )
    ]
    return Dataset(
        choice,
        schema,
        rows.documents,
        spans,
        links,
        rows.entities,
        rows.annotators,
        rows.statuses,
        layer,
        merge_by_text,
    )
