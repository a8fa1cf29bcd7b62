"""Ctrl+wheel zooms the reading pane through the window, so the zoom is remembered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.services.project import Project


def _wheel(widget, steps: int, modifiers) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_ctrl_wheel_zooms_and_is_remembered(qtbot, tmp_path: Path) -> None:
    project = Project.create(tmp_path / "z.annotator", annotator_name="tester")
    session = ProjectSession(project)
    settings = Settings()
    settings.zoom = 0
    main = MainWindow(session, settings)
    qtbot.addWidget(main)
    main.show()
    size = main.view.font().pointSizeF()

    _wheel(main.view.viewport(), 2, Qt.KeyboardModifier.ControlModifier)
    assert main.view.zoom() == 2
    assert main.view.font().pointSizeF() > size
    assert Settings().zoom == 2  # a new window starts at the same zoom

    _wheel(main.view.viewport(), -1, Qt.KeyboardModifier.ControlModifier)
    assert main.view.zoom() == 1 and Settings().zoom == 1

    _wheel(main.view.viewport(), -1, Qt.KeyboardModifier.NoModifier)  # plain wheel scrolls
    assert main.view.zoom() == 1
    session.close()
