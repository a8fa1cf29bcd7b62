"""The exporters' bulk read (`session.document_layers`) returns exactly what the per-document
reads (`document`, `spans`, `links`) return, and `iter_document_layers` keeps its contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import foreign_format_helpers as ffh
import json_helpers as h
import pytest

from annotator.io.documents.text import import_text
from annotator.io.formats import ExportOptions
from annotator.io.formats.export_common import DocumentLayers, ExportCancelled, iter_document_layers
from annotator.services.document_commands import AddDocuments
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan


@pytest.fixture
def project(tmp_path: Path) -> Iterator[tuple[Project, h.Rich]]:
    """The rich project (emoji, a discontinuous span, links, Ada's and Bob's layers), with
    links in Bob's layer and a third document without spans."""
    project, ids, bob_place = ffh.rich(tmp_path)
    with project.store.read() as session:
        text2 = session.document_text(ids.doc2)
    project.switch_annotator("Bob")
    bob_event = CreateSpan(ids.doc2, "event", [h.between(text2, "disagreed")])
    project.run(bob_event)
    project.run(CreateLink(bob_event.uuid, bob_place, "located_in", note="🌉"))
    # Across layers: left out as an orphan when only one of the two layers is exported.
    project.run(CreateLink(ids.engineers, bob_event.uuid, "participates_in"))
    project.switch_annotator("Ada")
    project.run(AddDocuments([import_text("No spans 🎉 here.\n", "three.txt", "utf-8")]))
    yield project, ids
    project.close()


def _per_document(session: Any, documents: Any, layers: Any) -> list[tuple]:
    """The reads the bulk read replaces, filtered as `iter_document_layers` did."""
    return [
        (
            session.document(info.uuid),
            [s for s in session.spans(info.uuid) if layers is None or s.annotator in layers],
            [x for x in session.links(info.uuid) if layers is None or x.annotator in layers],
        )
        for info in session.documents()
        if documents is None or info.uuid in documents
    ]


def _choices(project: Project) -> list[ExportOptions]:
    """Every pairing of a document choice and a layer choice (None: all; empty sets too)."""
    with project.store.read() as session:
        annotators = [a.uuid for a in session.annotators()]
        docs = [d.uuid for d in session.documents()]
    documents = [None, frozenset(docs[1:]), frozenset({docs[0]}), frozenset()]
    layers = [None, *(frozenset({a}) for a in annotators), frozenset(annotators), frozenset()]
    return [ExportOptions(annotators=a, documents=d) for d in documents for a in layers]


def test_bulk_read_equals_per_document_reads(project: tuple[Project, h.Rich]) -> None:
    project_, ids = project
    with project_.store.read() as session:
        everything = list(session.document_layers())
        assert [d.uuid for d, _, _ in everything] == [d.uuid for d in session.documents()]
        spans = {s.uuid: s for _, found, _ in everything for s in found}
        assert len(spans[ids.claim].fragments) == 2  # discontinuous
        assert everything[-1][1:] == ([], [])  # the document without spans
        assert {x.annotator for _, _, found in everything for x in found} == {ids.ada, ids.bob}
        for options in _choices(project_):
            chosen, layer = options.documents, options.annotators
            expected = _per_document(session, chosen, layer)
            assert list(session.document_layers(chosen, layer)) == expected, options


def _old_iter(session: Any, options: ExportOptions) -> list[DocumentLayers]:
    """`iter_document_layers` as it was before the bulk read (three reads per document)."""
    out = []
    for document, spans, all_links in _per_document(session, options.documents, options.annotators):
        kept = {s.uuid for s in spans}
        links = [x for x in all_links if x.source in kept and x.target in kept]
        out.append(DocumentLayers(document, spans, links, len(all_links) - len(links)))
    return out


def test_iter_document_layers_keeps_its_contract(project: tuple[Project, h.Rich]) -> None:
    project_, _ = project
    with project_.store.read() as session:
        orphans = 0
        for options in _choices(project_):
            found = list(iter_document_layers(session, options))
            assert found == _old_iter(session, options), options
            orphans += sum(item.orphan_links for item in found)
        assert orphans  # a layer filter left some links without an endpoint

        calls: list[tuple[int, int]] = []
        options = ExportOptions(progress=lambda done, total: calls.append((done, total)))
        items = iter_document_layers(session, options)
        next(items)
        assert calls == []  # progress once the caller is done with the document
        next(items)
        assert calls == [(1, 3)]
        list(items)
        assert calls == [(1, 3), (2, 3), (3, 3)]

        items = iter_document_layers(session, ExportOptions(progress=lambda *_: False))
        next(items)
        with pytest.raises(ExportCancelled):
            next(items)


def test_layer_extent_counts_what_iter_document_layers_yields(
    project: tuple[Project, h.Rich],
) -> None:
    """Label Studio numbers the annotators and W3C writes the total from `layer_extent` before
    reading the documents: it must agree with the read for every choice, the cross-layer link
    (an orphan when one of its layers is left out) included."""
    project_, _ = project
    with project_.store.read() as session:
        for options in _choices(project_):
            found = list(iter_document_layers(session, options))
            extent = session.layer_extent(options.documents, options.annotators)
            used = {x.annotator for item in found for x in (*item.spans, *item.links)}
            assert extent.annotators == used, options
            assert extent.spans == sum(len(item.spans) for item in found), options
            assert extent.links == sum(len(item.links) for item in found), options
