"""Setup for every test: the per-user identity file lives in a per-test temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.services.identity import CONFIG_DIR_VARIABLE


@pytest.fixture(autouse=True)
def isolated_identity(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> Path:
    """Point the identity folder (services/identity) at a fresh folder, so no test reads or
    writes the real user's identity file and no two tests share who "I" am. Set in the
    environment, so CLI subprocesses a test starts inherit it."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(folder))
    return folder
