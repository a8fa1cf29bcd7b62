"""The window's loaded spans stay small (issue 11's memory row): the spans read for a document
hold no quote, prefix or suffix strings of their own and no attributes dict each, measured in
bytes per span with tracemalloc on a generated 5,000-span document (a count of bytes, not a
time: stable on a noisy machine); and what they slice from the text equals what the file
stores."""

from __future__ import annotations

import copy
import dataclasses
import gc
import pickle
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.domain.compact import NO_ATTRIBUTES, TextSpan
from annotator.domain.model import Span
from annotator.domain.offsets import context_of, quote_of
from tests.core.conftest import make_document, make_span

#: Bytes a loaded span may cost, everything it alone holds counted (the object, its fragments,
#: uuid, time stamp and offsets): 493 when this was written, 781 before (quote, prefix and suffix
#: strings of its own, 4 bytes a character once the text holds an emoji, and an attributes dict
#: each, 64 bytes: either one back fails this).
CEILING = 540
SPANS = 5_000


def _article(paragraphs: int) -> str:
    """Article-like text with an emoji now and then (a 4-bytes-a-character Python str)."""
    words = "the mayor said on monday that engineers disagreed about the bridge again"
    out = []
    for k in range(paragraphs):
        sentence = " ".join(words.split(" ")[(k + j) % 12] for j in range(40))
        out.append(sentence.capitalize() + (" 🗞️" if k % 7 == 0 else "") + ".\n")
    return "".join(out)


@pytest.fixture
def long_document(small):
    """A document of ~1,300 code points a paragraph with SPANS spans of one annotator, each
    with its own time stamp (as spans tagged one by one are), every tenth discontinuous."""
    document = make_document(_article(400), title="Long")
    text = document.text
    step = (len(text) - 64) // SPANS
    spans = []
    for k in range(SPANS):
        start = 10 + k * step
        fragments = (
            ((start, start + 12),) if k % 10 else ((start, start + 5), (start + 8, start + 14))
        )
        stamp = f"2025-01-01T{k // 3600 % 24:02d}:{k // 60 % 60:02d}:{k % 60:02d}.000Z"
        spans.append(
            make_span(document, small.annotator, small.actor, fragments,
                      created=stamp, modified=stamp)
        )  # fmt: skip
    with small.store.write() as write:
        write.insert_document(document)
        write.bulk_insert_spans(spans)
    return small.store, document, spans


def _read_as_the_window_does(read, uuid: str, text: str) -> list[Span]:
    """document_head for the first screen, then document_spans_after in chunks."""
    _, spans, total = read.document_head(uuid, below=2_000, limit=200)
    while len(spans) < total:
        last = spans[-1]
        spans += read.document_spans_after(uuid, (last.start, last.end, last.uuid), 500, text=text)
    return spans


def test_a_loaded_span_costs_under_the_ceiling(long_document) -> None:
    store, document, written = long_document
    with store.read() as read:
        text = read.document_text(document.uuid)  # the text is the document's, held anyway
        _read_as_the_window_does(read, document.uuid, text)  # warm: statements, lookups
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            spans = _read_as_the_window_does(read, document.uuid, text)
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert len(spans) == SPANS
    per_span = held / SPANS
    assert per_span <= CEILING, f"{per_span:.0f} bytes a loaded span (ceiling {CEILING})"
    assert all(type(s) is TextSpan and s.attributes is NO_ATTRIBUTES for s in spans)
    # ... and they are the spans written, quote and context included.
    assert sorted(spans, key=lambda s: s.uuid) == sorted(written, key=lambda s: s.uuid)


@given(
    st.text(alphabet="ab é🗞\n", min_size=1, max_size=120),
    st.lists(st.integers(min_value=0, max_value=200), min_size=2, max_size=6, unique=True),
)
def test_sliced_quote_and_context_equal_the_stored_ones(text: str, cuts: list[int]) -> None:
    """Any text (emoji, accents, line ends) and fragments anywhere, at its edges included."""
    bounds = sorted({c % (len(text) + 1) for c in cuts})
    fragments = tuple((a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=False) if b > a)
    if not fragments:
        return
    span = TextSpan.of(text, "u", "d", "a", "t", fragments, NO_ATTRIBUTES, "", None, "c", "m")
    prefix, suffix = context_of(text, fragments)
    assert (span.quote, span.prefix, span.suffix) == (quote_of(text, fragments), prefix, suffix)
    assert span.start == fragments[0][0] and span.end == fragments[-1][1]


def test_a_text_span_is_a_span_and_its_copies_are_plain_spans() -> None:
    """Commands keep copies (`dataclasses.replace`): plain Spans holding their strings, so an
    undo step never keeps a whole document's text alive."""
    text = "🗞️ Mayor Jane Doe said on Monday that the bridge was safe."
    span = TextSpan.of(text, "u", "d", "a", "actor", ((3, 17),), NO_ATTRIBUTES, "", None, "c", "c")
    stored = Span("u", "d", "a", "actor", ((3, 17),), "Mayor Jane Doe", "🗞️ ", text[17:49])
    stored = dataclasses.replace(stored, created="c", modified="c")
    assert span == stored and stored == span
    assert not span != stored  # noqa: SIM202 (the != operator, too)
    edited = dataclasses.replace(span, note="checked")
    assert type(edited) is Span and edited.quote == "Mayor Jane Doe" and edited.note == "checked"
    for twin in (copy.copy(span), copy.deepcopy(span), pickle.loads(pickle.dumps(span))):
        assert type(twin) is Span and twin == span
    assert type(span.stored()) is Span and span.stored() == span
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.note = "x"  # type: ignore[misc]


def test_the_shared_empty_attributes_cannot_be_changed() -> None:
    assert NO_ATTRIBUTES == {} and not NO_ATTRIBUTES
    for change in (
        lambda: NO_ATTRIBUTES.__setitem__("k", 1),
        lambda: NO_ATTRIBUTES.update(k=1),
        lambda: NO_ATTRIBUTES.setdefault("k", 1),
        lambda: NO_ATTRIBUTES.pop("k", None),
        lambda: NO_ATTRIBUTES.clear(),
    ):
        with pytest.raises(TypeError):
            change()
    assert NO_ATTRIBUTES == {}
    writable = copy.deepcopy(NO_ATTRIBUTES)
    writable["k"] = 1  # a copy is an ordinary dict
    assert dict(NO_ATTRIBUTES, k=1) == {"k": 1}
