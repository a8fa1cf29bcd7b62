"""The agreement report: every figure with the counts and the passages behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

OVERALL = "*"  # the key of a figure over all tags (or all link types)
NONE_LABEL = "none"  # how an unannotated side is named in the confusion table


class Passage(NamedTuple):
    """A stretch of a document behind a figure: where to look, whose annotations, what differs."""

    document: str
    start: int
    end: int
    annotators: tuple[str, ...]
    detail: str = ""


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class MatchCounts:
    """Precision/recall/F1 of B against A (A is the reference; F1 is symmetric).

    precision is None with no span of B, recall None with no span of A, F1 None with neither."""

    true_positives: list[Passage] = field(default_factory=list)
    false_positives: list[Passage] = field(default_factory=list)  # B only
    false_negatives: list[Passage] = field(default_factory=list)  # A only

    @property
    def tp(self) -> int:
        return len(self.true_positives)

    @property
    def fp(self) -> int:
        return len(self.false_positives)

    @property
    def fn(self) -> int:
        return len(self.false_negatives)

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def passages(self) -> list[Passage]:
        """Disagreements first (A only, B only), then agreements."""
        return [*self.false_negatives, *self.false_positives, *self.true_positives]

    def as_json(self, passages: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }
        if passages:
            out["passages"] = {
                "tp": [passage_json(p) for p in self.true_positives],
                "fp": [passage_json(p) for p in self.false_positives],
                "fn": [passage_json(p) for p in self.false_negatives],
            }
        return out


@dataclass
class Coefficient:
    """κ or α over token units; `passages` are the stretches where the annotators differ."""

    value: float | None
    units: int
    reason: str = ""  # why value is None
    passages: list[Passage] = field(default_factory=list)

    def as_json(self, passages: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "units": self.units}
        if self.reason:
            out["undefined"] = self.reason
        if passages:
            out["passages"] = [passage_json(p) for p in self.passages]
        return out


@dataclass
class AttributeAgreement:
    """One attribute of one tag over the overlap-matched span pairs."""

    tag: str
    key: str
    kappa: Coefficient
    agreeing: list[Passage] = field(default_factory=list)
    differing: list[Passage] = field(default_factory=list)

    @property
    def compared(self) -> int:
        return len(self.agreeing) + len(self.differing)

    @property
    def share_equal(self) -> float | None:
        return _ratio(len(self.agreeing), self.compared)

    def as_json(self, passages: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tag": self.tag,
            "attribute": self.key,
            "compared": self.compared,
            "equal": len(self.agreeing),
            "share_equal": self.share_equal,
            "kappa": self.kappa.value,
        }
        if self.kappa.reason:
            out["kappa_undefined"] = self.kappa.reason
        if passages:
            out["passages"] = {
                "equal": [passage_json(p) for p in self.agreeing],
                "different": [passage_json(p) for p in self.differing],
            }
        return out


@dataclass
class PairReport:
    """Every figure for one pair of annotators (a is the reference for precision/recall)."""

    a: str
    b: str
    documents: int = 0
    exact: dict[str, MatchCounts] = field(default_factory=dict)
    overlap: dict[str, MatchCounts] = field(default_factory=dict)
    kappa: dict[str, Coefficient] = field(default_factory=dict)
    alpha: dict[str, Coefficient] = field(default_factory=dict)
    attributes: list[AttributeAgreement] = field(default_factory=list)
    links: dict[str, MatchCounts] = field(default_factory=dict)
    links_excluded: list[Passage] = field(default_factory=list)
    confusion: dict[tuple[str, str], list[Passage]] = field(default_factory=dict)

    def as_json(self, passages: bool) -> dict[str, Any]:
        def table(figures: dict) -> dict:
            return {key: figure.as_json(passages) for key, figure in figures.items()}

        return {
            "a": self.a,
            "b": self.b,
            "documents": self.documents,
            "spans_exact": table(self.exact),
            "spans_overlap": table(self.overlap),
            "cohen_kappa": table(self.kappa),
            "krippendorff_alpha": table(self.alpha),
            "attributes": [a.as_json(passages) for a in self.attributes],
            "links": table(self.links),
            "links_excluded": len(self.links_excluded),
            "confusion": [
                {"a": tag_a, "b": tag_b, "count": len(cell)}
                | ({"passages": [passage_json(p) for p in cell]} if passages else {})
                for (tag_a, tag_b), cell in self.confusion.items()
            ],
        }


@dataclass
class GroupReport:
    """Figures over all chosen annotators at once."""

    annotators: tuple[str, ...]
    alpha: dict[str, Coefficient] = field(default_factory=dict)
    fleiss: dict[str, Coefficient] = field(default_factory=dict)

    def as_json(self, passages: bool) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "krippendorff_alpha": {k: c.as_json(passages) for k, c in self.alpha.items()},
            "fleiss_kappa": {k: c.as_json(passages) for k, c in self.fleiss.items()},
        }


@dataclass
class AgreementReport:
    annotators: dict[str, str]  # uuid -> name, in the chosen order
    documents: list[str]
    tags: list[str]
    link_types: list[str]
    tokens: int
    pairs: list[PairReport]
    group: GroupReport
    skipped: dict[str, str] = field(default_factory=dict)  # document uuid -> why it is left out
    titles: dict[str, str] = field(default_factory=dict)  # document uuid -> title

    def pair(self, a: str, b: str) -> PairReport:
        return next(p for p in self.pairs if (p.a, p.b) == (a, b))

    def as_json(self, passages: bool = False) -> dict[str, Any]:
        return {
            "annotators": [{"id": u, "name": n} for u, n in self.annotators.items()],
            "documents": self.documents,
            "skipped": [{"document": d, "reason": r} for d, r in self.skipped.items()],
            "tags": self.tags,
            "link_types": self.link_types,
            "tokens": self.tokens,
            "pairs": [p.as_json(passages) for p in self.pairs],
            "all": self.group.as_json(passages),
        }


def passage_json(passage: Passage) -> dict[str, Any]:
    return {
        "document": passage.document,
        "start": passage.start,
        "end": passage.end,
        "annotators": list(passage.annotators),
        "detail": passage.detail,
    }
