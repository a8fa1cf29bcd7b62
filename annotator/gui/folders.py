"""Where file dialogs start and where the app keeps the user's files: visible folders only.

The sample project lives in the documents folder (platformdirs' `user_documents_dir()`, under
Annotator/), never in a hidden per-user data folder. Every file dialog starts in the folder the
user last chose a file in, else in that documents folder."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings

APP_FOLDER = "Annotator"
_LAST_FOLDER_KEY = "files/last_folder"


def documents_folder(*, create: bool = True) -> Path:
    """~/Documents/Annotator (or the platform's equivalent), created on first use."""
    folder = Path(platformdirs.user_documents_dir()) / APP_FOLDER
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_folder() -> Path:
    """The folder a file dialog opens in: the last one used while it exists, else
    Documents/Annotator, else the documents folder itself (nothing is created to ask)."""
    value = QSettings().value(_LAST_FOLDER_KEY, "")
    if isinstance(value, str) and value and Path(value).is_dir():
        return Path(value)
    ours = documents_folder(create=False)
    for folder in (ours, ours.parent):
        if folder.is_dir():
            return folder
    return Path.home()


def start_in(name: str = "") -> str:
    """A dialog's starting path: the start folder, with a suggested file name if given."""
    folder = start_folder()
    return str(folder / name) if name else str(folder)


def remember(chosen: str | Path) -> None:
    """Remember the folder of a chosen file (or a chosen folder itself) for the next dialog."""
    if not chosen:
        return
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    settings = QSettings()
    settings.setValue(_LAST_FOLDER_KEY, str(folder))
    settings.sync()
