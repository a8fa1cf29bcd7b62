"""Setup for every test: the per-user identity file lives in a per-test temp folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from annotator.services.identity import CONFIG_DIR_VARIABLE

_SESSION_CONFIG: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Point the per-user folders at a throwaway folder before any fixture runs: a module- or
    session-scoped fixture that opens and closes a project runs before the per-test
    `isolated_identity` below, and would otherwise write the real user's close record
    (~/.local/state/Annotator/closed-projects.json)."""
    global _SESSION_CONFIG
    _SESSION_CONFIG = tempfile.mkdtemp(prefix="annotator-test-config-")
    os.environ[CONFIG_DIR_VARIABLE] = _SESSION_CONFIG


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_CONFIG:
        shutil.rmtree(_SESSION_CONFIG, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_identity(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> Path:
    """Point the identity folder (services/identity) at a fresh folder, so no test reads or
    writes the real user's identity file and no two tests share who "I" am. Set in the
    environment, so CLI subprocesses a test starts inherit it."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(folder))
    return folder
