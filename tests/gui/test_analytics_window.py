"""The Analytics window through the real main window: a click on a node lists its passages,
Enter opens the reading pane on the span; filters change the views; an edit in the reading
pane updates the open views; claims, statistics and timeline lead back to the text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

pytest.importorskip("networkx")
pytest.importorskip("matplotlib")


@pytest.fixture
def analytics(qtbot, ada_window):
    ada_window.actions_by_id["analytics_network"].trigger()
    window = ada_window.analytics_window
    qtbot.addWidget(window)
    if not window.network.view.items_by_key:
        with qtbot.waitSignal(window.network.layout_ready, timeout=20000):
            pass
    return window


def _click_node(qtbot, window, label: str) -> None:
    view = window.network.view
    item = next(i for i in view.items_by_key.values() if i.node.label == label)
    view.scale(4, 4)  # nodes apart
    view.centerOn(item)
    point = view.mapFromScene(item.scenePos())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_click_a_node_lists_passages_and_enter_opens_the_span(qtbot, ada_window, analytics):
    _click_node(qtbot, analytics, "Vostok-2018")
    table = analytics.passages.table
    assert table.rowCount() == 1
    assert table.item(0, 2).text() == "Vostok-2018"
    assert "Vostok-2018" in analytics.passages.title.text()
    span = analytics.passages.lines[0].passage
    ada_window.session.open_document("")
    table.setFocus()
    table.setCurrentCell(0, 2)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert ada_window.session.current_document == span.document
    assert ada_window.session.selected_span == span.span


def test_click_an_edge_lists_the_links(qtbot, analytics):
    view = analytics.network.view
    edge = next(e for e in view.edges if e.link_type == "participates_in")
    a, b = view.items_by_key[edge.source].pos(), view.items_by_key[edge.target].pos()
    middle = (a + b) / 2
    view.centerOn(middle)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(middle))
    assert analytics.passages.table.rowCount() == len(edge.links)
    assert "participates_in" in analytics.passages.title.text()


def test_filters_change_the_views(qtbot, analytics):
    before = len(analytics.network.network.nodes)
    analytics.filters.tags.set_checked(frozenset({"actor"}))
    with qtbot.waitSignal(analytics.network.layout_ready, timeout=20000):
        analytics.filters.changed.emit()
    tags = {n.tag for n in analytics.network.network.nodes.values()}
    assert tags == {"actor"} and len(analytics.network.network.nodes) < before
    analytics.show_tab("claims")  # a hidden tab is refreshed when shown
    assert analytics.claims.model.rowCount() == 0
    analytics.filters.tags.set_checked(frozenset())
    qtbot.keyClicks(analytics.filters.outlet, "no such outlet")
    with qtbot.waitSignal(analytics.reloaded, timeout=5000):
        pass
    assert analytics.data is not None and not analytics.data.documents
    assert "0 document(s)" in analytics.summary.text()


def test_an_edit_in_the_reading_pane_updates_open_views(qtbot, ada_window, analytics):
    analytics.show_tab("claims")
    rows = analytics.claims.model.rowCount()
    with ada_window.session.read() as read:
        text = read.document_text(ada_window.session.current_document)
    start = text.index("Beijing")
    ada_window.view.set_selection(start, start + len("Beijing"))
    qtbot.keyClick(ada_window.view, "3")  # the claim hotkey
    ada_window.session.flush()
    with qtbot.waitSignal(analytics.reloaded, timeout=5000):
        pass
    assert analytics.claims.model.rowCount() == rows + 1
    assert any(r.label == "Beijing" for r in analytics.claims.model.rows)
    with qtbot.waitSignal(analytics.network.layout_ready, timeout=20000):
        analytics.show_tab("network")  # the network is built on the layout's worker thread
    assert any(n.label == "Beijing" for n in analytics.network.network.nodes.values())


def test_claims_row_copy_and_export(qtbot, analytics, tmp_path: Path):
    analytics.show_tab("claims")
    claims = analytics.claims
    index = claims.proxy.index(0, 0)
    claims.table.clicked.emit(index)
    assert analytics.passages.table.rowCount() >= 1
    assert analytics.passages.lines[0].passage.detail == "claim"
    text = claims.selected_text()
    assert text.splitlines()[0].startswith("claim\tasserted by")
    claims.search.setText("military bloc")
    assert claims.proxy.rowCount() == 1
    claims.export_to(str(tmp_path / "c.csv"))
    with open(tmp_path / "c.csv", encoding="utf-8") as rows_in:
        assert len(list(csv.DictReader(rows_in))) == 1


def test_statistics_cell_lists_its_spans(qtbot, analytics, tmp_path: Path):
    analytics.show_tab("statistics")
    stats = analytics.statistics
    stats.choice.setCurrentIndex(stats.choice.findData("by:outlet"))
    column = stats.current.columns.index("actor") + 1
    stats.table.cellClicked.emit(0, column)
    assert analytics.passages.table.rowCount() == stats.current.count(
        stats.current.rows[0], "actor"
    )
    stats.choice.setCurrentIndex(stats.choice.findData("co:sentence"))
    assert stats.chart.chart is not None and stats.chart.chart.grid is not None
    assert "Wrote" in stats.chart.export_to(str(tmp_path / "c.svg"), [], [])
    assert (tmp_path / "c.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_timeline_points_and_claims(qtbot, analytics):
    analytics.show_tab("timeline")
    tab = analytics.timeline
    assert tab.counts.events == 3 and tab.counts.estimated == 1
    key, lane = next(iter(tab.chart.chart.picks.values()))[0]
    tab.chart.picked.emit(key, lane)
    assert analytics.passages.table.rowCount() == 1
    assert lane in analytics.passages.title.text()
    claim = tab.model.index(0, 0)
    tab.claims.clicked.emit(claim)
    assert analytics.passages.table.rowCount() >= tab.model.rows[0].documents >= 1


def test_timeline_follows_edits_sorts_and_exports(qtbot, ada_window, analytics, tmp_path: Path):
    analytics.show_tab("timeline")
    tab = analytics.timeline
    events, claims = tab.counts.events, len(tab.model.rows)
    with ada_window.session.read() as read:
        text = read.document_text(ada_window.session.current_document)
    start = text.index("Beijing")
    ada_window.view.set_selection(start, start + len("Beijing"))
    qtbot.keyClick(ada_window.view, "3")  # the claim hotkey
    ada_window.session.flush()
    with qtbot.waitSignal(analytics.reloaded, timeout=5000):
        pass
    assert tab.counts.events == events
    assert len(tab.model.rows) == claims + 1
    tab.claims.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    labels = [r.label.casefold() for r in tab.model.rows]
    assert labels == sorted(labels) and "beijing" in labels
    tab.export_to(str(tmp_path / "events.csv"))
    with open(tmp_path / "events.csv", encoding="utf-8") as lines:
        rows = list(csv.reader(lines))
    assert rows[0] == ["date", "estimated", "lanes", "event"] and len(rows) == events + 1


def test_network_exports(qtbot, analytics, tmp_path: Path):
    import networkx as nx

    tab = analytics.network
    tab.export_to(str(tmp_path / "n.graphml"))
    back = nx.read_graphml(tmp_path / "n.graphml")
    assert set(back.nodes) == set(tab.network.nodes)
    for name in ("n.png", "n.svg"):
        tab.export_to(str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 1000
    tab.search.setText("vostok")
    tab.find()
    assert analytics.passages.table.item(0, 2).text() == "Vostok-2018"
    tab.depth.setValue(1)
    assert len(tab.view.items_by_key) < len(tab.network.nodes)


def test_export_report_from_the_window(qtbot, ada_window, analytics, tmp_path: Path):
    assert ada_window.actions_by_id["export_report"].text() == "Export &report…"
    assert analytics.export_report_to(str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "military bloc" in html and "<svg" in html
    assert analytics.export_report_to(str(tmp_path / "r.pdf"))
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_a_malformed_attribute_filter_is_said_and_changes_nothing(qtbot, analytics):
    spans = len(analytics.data.spans)
    analytics.filters.attributes.setText("stance")
    analytics.filters.flush()
    assert "is not KEY=VALUE" in analytics.filters.problem.text()
    assert len(analytics.data.spans) == spans
    analytics.filters.attributes.setText("stance=critical")
    with qtbot.waitSignal(analytics.reloaded, timeout=5000):
        analytics.filters.flush()
    assert analytics.filters.problem.text() == ""
    assert not any(s.tag == "claim" for s in analytics.data.spans.values())  # both supportive
    gold = analytics.filters.layer.findData("gold")
    with qtbot.waitSignal(analytics.reloaded, timeout=5000):
        analytics.filters.layer.setCurrentIndex(gold)
    assert not analytics.data.spans and "0 span(s)" in analytics.summary.text()
