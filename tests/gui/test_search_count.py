"""The Search panel paints the first page before it counts: a full page says "20+ documents",
the count follows in the next turn of the event loop; a page that is not full is the count."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project
from annotator.services.search import PAGE_SIZE

MANY = PAGE_SIZE + 5


@pytest.fixture
def panel(qtbot, tmp_path: Path):
    project = Project.create(tmp_path / "count.annotator", annotator_name="tester")
    texts = [f"Report {i}: the harbour board met 😀." for i in range(MANY)]
    texts.append("A lone kittiwake.")
    project.run(AddDocuments([import_text(t, f"d{i}.txt", "utf-8") for i, t in enumerate(texts)]))
    session = ProjectSession(project)
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.actions_by_id["project_search"].trigger()
    yield main.search_tools.panel
    session.close()


def _search(qtbot, panel, query: str) -> None:
    panel.edit.setText(query)
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)


def test_a_full_page_is_counted_after_it_is_shown(qtbot, panel) -> None:
    _search(qtbot, panel, "harbour")
    assert panel.results.topLevelItemCount() == PAGE_SIZE
    assert panel.status.text() == f"{PAGE_SIZE}+ documents"
    assert panel.more.isVisibleTo(panel)
    qtbot.waitUntil(lambda: panel.status.text() == f"{MANY} documents")
    assert panel.more.isVisibleTo(panel)
    qtbot.mouseClick(panel.more, Qt.MouseButton.LeftButton)
    assert panel.results.topLevelItemCount() == MANY
    assert panel.status.text() == f"{MANY} documents"
    assert not panel.more.isVisibleTo(panel)


def test_a_page_that_is_not_full_is_the_count(qtbot, panel) -> None:
    _search(qtbot, panel, "kittiwake")
    assert panel.status.text() == "1 document"
    assert not panel.more.isVisibleTo(panel)


def test_a_count_for_an_older_query_is_not_shown(qtbot, panel) -> None:
    _search(qtbot, panel, "harbour")
    _search(qtbot, panel, "kittiwake")  # before the first query's count ran
    for _ in range(3):  # the first query's count (a zero timer) runs here, and must do nothing
        QApplication.processEvents()
    assert panel.status.text() == "1 document"


def test_too_many_matches_to_rank_say_they_come_in_project_order(qtbot, panel, monkeypatch) -> None:
    from annotator.services import search

    monkeypatch.setattr(search, "RANK_AT_MOST", 10)
    _search(qtbot, panel, "harbour")
    titles = [panel.results.topLevelItem(i).text(0) for i in range(PAGE_SIZE)]
    assert [t.split(":")[0] for t in titles] == [f"Report {i}" for i in range(PAGE_SIZE)]
    assert panel.status.text() == f"{PAGE_SIZE}+ documents in project order (too many to rank)"
    qtbot.waitUntil(lambda: panel.status.text().startswith(f"{MANY} documents"))
    assert panel.status.text() == f"{MANY} documents in project order (too many to rank)"
    _search(qtbot, panel, "kittiwake")  # one match: ranked, and said plainly
    assert panel.status.text() == "1 document"
