"""Team menu in the real main window: Sync now by its shortcut (on a worker thread), the status
indicator (last sync, changes to push, offline), automatic sync, sync on close."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("psycopg", reason="team sync needs its drivers: pip install 'annotator[team]'")
from json_helpers import build_rich_project
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from team_helpers import new_team

from annotator.services import team as team_service
from annotator.services.span_commands import CreateSpan
from annotator.services.team_sync import sync


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("settings")
    QCoreApplication.setOrganizationName("AnnotatorTests")
    QCoreApplication.setApplicationName("AnnotatorTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))


@pytest.fixture
def carl_window(qtbot, pg, team_db, tmp_path: Path):
    from annotator.gui.main_window import MainWindow
    from annotator.gui.session import ProjectSession
    from annotator.gui.settings import Settings

    team = new_team(pg, team_db)
    ada, rich = build_rich_project(tmp_path / "ada.annotator")
    team.ada = team.add("ada", "owner", ada.annotator.uuid)
    team.carl = team.add("carl")
    team_service.attach(ada, team.url(team.ada))
    sync(ada)
    carl = team_service.clone(team.url(team.carl), tmp_path / "carl.annotator")
    session = ProjectSession(carl)
    window = MainWindow(session, Settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # The team status is read just after the first frame (issue 11's open time).
    qtbot.waitUntil(lambda: not window.later.pending())
    yield window, team, ada, rich
    session.close()
    ada.close()


def _sync_by_shortcut(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    assert window.team.worker is not None  # the sync runs off the GUI thread
    # Its end as the window handles it (the menu drops the worker then): waiting for the
    # thread's own `finished` missed it when a fast sync (offline) ended before the wait began.
    qtbot.waitUntil(lambda: window.team.worker is None, timeout=30_000)


def test_sync_now_pulls_pushes_and_updates_the_indicator(qtbot, carl_window) -> None:
    window, team, ada, rich = carl_window
    menu = window.team.menu
    assert menu.title() == "&Team" and window.team.indicator.isVisible()
    assert "synced" in window.team.indicator.text() and "0 to push" in window.team.indicator.text()
    theirs = CreateSpan(rich.doc2, "event", [(0, 6)])
    ada.run(theirs)
    sync(ada)
    mine = CreateSpan(rich.doc2, "actor", [(16, 25)])
    window.session.run(mine)
    # the span and its history entry, counted shortly after the edit
    qtbot.waitUntil(lambda: "2 to push" in window.team.indicator.text(), timeout=5000)
    _sync_by_shortcut(qtbot, window)
    with window.session.read() as session:
        assert session.spans_by_uuid([theirs.uuid])  # pulled
    assert team.sql("postgres", "SELECT count(*) FROM team.spans WHERE uuid = %s",
                    (mine.uuid,)) == [(1,)]  # fmt: skip
    assert "0 to push" in window.team.indicator.text()
    assert window.session.undo_stack.count() == 0  # pulled rows: old undo steps are dropped


def test_offline_shows_in_the_indicator_and_changes_nothing(
    qtbot, carl_window, tmp_path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    window, _team, _ada, _rich = carl_window
    link = team_service.team_link(window.session.project)
    link.url = f"postgresql://nobody@/nothing?host={tmp_path}"
    team_service.save_link(window.session.project, link)
    with qtbot.waitSignal(window.session.error) as blocker:
        _sync_by_shortcut(qtbot, window)
    assert "cannot reach the team database" in blocker.args[0]
    assert "offline" in window.team.indicator.text()
    assert shown == [blocker.args[0]]  # a manual sync says so; an automatic one stays quiet
    window.team.timer.timeout.emit()
    qtbot.waitUntil(lambda: window.team.worker is None, timeout=30_000)
    assert len(shown) == 1


def test_automatic_sync_is_remembered_and_runs_on_its_timer(qtbot, carl_window) -> None:
    window, team, _ada, rich = carl_window
    window.team.interval_actions[5].trigger()
    assert window.team.timer.isActive() and window.team.timer.interval() == 5 * 60_000
    assert window.team.settings.auto_minutes == 5
    mine = CreateSpan(rich.doc2, "actor", [(16, 25)])
    window.session.run(mine)
    window.team.timer.timeout.emit()
    assert window.team.worker is not None
    qtbot.waitUntil(lambda: window.team.worker is None, timeout=30_000)
    assert "0 to push" in window.team.indicator.text()
    assert team.sql("postgres", "SELECT count(*) FROM team.spans WHERE uuid = %s",
                    (mine.uuid,)) == [(1,)]  # fmt: skip
    window.team.interval_actions[0].trigger()
    assert not window.team.timer.isActive()


def test_closing_the_window_syncs_first(qtbot, carl_window) -> None:
    window, team, _ada, rich = carl_window
    assert window.team.close_action.isChecked()
    mine = CreateSpan(rich.doc2, "actor", [(16, 25)])
    window.session.run(mine)
    window.close()
    assert team.sql("postgres", "SELECT count(*) FROM team.spans WHERE uuid = %s",
                    (mine.uuid,)) == [(1,)]  # fmt: skip


def test_sync_now_keeps_its_connection_until_the_window_closes(qtbot, carl_window) -> None:
    window, team, _ada, _rich = carl_window
    _sync_by_shortcut(qtbot, window)
    kept = window.team.kept._connection
    backend = kept.info.backend_pid
    _sync_by_shortcut(qtbot, window)
    assert window.team.kept._connection is kept  # the second sync did not reconnect
    assert window.statusBar().currentMessage().startswith("team newsroom: pushed 0 rows")
    assert team.sql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
                    (backend,)) == [(1,)]  # fmt: skip
    window.close()  # syncs on close (on the kept connection), then closes it
    assert window.team.kept is None and kept.closed


def test_detach_from_the_menu(qtbot, carl_window, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    window, *_ = carl_window
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.team.detach_action.trigger()
    assert team_service.team_link(window.session.project) is None
    assert not window.team.indicator.isVisible() and window.team.attach_action.isEnabled()


def test_my_queue_opens_the_next_unfinished_and_progress_lists_members(qtbot, carl_window) -> None:
    from annotator.services.entity_commands import SetStatus
    from annotator.services.team_assign import assign

    window, _team, ada, rich = carl_window
    assert assign(ada, "carl", [rich.doc1, rich.doc2]) == 2
    window.session.run(SetStatus(rich.doc1, "done"))
    dialog = window.team.show_queue()
    assert dialog.list.count() == 2 and dialog.list.item(0).text().startswith("Done")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert window.session.current_document == rich.doc2
    sync(window.session.project)
    progress = window.team.show_progress()
    cells = [progress.table.item(0, c).text() for c in range(5)]
    assert cells == ["carl", "annotator", "2", "0", "1"]  # an annotator sees their own row
