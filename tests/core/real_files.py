"""Where the real files other tools wrote live (../shared/formats/real from the repo root), and a
skip with the reason when they are absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "formats" / "real"
SCHEMAS = REAL.parent


def real_file(relative: str) -> Path:
    path = REAL / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (the real files from other tools are not on this machine)")
    return path
