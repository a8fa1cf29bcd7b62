"""Issue 17 item 9: a long document's links join the Links table and the reading pane a page at
a time, in slices of bounded size, never by a reset of every link's row or a rebuild of every
arc in one turn; the result is what loading everything at once gives (the rows in their sorted
order, whatever column the user sorted by meanwhile, and the same arcs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from window_helpers import build_project

from annotator.gui import document_content
from annotator.gui.main_window import MainWindow
from annotator.gui.panels.annotation_models import LinkTableModel
from annotator.gui.reading import DisplayLink, DisplaySpan, ReadingView
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.services.project import Project
from annotator.services.span_commands import EditSpan

LINKS = 80  # build_project links a tenth of its spans
STEP = 20  # items a loading step (and a table slice) takes at most


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Steps (and table slices) of at most STEP items, so that the links come in many."""
    monkeypatch.setattr(document_content, "FIRST_SCREEN", 400)
    monkeypatch.setattr(document_content, "CHUNK", STEP)


@pytest.fixture(scope="module")
def project_path(tmp_path_factory) -> Path:
    return build_project(tmp_path_factory.mktemp("links") / "linked.annotator", LINKS * 10)


def window_over(qtbot, path: Path) -> MainWindow:
    session = ProjectSession(Project.open(path, annotator_name="Ada"))
    window = MainWindow(session, Settings())
    qtbot.addWidget(window)
    window.resize(1200, 900)
    window.window_layout.dock("dock_tables").show()
    window.show()
    qtbot.waitExposed(window)
    return window


def open_first(window: MainWindow) -> None:
    with window.session.read() as read:
        window.session.open_document(read.document_order()[0])
    assert not window.session.content().complete  # a long document: it loads in steps


def wait_loaded(qtbot, window: MainWindow) -> None:
    tables = window.tables
    qtbot.waitUntil(
        lambda: (
            window.session.content().complete
            and tables.span_model.pending == tables.link_model.pending == 0
        ),
        timeout=120_000,
    )


def natural_order(model: LinkTableModel) -> list[str]:
    return sorted(model.uuids(), key=lambda u: model._natural(model.item(u)))


def arcs_of(view: ReadingView) -> list[dict]:
    """Every block's routed arcs (laid out at the view's width), as plain values."""
    out = []
    block = view.document().begin()
    while block.isValid():
        view._prepare(block)
        routed = view._arc_bands.routed(
            block,
            view._decorate(block),
            view._map,
            view._link_map(),
            view._index.get,
            view._label_width,
        )
        out.append(
            {
                number: (
                    sorted(
                        (i.link.id, i.kind, i.x1, i.x2, i.tail, i.head, i.lx1, i.lx2, i.level)
                        for i in line.items
                    ),
                    [(b.x1, b.x2, sorted(i.link.id for i in b.items)) for b in line.bundles],
                    line.rows,
                )
                for number, line in routed.lines.items()
            }
        )
        block = block.next()
    return out


def test_links_join_in_bounded_slices_with_no_reset_and_the_same_arcs(
    qtbot, small_steps, project_path
) -> None:
    window = window_over(qtbot, project_path)
    model, view, session = window.tables.link_model, window.view, window.session
    open_first(window)
    resets, inserted, pages, replaced = [], [], [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append(last - first + 1))
    session.links_arrived.connect(pages.append)
    view.set_links = lambda links: replaced.append(links)  # type: ignore[method-assign]
    wait_loaded(qtbot, window)
    del view.set_links
    content = session.content()
    assert len(content.links) == model.rowCount() == sum(inserted) > 60
    assert resets == [] and replaced == []  # no reset of the table, no rebuild of every arc
    assert len(pages) > 3 and max(map(len, pages)) <= document_content.CHUNK
    assert 0 < model.most_taken <= document_content.CHUNK  # rows a turn adds: bounded
    assert window.tables.span_model.most_taken <= document_content.CHUNK
    assert model.uuids() == natural_order(model)  # each at its sorted place
    # The pane shows what one rebuild of every link (the load as it was) shows.
    shown = [x.id for x in view._links]
    arcs = arcs_of(view)
    assert sum(len(lines) for lines in arcs) > 10
    window.controller._refresh_links()
    assert [x.id for x in view._links] == shown
    assert arcs_of(view) == arcs
    session.close()


