"""Which annotators' spans and links a layer choice shows, and how two layers differ.

Pure functions over domain values: the reading pane, the annotation tables and the inspector
all route what they show through `shown_annotators`/`in_layers`, and compare mode through
`diff_layers`, so "what does this layer show" has one answer, tested without Qt."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from annotator.domain.model import Fragments, Link, Span


class LayerMode(StrEnum):
    MINE = "mine"  # the current annotator's layer, editable (the normal mode)
    LAYER = "layer"  # one other layer (gold included), read-only
    ALL = "all"  # every layer at once, read-only
    COMPARE = "compare"  # two layers, read-only, differences marked


@dataclass(frozen=True)
class LayerChoice:
    """What the reading pane shows. `first`/`second` are annotator uuids: the layer shown
    (LAYER), or layers A and B (COMPARE); `side_by_side` puts B in a pane of its own."""

    mode: LayerMode = LayerMode.MINE
    first: str = ""
    second: str = ""
    side_by_side: bool = False

    @property
    def editable(self) -> bool:
        return self.mode is LayerMode.MINE


MY_LAYER = LayerChoice()


def shown_annotators(choice: LayerChoice, me: str, *, blind: bool = False) -> frozenset[str] | None:
    """The annotators whose work is shown; None means everyone's. Blind mode shows only
    `me`, whatever the choice says."""
    if blind or choice.mode is LayerMode.MINE:
        return frozenset({me})
    if choice.mode is LayerMode.LAYER:
        return frozenset({choice.first})
    if choice.mode is LayerMode.COMPARE:
        return frozenset({choice.first, choice.second})
    return None


class _Owned(Protocol):
    @property
    def annotator(self) -> str: ...


Owned = TypeVar("Owned", bound=_Owned)


def in_layers(items: Iterable[Owned], annotators: frozenset[str] | None) -> list[Owned]:
    """The spans or links (anything with an `annotator`) that belong to the shown layers."""
    if annotators is None:
        return list(items)
    return [item for item in items if item.annotator in annotators]


def shown_links(
    links: Iterable[Link], annotators: frozenset[str] | None, span_ids: set[str]
) -> list[Link]:
    """Links of the shown layers whose two ends are both shown spans."""
    return [
        link
        for link in in_layers(links, annotators)
        if link.source in span_ids and link.target in span_ids
    ]


class DiffKind(StrEnum):
    SAME = "same"  # same fragments, same tag in both layers
    ONLY_A = "only_a"  # no span with these fragments left in B
    ONLY_B = "only_b"
    TAG = "tag"  # same fragments, different tag


@dataclass(frozen=True)
class SpanDiff:
    kind: DiffKind
    a: Span | None
    b: Span | None

    @property
    def fragments(self) -> Fragments:
        span = self.a if self.a is not None else self.b
        assert span is not None
        return span.fragments


@dataclass(frozen=True)
class LayerDiff:
    """Every span of A and of B in exactly one entry, in text order."""

    entries: tuple[SpanDiff, ...]

    def count(self, kind: DiffKind) -> int:
        return sum(1 for entry in self.entries if entry.kind is kind)

    def overlay_spans(self) -> list[Span]:
        """What one overlaid pane shows: every span of A, and the spans of B that are not the
        same as one of A's (so agreeing spans are not drawn twice)."""
        spans = [e.a for e in self.entries if e.a is not None]
        spans += [e.b for e in self.entries if e.b is not None and e.kind is not DiffKind.SAME]
        return sorted(spans, key=lambda s: (s.start, s.end, s.uuid))

    def marks(self, side: str = "both") -> list[tuple[int, int, DiffKind]]:
        """(start, end, kind) per fragment of each difference; `side` "a" or "b" keeps what
        that layer's own pane marks (its own extra spans and the retagged ones)."""
        wanted = {
            "a": (DiffKind.ONLY_A, DiffKind.TAG),
            "b": (DiffKind.ONLY_B, DiffKind.TAG),
            "both": (DiffKind.ONLY_A, DiffKind.ONLY_B, DiffKind.TAG),
        }[side]
        return [
            (start, end, entry.kind)
            for entry in self.entries
            if entry.kind in wanted
            for start, end in entry.fragments
        ]


_ORDER = {DiffKind.SAME: 0, DiffKind.TAG: 1, DiffKind.ONLY_A: 2, DiffKind.ONLY_B: 3}


def diff_layers(a_spans: Sequence[Span], b_spans: Sequence[Span]) -> LayerDiff:
    """Pair A's spans with B's by identical fragments: same tag first (SAME), then the rest
    at those fragments pairwise (TAG); what is left is ONLY_A or ONLY_B. Within a group the
    pairing follows uuid order, so the result does not depend on the input order."""
    groups: dict[Fragments, tuple[list[Span], list[Span]]] = defaultdict(lambda: ([], []))
    for span in a_spans:
        groups[span.fragments][0].append(span)
    for span in b_spans:
        groups[span.fragments][1].append(span)
    entries: list[SpanDiff] = []
    for left, right in groups.values():
        left.sort(key=lambda s: (s.tag, s.uuid))
        right.sort(key=lambda s: (s.tag, s.uuid))
        rest_a: list[Span] = []
        by_tag: dict[str, list[Span]] = defaultdict(list)
        for span in right:
            by_tag[span.tag].append(span)
        for span in left:
            same = by_tag.get(span.tag)
            if same:
                entries.append(SpanDiff(DiffKind.SAME, span, same.pop(0)))
            else:
                rest_a.append(span)
        rest_b = [span for spans in by_tag.values() for span in spans]
        rest_b.sort(key=lambda s: (s.tag, s.uuid))
        for a, b in zip(rest_a, rest_b, strict=False):
            entries.append(SpanDiff(DiffKind.TAG, a, b))
        paired = min(len(rest_a), len(rest_b))
        entries += [SpanDiff(DiffKind.ONLY_A, a, None) for a in rest_a[paired:]]
        entries += [SpanDiff(DiffKind.ONLY_B, None, b) for b in rest_b[paired:]]

    def key(entry: SpanDiff) -> tuple:
        span = entry.a if entry.a is not None else entry.b
        assert span is not None
        other = entry.b.uuid if entry.b is not None else ""
        return (span.fragments, _ORDER[entry.kind], span.uuid, other)

    return LayerDiff(tuple(sorted(entries, key=key)))
