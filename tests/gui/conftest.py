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
