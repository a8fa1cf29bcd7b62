"""GUI test setup: offscreen Qt, settings isolated per test, a sample project session."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """QSettings written under a temp folder, never the user's real settings."""
    folder = tmp_path_factory.mktemp("settings")
    QCoreApplication.setOrganizationName("AnnotatorTests")
    QCoreApplication.setApplicationName("AnnotatorTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    yield


@pytest.fixture
def sample_session(qtbot, tmp_path: Path):
    """A ProjectSession over a fresh sample project (the demo spans and links included)."""
    from annotator.gui.session import ProjectSession
    from annotator.services.sample import create_sample_project

    session = ProjectSession(create_sample_project(tmp_path / "sample.annotator", "tester"))
    yield session
    session.close()


@pytest.fixture
def ada_window(qtbot, tmp_path: Path):
    """The main window over a sample project reopened as Ada, its document open."""
    from annotator.gui.main_window import MainWindow
    from annotator.gui.session import ProjectSession
    from annotator.gui.settings import Settings
    from annotator.services.project import Project
    from annotator.services.sample import create_sample_project

    path = tmp_path / "sample-ada.annotator"
    create_sample_project(path, "Ada").close()
    session = ProjectSession(Project.open(path, annotator_name="Ada"))
    main = MainWindow(session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    with session.read() as read:
        session.open_document(read.documents()[0].uuid)
    yield main
    session.close()
