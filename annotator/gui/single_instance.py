"""One running app per user: a second start hands its project to the first and exits.

A double-click on a .annotator file starts `annotator FILE`. If Annotator already runs for this
user, that process sends FILE's absolute path over a local socket (QLocalServer / QLocalSocket,
reachable by this user only) and exits; the running app opens it (or, given no file, comes to
the front). The message is one line of UTF-8 and the answer "ok"."""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from annotator.services.identity import config_dir

_TIMEOUT_MS = 1500
#: The running app answers from its event loop, which may be busy for a moment.
_REPLY_TIMEOUT_MS = 10_000
_MAX_MESSAGE = 64 * 1024  # a path, not a payload


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
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    message = (str(Path(path).resolve()) if path is not None else "") + "\n"
    socket.write(message.encode("utf-8"))
    socket.waitForBytesWritten(_TIMEOUT_MS)  # False when flushed already: not a failure
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(_REPLY_TIMEOUT_MS):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later starts; emits `open_requested(path or "")` for each."""

    open_requested = Signal(str)

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.name = name or server_name()
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Start listening; a socket left by a crashed instance is removed first (a live one
        answered `hand_off` already, so none is running)."""
        if self.server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(socket.readAll().data())
        if len(buffer) > _MAX_MESSAGE:
            socket.abort()
            return
        if b"\n" not in buffer:
            return
        line = bytes(buffer).split(b"\n", 1)[0].decode("utf-8", errors="replace")
        socket.write(b"ok\n")
        socket.flush()
        self.open_requested.emit(line)


def connect_window_raiser(server: InstanceServer, window: Callable[[], object | None]) -> None:
    """Bring the current main window to the front whenever another start reaches us."""

    def _raise(_path: str) -> None:
        current = window()
        if current is not None:
            current.showNormal()  # type: ignore[attr-defined]
            current.raise_()  # type: ignore[attr-defined]
            current.activateWindow()  # type: ignore[attr-defined]

    server.open_requested.connect(_raise)
