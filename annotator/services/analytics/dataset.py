"""Dataset: what an AnalyticsFilter keeps — the documents, names and statuses read at once, the
filter as SQL scopes for the views' own reads and counts — and each span's node (its entity,
else its normalised text), shared by every analysis."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.domain.model import Schema
from annotator.domain.node_keys import TRIM
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.services.analytics.filters import ALL, GOLD, MINE, AnalyticsFilter
from annotator.services.gc_pause import without_gc
from annotator.services.project import Project
from annotator.store.analytics_counts import (
    LinkEnds,
    LinkScope,
    SpanFacts,
    SpanScope,
    kept_links,
    link_ends,
    links_per_type,
    span_facts,
    spans_per_document_tag,
)
from annotator.store.analytics_reads import (
    DocumentRow,
    LinkRow,
    SpanRow,
    all_documents,
    analytics_entities,
    analytics_statuses,
    read_analytics,
)

T = TypeVar("T")

_TRIM = TRIM


@dataclass
class Dataset:
    """What the filter keeps. `spans` by uuid; `links` only those whose both ends are kept.
    Spans and links are read on first use (a view that counts in SQL never needs them);
    `scope` and `link_scope` are the same filter as WHERE clauses for those counts.

    Nodes: a span linked to an entity is that entity's node; any other span is the node of
    its tag and normalised text ("Russia" and "russia" are one actor). With `merge_by_text` an
    entity's node also takes in the loose spans of the same tag whose text is its name."""

    filter: AnalyticsFilter
    schema: Schema
    documents: dict[str, DocumentRow]
    entities: dict[str, str]
    annotators: dict[str, str]
    statuses: list[tuple[str, str, str]]
    layer_annotators: frozenset[str] | None
    project: Project
    scope: SpanScope
    link_scope: LinkScope
    merge_by_text: bool = False
    #: results of SQL counts shared by several figures (e.g. the spans-per-tag groupings)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _spans: dict[str, SpanRow] | None = field(default=None, repr=False)
    _links: list[LinkRow] | None = field(default=None, repr=False)
    _nodes: dict[str, str] = field(default_factory=dict, repr=False)
    _labels: dict[str, str] = field(default_factory=dict, repr=False)
    _kinds: dict[str, str] = field(default_factory=dict, repr=False)

    # -- rows --------------------------------------------------------------------------------
    @property
    def spans(self) -> dict[str, SpanRow]:
        if self._spans is None:
            self.load_rows()
        assert self._spans is not None
        return self._spans

    @property
    def links(self) -> list[LinkRow]:
        if self._links is None:
            self.load_rows()
        assert self._links is not None
        return self._links

    def load_rows(self) -> None:
        """Read every kept span and link as rows in memory (once). No view needs them all any
        more (each reads its own small rows or counts); the tests' oracles fold them."""
        if self._spans is None:
            self._spans, self._links = _read_rows(self)

    def read_spans(self, tags: set[str]) -> list[SpanRow]:
        """The kept spans of `tags` (from the loaded rows, else read for these tags only)."""
        if self._spans is not None:
            return [s for s in self._spans.values() if s.tag in tags]
        return list(_read_rows(self, tags, with_links=False)[0].values())

    def span_facts(self, kind: str | None = None) -> SpanFacts:
        """The kept spans (of the tags of `kind`) as small rows (read for the call)."""
        tags = None if kind is None else self.tags_of_kind(kind)
        with self.project.store.read() as session:
            return span_facts(session, self.scope, tags)

    def kept_links(self):
        """(rows, document uuids, link type keys) of the kept links (see store.kept_links)."""
        with self.project.store.read() as session:
            return kept_links(session, self.link_scope)

    def link_ends(self, types: set[str] | None = None) -> LinkEnds:
        """The kept links (of `types` too) with what names their ends' nodes."""
        with self.project.store.read() as session:
            return link_ends(session, self.link_scope, types)

    def count(self, key: str, compute: Callable[[Dataset], T]) -> T:
        """`compute(self)`, once per dataset (SQL counts several figures share)."""
        if key not in self.memo:
            self.memo[key] = compute(self)
        return self.memo[key]

    def count_rows(self) -> tuple[int, int]:
        """(spans, links) kept, counted in SQL once (the window's worker thread asks first)."""
        return self.span_count, self.link_count

    @property
    def span_count(self) -> int:
        if self._spans is not None:
            return len(self._spans)
        return sum(n for _, _, n in self.count("document_tag", spans_per_document_tag_of))

    @property
    def link_count(self) -> int:
        if self._links is not None:
            return len(self._links)
        return sum(n for _, n in self.count("link_types", links_per_type_of))

    # -- nodes -------------------------------------------------------------------------------
    def node(self, span: SpanRow) -> str:
        """The node key of a span (cached)."""
        key = self._nodes.get(span.uuid)
        if key is None:
            key = self._nodes[span.uuid] = self.node_key(span.tag, span.quote, span.entity)
        return key

    def node_key(self, tag: str, quote: str, entity: str | None) -> str:
        """The node key of a span of `tag`, `quote` and `entity` (its label noted)."""
        if entity is not None and not self.merge_by_text:
            key = f"entity:{entity}"
            self._labels.setdefault(key, self.entities.get(entity, quote))
            return key
        words = self.entities[entity] if entity is not None else quote
        label = " ".join(words.split())
        key = f"text:{tag}:{label.casefold().strip(_TRIM)}"  # normalise(words), folded once
        if entity is not None:
            self._labels[key] = label  # the entity's name wins over a mention's
        elif key not in self._labels:
            self._labels[key] = label
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
        return self.read_spans(self.tags_of_kind(kind))

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
        raise ValidationError(
            f"no annotator {quoted(choice)} in this project (layers: mine, gold, all)"
        )
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


