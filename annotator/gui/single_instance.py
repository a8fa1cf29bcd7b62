"""One running app per user: a second start hands its project to the first and exits.

A double-click on a .annotator file starts `annotator FILE`. If Annotator already runs for this
user, that process sends FILE's absolute path over a local socket reachable by this user only
and exits; the running app opens it (or, given no file, comes to the front). The message is one
line of UTF-8 and the answer "ok". On POSIX the socket is a plain AF_UNIX socket watched by
Qt's event loop (instance_socket_unix); where Python has none (Windows), QtNetwork's
QLocalServer / QLocalSocket (instance_socket_qt, imported only there). Both use the same
socket name and protocol."""

from __future__ import annotations

import getpass
import hashlib
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from PySide6.QtCore import QObject, Signal

from annotator.services.identity import config_dir

_TIMEOUT_S = 1.5
#: The running app answers from its event loop, which may be busy for a moment.
_REPLY_TIMEOUT_S = 10.0
_MAX_MESSAGE = 64 * 1024  # a path, not a payload


def _backend() -> ModuleType:
    if sys.platform != "win32" and hasattr(socket, "AF_UNIX"):
        from annotator.gui import instance_socket_unix

        return instance_socket_unix
    from annotator.gui import instance_socket_qt

    return instance_socket_qt


def server_name() -> str:
    """Per user and per settings folder (tests and portable installs get their own)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "user"
    digest = hashlib.sha256(f"{user}\0{config_dir()}".encode()).hexdigest()[:16]
    return f"annotator-{digest}"


def hand_off(path: Path | None, name: str | None = None) -> bool:
    """Send path (None: "come to the front") to a running app; False when none answers."""
    message = (str(Path(path).resolve()) if path is not None else "") + "\n"
    return _backend().hand_off(
        message.encode("utf-8"), name or server_name(), _TIMEOUT_S, _REPLY_TIMEOUT_S
    )


class InstanceServer(QObject):
    """Listens for later starts; emits `open_requested(path or "")` for each."""

    open_requested = Signal(str)

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._listener = _backend().Listener(
            self.name, self.open_requested.emit, self, _MAX_MESSAGE
        )

    def listen(self) -> bool:
        """Start listening; False when another live instance or another user holds the name
        (the app then runs without the hand-off)."""
        return self._listener.listen()

    def close(self) -> None:
        self._listener.close()


def connect_window_raiser(server: InstanceServer, window: Callable[[], object | None]) -> None:
    """Bring the current main window to the front whenever another start reaches us."""

    def _raise(_path: str) -> None:
        current = window()
        if current is not None:
            current.showNormal()  # type: ignore[attr-defined]
            current.raise_()  # type: ignore[attr-defined]
            current.activateWindow()  # type: ignore[attr-defined]

    server.open_requested.connect(_raise)
