"""The panels' item models: Qt's model tester, filtering, sorting and incremental updates."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSortFilterProxyModel, Qt

from annotator.domain.layer_diff import LayerChoice, LayerMode
from annotator.gui.panels.annotation_models import (
    AnnotationFilter,
    LinkTableModel,
    SpanTableModel,
)
from annotator.gui.panels.common import SORT_ROLE, UUID_ROLE
from annotator.gui.panels.documents import DocumentListModel, DocumentsPanel
from annotator.gui.session import ProjectSession
from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.command import Compound
from annotator.services.document_commands import AddDocuments
from annotator.services.entity_commands import SetStatus
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan


def imported(title: str, text: str, outlet: str = "") -> ImportedDocument:
    metadata = {"outlet": outlet} if outlet else {}
    return ImportedDocument(title, text, sha256_text(text), metadata, f"{title}.txt", "utf-8")


@pytest.fixture
def session(sample_session: ProjectSession) -> ProjectSession:
    """The sample project with its article open."""
    with sample_session.read() as read:
        sample_session.open_document(read.documents()[0].uuid)
    return sample_session


def spans_of(session: ProjectSession):
    with session.read() as read:
        return read.spans(session.current_document)


def proxy_column(proxy: QSortFilterProxyModel, column: int, role=Qt.ItemDataRole.DisplayRole):
    return [proxy.index(row, column).data(role) for row in range(proxy.rowCount())]


# -- Qt's model tester on every model, with data loaded -------------------------------------


def test_document_model_passes_the_model_tester(qtmodeltester, session):
    session.run(AddDocuments([imported("Second", "Another text.", "Outlet B")]))
    session.flush()
    model = DocumentListModel(session)
    assert model.rowCount() == 2
    qtmodeltester.check(model)


def test_span_model_passes_the_model_tester(qtmodeltester, session):
    model = SpanTableModel(session)
    assert model.rowCount() == 12
    qtmodeltester.check(model)


def test_link_model_passes_the_model_tester(qtmodeltester, session):
    model = LinkTableModel(session)
    assert model.rowCount() == 6
    qtmodeltester.check(model)


def test_filter_proxy_passes_the_model_tester(qtmodeltester, session):
    proxy = AnnotationFilter()
    proxy.setSourceModel(SpanTableModel(session))
    proxy.set_criteria(kind="actor", text="r")
    proxy.sort(SpanTableModel.QUOTE)
    qtmodeltester.check(proxy)


def test_models_pass_the_model_tester_while_they_change(qtmodeltester, session):
    spans, links = SpanTableModel(session), LinkTableModel(session)
    qtmodeltester.check(spans)
    qtmodeltester.check(links)
    first = spans_of(session)[0]
    session.run(EditSpan(first.uuid, note="checked"))
    session.run(DeleteSpans([s.uuid for s in spans_of(session)[3:6]]))
    session.flush()
    session.undo_stack.undo()
    session.flush()
    assert spans.rowCount() == 12
    assert links.rowCount() == 6


# -- incremental updates ---------------------------------------------------------------------


def test_an_edit_changes_one_row_without_a_reset(qtbot, session):
    model = SpanTableModel(session)
    span = spans_of(session)[0]
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        session.run(EditSpan(span.uuid, note="see the ministry's statement"))
        session.flush()
    row = model.row_of(span.uuid)
    assert model.index(row, SpanTableModel.NOTE).data() == "see the ministry's statement"


def test_delete_and_undo_remove_and_insert_rows(qtbot, session):
    model = SpanTableModel(session)
    span = spans_of(session)[1]
    with qtbot.waitSignal(model.rowsRemoved):
        session.run(DeleteSpans([span.uuid]))
        session.flush()
    assert model.row_of(span.uuid) is None and model.rowCount() == 11
    with qtbot.waitSignal(model.rowsInserted):
        session.undo_stack.undo()
        session.flush()
    assert model.row_of(span.uuid) is not None and model.rowCount() == 12


def test_link_quotes_follow_a_resized_span(session):
    model = LinkTableModel(session)
    vostok = next(s for s in spans_of(session) if s.quote == "Vostok-2018")
    start, end = vostok.fragments[0]
    session.run(EditSpan(vostok.uuid, fragments=[(start, end - 5)]))
    session.flush()
    assert "Vostok" in proxy_like_quotes(model)
    assert "Vostok-2018" not in proxy_like_quotes(model)


def proxy_like_quotes(model: LinkTableModel) -> set[str]:
    rows = range(model.rowCount())
    return {model.index(r, c).data() for r in rows for c in (model.SOURCE, model.TARGET)}


def test_opening_another_document_reloads_the_tables(session):
    spans = SpanTableModel(session)
    add = AddDocuments([imported("Empty", "Nothing tagged here.")])
    session.run(add)
    session.flush()
    session.open_document(add.report.added[0])
    assert spans.rowCount() == 0
    session.open_document("")
    assert spans.rowCount() == 0


# -- filtering and sorting -------------------------------------------------------------------


def test_span_filter_by_tag_annotator_and_text(session):
    model = SpanTableModel(session)
    proxy = AnnotationFilter()
    proxy.setSourceModel(model)
    actors = [s for s in spans_of(session) if s.tag == "actor"]
    proxy.set_criteria(kind="actor")
    assert proxy.rowCount() == len(actors)
    assert set(proxy_column(proxy, SpanTableModel.TAG)) == {"Actor"}
    proxy.set_criteria(text="  MINISTRY ")
    assert proxy_column(proxy, SpanTableModel.QUOTE) == [
        "Ministry of Defense of the Russian Federation"
    ]
    proxy.set_criteria(kind="", text="")
    assert proxy.rowCount() == 12

    first = session.annotator
    session.project.switch_annotator("second reader")
    session.run(CreateSpan(session.current_document, "place", [(0, 5)]))
    session.flush()
    assert model.rowCount() == 1  # the table shows the layer shown: by default, mine
    session.layer.set_choice(LayerChoice(LayerMode.ALL))  # every annotator's, to filter them
    assert model.rowCount() == 13
    proxy.set_criteria(annotator=first)
    assert proxy.rowCount() == 12
    proxy.set_criteria(annotator=session.annotator)
    assert proxy_column(proxy, SpanTableModel.ANNOTATOR) == ["second reader"]


def test_link_filter_by_type(session):
    proxy = AnnotationFilter()
    proxy.setSourceModel(LinkTableModel(session))
    proxy.set_criteria(kind="participates_in")
    assert proxy.rowCount() == 2
    assert set(proxy_column(proxy, LinkTableModel.TYPE)) == {"participates in"}
    proxy.set_criteria(kind="", text="far east")
    assert proxy.rowCount() == 1


def test_spans_sort_by_start_as_numbers_and_by_tag(session):
    proxy = AnnotationFilter()
    proxy.setSourceModel(SpanTableModel(session))
    proxy.sort(SpanTableModel.START, Qt.SortOrder.DescendingOrder)
    starts = proxy_column(proxy, SpanTableModel.START, SORT_ROLE)
    assert starts == sorted(starts, reverse=True)
    assert proxy_column(proxy, SpanTableModel.START)[0] == str(max(starts))
    proxy.sort(SpanTableModel.TAG, Qt.SortOrder.AscendingOrder)
    tags = proxy_column(proxy, SpanTableModel.TAG)
    assert tags == sorted(tags, key=str.lower)


def test_document_panel_filters_and_sorts(qtbot, session):
    session.run(AddDocuments([imported("Zeta report", "One two three.", "Daily Zeta")]))
    session.flush()
    panel = DocumentsPanel(session)
    qtbot.addWidget(panel)
    proxy = panel.proxy
    assert proxy.rowCount() == 2
    qtbot.keyClicks(panel.filter, "zeta")
    assert proxy_column(proxy, DocumentListModel.TITLE) == ["Zeta report"]
    panel.filter.clear()
    qtbot.keyClicks(panel.filter, "daily")  # the outlet is searched too
    assert proxy.rowCount() == 1
    panel.filter.clear()
    assert proxy.rowCount() == 2

    panel.view.sortByColumn(DocumentListModel.SPANS, Qt.SortOrder.DescendingOrder)
    assert proxy_column(proxy, DocumentListModel.SPANS) == ["12", "0"]
    panel.view.sortByColumn(DocumentListModel.TITLE, Qt.SortOrder.DescendingOrder)
    assert proxy_column(proxy, DocumentListModel.TITLE)[0] == "Zeta report"
    zeta = proxy.index(0, 0).data(UUID_ROLE)
    session.run(SetStatus(zeta, "done"))
    session.flush()
    panel.view.sortByColumn(DocumentListModel.STATUS, Qt.SortOrder.AscendingOrder)
    assert proxy_column(proxy, DocumentListModel.STATUS) == ["New", "Done"]


def test_two_thousand_spans_load_and_update(qtmodeltester, session):
    with session.read() as read:
        length = len(read.document_text(session.current_document))
    creates = [
        CreateSpan(session.current_document, "event", [(i % (length - 10), i % (length - 10) + 5)])
        for i in range(1988)
    ]
    session.run(Compound("Many spans", creates))
    session.flush()
    model = SpanTableModel(session)
    links = LinkTableModel(session)
    assert model.rowCount() == 2000
    assert links.rowCount() == 6
    qtmodeltester.check(model)
    session.run(DeleteSpans([c.uuid for c in creates[:500]]))  # above the reset threshold
    session.flush()
    assert model.rowCount() == 1500


def test_deferred_counts_arrive_in_one_data_change(qtbot, session):
    """Loading every document's count is one dataChanged, not one per row (10,000 row signals
    held up the first search after opening a large project)."""
    session.run(AddDocuments([imported(f"Doc {n}", f"Text number {n}.") for n in range(40)]))
    session.flush()
    model = DocumentListModel(session, defer_counts=True)
    signals: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_: signals.append((first.row(), last.row())))
    model.load_counts()
    assert len(signals) == 1
    assert model.spans_of(session.current_document) == 12
