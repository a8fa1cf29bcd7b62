"""A second start hands its file to the running app (issue 14), through the platform's socket
(tests/gui/test_instance_socket.py tests the POSIX socket itself)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from annotator.gui.app import Application
from annotator.gui.instance_socket_unix import socket_path
from annotator.gui.settings import Settings
from annotator.gui.single_instance import InstanceServer, hand_off, server_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(qtbot):
    server = InstanceServer(name=f"annotator-test-{uuid.uuid4().hex[:12]}")
    assert server.listen()
    yield server
    server.close()


def second_start(name: str, path: Path | None) -> subprocess.Popen:
    """What `annotator FILE` does when Annotator already runs: in its own process."""
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from annotator.gui.single_instance import hand_off\n"
        "arg = sys.argv[2] or None\n"
        "sys.exit(0 if hand_off(Path(arg) if arg else None, sys.argv[1]) else 3)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, name, str(path) if path else ""],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_second_start_sends_its_file(server, qtbot, tmp_path) -> None:
    target = tmp_path / "Bridges #2.annotator"
    with qtbot.waitSignal(server.open_requested, timeout=30_000) as received:
        process = second_start(server.name, target)
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=30_000)
    assert process.returncode == 0, process.stderr.read()
    assert received.args == [str(target.resolve())]


def test_a_second_start_without_a_file_asks_to_come_forward(server, qtbot) -> None:
    with qtbot.waitSignal(server.open_requested, timeout=30_000) as received:
        process = second_start(server.name, None)
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=30_000)
    assert process.returncode == 0 and received.args == [""]


def test_nobody_listening_means_start_normally() -> None:
    assert not hand_off(Path("x.annotator"), f"annotator-none-{uuid.uuid4().hex[:12]}")


def test_a_stale_socket_left_by_a_crash_is_replaced(qtbot) -> None:
    name = f"annotator-test-{uuid.uuid4().hex[:12]}"
    if sys.platform != "win32":
        socket_file = socket_path(name)
        socket_file.write_text("left by a crashed instance")
    server = InstanceServer(name=name)
    try:
        assert server.listen()
    finally:
        server.close()


def test_the_name_is_per_user_and_settings_folder(monkeypatch, tmp_path) -> None:
    first = server_name()
    monkeypatch.setenv("ANNOTATOR_CONFIG_DIR", str(tmp_path / "other"))
    assert server_name() != first and server_name().startswith("annotator-")


def test_the_running_app_opens_the_handed_file(server, qtbot, tmp_path, monkeypatch) -> None:
    """As gui/app.run wires it: the request opens the file in the running window."""
    monkeypatch.setattr("annotator.gui.app.sample_project_path", lambda: tmp_path / "s.annotator")
    settings = Settings()
    settings.annotator_name = "Dana"
    app = Application(QApplication.instance(), settings)
    try:
        assert app.open_project(None)
        other = tmp_path / "other.annotator"
        from annotator.services.project import Project

        Project.create(other, annotator_name="Dana").close()
        server.open_requested.connect(lambda p: app.open_project(Path(p)) if p else None)
        with qtbot.waitSignal(server.open_requested, timeout=30_000):
            process = second_start(server.name, other)
        qtbot.waitUntil(lambda: app.window.session.project.path == other, timeout=30_000)
        process.wait(timeout=30)
        assert process.returncode == 0
    finally:
        if app.window is not None:
            app.window.close()
        app.shutdown()
