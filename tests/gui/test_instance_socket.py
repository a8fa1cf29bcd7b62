"""The single-instance socket without QtNetwork (issue 14): a Python AF_UNIX socket watched by
Qt's event loop, in QLocalServer's place and protocol; crash leftovers, permissions, other users.

Tests that need a second user run as root only (they `chown` files to, and start clients as,
the user "nobody"); the rest run as anyone. Each test gets its own socket folder as TMPDIR."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QObject

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(socket, "AF_UNIX"), reason="POSIX sockets"
)

from annotator.gui import instance_socket_unix, single_instance  # noqa: E402
from annotator.gui.single_instance import InstanceServer, hand_off  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
as_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to act as another user"
)


@pytest.fixture
def socket_dir(monkeypatch) -> Path:
    """A short private TMPDIR (AF_UNIX paths are limited to about 100 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="ais-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def unique_name() -> str:
    return f"annotator-test-{uuid.uuid4().hex[:12]}"


def start_client(name: str, path: Path | None, backend: str = "unix") -> subprocess.Popen:
    """A second start in its own process, through the given backend's client."""
    code = (
        "import sys\nfrom pathlib import Path\n"
        f"from annotator.gui.instance_socket_{backend} import hand_off\n"
        "arg = sys.argv[2]\n"
        "message = ((str(Path(arg).resolve()) if arg else '') + '\\n').encode()\n"
        "sys.exit(0 if hand_off(message, sys.argv[1], 1.5, 10.0) else 3)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, name, str(path) if path else ""],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finished(qtbot, process: subprocess.Popen) -> int:
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=30_000)
    return process.returncode


def python_for_nobody() -> str | None:
    """A Python the user nobody may run (a venv under /root is closed to it), or None."""
    for python in (sys.executable, "/usr/bin/python3"):
        try:
            subprocess.run(
                [python, "-I", "-S", "-c", "pass"],
                capture_output=True,
                timeout=30,
                preexec_fn=_become_nobody,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        return python
    return None


def _become_nobody() -> None:
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def closed_by_peer(raw: socket.socket) -> bool:
    """Whether the other end closed the connection (without waiting: the event loop runs)."""
    try:
        return raw.recv(65536, socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def test_the_app_uses_the_socket_module_not_qtnetwork(socket_dir) -> None:
    assert single_instance._backend() is instance_socket_unix


def test_a_file_reaches_the_running_instance_through_the_unix_socket(
    socket_dir, qtbot, tmp_path
) -> None:
    server = InstanceServer(name=unique_name())
    assert server.listen()
    try:
        socket_file = socket_dir / server.name
        status = os.lstat(socket_file)
        assert stat.S_ISSOCK(status.st_mode) and status.st_uid == os.getuid()
        assert stat.S_IMODE(status.st_mode) == 0o600  # this user only, from the first moment
        assert sorted(p.name for p in socket_dir.iterdir()) == [server.name]  # no private dir left
        target = tmp_path / "Bridges #2.annotator"
        with qtbot.waitSignal(server.open_requested, timeout=30_000) as received:
            process = start_client(server.name, target)
        assert finished(qtbot, process) == 0, process.stderr.read()
        assert received.args == [str(target.resolve())]
    finally:
        server.close()
    assert not (socket_dir / server.name).exists()  # close removes its socket


@pytest.mark.parametrize(("client", "listener"), [("qt", "unix"), ("unix", "qt")])
def test_qtnetwork_and_the_unix_socket_meet_at_the_same_place(
    socket_dir, qtbot, tmp_path, client, listener
) -> None:
    """A QLocalSocket start reaches a Python-socket app and the other way round (Windows keeps
    QtNetwork; an app started before this change still answers)."""
    backend = {"unix": instance_socket_unix}
    if listener == "qt":
        from annotator.gui import instance_socket_qt

        backend["qt"] = instance_socket_qt
    received: list[str] = []
    name = unique_name()
    parent = QObject()
    listening = backend[listener].Listener(name, received.append, parent, 64 * 1024)
    assert listening.listen()
    try:
        process = start_client(name, tmp_path / "x.annotator", backend=client)
        qtbot.waitUntil(lambda: received != [], timeout=30_000)
        assert finished(qtbot, process) == 0, process.stderr.read()
        assert received == [str((tmp_path / "x.annotator").resolve())]
    finally:
        listening.close()


def test_the_socket_of_a_crashed_instance_is_replaced(socket_dir, qtbot, tmp_path) -> None:
    """An app killed with SIGKILL leaves its socket file: the next start finds nobody
    answering, starts normally, takes the name over and then receives hand-offs."""
    name = unique_name()
    code = (
        "import sys, time\nfrom PySide6.QtCore import QCoreApplication\n"
        "from annotator.gui.single_instance import InstanceServer\n"
        "app = QCoreApplication([])\nserver = InstanceServer(name=sys.argv[1])\n"
        "print(server.listen(), flush=True)\ntime.sleep(60)\n"
    )
    crashing = subprocess.Popen(
        [sys.executable, "-c", code, name],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert crashing.stdout.readline().strip() == b"True"
    finally:
        crashing.send_signal(signal.SIGKILL)
        crashing.wait(timeout=30)
    assert stat.S_ISSOCK(os.lstat(socket_dir / name).st_mode)  # the leftover
    assert not hand_off(tmp_path / "a.annotator", name)  # refused: nobody answers
    server = InstanceServer(name=name)
    try:
        assert server.listen()
        with qtbot.waitSignal(server.open_requested, timeout=30_000) as received:
            process = start_client(name, None)
        assert finished(qtbot, process) == 0 and received.args == [""]
    finally:
        server.close()


def test_a_live_instance_keeps_its_name(socket_dir, qtbot) -> None:
    first = InstanceServer(name=unique_name())
    assert first.listen()
    second = InstanceServer(name=first.name)
    try:
        assert not second.listen()  # does not steal the running app's socket
        with qtbot.waitSignal(first.open_requested, timeout=30_000):
            process = start_client(first.name, None)
        assert finished(qtbot, process) == 0
    finally:
        second.close()
        first.close()


def test_a_socket_open_to_others_is_not_trusted(socket_dir) -> None:
    """A socket file this user may not have made (group/world access) gets no path sent."""
    name = unique_name()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as impostor:
        impostor.bind(str(socket_dir / name))
        os.chmod(socket_dir / name, 0o777)
        impostor.listen(1)
        impostor.setblocking(False)
        assert not hand_off(Path("secret.annotator"), name)
        with pytest.raises(BlockingIOError):
            impostor.accept()  # nobody even connected


def test_a_peer_of_another_user_is_refused(socket_dir, qtbot, monkeypatch) -> None:
    """Where the system names the peer (SO_PEERCRED), each side drops another user's process."""
    server = InstanceServer(name=unique_name())
    assert server.listen()
    requests: list[str] = []
    server.open_requested.connect(requests.append)
    try:
        monkeypatch.setattr(instance_socket_unix, "peer_uid", lambda _s: os.getuid() + 1)
        results: list[bool] = []
        client = threading.Thread(target=lambda: results.append(hand_off(None, server.name)))
        client.start()
        qtbot.waitUntil(lambda: not client.is_alive(), timeout=30_000)
        assert results == [False]  # the client would not talk to it
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:  # a client that would
            raw.connect(str(socket_dir / server.name))
            raw.sendall(b"/tmp/x.annotator\n")
            qtbot.waitUntil(lambda: closed_by_peer(raw), timeout=30_000)  # dropped, no "ok"
        assert requests == []
    finally:
        server.close()


def send_some(raw: socket.socket, data: bytes) -> bool:
    """Send data without blocking the event loop; True once it is all out (or the peer hung up)."""
    try:
        raw.sendall(data)
    except BlockingIOError:
        return False
    except (BrokenPipeError, ConnectionResetError):
        pass
    return True


def test_an_oversized_message_is_dropped(socket_dir, qtbot) -> None:
    server = InstanceServer(name=unique_name())
    assert server.listen()
    requests: list[str] = []
    server.open_requested.connect(requests.append)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
            raw.connect(str(socket_dir / server.name))
            raw.setblocking(False)
            for _ in range(4):  # 4 x 20 kB: over the 64 kB a path may take, no newline
                qtbot.waitUntil(lambda: send_some(raw, b"x" * 20_000), timeout=30_000)
            qtbot.waitUntil(lambda: closed_by_peer(raw), timeout=30_000)
        assert requests == []
    finally:
        server.close()


@as_root
def test_another_users_socket_is_neither_used_nor_replaced(socket_dir) -> None:
    name = unique_name()
    socket_dir.chmod(0o1777)  # like /tmp: anyone may create, nobody may replace another's file
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as planted:
        planted.bind(str(socket_dir / name))
        planted.listen(1)
        planted.setblocking(False)
        os.chmod(socket_dir / name, 0o700)
        os.chown(socket_dir / name, NOBODY, NOBODY)  # as if "nobody" had planted it first
        assert not hand_off(Path("secret.annotator"), name)
        with pytest.raises(BlockingIOError):
            planted.accept()
        server = InstanceServer(name=name)
        assert not server.listen()  # runs without the hand-off rather than trust it
        server.close()
        assert os.lstat(socket_dir / name).st_uid == NOBODY  # left alone


@as_root
def test_another_user_cannot_connect(socket_dir, qtbot) -> None:
    python = python_for_nobody()
    if python is None:
        pytest.skip("no Python the user nobody may run")
    socket_dir.chmod(0o1777)
    server = InstanceServer(name=unique_name())
    assert server.listen()
    requests: list[str] = []
    server.open_requested.connect(requests.append)
    code = (
        "import socket, sys\ns = socket.socket(socket.AF_UNIX)\n"
        "try:\n    s.connect(sys.argv[1])\n"
        "except PermissionError:\n    sys.exit(print('refused'))\n"
        "try:\n    s.sendall(b'/x\\n'); s.settimeout(20); reply = s.recv(16)\n"
        "except OSError:\n    reply = b''\n"
        "print(reply.decode() or 'dropped')\n"
    )
    path = str(socket_dir / server.name)

    def attempt() -> str:
        process = subprocess.Popen(
            [python, "-I", "-S", "-c", code, path],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_become_nobody,
        )
        assert finished(qtbot, process) == 0, process.stderr.read()
        return process.stdout.read().strip()

    try:
        assert attempt() == "refused"  # the socket is 0600
        if hasattr(socket, "SO_PEERCRED"):
            os.chmod(path, 0o777)  # even were it open, the server asks who connects (Linux)
            assert attempt() == "dropped"
            assert requests == []
    finally:
        server.close()