def test_a_sort_by_another_column_while_links_arrive_keeps_every_row_in_order(
    qtbot, small_steps, project_path
) -> None:
    window = window_over(qtbot, project_path)
    model, page, session = window.tables.link_model, window.tables.links, window.session
    open_first(window)
    qtbot.waitUntil(lambda: model.pending > 0, timeout=120_000)  # the first page arrived
    page.table.sortByColumn(LinkTableModel.TARGET, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, window)
    assert model.rowCount() == len(session.content().links)

    def key(uuid: str) -> tuple:
        return (
            model.row_at(model.row_of(uuid)).sort[LinkTableModel.TARGET],
            model._natural(model.item(uuid)),
        )

    assert model.uuids() == sorted(model.uuids(), key=key, reverse=True)
    # A moved span moves its links' rows (their cached keys are dropped with the edit).
    page.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert model.uuids() == natural_order(model)
    link = session.content().links[model.uuid_at(0)]
    end = len(session.content().text)
    session.run(EditSpan(link.source, fragments=[(end - 5, end - 1)]))
    session.flush()
    assert model.uuids() == natural_order(model) and model.uuid_at(0) != link.uuid
    session.close()


def test_selecting_a_link_still_waiting_for_its_row_selects_it(
    qtbot, small_steps, project_path
) -> None:
    window = window_over(qtbot, project_path)
    model, session = window.tables.link_model, window.session
    open_first(window)
    qtbot.waitUntil(lambda: model.pending > 0, timeout=120_000)
    waiting = next(u for u in session.content().links if model.row_of(u) is None)
    session.select_link(waiting)
    assert window.tables.links.table.selected_uuids() == [waiting]
    wait_loaded(qtbot, window)
    assert model.rowCount() == len(set(model.uuids())) == len(session.content().links)
    session.close()


WORDS = "The council said on Monday that the harbour contract would be reviewed again.\n"


@st.composite
def linked_documents(draw) -> tuple[str, list[DisplaySpan], list[DisplayLink], list[int]]:
    """A text, spans on it, links between them, and where the links are cut into pages."""
    text = WORDS * draw(st.integers(1, 12))
    count = draw(st.integers(2, 30))
    spans = []
    for k in range(count):
        start = draw(st.integers(0, len(text) - 2))
        end = draw(st.integers(start + 1, min(len(text), start + 40)))
        spans.append(DisplaySpan(f"s{k}", ((start, end),), "#cc3333", "tag"))
    pairs = draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1))))
    links = [
        DisplayLink(f"l{k}", f"s{a}", f"s{b}", draw(st.sampled_from(["", "cause", "same as"])))
        for k, (a, b) in enumerate(pairs)
        if a != b
    ]
    cuts = sorted(draw(st.lists(st.integers(0, len(links)), max_size=6)))
    return text, spans, links, cuts


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=linked_documents())
def test_arcs_added_page_by_page_are_the_arcs_of_all_links_at_once(qtbot, document) -> None:
    text, spans, links, cuts = document
    views = []
    for _ in range(2):
        view = ReadingView()
        qtbot.addWidget(view)
        view.resize(520, 400)
        view.set_show_all_links(True)
        views.append(view)
    at_once, in_pages = views
    at_once.set_document(text, spans, links)
    in_pages.set_document(text, spans, [])
    for first, last in zip([0, *cuts], [*cuts, len(links)], strict=True):
        in_pages.add_links(links[first:last])
        arcs_of(in_pages)  # routed (and cached) between pages, as paints would
    in_pages.add_links(links[: len(links) // 2])  # links an edit brought in come again
    assert [x.id for x in in_pages._links] == [x.id for x in links]
    assert arcs_of(in_pages) == arcs_of(at_once)
