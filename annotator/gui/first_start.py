"""The first start's offers: the sample project's visible home and desktop integration."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

from annotator.gui.folders import documents_folder
from annotator.gui.layers import MY_LAYER_KEY
from annotator.services.project import PROJECT_SUFFIX

_OFFERED_KEY = "desktop/offered"

if TYPE_CHECKING:
    from annotator.gui.session import ProjectSession


def sample_project_path() -> Path:
    """~/Documents/Annotator/Sample project.annotator (File ▸ Show in folder opens it)."""
    return documents_folder() / f"Sample project{PROJECT_SUFFIX}"


def show_sample_demo(session: ProjectSession) -> None:
    """A new sample opens on its demo annotations (the "Sample" annotator's layer, read-only),
    with a note saying how to switch to one's own layer to annotate."""
    from annotator.services.sample import SAMPLE_AUTHOR_UUID

    session.layer.show_layer_of(SAMPLE_AUTHOR_UUID)
    session.message.emit(
        "These are the sample's demo annotations. Press "
        f"{MY_LAYER_KEY} (View ▸ Layer ▸ My layer) to annotate yourself."
    )


def should_offer_desktop_integration() -> bool:
    """Once per user, on a freedesktop.org desktop, when it is not installed yet."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return False
    if QSettings().value(_OFFERED_KEY, False) in (True, "true"):
        return False
    from annotator.desktop.freedesktop import installed_files

    return not installed_files()


def offer_desktop_integration(parent: QWidget | None) -> bool:
    """Ask once whether to add the menu entry, icon and "Open with Annotator"; True when
    installed. The answer is remembered either way (`annotator desktop install` later)."""
    if not should_offer_desktop_integration():
        return False
    settings = QSettings()
    settings.setValue(_OFFERED_KEY, True)
    settings.sync()
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Add Annotator to your desktop?",
        "Add Annotator to your applications menu, with its icon, and open .annotator files "
        "with it when you double-click them?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setObjectName("desktop_offer")
    box.setInformativeText(
        "Only for you (in ~/.local/share). `annotator desktop uninstall` removes it again."
    )
    if box.exec() != QMessageBox.StandardButton.Yes:
        return False
    from annotator.desktop.freedesktop import install

    try:
        install()
    except OSError as error:
        QMessageBox.warning(parent, "Desktop integration", f"It could not be added: {error}")
        return False
    return True
