"""Start-up: the QApplication, the first-run name, which project to open, one window at a time.

One app runs per user (gui/single_instance): a later start hands its project to this one."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from annotator.errors import AnnotatorError, CheckCancelledError
from annotator.gui.app_icon import app_icon
from annotator.gui.app_theme import apply_theme
from annotator.gui.first_start import (
    offer_desktop_integration,
    sample_project_path,
    show_sample_demo,
)
from annotator.gui.main_window import MainWindow
from annotator.gui.open_project import open_with_progress
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.gui.single_instance import InstanceServer, connect_window_raiser, hand_off
from annotator.services.project import Project

APP_NAME = "Annotator"
__all__ = ["Application", "run", "sample_project_path"]


class Application:
    """Keeps the one main window and switches projects by replacing it."""

    def __init__(self, qapp: QApplication, settings: Settings) -> None:
        self.qapp, self.settings = qapp, settings
        self.window: MainWindow | None = None

    def annotator_name(self) -> str | None:
        name = self.settings.annotator_name
        if not name:
            from annotator.gui.dialogs.first_run import ask_annotator_name
            from annotator.services.identity import login_name

            name = ask_annotator_name(None, login_name())
            if not name:
                return None
            self.settings.annotator_name = name
        return name

    def open_project(self, path: Path | None, *, create: bool = False) -> bool:
        """Open path (None: the sample project, created on first use) in a fresh window."""
        name = self.settings.annotator_name
        parent: QWidget | None = self.window
        if not create and self._is_open_here(path or sample_project_path()):
            # Already open in this window (this process holds its lock): show it, as editors do.
            self.window.raise_()
            self.window.activateWindow()
            return True
        new_sample = False
        try:
            if path is None:
                from annotator.services.sample import create_sample_project  # io: first run only

                path = sample_project_path()
                new_sample = not path.exists()
                project = (
                    create_sample_project(path, name, by_sample=True)
                    if new_sample
                    else open_with_progress(parent, path, name)
                )
            elif create:
                project = Project.create(path, annotator_name=name)
            else:
                project = open_with_progress(parent, path, name)
        except CheckCancelledError:
            return False  # the user's choice: no message, the file stays in the recent list
        except AnnotatorError as error:
            QMessageBox.critical(parent, "Cannot open project", str(error))
            if path is not None and not create:
                self.settings.remove_recent(path)
            return False
        self.settings.add_recent(project.path)
        old = self.window
        session = ProjectSession(project)
        self.window = MainWindow(session, self.settings)
        self.window.open_requested.connect(self.open_project)
        self.window.new_requested.connect(lambda p: self.open_project(p, create=True))
        if old is not None:
            old.close()
            old.session.close()
            old.deleteLater()
        self.window.show()
        # Uuids only: `documents()` measures every text's length (reads every text).
        with session.read() as read:
            first = read.document_order()[:1]
        if first:
            session.open_document(first[0])
        if new_sample:
            show_sample_demo(session)
        return True

    def _is_open_here(self, path: Path) -> bool:
        if self.window is None:
            return False
        try:
            return Path(path).samefile(self.window.session.project.path)
        except (OSError, RuntimeError):  # missing, unreadable, a symlink loop: not this one
            return False

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.session.close()
            self.window = None


def run(path: Path | None = None) -> int:
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    if hand_off(path):  # Annotator already runs for this user: it opens the file
        return 0
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    QApplication.setDesktopFileName("annotator")  # matches the installed annotator.desktop
    qapp.setWindowIcon(app_icon())
    settings = Settings()
    apply_theme(qapp, settings.theme == "dark")
    app = Application(qapp, settings)
    first_start = not settings.annotator_name
    if app.annotator_name() is None:
        return 0
    if first_start:
        offer_desktop_integration(None)
    server = InstanceServer(parent=qapp)
    server.listen()
    connect_window_raiser(server, lambda: app.window)
    server.open_requested.connect(lambda p: app.open_project(Path(p)) if p else None)
    target = path
    if target is None:
        last = settings.last_project
        target = last if last is not None and last.exists() else None
    if not app.open_project(target) and (path is None or not app.open_project(None)):
        return 1
    try:
        return qapp.exec()
    finally:
        server.close()
        app.shutdown()
