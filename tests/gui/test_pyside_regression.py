"""Regression guard: PySide6 6.12.0 leaked a reference to None per void call (fatal on 3.11)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from PySide6 import __version__ as pyside_version

CHECK = textwrap.dedent(
    """
    import os, sys
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QPlainTextEdit
    app = QApplication([])
    edit = QPlainTextEdit()
    before = sys.getrefcount(None)
    for i in range(20_000):
        edit.setReadOnly(i % 2 == 0)
    drift = before - sys.getrefcount(None)
    print(drift)
    """
)


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def test_installed_pyside_is_not_the_crashing_build_on_python_311() -> None:
    if sys.version_info < (3, 12):
        assert _version_tuple(pyside_version) < (6, 12), (
            f"PySide6 {pyside_version} aborts Python 3.11 (none_dealloc); pyproject pins < 6.12"
        )


def test_twenty_thousand_void_calls_keep_none_alive() -> None:
    """The reproduction from the issue, in a child process so a crash cannot kill the run."""
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    drift = int(result.stdout.strip().splitlines()[-1])
    if sys.version_info >= (3, 12):
        pytest.skip(f"None is immortal on Python {sys.version_info[:2]} (drift {drift} harmless)")
    assert abs(drift) < 100, f"None lost {drift} references over 20,000 calls"
