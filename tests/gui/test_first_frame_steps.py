"""The window's first frame waits only for what it shows (issue 11's open time): the document
list's panel, the Inspector and the team status are built after the reading pane's first paint,
the find bar and the compare pane when first shown (or at once when a key needs them), without
moving anything on screen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QApplication
from test_window_layout import close, dock, on_screen
from window_helpers import build_project

from annotator.gui.dialogs.search_bar import SearchBar
from annotator.gui.main_window import MainWindow
from annotator.gui.panels.documents import DocumentsPanel
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.gui.team.menu import TeamMenu
from annotator.services.project import Project
from annotator.services.sample import create_sample_project
from annotator.store.team.local import TEAM_KEY

DOCKS = ("dock_documents", "dock_inspector", "dock_tables")


def _sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.annotator"
    create_sample_project(path, "Ada").close()
    return path


def _first_frame(qtbot, monkeypatch, path: Path) -> tuple[MainWindow, dict]:
    """The window opened as the app opens it (shown, then the first document), with what it
    had built and how its docks lay when the reading pane first painted the document; SQL
    statements until then in `seen["sql"]`."""
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", traced)
    session = ProjectSession(Project.open(path, annotator_name="Ada"))
    window = MainWindow(session, Settings())
    qtbot.addWidget(window)
    seen: dict = {}

    def first_paint() -> None:
        if "pending" not in seen and window.view.text():
            seen["pending"] = window.later.pending()
            late = (window._documents, window._inspector, window.compare_panes._second)
            built = (*late, *window.findChildren(SearchBar))
            seen["built"] = any(part is not None for part in built)
            seen["docks"] = {name: dock(window, name).geometry() for name in DOCKS}
            seen["sql"] = list(statements)

    window.view.painted.connect(first_paint)
    window.show()
    with session.read() as read:
        session.open_document(read.document_order()[0])
    qtbot.waitUntil(lambda: "pending" in seen)
    return window, seen


def test_the_first_frame_waits_for_the_reading_pane_alone(qtbot, monkeypatch, tmp_path) -> None:
    on_screen(monkeypatch, 1600, 1000)
    window, seen = _first_frame(qtbot, monkeypatch, _sample(tmp_path))
    assert seen["pending"] == ["documents", "inspector", "team"] and not seen["built"]
    # The team link is not read before the first frame (nor the document list twice).
    assert not any(TEAM_KEY in statement for statement in seen["sql"]), seen["sql"]
    qtbot.waitUntil(lambda: not window.later.pending())
    # Built in the following turns, in their docks, where the first frame had them.
    panel = window.documents
    assert isinstance(panel, DocumentsPanel) and panel.isVisible()
    assert dock(window, "dock_documents").widget() is panel
    assert {name: dock(window, name).geometry() for name in DOCKS} == seen["docks"]
    rows = panel.view.selectionModel().selectedRows()
    assert len(rows) == 1 and panel.view.isVisible()
    assert window.findChildren(SearchBar) == []  # hidden until Ctrl+F
    assert window.compare_panes._second is None  # until compare mode shows it
    close(window)


def test_keys_work_before_the_panels_are_built(qtbot, monkeypatch, tmp_path) -> None:
    """A key pressed before the panels' turn triggers its action (as the shortcut does): it
    works, building what it needs on the spot."""
    on_screen(monkeypatch, 1600, 1000)
    path = build_project(tmp_path / "three.annotator", 40, documents=3)
    session = ProjectSession(Project.open(path, annotator_name="Ada"))
    window = MainWindow(session, Settings())  # not painted yet: nothing after the frame built
    qtbot.addWidget(window)
    order = window.document_list.document_uuids()  # the list's order: what Ctrl+PgDown walks
    session.open_document(order[0])
    actions = window.actions_by_id
    assert window.later.pending() == ["documents", "inspector", "team"]
    actions["next_document"].trigger()  # Ctrl+PgDown: the list's model is there from the start
    assert session.current_document == order[1] and window._documents is None
    actions["find"].trigger()  # Ctrl+F builds the find bar on the spot, over the text
    bar = window.search
    assert window.findChildren(SearchBar) == [bar] and not bar.isHidden()
    assert window.centralWidget().layout().itemAt(0).widget() is bar  # above the text
    bar.edit.setText(window.view.text().split()[0])
    assert bar.count.text()
    window.show()
    qtbot.waitUntil(lambda: not window.later.pending())
    panel = window.documents
    rows = panel.view.selectionModel().selectedRows()
    current = panel.proxy.mapFromSource(window.document_list.index(1, 0))
    assert [r.row() for r in rows] == [current.row()]  # the current document's row
    close(window)


def test_the_team_menu_reads_its_state_when_opened_first(qtbot, monkeypatch, tmp_path) -> None:
    calls: list[bool] = []
    refresh = TeamMenu.refresh
    monkeypatch.setattr(TeamMenu, "refresh", lambda menu: calls.append(True) or refresh(menu))
    session = ProjectSession(Project.open(_sample(tmp_path), annotator_name="Ada"))
    window = MainWindow(session, Settings())
    qtbot.addWidget(window)
    assert calls == []
    window.team.menu.aboutToShow.emit()  # the menu opened before its turn came
    assert calls == [True] and window.later.pending() == ["documents", "inspector"]
    assert window.team.attach_action.isEnabled() and not window.team.sync_action.isEnabled()
    QApplication.processEvents()
    close(window)


def test_steps_run_once_in_order_after_the_first_paint(qtbot) -> None:
    from PySide6.QtCore import QObject, Signal

    from annotator.gui.first_frame import AfterFirstFrame

    class Painter(QObject):
        painted = Signal()

    painter, ran = Painter(), []
    later = AfterFirstFrame(painter.painted, painter)
    for name in ("a", "b", "c"):
        later.add(name, lambda name=name: ran.append(name))
    later.run("b")  # asked for first: runs now, and not again in its turn
    assert ran == ["b"] and later.pending() == ["a", "c"]
    QApplication.processEvents()
    assert ran == ["b"]  # nothing before the first paint
    painter.painted.emit()
    painter.painted.emit()  # later paints start nothing more
    qtbot.waitUntil(lambda: not later.pending())
    assert ran == ["b", "a", "c"]


def test_panels_built_while_their_docks_are_hidden_show_with_them(
    qtbot, monkeypatch, tmp_path
) -> None:
    on_screen(monkeypatch, 1600, 1000)
    session = ProjectSession(Project.open(_sample(tmp_path), annotator_name="Ada"))
    window = MainWindow(session, Settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    shown = {
        name: dock(window, name).geometry() for name in DOCKS if dock(window, name).isVisible()
    }
    focus = window.actions_by_id["focus_mode"]
    focus.trigger()  # F11: every dock hidden
    window.later.run_all()  # the panels are built while their docks are hidden
    focus.trigger()
    qtbot.waitUntil(lambda: window.inspector.isVisible() and window.documents.isVisible())
    assert {name: dock(window, name).geometry() for name in shown} == shown
    close(window)


def test_a_window_closed_before_its_late_steps_runs_none_of_them(
    qtbot, monkeypatch, tmp_path
) -> None:
    """Switching projects right after the first frame: the old window's session is closed
    next, so its late steps must not run on it."""
    calls: list[bool] = []
    monkeypatch.setattr(TeamMenu, "refresh", lambda _menu: calls.append(True))
    session = ProjectSession(Project.open(_sample(tmp_path), annotator_name="Ada"))
    window = MainWindow(session, Settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.close()
    session.close()
    window.view.painted.emit()  # a paint that would have started the steps
    for _ in range(5):
        QApplication.processEvents()
    assert window.later.pending() == [] and calls == [] and window._inspector is None
