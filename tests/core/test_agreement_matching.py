"""Span precision/recall/F1 (exact and overlap), links, attributes and the confusion table on
hand-made cases with known answers; every count keeps its passages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.domain.agreement import (
    NONE_LABEL,
    OVERALL,
    DocumentLayers,
    Layer,
    UnitLink,
    UnitSpan,
    compute_report,
)
from annotator.domain.agreement.matching import _candidates, exact_matching, overlap_matching

TEXT = "Mayor Jane Doe said the bridge was safe. Engineers 😀 disagreed with the Mayor."


def at(needle: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(needle, start + 1)
    return start, start + len(needle)


def span(uuid: str, tag: str, *needles: str, **attributes) -> UnitSpan:
    return UnitSpan(uuid, tag, tuple(at(n) for n in needles), attributes)


def report_for(a: Layer, b: Layer, **kwargs):
    doc = DocumentLayers("doc", TEXT, {"A": a, "B": b})
    return compute_report([doc], ["A", "B"], names={"A": "Ann", "B": "Bob"}, **kwargs).pairs[0]


def test_exact_and_overlap_precision_recall_f1() -> None:
    a = Layer(
        (
            span("a1", "actor", "Mayor Jane Doe"),
            span("a2", "claim", "the bridge was safe"),
            span("a3", "actor", "Engineers"),
        )
    )
    b = Layer(
        (
            span("b1", "actor", "Jane Doe"),  # overlap match only
            span("b2", "claim", "the bridge was safe"),  # exact
            span("b3", "event", "disagreed"),  # B only
        )
    )
    pair = report_for(a, b)
    exact = pair.exact[OVERALL]
    assert (exact.tp, exact.fp, exact.fn) == (1, 2, 2)
    assert exact.precision == pytest.approx(1 / 3)
    assert exact.recall == pytest.approx(1 / 3)
    assert exact.f1 == pytest.approx(1 / 3)
    overlap = pair.overlap[OVERALL]
    assert (overlap.tp, overlap.fp, overlap.fn) == (2, 1, 1)
    assert overlap.precision == pytest.approx(2 / 3)
    assert overlap.recall == pytest.approx(2 / 3)
    assert overlap.f1 == pytest.approx(2 / 3)
    actor = pair.overlap["actor"]
    assert (actor.tp, actor.fp, actor.fn) == (1, 0, 1)
    assert actor.precision == 1.0 and actor.recall == 0.5
    assert pair.overlap["event"].recall is None  # A has no event: recall undefined
    assert pair.overlap["event"].f1 == 0.0
    # passages: where, whose, what
    (only_bob,) = pair.overlap["event"].false_positives
    assert (only_bob.start, only_bob.end) == at("disagreed")
    assert only_bob.annotators == ("B",)
    assert "only in Bob" in only_bob.detail
    (mayor,) = pair.overlap["actor"].true_positives
    assert (mayor.start, mayor.end) == at("Mayor Jane Doe")
    assert mayor.annotators == ("A", "B")


def test_tags_nobody_used_have_undefined_figures() -> None:
    pair = report_for(Layer(), Layer(), tags=["actor"])
    assert pair.exact["actor"].f1 is None
    assert pair.exact[OVERALL].precision is None


def test_overlap_matching_is_one_to_one_largest_overlap_first() -> None:
    """B's long span overlaps two of A's; it pairs with the larger overlap, the other is FN."""
    a = (span("a1", "claim", "Mayor Jane"), span("a2", "claim", "the bridge was safe"))
    b = (UnitSpan("b1", "claim", ((at("Jane")[0], at("the bridge was safe")[1]),)),)
    result = overlap_matching(a, b)
    assert [(x.uuid, y.uuid) for x, y in result.matched] == [("a2", "b1")]
    assert [s.uuid for s in result.only_a] == ["a1"]


def test_overlap_tie_goes_to_the_earliest_start() -> None:
    a = (span("a1", "actor", "Mayor"), span("a2", "actor", "Jane"))
    b = (UnitSpan("b1", "actor", ((at("Mayor")[0] + 1, at("Jane")[0] + 4),)),)  # 4 cp each
    result = overlap_matching(a, b)
    assert [(x.uuid, y.uuid) for x, y in result.matched] == [("a1", "b1")]


def test_same_tag_wins_over_a_larger_overlap_with_another_tag() -> None:
    a = (span("a1", "actor", "Mayor Jane Doe"), span("a2", "claim", "Jane"))
    b = (span("b1", "claim", "Mayor Jane Doe"),)
    pair = report_for(Layer(a), Layer(b))
    assert pair.overlap["claim"].tp == 1
    assert [p.detail for p in pair.confusion[("claim", "claim")]] == ["claim = claim"]
    assert len(pair.confusion[("actor", NONE_LABEL)]) == 1


def test_confusion_table_cells_and_passages() -> None:
    a = Layer((span("a1", "actor", "Mayor Jane Doe"), span("a2", "claim", "Engineers")))
    b = Layer((span("b1", "event", "Jane Doe"), span("b2", "actor", "disagreed")))
    pair = report_for(a, b)
    cells = {key: len(v) for key, v in pair.confusion.items()}
    assert cells == {("actor", "event"): 1, ("claim", NONE_LABEL): 1, (NONE_LABEL, "actor"): 1}
    (cell,) = pair.confusion[("actor", "event")]
    assert (cell.start, cell.end) == at("Mayor Jane Doe")
    # a crossed pair is one FP and one FN for the F1
    overall = pair.overlap[OVERALL]
    assert (overall.tp, overall.fp, overall.fn) == (0, 2, 2)


def test_discontinuous_spans_match_exactly_only_with_the_same_fragments() -> None:
    a = Layer((span("a1", "claim", "Mayor", "was safe"),))
    b = Layer((span("b1", "claim", "Mayor", "was safe"),))
    c = Layer((span("c1", "claim", "Mayor", "safe"),))
    assert report_for(a, b).exact[OVERALL].tp == 1
    pair = report_for(a, c)
    assert pair.exact[OVERALL].tp == 0
    assert pair.overlap[OVERALL].tp == 1


def test_links_on_matched_endpoints_directed_and_symmetric() -> None:
    a_spans = (
        span("a1", "actor", "Mayor Jane Doe"),
        span("a2", "claim", "the bridge was safe"),
        span("a3", "actor", "Engineers"),
        span("a4", "actor", "the Mayor"),
    )
    b_spans = (
        span("b1", "actor", "Jane Doe"),
        span("b2", "claim", "bridge was safe"),
        span("b3", "actor", "Engineers"),
        span("b4", "actor", "the Mayor"),
    )
    a_links = (
        UnitLink("la1", "asserts", "a1", "a2"),  # same in B
        UnitLink("la2", "same_as", "a1", "a4"),  # B has it reversed: symmetric, agrees
        UnitLink("la3", "asserts", "a3", "a2"),  # B has it reversed: directed, disagrees
    )
    b_links = (
        UnitLink("lb1", "asserts", "b1", "b2"),
        UnitLink("lb2", "same_as", "b4", "b1"),
        UnitLink("lb3", "asserts", "b2", "b3"),
    )
    pair = report_for(
        Layer(a_spans, a_links),
        Layer(b_spans, b_links),
        directed={"asserts": True, "same_as": False},
    )
    overall = pair.links[OVERALL]
    assert (overall.tp, overall.fp, overall.fn) == (2, 1, 1)
    assert pair.links["same_as"].f1 == 1.0
    assert pair.links["asserts"].f1 == pytest.approx(0.5)
    assert pair.links_excluded == []


def test_links_with_an_unmatched_endpoint_are_excluded_not_counted() -> None:
    a = Layer(
        (span("a1", "actor", "Mayor Jane Doe"), span("a2", "claim", "the bridge was safe")),
        (UnitLink("la1", "asserts", "a1", "a2"),),
    )
    b = Layer((span("b1", "actor", "Mayor Jane Doe"),))
    pair = report_for(a, b)
    assert pair.links[OVERALL].tp + pair.links[OVERALL].fn + pair.links[OVERALL].fp == 0
    (excluded,) = pair.links_excluded
    assert excluded.annotators == ("A",)
    assert (excluded.start, excluded.end) == (0, at("the bridge was safe")[1])


def test_attribute_agreement_share_and_kappa() -> None:
    a = Layer(
        (
            span("a1", "actor", "Mayor Jane Doe", kind="person"),
            span("a2", "actor", "Engineers", kind="group"),
            span("a3", "actor", "the Mayor", kind="person"),
            span("a4", "claim", "the bridge was safe", topics=["safety", "economy"]),
        )
    )
    b = Layer(
        (
            span("b1", "actor", "Jane Doe", kind="person"),
            span("b2", "actor", "Engineers", kind="person"),
            span("b3", "actor", "the Mayor", kind="person"),
            span("b4", "claim", "the bridge was safe", topics=["economy", "safety"]),
        )
    )
    pair = report_for(a, b)
    kind = next(x for x in pair.attributes if (x.tag, x.key) == ("actor", "kind"))
    assert (kind.compared, len(kind.agreeing)) == (3, 2)
    assert kind.share_equal == pytest.approx(2 / 3)
    # κ on (person, person), (group, person), (person, person): po 2/3, pe = 2/3·1 → 0
    assert kind.kappa.value == pytest.approx(0.0)
    (different,) = kind.differing
    assert (different.start, different.end) == at("Engineers")
    assert '"group" / "person"' in different.detail
    topics = next(x for x in pair.attributes if x.key == "topics")
    assert topics.share_equal == 1.0  # a multi-choice compares as a set
    assert topics.kappa.value is None and "only one label" in topics.kappa.reason


def test_defined_attributes_unset_on_both_sides_count_as_equal() -> None:
    a = Layer((span("a1", "actor", "Mayor Jane Doe"),))
    b = Layer((span("b1", "actor", "Mayor Jane Doe", role="mayor"),))
    pair = report_for(a, b, attribute_keys={"actor": ["kind"]})
    by_key = {x.key: x for x in pair.attributes}
    assert by_key["kind"].share_equal == 1.0
    assert by_key["role"].share_equal == 0.0


# -- properties on generated layers ------------------------------------------------------------
@st.composite
def layer_spans(draw, prefix: str) -> tuple[UnitSpan, ...]:
    spans = []
    for number in range(draw(st.integers(0, 12))):
        cuts = sorted(draw(st.lists(st.integers(0, 60), min_size=2, max_size=4, unique=True)))
        fragments = tuple((cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2))
        spans.append(UnitSpan(f"{prefix}{number}", draw(st.sampled_from(TAGS)), fragments))
    return tuple(spans)


TAGS = ("actor", "claim")


def brute_shared(a: UnitSpan, b: UnitSpan) -> int:
    return len(
        {p for s, e in a.fragments for p in range(s, e)}
        & {p for s, e in b.fragments for p in range(s, e)}
    )


@settings(max_examples=200, deadline=None)
@given(layer_spans("a"), layer_spans("b"))
def test_overlap_matching_properties(a_spans, b_spans) -> None:
    result = overlap_matching(a_spans, b_spans)
    pairs = result.matched + result.crossed
    used_a = [x.uuid for x, _ in pairs] + [x.uuid for x in result.only_a]
    used_b = [y.uuid for _, y in pairs] + [y.uuid for y in result.only_b]
    # one to one, every span accounted for exactly once
    assert sorted(used_a) == sorted(s.uuid for s in a_spans)
    assert sorted(used_b) == sorted(s.uuid for s in b_spans)
    assert all(x.tag == y.tag for x, y in result.matched)
    assert all(x.tag != y.tag for x, y in result.crossed)
    assert all(brute_shared(x, y) > 0 for x, y in pairs)
    # maximal: no same-tag overlapping pair left with both sides free
    for x in result.only_a:
        for y in result.only_b:
            assert brute_shared(x, y) == 0
    exact = exact_matching(a_spans, b_spans)
    assert len(exact.matched) <= len(result.matched)


@settings(max_examples=200, deadline=None)
@given(layer_spans("a"), layer_spans("b"))
def test_candidate_sweep_finds_exactly_the_overlapping_pairs(a_spans, b_spans) -> None:
    found = {(key[-2], key[-1], -key[0]) for key in _candidates(a_spans, b_spans)}
    expected = {
        (i, j, brute_shared(x, y))
        for i, x in enumerate(a_spans)
        for j, y in enumerate(b_spans)
        if brute_shared(x, y) > 0
    }
    assert found == expected
