"""Start-up: the QApplication, the first-run name, which project to open, one window at a time."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from annotator.errors import AnnotatorError, CheckCancelledError
from annotator.gui.app_theme import apply_theme
from annotator.gui.main_window import MainWindow
from annotator.gui.open_project import open_with_progress
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.services.project import PROJECT_SUFFIX, Project
from annotator.services.sample import create_sample_project

APP_NAME = "Annotator"


def sample_project_path() -> Path:
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"Sample project{PROJECT_SUFFIX}"


class Application:
    """Keeps the one main window and switches projects by replacing it."""

    def __init__(self, qapp: QApplication, settings: Settings) -> None:
        self.qapp, self.settings = qapp, settings
        self.window: MainWindow | None = None

    def annotator_name(self) -> str | None:
        name = self.settings.annotator_name
        if not name:
            from annotator.gui.dialogs.first_run import ask_annotator_name
            from annotator.services.project import default_annotator_name

            name = ask_annotator_name(None, default_annotator_name())
            if not name:
                return None
            self.settings.annotator_name = name
        return name

    def open_project(self, path: Path | None, *, create: bool = False) -> bool:
        """Open path (None: the sample project, created on first use) in a fresh window."""
        name = self.settings.annotator_name
        parent: QWidget | None = self.window
        try:
            if path is None:
                path = sample_project_path()
                project = (
                    open_with_progress(parent, path, name)
                    if path.exists()
                    else create_sample_project(path, name)
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
        with session.read() as read:
            documents = read.documents()
        if documents:
            session.open_document(documents[0].uuid)
        return True

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.session.close()
            self.window = None


def run(path: Path | None = None) -> int:
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    settings = Settings()
    apply_theme(qapp, settings.theme == "dark")
    app = Application(qapp, settings)
    if app.annotator_name() is None:
        return 0
    target = path
    if target is None:
        last = settings.last_project
        target = last if last is not None and last.exists() else None
    if not app.open_project(target) and (path is None or not app.open_project(None)):
        return 1
    try:
        return qapp.exec()
    finally:
        app.shutdown()
