"""Team ▸ Sync now, automatic sync every N minutes and on close, attach and detach, and the
status-bar indicator. Syncs run on a worker thread; the views refresh when one ends."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLabel, QMainWindow, QMenu, QMessageBox

from annotator.errors import AnnotatorError
from annotator.gui.dialogs.progress import run_with_progress
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.gui.team.settings import INTERVALS, TeamSettings
from annotator.services import team as team_service
from annotator.services.team import TeamOffline

if TYPE_CHECKING:
    from annotator.gui.team.dialogs import ProgressDialog, QueueDialog
    from annotator.gui.team.worker import SyncWorker
    from annotator.services.team_sync import KeptConnection

# Syncing, its status, the queue and the dialogs (with the merge services under them) are
# imported when a project with a team link uses them: a lone analyst's window never loads
# them (issue 14's import memory). The menu itself needs only the team link.

SYNC_SHORTCUT = "Ctrl+Shift+Y"


class TeamMenu(QObject):
    """The Team menu of one window, its status indicator and its timer."""

    def __init__(
        self,
        window: QMainWindow,
        session: ProjectSession,
        settings: Settings,
        *,
        refresh: bool = True,
    ) -> None:
        """`refresh=False`: the caller runs `refresh` later (the main window, after its first
        frame: reading the team link is not what the user waits for)."""
        super().__init__(window)
        self.window, self.session = window, session
        self.settings = TeamSettings(settings)
        self.worker: SyncWorker | None = None
        # The team connection kept between this window's syncs (made by the first one).
        self.kept: KeptConnection | None = None
        self.offline = False
        self.last_error = ""
        self.indicator = QLabel()
        self.indicator.setObjectName("team_status")
        window.statusBar().addPermanentWidget(self.indicator)
        self.menu = self._build_menu(window)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_in_background)
        self._apply_interval()
        # Counting changes to push reads the project: at most once a second, not per edit.
        self.recount = QTimer(self, singleShot=True, interval=1000)
        self.recount.timeout.connect(self.refresh)
        session.changed.connect(lambda _changes: self.recount.start())
        window.installEventFilter(self)  # sync on close
        self.indicator.hide()  # until `refresh` finds a team link
        if refresh:
            self.refresh()

    # -- menu --------------------------------------------------------------------------------
    def _build_menu(self, window: QMainWindow) -> QMenu:
        menu = QMenu("&Team", window)
        menu.setObjectName("team_menu")
        bar = window.menuBar()
        help_menu = next((a for a in bar.actions() if a.text() == "&Help"), None)
        bar.insertMenu(help_menu, menu) if help_menu is not None else bar.addMenu(menu)
        self.sync_action = self._action(menu, "&Sync now", self.sync_now, SYNC_SHORTCUT)
        self.sync_action.setStatusTip("Push your changes to the team database, pull the team's")
        self.status_action = self._action(menu, "Team &status…", self.show_status)
        self.queue_action = self._action(menu, "My &queue…", self.show_queue)
        self.progress_action = self._action(menu, "Team &progress…", self.show_progress)
        menu.addSeparator()
        auto = menu.addMenu("&Automatic sync")
        group = QActionGroup(self)
        self.interval_actions: dict[int, QAction] = {}
        for minutes in INTERVALS:
            text = "&Off" if minutes == 0 else f"Every {minutes} minutes"
            action = auto.addAction(text)
            action.setCheckable(True)
            action.setChecked(minutes == self.settings.auto_minutes)
            action.triggered.connect(lambda _=False, m=minutes: self.set_interval(m))
            group.addAction(action)
            self.interval_actions[minutes] = action
        self.close_action = menu.addAction("Sync on &close")
        self.close_action.setCheckable(True)
        self.close_action.setChecked(self.settings.sync_on_close)
        self.close_action.toggled.connect(self._set_sync_on_close)
        menu.addSeparator()
        self.attach_action = self._action(menu, "&Attach to a team…", self.attach)
        self.detach_action = self._action(menu, "&Detach from the team", self.detach)
        return menu

    def _action(self, menu: QMenu, text: str, handler, shortcut: str | None = None) -> QAction:
        action = menu.addAction(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: handler())
        return action

    def set_interval(self, minutes: int) -> None:
        self.settings.auto_minutes = minutes
        self.interval_actions[minutes].setChecked(True)
        self._apply_interval()

    def _apply_interval(self) -> None:
        minutes = self.settings.auto_minutes
        self.timer.stop()
        if minutes:
            self.timer.start(minutes * 60_000)

    def _set_sync_on_close(self, on: bool) -> None:
        self.settings.sync_on_close = on

    # -- state -------------------------------------------------------------------------------
    def link(self):
        try:
            return team_service.team_link(self.session.project)
        except AnnotatorError:
            return None

    def refresh(self) -> None:
        """The indicator and which actions apply, from the project's team link."""
        link = self.link()
        attached = link is not None
        for action in (self.sync_action, self.status_action, self.detach_action,
                       self.queue_action, self.progress_action):  # fmt: skip
            action.setEnabled(attached)
        self.attach_action.setEnabled(not attached)
        self.indicator.setVisible(attached)
        if not attached or self.worker is not None:
            return
        from annotator.services.team_status import status

        try:
            pending = status(self.session.project).pending
        except AnnotatorError:
            pending = 0
        last = _local_time(link.last_sync) if link.last_sync else "never"
        state = "offline" if self.offline else f"synced {last}"
        self.indicator.setText(f"Team {link.name}: {state} · {pending} to push")
        self.indicator.setToolTip(self.last_error or f"Last sync {link.last_sync or 'never'} (UTC)")

    # -- syncing -----------------------------------------------------------------------------
    def sync_now(self) -> SyncWorker | None:
        return self.sync_in_background(manual=True)

    def sync_in_background(self, manual: bool = False) -> SyncWorker | None:
        """Start a sync on a worker thread (none while one runs or without a team)."""
        if self.worker is not None or self.link() is None:
            return None
        from annotator.gui.team.worker import SyncWorker

        self.session.flush()
        worker = SyncWorker(self.session.project, self._kept())
        worker.progressed.connect(lambda text: self.indicator.setText(f"Team: {text}…"))
        worker.finished.connect(lambda: self._finished(worker, manual))
        self.worker = worker
        self.indicator.setText("Team: syncing…")
        self.sync_action.setEnabled(False)
        worker.start()
        return worker

    def _kept(self) -> KeptConnection:
        if self.kept is None:
            from annotator.services.team_sync import KeptConnection

            self.kept = KeptConnection()
        return self.kept

    def drop_connection(self) -> None:
        """Close the kept team connection (the window closes, or the project leaves its team)."""
        if self.kept is not None:
            self.kept.close()
            self.kept = None

    def _finished(self, worker: SyncWorker, manual: bool) -> None:
        self.worker = None
        worker.wait()
        worker.deleteLater()
        self._done(worker.report, worker.error, manual)

    def _done(self, report, error: BaseException | None, manual: bool) -> None:
        self.offline = isinstance(error, TeamOffline)
        self.last_error = str(error) if error is not None else ""
        if error is not None:
            if manual or not self.offline:  # automatic syncs while offline stay quiet
                self.session.error.emit(f"Team sync: {error}")
        elif report is not None:
            if report.merge is not None and report.merge.changed:
                from annotator.services.merge import MERGED

                self.session.undo_stack.clear()  # steps may no longer apply to pulled rows
                self.session.notify(MERGED)
            self.session.message.emit(report.summary().splitlines()[0])
            for warning in report.warnings:
                self.session.error.emit(f"Team sync: {warning}")
        self.refresh()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.sync_before_close()
        return False

    def sync_before_close(self) -> None:
        """On close: wait for a running sync, then sync once more (with progress, cancellable)."""
        if self.worker is not None:
            self.worker.wait()
            self._finished(self.worker, False)
        if not self.settings.sync_on_close or self.link() is None:
            self.drop_connection()
            return
        try:
            report = run_with_progress(self.window, "Syncing with the team", _sync_job,
                                       self.session.project, self.kept)  # fmt: skip
        except (AnnotatorError, OSError) as error:
            report, error_seen = None, error
        else:
            error_seen = None
        self.drop_connection()
        self._done(report, error_seen, False)

    # -- joining and leaving -----------------------------------------------------------------
    def attach(self) -> None:
        url, ok = QInputDialog.getText(
            self.window,
            "Attach to a team",
            "Team database URL (postgresql://you@host/database?sslmode=verify-full).\n"
            "Passwords come from ~/.pgpass, a service file or PGPASSWORD, never the project:",
        )
        if not ok or not url.strip():
            return
        try:
            team_service.attach(self.session.project, url.strip())
        except AnnotatorError as error:
            self.session.error.emit(f"Attach: {error}")
            return
        self.refresh()
        self.sync_now()

    def detach(self) -> None:
        answer = QMessageBox.question(
            self.window,
            "Detach from the team",
            "Stop syncing this project with the team? It stays an ordinary project file; "
            "changes not yet pushed stay here only.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            team_service.detach(self.session.project)
            self.drop_connection()
            self.refresh()

    def show_queue(self) -> QueueDialog | None:
        try:
            items = run_with_progress(self.window, "Reading your queue", _queue_job,
                                      self.session.project)  # fmt: skip
        except AnnotatorError as error:
            self.session.error.emit(f"My queue: {error}")
            return None
        from annotator.gui.team.dialogs import QueueDialog

        dialog = QueueDialog(self.window, items, self.session.open_document)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.queue_dialog = dialog
        return dialog

    def show_progress(self) -> ProgressDialog | None:
        try:
            rows = run_with_progress(self.window, "Reading the team's progress", _progress_job,
                                     self.session.project)  # fmt: skip
        except AnnotatorError as error:
            self.session.error.emit(f"Team progress: {error}")
            return None
        from annotator.gui.team.dialogs import ProgressDialog

        dialog = ProgressDialog(self.window, rows)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.progress_dialog = dialog
        return dialog

    def show_status(self) -> None:
        from annotator.services.team_status import status

        try:
            text = status(self.session.project).describe()
        except AnnotatorError as error:
            text = str(error)
        if self.last_error:
            text += f"\n\nLast problem: {self.last_error}"
        box = QMessageBox(QMessageBox.Icon.Information, "Team status", text, parent=self.window)
        box.setObjectName("team_status_dialog")
        box.open()
        self.status_box = box


def _local_time(stamp: str) -> str:
    """HH:MM in the user's time zone of a stored UTC time (2026-12-07T14:05:00.000Z)."""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().strftime("%H:%M")
    except ValueError:
        return stamp


def _queue_job(project, progress):
    from annotator.services.team_assign import queue

    return queue(project)


def _progress_job(project, progress):
    from annotator.services.team_assign import progress as team_progress

    return team_progress(project)


def _sync_job(project, kept, progress):
    from annotator.services.team_sync import sync

    return sync(project, progress, notify=False, keep=kept)
