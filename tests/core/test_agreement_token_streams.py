"""The byte-stream token counts equal a plain per-token reference, runs and key order included.

`count_tokens` marks tokens in byte strings and counts and cuts them with C loops
(`token_streams`); the reference here walks the tokens one by one with the documented rule.
Both must give the same pattern counts with their keys in the same order (the coefficients'
float sums follow it), the same zero-count keys, and the same disagreeing runs, for any number
of annotators (more than 8 gives units wider than an integer) and of tags (more than 8 gives
two bytes of tag bits a token), with missing annotators, discontinuous spans and spans over
white space only."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.domain.agreement.units import (
    NONE,
    DocumentLayers,
    Layer,
    Run,
    TokenCounts,
    UnitSpan,
    count_tokens,
    tokenise,
)

TAGS = tuple(f"t{k}" for k in range(10))
ALPHABET = [*"ab cd,.\n😀é- \t", "\u0301"]


def reference(documents, annotators, tags) -> TokenCounts:
    """Token by token: each token's labels, counted in order; runs of equal disagreeing
    patterns joined while adjacent."""
    counts = TokenCounts()
    for doc in documents:
        starts, ends = tokenise(doc.text)
        counts.tokens += len(starts)
        carried = []  # per token: per annotator the set of tags, or None
        for token_start, token_end in zip(starts, ends, strict=True):
            row = []
            for who in annotators:
                layer = doc.layers.get(who)
                row.append(
                    None
                    if layer is None
                    else {
                        span.tag
                        for span in layer.spans
                        for start, end in span.fragments
                        if start < token_end and token_start < end
                    }
                )
            carried.append(row)
        used = []
        for row in carried:
            for found in row:
                for tag in sorted(found or ()):
                    if tag not in used:
                        used.append(tag)
        nothing = tuple(None if doc.layers.get(a) is None else NONE for a in annotators)
        absent = tuple(None if doc.layers.get(a) is None else False for a in annotators)

        def overall(row):
            return tuple(None if c is None else "+".join(sorted(c)) or NONE for c in row)

        def presence(row, tag):
            return tuple(None if c is None else tag in c for c in row)

        _count(counts.overall, counts.overall_runs, doc.document, starts, ends,
               [overall(row) for row in carried], nothing)  # fmt: skip
        for tag in used:
            _count(counts.per_tag[tag], counts.tag_runs[tag], doc.document, starts, ends,
                   [presence(row, tag) for row in carried], absent)  # fmt: skip
        for tag in tags:
            if tag not in used:
                counts.per_tag[tag][absent] += len(starts)
    return counts


def _count(counter: Counter, runs: list, document, starts, ends, patterns, last) -> None:
    for pattern in patterns:
        counter[pattern] += 1
    counter[last] += 0
    for index, pattern in enumerate(patterns):
        if len({v for v in pattern if v is not None}) < 2:
            continue
        previous = runs[-1] if runs else None
        if previous and (previous.document, previous.stop, previous.pattern) == (
            document,
            index,
            pattern,
        ):
            runs[-1] = Run(document, previous.start, ends[index], pattern, index + 1)
            continue
        runs.append(Run(document, starts[index], ends[index], pattern, index + 1))


@st.composite
def documents(draw, most_annotators: int = 4):
    annotators = [f"r{k}" for k in range(draw(st.integers(1, most_annotators)))]
    tags = TAGS[: draw(st.integers(1, len(TAGS)))]
    docs = []
    for number in range(draw(st.integers(1, 3))):
        text = draw(st.text(alphabet=ALPHABET, max_size=50))
        layers = {}
        for annotator in annotators:
            if draw(st.integers(0, 4)) == 0:
                continue  # this annotator does not cover the document
            spans = []
            for k in range(draw(st.integers(0, 8)) if text else 0):
                cuts = sorted(
                    draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=4, unique=True))
                )
                fragments = tuple((cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2))
                spans.append(UnitSpan(f"{annotator}-{k}", draw(st.sampled_from(tags)), fragments))
            layers[annotator] = Layer(tuple(spans))
        docs.append(DocumentLayers(f"d{number}", text, layers))
    return docs, annotators, tags


def assert_same(docs, annotators, tags) -> None:
    fast = TokenCounts()
    for doc in docs:
        count_tokens(doc, annotators, tags, fast)
    slow = reference(docs, annotators, tags)
    assert fast.tokens == slow.tokens
    assert list(fast.overall.items()) == list(slow.overall.items())
    assert fast.overall_runs == slow.overall_runs
    for tag in {*fast.per_tag, *slow.per_tag}:
        assert list(fast.per_tag[tag].items()) == list(slow.per_tag[tag].items()), tag
        assert fast.tag_runs.get(tag, []) == slow.tag_runs.get(tag, []), tag


@settings(max_examples=300, deadline=None)
@given(documents())
def test_counts_runs_and_order_equal_the_per_token_reference(case) -> None:
    assert_same(*case)


@settings(max_examples=40, deadline=None)
@given(documents(most_annotators=10))
def test_more_than_eight_annotators_equal_the_reference(case) -> None:
    assert_same(*case)


def test_ten_tags_and_nine_annotators_on_one_text() -> None:
    text = "The ministry said, on Monday, that 😀 naval exercises would continue."
    annotators = [f"r{k}" for k in range(9)]
    layers = {}
    for k, who in enumerate(annotators):
        spans = [
            UnitSpan(f"{who}-{t}", tag, ((t * 3 + k % 4, t * 3 + k % 4 + 9),))
            for t, tag in enumerate(TAGS)
        ]
        layers[who] = Layer(tuple(spans))
    docs = [DocumentLayers("d", text, layers), DocumentLayers("e", "  ", layers)]
    assert_same(docs, annotators, TAGS)
    counts = TokenCounts()
    for doc in docs:
        count_tokens(doc, annotators, TAGS, counts)
    assert counts.overall_runs  # the layers differ, so there is something to compare
