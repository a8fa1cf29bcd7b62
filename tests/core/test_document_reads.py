"""store.document_reads: the window's one-pass reads of a document equal the general queries
(discontinuous spans, attributes, entities, links), page in reading order without gaps or
repeats, and count spans per document and layer."""

from __future__ import annotations

import pytest

from annotator.domain.ids import new_uuid
from annotator.domain.model import Link, Span
from annotator.domain.offsets import context_of, quote_of
from annotator.errors import NotFoundError


def test_content_equals_the_general_reads(small) -> None:
    uuid = small.document.uuid
    with small.store.read() as read:
        content = read.document_content(uuid)
        assert content.text == small.document.text
        assert content.spans == read.spans(uuid)
        assert content.links == read.links(uuid)
        assert read.document_links(uuid) == read.links(uuid)
        assert read.document_order() == [d.uuid for d in read.documents()]
    discontinuous = next(s for s in content.spans if s.uuid == small.claim_span.uuid)
    assert len(discontinuous.fragments) == 2
    assert discontinuous == small.claim_span


def test_a_missing_document_is_refused(small) -> None:
    with small.store.read() as read, pytest.raises(NotFoundError):
        read.document_content(new_uuid())


def test_spans_page_in_reading_order(small) -> None:
    """Many spans, some sharing a start (the key is start, end, uuid), read in pages of 7."""
    text = small.document.text
    made = []
    for k in range(60):
        start = (k * 7) % (len(text) - 12)
        fragments = ((start, start + 3 + k % 5),)
        if k % 9 == 0:  # discontinuous: the fragments come from span_fragments
            fragments = ((start, start + 2), (start + 4, start + 8))
        prefix, suffix = context_of(text, fragments)
        made.append(
            Span(
                uuid=new_uuid(),
                document=small.document.uuid,
                annotator=small.annotator.uuid,
                tag=small.actor.key,
                fragments=fragments,
                quote=quote_of(text, fragments),
                prefix=prefix,
                suffix=suffix,
                attributes={"k": k} if k % 4 == 0 else {},
            )
        )
    with small.store.write() as write:
        write.bulk_insert_spans(made)
    uuid = small.document.uuid
    with small.store.read() as read:
        every = read.spans(uuid)
        text_read, got, total = read.document_head(uuid, below=20, limit=7)
        assert text_read == text and total == len(every)
        assert all(s.start < 20 for s in got) and len(got) <= 7
        while True:
            last = got[-1]
            page = read.document_spans_after(uuid, (last.start, last.end, last.uuid), 7)
            got += page
            if len(page) < 7:
                break
        counts = read.span_counts_of([uuid], [small.annotator.uuid])
        assert read.span_counts_of([uuid]) == {uuid: total}
    assert got == every  # same spans, same order, no gaps or repeats
    assert counts == {uuid: sum(s.annotator == small.annotator.uuid for s in every)}


def test_links_page_by_row_id_without_gaps_or_repeats(small) -> None:
    """The window's links come in pages by row id (each page costs its own rows): every link
    of the document once, whatever the page size, and nothing after the last page."""
    stamp = small.link.created
    made = [
        Link(uuid=new_uuid(), document=small.document.uuid, type="asserts",
             source=small.actor_span.uuid, target=small.claim_span.uuid,
             annotator=small.annotator.uuid, note=f"n{k}", created=stamp, modified=stamp)
        for k in range(23)
    ]  # fmt: skip
    with small.store.write() as write:
        write.bulk_insert_links(made)
    uuid = small.document.uuid
    with small.store.read() as read:
        every = read.links(uuid)
        for size in (1, 5, 24, 100):
            got, after = [], 0
            while True:
                page, after = read.document_links_page(uuid, after=after, limit=size)
                got += page
                if len(page) < size:
                    break
            assert sorted(got, key=lambda x: x.uuid) == every
            assert read.document_links_page(uuid, after=after, limit=size) == ([], after)
        with pytest.raises(NotFoundError):
            read.document_links_page(new_uuid(), after=0, limit=5)
