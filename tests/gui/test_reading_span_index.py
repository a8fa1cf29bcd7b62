"""SpanIndex queries and edits, nesting levels and innermost segments (pure Python)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.gui.reading.span_index import (
    LONG_SPAN,
    MAX_LEVELS,
    DisplaySpan,
    RangeList,
    SpanIndex,
    innermost_segments,
)


def span(sid: str, *frags: tuple[int, int], color: str = "#e6a23c") -> DisplaySpan:
    return DisplaySpan(sid, tuple(frags), color, "actor", f"tip {sid}")


def brute(spans, a, b):
    b = max(b, a + 1)
    return {s.id for s in spans if any(fs < b and fe > a for fs, fe in s.fragments)}


def test_display_span_normalises_fragments_and_rejects_empty_ones():
    s = DisplaySpan("x", [[3, 5], [7, 9]], "#000000")  # lists from JSON are fine
    assert s.fragments == ((3, 5), (7, 9)) and (s.start, s.end, s.extent) == (3, 9, 6)
    with pytest.raises(ValueError):
        DisplaySpan("y", ((4, 4),), "#000000")
    with pytest.raises(ValueError):
        DisplaySpan("z", (), "#000000")


def test_overlap_queries_nested_overlapping_and_discontinuous():
    spans = [
        span("outer", (0, 50)),
        span("inner", (10, 20)),
        span("cross", (15, 30)),
        span("gap", (40, 45), (60, 70)),
        span("far", (100, 110)),
    ]
    ix = SpanIndex(spans)
    assert {s.id for s in ix.overlapping(12, 13)} == {"outer", "inner"}
    assert {s.id for s in ix.overlapping(50, 60)} == set()  # inside the gap of "gap"
    assert {s.id for s in ix.overlapping(55, 65)} == {"gap"}
    assert [s.id for s in ix.at(16)] == ["inner", "cross", "outer"]  # innermost first
    assert ix.at(200) == []


def test_add_remove_and_replace():
    ix = SpanIndex([span("a", (0, 5))])
    ix.add(span("b", (2, 4)))
    assert [s.id for s in ix.at(3)] == ["b", "a"]
    ix.add(span("b", (10, 12)))  # same id: replaced
    assert [s.id for s in ix.at(3)] == ["a"] and [s.id for s in ix.at(11)] == ["b"]
    assert ix.remove("a").id == "a"
    assert ix.remove("a") is None
    assert ix.at(3) == [] and len(ix) == 1 and "b" in ix


def test_long_spans_live_in_the_side_list():
    ix = SpanIndex([span("doc", (0, LONG_SPAN * 3)), span("w", (5, 9))])
    assert ix._maxlen == 4
    assert {s.id for s in ix.overlapping(LONG_SPAN * 2, LONG_SPAN * 2 + 1)} == {"doc"}
    ix.remove("doc")
    assert ix.overlapping(LONG_SPAN * 2, LONG_SPAN * 2 + 1) == []


def test_duplicate_ids_keep_the_last_span():
    ix = SpanIndex([span("a", (0, 5)), span("a", (10, 15))])
    ix.ensure_ids()
    assert [s.id for s in ix.overlapping(0, 100)] == ["a"] and ix.get("a").start == 10


FRAGS = st.lists(st.tuples(st.integers(0, 300), st.integers(1, 80)), min_size=1, max_size=3)


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(FRAGS, max_size=40),
    queries=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 60))),
)
def test_queries_match_brute_force_after_random_edits(data, queries):
    spans = []
    for n, frags in enumerate(data):
        pos, out = 0, []
        for start, length in frags:  # make ordered, disjoint fragments
            pos += start
            out.append((pos, pos + length))
            pos += length + 1
        spans.append(span(f"s{n}", *out))
    ix = SpanIndex(spans[::2])
    for s in spans[1::2]:
        ix.add(s)
    live = list(spans)
    for s in spans[::3]:
        ix.remove(s.id)
        live.remove(s)
    for a, length in queries:
        assert {s.id for s in ix.overlapping(a, a + length)} == brute(live, a, a + length)


def test_levels_innermost_first_and_overlapping_pieces_never_share_one():
    ix = SpanIndex([span("outer", (0, 40)), span("mid", (5, 30)), span("in", (10, 15))])
    levels = {p.span.id: p.level for p in ix.pieces(0, 40)}
    assert levels == {"in": 0, "mid": 1, "outer": 2}
    side = SpanIndex([span("x", (0, 5)), span("y", (10, 15)), span("z", (3, 12))])
    levels = {p.span.id: p.level for p in side.pieces(0, 20)}
    assert levels["x"] == levels["y"] == 0 and levels["z"] == 1


def test_levels_are_capped():
    spans = [span(f"s{k}", (k, 100 - k)) for k in range(MAX_LEVELS + 3)]
    pieces = SpanIndex(spans).pieces(0, 100)
    assert max(p.level for p in pieces) == MAX_LEVELS
    assert sum(p.level == MAX_LEVELS for p in pieces) == 3


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(1, 30)), min_size=1, max_size=25))
def test_levels_and_segments_properties(raw):
    spans = [span(f"s{n}", (a, a + n_len)) for n, (a, n_len) in enumerate(raw)]
    pieces = SpanIndex(spans).pieces(0, 200)
    drawn = [p for p in pieces if p.level < MAX_LEVELS]
    for i, p in enumerate(drawn):
        for q in drawn[i + 1 :]:
            if p.level == q.level:
                assert p.end <= q.start or q.end <= p.start
    segments = innermost_segments(pieces)
    for (s, e, sp), nxt in zip(segments, [*segments[1:], None], strict=True):
        assert s < e
        if nxt is not None:
            assert e <= nxt[0]
        mid = s
        covering = [p for p in pieces if p.start <= mid < p.end]
        best = min(covering, key=lambda p: (p.frag_len, -p.start, p.span.id))
        assert sp is best.span
    covered = {i for p in pieces for i in range(p.start, p.end)}
    assert covered == {i for s, e, _ in segments for i in range(s, e)}


def test_range_list_overlapping():
    rl = RangeList([(30, 35), (0, 4), (10, 20)])
    assert rl.overlapping(3, 12) == [(0, 4), (10, 20)]
    assert rl.overlapping(20, 30) == []
    assert len(rl) == 3


def test_index_is_fast_enough_for_50k_spans():
    rng = random.Random(1)
    spans = sorted(
        (
            span(f"s{n}", (a, a + rng.randint(3, 60)))
            for n, a in enumerate(rng.sample(range(5_000_000), 50_000))
        ),
        key=lambda s: s.start,
    )
    ix = SpanIndex(spans)
    assert len(ix.overlapping(2_500_000, 2_500_600)) < 40
    ix.add(span("new", (2_500_000, 2_500_010)))
    assert "new" in {s.id for s in ix.overlapping(2_500_005, 2_500_006)}
