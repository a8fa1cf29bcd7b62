"""The paged Claims tab: a page of rows at first, more as the table is scrolled to the end, each
row the claim the Python fold puts there; sorted by a header click on a summary column and on a
column that needs every row, still the right rows; a click on a fetched row lists its passages."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from annotator.gui.analytics import claims_tab, paged_model
from annotator.gui.analytics.claims_tab import ClaimsTab
from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.analytics.claims import claim_cells, claim_rows
from annotator.services.analytics.dataset import load_dataset
from annotator.services.analytics.filters import AnalyticsFilter
from annotator.services.command import Compound
from annotator.services.document_commands import AddDocuments
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

CLAIMS = 23
STANCES = ("supportive", "neutral", "critical")


@pytest.fixture
def project(tmp_path: Path):
    """Two articles, 23 distinct claims (some in both, some asserted by one of three
    agencies), stances, and a claim that contradicts another."""
    project = Project.create(tmp_path / "paging.annotator", annotator_name="ana")
    texts = []
    for article in range(2):
        sentences = [f"Agency {i % 3} says claim {i:02d} holds." for i in range(CLAIMS)]
        texts.append(" ".join(sentences if article == 0 else sentences[::3]))
    metadata = [{"outlet": "Daily", "published": "2024-01-02"}, {"outlet": "Weekly"}]
    add = AddDocuments(
        [
            ImportedDocument(f"Article {n}", text, sha256_text(text), metadata[n], "", "")
            for n, text in enumerate(texts)
        ]
    )
    project.run(add)
    for number, (document, text) in enumerate(zip(add.report.added, texts, strict=True)):
        commands, claims = [], []
        position = 0
        while (start := text.find("Agency", position)) >= 0:
            claim_at = text.index("claim", start)
            claim_end = claim_at + len("claim 00")
            actor = CreateSpan(document, "actor", [(start, start + len("Agency 0"))])
            index = int(text[claim_at + 6 : claim_end])
            claim = CreateSpan(
                document,
                "claim",
                [(claim_at, claim_end)],
                attributes={"stance": STANCES[(index + number) % 3]},
            )
            commands += [actor, claim]
            if index % 2:
                commands.append(CreateLink(actor.uuid, claim.uuid, "asserts"))
            claims.append(claim.uuid)
            position = claim_end
        commands.append(CreateLink(claims[0], claims[1], "contradicts"))
        project.run(Compound("annotate", commands))
    yield project
    project.close()


@pytest.fixture
def tab(qtbot, project, monkeypatch):
    monkeypatch.setattr(claims_tab, "PAGE", 5)  # a few pages of the 23 claims: read...
    monkeypatch.setattr(paged_model, "PAGE", 5)  # ...and fetched by the view
    tab = ClaimsTab()
    qtbot.addWidget(tab)
    tab.resize(900, 150)  # a few rows in view: the rest come as the table is scrolled
    tab.show()
    qtbot.waitExposed(tab)
    tab.set_data(load_dataset(project, AnalyticsFilter(layer="all")))
    return tab


def _shown(tab: ClaimsTab) -> list[list[str]]:
    model = tab.table.model()
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def _expected(project, key=None, reverse=False) -> list[list[str]]:
    data = load_dataset(project, AnalyticsFilter(layer="all"))
    rows = claim_rows(data)
    if key is not None:
        rows.sort(key=lambda r: key(claim_cells(data, r)), reverse=reverse)
    return [[str(c) for c in claim_cells(data, r)] for r in rows]


def _scroll_to_the_end(qtbot, tab: ClaimsTab) -> None:
    for _ in range(CLAIMS):  # each scroll to the bottom fetches one more page
        if not tab.model.canFetchMore():
            break
        tab.table.scrollToBottom()  # the view fetches when its scroll bar reaches the end
        QApplication.processEvents()  # its geometry (the new scroll range) is laid out
    assert not tab.model.canFetchMore()


def test_scrolling_fetches_the_next_pages_with_the_right_rows(qtbot, tab, project):
    expected = _expected(project)
    assert len(expected) == CLAIMS and len(tab.model.rows) == CLAIMS
    assert tab.model.rowCount() < CLAIMS  # only the pages the view needed so far
    assert _shown(tab) == expected[: tab.model.rowCount()]
    _scroll_to_the_end(qtbot, tab)
    assert tab.model.rowCount() == CLAIMS
    assert _shown(tab) == expected
    assert any(row[1] for row in expected) and any("critical" in row[5] for row in expected)
    assert "23 claim(s)" in tab.status.text()


def test_a_header_click_sorts_every_claim_not_only_the_fetched(qtbot, tab, project):
    header = tab.table.horizontalHeader()
    claim_column = tab.model.header.index("claim")
    centre = QPoint(
        header.sectionViewportPosition(claim_column) + header.sectionSize(claim_column) // 2, 5
    )
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    order = tab.table.horizontalHeader().sortIndicatorOrder()
    descending = order == Qt.SortOrder.DescendingOrder
    _scroll_to_the_end(qtbot, tab)
    assert _shown(tab) == _expected(project, lambda c: str(c[0]).casefold(), descending)
    asserted = tab.model.header.index("asserted by")  # a column only full rows hold
    tab.table.sortByColumn(asserted, Qt.SortOrder.AscendingOrder)
    assert tab.model.rowCount() < CLAIMS  # paged again from the top
    _scroll_to_the_end(qtbot, tab)
    assert _shown(tab) == _expected(project, lambda c: str(c[asserted]).casefold())


def test_a_click_on_a_later_page_lists_that_claims_passages(qtbot, tab, project):
    received = []
    tab.passages_requested.connect(lambda title, passages: received.append((title, passages)))
    _scroll_to_the_end(qtbot, tab)
    last = tab.proxy.index(CLAIMS - 1, 0)
    tab.table.scrollTo(last)
    qtbot.mouseClick(
        tab.table.viewport(), Qt.MouseButton.LeftButton, pos=tab.table.visualRect(last).center()
    )
    expected = claim_rows(load_dataset(project, AnalyticsFilter(layer="all")))[-1]
    assert received and received[-1][0] == expected.label
    assert len(received[-1][1]) == len(expected.spans)
