"""Fixtures of the team tests: one PostgreSQL server per session, a fresh database per test."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))

from pg_server import Server, find_binaries, start_server


@pytest.fixture(scope="session")
def pg() -> Server:
    if find_binaries() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
    server = start_server()
    yield server
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def team_db(pg: Server) -> str:
    """A fresh, empty database's name."""
    return pg.new_database()
