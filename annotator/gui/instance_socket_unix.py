"""The single-instance socket on POSIX: a Python AF_UNIX socket watched by a QSocketNotifier.

Same place and protocol as Qt's QLocalServer (instance_socket_qt, the fallback where AF_UNIX is
missing), so a start of either kind reaches a running app of the other: the socket is
`$TMPDIR/<name>` (Qt's QDir::tempPath(): TMPDIR, else /tmp), the client sends one line of UTF-8
and the server answers "ok". It costs no QtNetwork (2.8 MB of the app's import memory); the
`socket` module is loaded by the store's SQLAlchemy already.

Reachable by this user only, and never another user's server:
- the socket is bound inside a fresh 0700 folder, made 0600 there, then renamed into place (as
  Qt's UserAccessOption does), so no other user can connect to it at any moment;
- a client talks only to a socket file that is a socket, owned by this user and closed to group
  and others, and, where the system tells (Linux, SO_PEERCRED), served by a process of this user;
- the server drops a connection from another user where the system tells;
- a file at the path that belongs to another user is left alone: the app then runs without the
  hand-off (it cannot remove the file from a sticky /tmp anyway) rather than trust it."""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QSocketNotifier

_BACKLOG = 8


def socket_path(name: str) -> Path:
    """Where QLocalServer puts a server called `name` on Unix."""
    if name.startswith("/"):
        return Path(name)
    return Path(os.environ.get("TMPDIR") or "/tmp") / name


def _status(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _is_own_private_socket(status: os.stat_result) -> bool:
    return (
        stat.S_ISSOCK(status.st_mode)
        and status.st_uid == os.geteuid()
        and not status.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    )


def peer_uid(connection: socket.socket) -> int | None:
    """The user id of the process at the other end, where the system tells (Linux); else None."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    try:
        credentials = connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return uid


def _is_foreign_peer(connection: socket.socket) -> bool:
    uid = peer_uid(connection)
    return uid is not None and uid != os.geteuid()


def hand_off(message: bytes, name: str, connect_timeout: float, reply_timeout: float) -> bool:
    """Send one line to the app listening at `name`; True when it answered "ok"."""
    path = socket_path(name)
    status = _status(path)
    if status is None or not _is_own_private_socket(status):
        return False  # nobody runs, or the file is not this user's: never send it our path
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(connect_timeout)
        try:
            connection.connect(str(path))
        except OSError:  # refused: a socket left by a crash; or gone meanwhile
            return False
        if _is_foreign_peer(connection):
            return False
        reply = b""
        try:
            connection.sendall(message)
            connection.settimeout(reply_timeout)
            while b"\n" not in reply:
                chunk = connection.recv(64)
                if not chunk:
                    break
                reply += chunk
        except OSError:
            return False
    return reply.strip() == b"ok"


def _answers(path: Path) -> bool:
    """Whether a server listens at path now (a live instance, not a crash's leftover)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


@dataclass
class _Connection:
    sock: socket.socket
    notifier: QSocketNotifier
    buffer: bytearray = field(default_factory=bytearray)


class Listener:
    """Accepts later starts from the event loop; calls `on_message(line)` for each.

    The socket notifiers belong to this object, not to a Qt parent (`parent` is for the
    QtNetwork backend's objects): a finished connection's notifier is disabled and kept until
    the next accept, so none is deleted inside its own signal, and no deleteLater can outlive
    a parent deleted first."""

    def __init__(
        self, name: str, on_message: Callable[[str], None], parent: QObject, max_message: int
    ) -> None:
        del parent
        self.path = socket_path(name)
        self._on_message, self._max_message = on_message, max_message
        self._sock: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the socket we made
        self._connections: dict[int, _Connection] = {}
        self._retired: list[QSocketNotifier] = []

    def listen(self) -> bool:
        """Start listening; a file left by a crash of this user's app is replaced, a live
        server or another user's file is not (False)."""
        status = _status(self.path)
        if status is not None:
            if status.st_uid != os.geteuid() or _answers(self.path):
                return False
            try:
                self.path.unlink()
            except OSError:
                return False
        sock = self._bind_privately()
        if sock is None:
            return False
        sock.setblocking(False)
        self._sock = sock
        self._notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(lambda *_: self._accept())
        return True

    def _bind_privately(self) -> socket.socket | None:
        """Bind in a fresh 0700 folder, chmod 0600, rename into place: never open to others."""
        private = self.path.parent / f".{self.path.name}.{os.urandom(6).hex()}"
        try:
            os.mkdir(private, 0o700)
        except OSError:
            return None
        temporary = private / "s"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(str(temporary))
            os.chmod(temporary, 0o600)
            sock.listen(_BACKLOG)
            os.rename(temporary, self.path)
            status = os.lstat(self.path)
            self._identity = (status.st_dev, status.st_ino)
        except OSError:
            sock.close()
            return None
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
                os.rmdir(private)
        return sock

    def close(self) -> None:
        """Stop listening and remove the socket file, if it is still the one made here."""
        for connection in list(self._connections.values()):
            self._drop(connection)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._retired.append(self._notifier)
            self._notifier = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            status = _status(self.path)
            if status is not None and (status.st_dev, status.st_ino) == self._identity:
                self.path.unlink(missing_ok=True)

    def _accept(self) -> None:
        self._retired.clear()  # the connections' notifiers: their signals are done
        while self._sock is not None:
            try:
                sock, _address = self._sock.accept()
            except OSError:  # BlockingIOError: no more waiting
                return
            if _is_foreign_peer(sock):
                sock.close()
                continue
            sock.setblocking(False)
            notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read)
            connection = _Connection(sock, notifier)
            self._connections[sock.fileno()] = connection
            notifier.activated.connect(lambda *_, c=connection: self._read(c))

    def _read(self, connection: _Connection) -> None:
        try:
            chunk = connection.sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:  # the client went away without a whole line
            self._drop(connection)
            return
        connection.buffer += chunk
        if len(connection.buffer) > self._max_message:
            self._drop(connection)
            return
        if b"\n" not in connection.buffer:
            return
        line = bytes(connection.buffer).split(b"\n", 1)[0].decode("utf-8", errors="replace")
        with contextlib.suppress(OSError):  # the client may have given up meanwhile
            connection.sock.send(b"ok\n")  # 3 bytes into an empty buffer: does not block
        self._drop(connection)
        self._on_message(line)

    def _drop(self, connection: _Connection) -> None:
        connection.notifier.setEnabled(False)
        self._retired.append(connection.notifier)
        self._connections.pop(connection.sock.fileno(), None)
        connection.sock.close()
