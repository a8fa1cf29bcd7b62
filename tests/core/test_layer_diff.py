"""Layer filtering and the two-layer diff behind the reading pane's layer choice and compare."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from annotator.domain.layer_diff import (
    MY_LAYER,
    DiffKind,
    LayerChoice,
    LayerMode,
    diff_layers,
    in_layers,
    shown_annotators,
    shown_links,
)
from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.domain.model import Link, Span

ME, BOB = "me-uuid", "bob-uuid"


def span(uuid: str, fragments, tag: str = "actor", annotator: str = ME) -> Span:
    fragments = tuple(tuple(f) for f in fragments)
    return Span(uuid, "doc", annotator, tag, fragments, "q")


def link(uuid: str, source: str, target: str, annotator: str = ME) -> Link:
    return Link(uuid, "doc", "asserts", source, target, annotator)


# -- choosing layers --------------------------------------------------------------------------
def test_each_mode_shows_its_annotators() -> None:
    assert shown_annotators(MY_LAYER, ME) == {ME}
    gold = LayerChoice(LayerMode.LAYER, GOLD_ANNOTATOR_UUID)
    assert shown_annotators(gold, ME) == {GOLD_ANNOTATOR_UUID}
    assert shown_annotators(LayerChoice(LayerMode.COMPARE, ME, BOB), ME) == {ME, BOB}
    assert shown_annotators(LayerChoice(LayerMode.ALL), ME) is None
    assert MY_LAYER.editable and not gold.editable


@given(st.sampled_from(list(LayerMode)), st.text(max_size=3), st.text(max_size=3))
def test_blind_shows_only_me_whatever_the_choice(mode, first, second) -> None:
    assert shown_annotators(LayerChoice(mode, first, second), ME, blind=True) == {ME}


def test_links_need_a_shown_layer_and_both_ends_shown() -> None:
    mine = [span("a", [(0, 3)]), span("b", [(5, 8)])]
    theirs = span("c", [(9, 12)], annotator=BOB)
    links = [link("l1", "a", "b"), link("l2", "a", "c"), link("l3", "a", "b", annotator=BOB)]
    shown = in_layers([*mine, theirs], frozenset({ME}))
    assert [s.uuid for s in shown] == ["a", "b"]
    kept = shown_links(links, frozenset({ME}), {s.uuid for s in shown})
    assert [x.uuid for x in kept] == ["l1"]
    assert len(in_layers([*mine, theirs], None)) == 3


# -- diff: examples ---------------------------------------------------------------------------
def test_diff_classifies_same_retagged_and_missing_spans() -> None:
    a = [
        span("a1", [(0, 4)]),
        span("a2", [(10, 14)], "event"),
        span("a3", [(20, 24)]),
        span("a4", [(30, 33), (40, 44)], "claim"),
    ]
    b = [
        span("b1", [(0, 4)], annotator=BOB),
        span("b2", [(10, 14)], "claim", annotator=BOB),
        span("b3", [(20, 25)], annotator=BOB),  # one character longer: not the same span
        span("b4", [(30, 33), (40, 44)], "claim", annotator=BOB),
    ]
    diff = diff_layers(a, b)
    kinds = [(e.kind, e.a and e.a.uuid, e.b and e.b.uuid) for e in diff.entries]
    assert kinds == [
        (DiffKind.SAME, "a1", "b1"),
        (DiffKind.TAG, "a2", "b2"),
        (DiffKind.ONLY_A, "a3", None),
        (DiffKind.ONLY_B, None, "b3"),
        (DiffKind.SAME, "a4", "b4"),
    ]
    assert [s.uuid for s in diff.overlay_spans()] == ["a1", "a2", "b2", "a3", "b3", "a4"]
    assert diff.marks("a") == [(10, 14, DiffKind.TAG), (20, 24, DiffKind.ONLY_A)]
    assert diff.marks("b") == [(10, 14, DiffKind.TAG), (20, 25, DiffKind.ONLY_B)]
    assert len(diff.marks()) == 3


def test_same_tag_is_paired_before_a_different_tag_at_the_same_place() -> None:
    a = [span("a1", [(0, 4)], "actor"), span("a2", [(0, 4)], "event")]
    b = [span("b1", [(0, 4)], "event", annotator=BOB)]
    diff = diff_layers(a, b)
    assert [(e.kind, e.a.uuid if e.a else None) for e in diff.entries] == [
        (DiffKind.SAME, "a2"),
        (DiffKind.ONLY_A, "a1"),
    ]


# -- diff: properties -------------------------------------------------------------------------
_fragment = st.tuples(st.integers(0, 6), st.integers(1, 3)).map(lambda x: (x[0], x[0] + x[1]))
_extent = st.lists(_fragment, min_size=1, max_size=2, unique_by=lambda f: f[0]).map(
    lambda fs: tuple(sorted(fs))
)
_tag = st.sampled_from(["actor", "event", "claim"])
_layer = st.lists(st.tuples(_extent, _tag), max_size=12)


def _spans(items, prefix: str, annotator: str) -> list[Span]:
    return [span(f"{prefix}{i:02}", f, t, annotator) for i, (f, t) in enumerate(items)]


@given(_layer, _layer, st.randoms())
def test_every_span_is_in_exactly_one_entry_whatever_the_order(xs, ys, rnd) -> None:
    a, b = _spans(xs, "a", ME), _spans(ys, "b", BOB)
    diff = diff_layers(a, b)
    assert sorted(e.a.uuid for e in diff.entries if e.a) == sorted(s.uuid for s in a)
    assert sorted(e.b.uuid for e in diff.entries if e.b) == sorted(s.uuid for s in b)
    for e in diff.entries:
        assert (e.a is None) == (e.kind is DiffKind.ONLY_B)
        assert (e.b is None) == (e.kind is DiffKind.ONLY_A)
        if e.a and e.b:
            assert e.a.fragments == e.b.fragments
            assert (e.a.tag == e.b.tag) == (e.kind is DiffKind.SAME)
    rnd.shuffle(a)
    rnd.shuffle(b)
    assert diff_layers(a, b) == diff


@given(_layer, _layer)
def test_pairing_is_maximal(xs, ys) -> None:
    a, b = _spans(xs, "a", ME), _spans(ys, "b", BOB)
    diff = diff_layers(a, b)
    count_a, count_b = Counter(s.fragments for s in a), Counter(s.fragments for s in b)
    tags_a = Counter((s.fragments, s.tag) for s in a)
    tags_b = Counter((s.fragments, s.tag) for s in b)
    assert diff.count(DiffKind.SAME) == sum((tags_a & tags_b).values())
    assert diff.count(DiffKind.SAME) + diff.count(DiffKind.TAG) == sum((count_a & count_b).values())
    # nothing left on one side has a partner left on the other
    only_a = {e.fragments for e in diff.entries if e.kind is DiffKind.ONLY_A}
    only_b = {e.fragments for e in diff.entries if e.kind is DiffKind.ONLY_B}
    assert not only_a & only_b


@given(_layer, _layer)
def test_swapping_layers_mirrors_the_diff(xs, ys) -> None:
    a, b = _spans(xs, "a", ME), _spans(ys, "b", BOB)
    forward, backward = diff_layers(a, b), diff_layers(b, a)
    mirror = {DiffKind.ONLY_A: DiffKind.ONLY_B, DiffKind.ONLY_B: DiffKind.ONLY_A}
    for kind in DiffKind:
        assert forward.count(kind) == backward.count(mirror.get(kind, kind))
    assert sorted(forward.marks("a")) == sorted(
        (s, e, mirror.get(k, k)) for s, e, k in backward.marks("b")
    )


@given(_layer)
def test_a_layer_against_itself_is_all_same(xs) -> None:
    a = _spans(xs, "a", ME)
    copy = [span("c" + s.uuid, s.fragments, s.tag, BOB) for s in a]
    diff = diff_layers(a, copy)
    assert all(e.kind is DiffKind.SAME for e in diff.entries)
    assert diff.marks() == []
    assert sorted(s.uuid for s in diff.overlay_spans()) == sorted(s.uuid for s in a)


@given(_layer, _layer)
def test_overlay_draws_every_span_once_except_agreeing_copies(xs, ys) -> None:
    a, b = _spans(xs, "a", ME), _spans(ys, "b", BOB)
    diff = diff_layers(a, b)
    shown = diff.overlay_spans()
    assert len({s.uuid for s in shown}) == len(shown)
    assert len(shown) == len(a) + len(b) - diff.count(DiffKind.SAME)
    assert [(s.start, s.end) for s in shown] == sorted((s.start, s.end) for s in shown)
