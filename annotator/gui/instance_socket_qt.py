"""The single-instance socket through QtNetwork (QLocalServer / QLocalSocket): the fallback
where Python has no AF_UNIX (Windows: a named pipe). Imported only there, as QtNetwork costs
2.8 MB of import memory; the protocol is instance_socket_unix's: one line of UTF-8, answer "ok"."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket


def hand_off(message: bytes, name: str, connect_timeout: float, reply_timeout: float) -> bool:
    """Send one line to the app listening at `name`; True when it answered "ok"."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(int(connect_timeout * 1000)):
        return False
    socket.write(message)
    socket.waitForBytesWritten(int(connect_timeout * 1000))  # False when flushed already
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(int(reply_timeout * 1000)):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply.strip() == b"ok"


class Listener:
    """Accepts later starts from the event loop; calls `on_message(line)` for each."""

    def __init__(
        self, name: str, on_message: Callable[[str], None], parent: QObject, max_message: int
    ) -> None:
        self.name, self._on_message, self._max_message = name, on_message, max_message
        self.server = QLocalServer(parent)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
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
        if len(buffer) > self._max_message:
            socket.abort()
            return
        if b"\n" not in buffer:
            return
        line = bytes(buffer).split(b"\n", 1)[0].decode("utf-8", errors="replace")
        socket.write(b"ok\n")
        socket.flush()
        self._on_message(line)
