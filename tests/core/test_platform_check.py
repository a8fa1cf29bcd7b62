"""The launcher's check that Qt's platform plugin can load, before Qt starts (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import platform_check as check

# What `ldd libqxcb.so` printed on the Debian machine of issue 14 (abridged).
LDD_MISSING = """\
\tlinux-vdso.so.1 (0x00007ffd0c5f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f1c)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f1c2c)
\tlibxcb-icccm.so.4 => not found
"""
LDD_FINE = "\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f1c2c)\n"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


@pytest.fixture
def x11(monkeypatch: pytest.MonkeyPatch) -> None:
    """An X11 session without a platform chosen, and libxcb-cursor present."""
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(check, "_loads", lambda _library: True)


def test_missing_xcb_libraries_give_one_line_with_the_install_commands(x11) -> None:
    line = check.platform_problem(ldd=lambda _plugin: LDD_MISSING)
    assert line == (
        "Qt's xcb platform plugin needs libxcb-icccm.so.4, libxcb-keysyms.so.1, missing here; "
        "install with `sudo apt install libxcb-icccm4 libxcb-keysyms1` (Debian/Ubuntu), "
        "`sudo dnf install xcb-util-wm xcb-util-keysyms` (Fedora) or "
        "`sudo pacman -S xcb-util-wm xcb-util-keysyms` (Arch)"
    )
    assert "\n" not in line


def test_the_dlopened_cursor_library_is_checked_too(x11, monkeypatch) -> None:
    """Qt >= 6.5 loads libxcb-cursor at run time, so ldd never lists it (the issue's message)."""
    monkeypatch.setattr(check, "_loads", lambda library: library != "libxcb-cursor.so.0")
    line = check.platform_problem(ldd=lambda _plugin: LDD_FINE)
    assert "needs libxcb-cursor.so.0" in line and "sudo apt install libxcb-cursor0" in line


def test_a_library_without_a_known_package_is_still_named(x11) -> None:
    line = check.platform_problem(ldd=lambda _plugin: "\tlibfoo.so.3 => not found\n")
    assert line.endswith("; find the package that provides libfoo.so.3 for your system")


def test_nothing_to_say_when_everything_loads(x11) -> None:
    assert check.platform_problem(ldd=lambda _plugin: LDD_FINE) is None
    assert check.platform_problem(ldd=lambda _plugin: None) is None  # no ldd: let Qt try


def test_no_display_is_said_plainly(x11, monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY")
    line = check.platform_problem(ldd=lambda _plugin: LDD_FINE)
    assert line.startswith("no X display")


@pytest.mark.parametrize("platform", ["offscreen", "minimal", "vnc:size=800x600"])
def test_a_headless_platform_is_not_checked(x11, monkeypatch, platform) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", platform)
    assert check.platform_problem(ldd=lambda _plugin: LDD_MISSING) is None


def test_a_wayland_session_that_can_load_wayland_starts(x11, monkeypatch) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    seen: list[str] = []

    def ldd(plugin: Path) -> str:
        seen.append(plugin.name)
        return LDD_FINE if plugin.name == "libqwayland.so" else LDD_MISSING

    assert check.platform_problem(ldd=ldd) is None
    assert seen == ["libqwayland.so"]


def test_the_launcher_prints_the_line_and_exits_non_zero(tmp_path: Path) -> None:
    """The real `python -m annotator` with a fake `ldd` first on PATH: no Qt abort (134), one
    line on stderr, exit status 1."""
    fake = tmp_path / "bin" / "ldd"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\ncat <<'EOF'\n" + LDD_MISSING + "EOF\n")
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(PATH=f"{fake.parent}{os.pathsep}{env.get('PATH', '')}", DISPLAY=":97")
    result = subprocess.run(
        [sys.executable, "-m", "annotator"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("annotator: the desktop app cannot start: Qt's xcb platform plugin")
    assert "libxcb-icccm.so.4" in lines[0] and "sudo apt install" in lines[0]
    assert "sudo dnf install" in lines[0] and "sudo pacman -S" in lines[0]