def spans_per_document_tag_of(data: Dataset) -> list[tuple[str, str, int]]:
    with data.project.store.read() as session:
        return spans_per_document_tag(session, data.scope)


def links_per_type_of(data: Dataset) -> list[tuple[str, int]]:
    with data.project.store.read() as session:
        return links_per_type(session, data.link_scope)


def _attribute_test(
    schema_types, wanted: dict[str, frozenset[str]]
) -> Callable[[str, str], bool] | None:
    """The filter's attribute test on (type key, attributes JSON), or None without one."""
    if not wanted:
        return None
    defined = {t.key: {a.key for a in t.attributes} for t in schema_types}

    def keeps(key: str, attributes: str) -> bool:
        values = orjson.loads(attributes) if attributes != "{}" else {}
        return _kept_by_attributes(values, defined.get(key, set()), wanted)

    return keeps


@without_gc
def _read_rows(
    data: Dataset, tags: set[str] | None = None, *, with_links: bool = True
) -> tuple[dict[str, SpanRow], list[LinkRow]]:
    """The kept spans (of `tags` too, when given) and, `with_links`, the kept links."""
    choice, schema = data.filter, data.schema
    chosen = data.scope.tags
    if tags is not None:
        chosen = frozenset(tags) if chosen is None else chosen & frozenset(tags)
    with data.project.store.read() as session:
        rows = read_analytics(
            session, data.scope.documents, data.layer_annotators, chosen, with_links=with_links
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
    return spans, links


def load_dataset(
    project: Project, choice: AnalyticsFilter, *, merge_by_text: bool = False
) -> Dataset:
    """What `choice` keeps from the project: documents, names and statuses now (one read
    transaction); spans and links when a view first needs them."""
    schema = project.schema
    with project.store.read() as session:
        names = {a.uuid: a.name for a in session.annotators()}
        layer = resolve_layer(project, choice.layer, names)
        every = all_documents(session)
        kept = [d for d in every if choice.keeps_document(d.title, d.author, d.outlet, d.published)]
        documents = {d.uuid: d for d in kept}
        entities = analytics_entities(session)
        statuses = [s for s in analytics_statuses(session) if s[0] in documents]
    wanted = dict(choice.attributes)
    scope = SpanScope(
        None if len(kept) == len(every) else tuple(documents),
        layer,
        choice.tags or None,
        _attribute_test(schema.tag_types, wanted),
    )
    link_scope = LinkScope(
        scope, choice.link_types or None, _attribute_test(schema.link_types, wanted)
    )
    return Dataset(
        choice,
        schema,
        documents,
        entities,
        names,
        statuses,
        layer,
        project,
        scope,
        link_scope,
        merge_by_text,
    )
