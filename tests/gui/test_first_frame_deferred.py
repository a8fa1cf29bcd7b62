"""What the window's first frame does not show is built when the user first looks (issue 11's
open time): the collapsed Annotations table's pages and the hidden Search and Occurrences
panels. Each is there, with its rows, the moment its dock is shown by key."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_window_layout import build, close, dock, on_screen

from annotator.gui.panels.common import UUID_ROLE
from annotator.gui.search.occurrences import OccurrencesPanel
from annotator.gui.search.panel import SearchPanel
from annotator.services.sample import create_sample_project

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.annotator"
    create_sample_project(path, "Ada").close()
    return path


def test_the_collapsed_table_is_built_when_expanded_with_every_row(
    qtbot, monkeypatch, tmp_path
) -> None:
    on_screen(monkeypatch, 1280, 800)  # the table starts collapsed at this size
    window = build(qtbot, _sample(tmp_path))
    tables = window.tables
    assert not dock(window, "dock_tables").isVisible()
    assert not tables.pages_built() and tables.count() == 0
    # The models follow the document all along: no read is left for the first look.
    content = window.session.content()
    assert content is not None and tables.span_model.rowCount() == len(content.spans) > 0
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_J, CTRL_SHIFT)
    qtbot.waitUntil(lambda: dock(window, "dock_tables").isVisible())
    assert tables.pages_built() and tables.count() == 2
    view = tables.spans.table
    assert view.isVisible() and view.model().rowCount() == len(content.spans)
    shown = {view.model().index(r, 0).data(UUID_ROLE) for r in range(view.model().rowCount())}
    assert shown == set(content.spans)
    # Selecting a span in the text selects its row (the page is wired as if built at once).
    uuid = next(iter(content.spans))
    window.session.select_span(uuid)
    QApplication.processEvents()
    assert tables.spans.table.selectionModel().selectedRows()[0].data(UUID_ROLE) == uuid
    close(window)


def test_a_shown_table_is_built_for_the_first_frame(qtbot, monkeypatch, tmp_path) -> None:
    on_screen(monkeypatch, 1600, 1200)  # room for the table: it shows from the start
    window = build(qtbot, _sample(tmp_path))
    assert dock(window, "dock_tables").isVisible()
    assert window.tables.pages_built() and window.tables.spans.table.isVisible()
    close(window)


def test_search_and_occurrences_panels_are_built_when_first_shown(
    qtbot, monkeypatch, tmp_path
) -> None:
    on_screen(monkeypatch, 1600, 1000)
    window = build(qtbot, _sample(tmp_path))
    tools = window.search_tools
    assert window.findChildren(SearchPanel) == [] and window.findChildren(OccurrencesPanel) == []
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL_SHIFT)  # Search ▸ Search the project
    qtbot.waitUntil(tools.search_dock.isVisible)
    panel = tools.panel
    assert tools.search_dock.widget() is panel and panel.edit.hasFocus()
    word = max(window.view.text().split()[:40], key=len).strip(".,;:!?\"'()")
    qtbot.keyClicks(panel.edit, word)
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.results.topLevelItemCount() > 0)
    # The occurrences panel: built when its dock first shows (a tab beside Search: when the
    # user brings that tab to the front, as raise_ does).
    assert window.findChildren(OccurrencesPanel) == []
    tools.occurrences_dock.show()
    tools.occurrences_dock.raise_()
    qtbot.waitUntil(lambda: tools.occurrences_dock.widget() is not None)
    assert isinstance(tools.occurrences_dock.widget(), OccurrencesPanel)
    close(window)


def test_reopening_the_one_recent_project_writes_no_setting(monkeypatch, tmp_path) -> None:
    """A one-item list reads back from the INI file as its item: compared as it was, every
    open of the last project rewrote and synced the settings file (7 ms of the first frame)."""
    from PySide6.QtCore import QSettings

    from annotator.gui.settings import Settings

    path = _sample(tmp_path)
    ini = Path(QSettings().fileName())  # this test's own file, not yet read by this process
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text(f"[projects]\nrecent={path.resolve()}\n")
    writes: list[str] = []
    original = QSettings.setValue

    def counted(self, key, value):
        writes.append(key)
        original(self, key, value)

    monkeypatch.setattr(QSettings, "setValue", counted)
    settings = Settings()
    assert settings.recent_projects == [path.resolve()]
    settings.add_recent(path)
    assert writes == []
    other = tmp_path / "other.annotator"
    settings.add_recent(other)  # a new first item is written
    assert writes == ["projects/recent"]
    assert Settings().recent_projects == [other.resolve(), path.resolve()]


def test_the_inspector_builds_its_details_for_the_first_span_shown(
    qtbot, monkeypatch, tmp_path
) -> None:
    on_screen(monkeypatch, 1600, 1000)
    window = build(qtbot, _sample(tmp_path))
    inspector = window.inspector
    assert not inspector._details_built  # nothing selected: the empty state alone
    assert inspector.stack.currentWidget() is inspector.empty and inspector.empty.isVisible()
    content = window.session.content()
    assert content is not None
    span = next(iter(content.spans.values()))
    window.session.select_span(span.uuid)
    qtbot.waitUntil(lambda: inspector.stack.currentWidget() is inspector.details)
    assert inspector.details.isVisible()
    assert inspector.tag_combo.currentData() == span.tag
    tags = window.session.schema.tag_types
    assert inspector.tag_combo.count() == len(tags)
    assert inspector.quote._full == f"“{span.quote}”"
    close(window)
