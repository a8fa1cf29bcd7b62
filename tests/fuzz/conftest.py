"""The fuzzers share the core tests' builders (rich projects, hostile files): put them on the
path before the fuzz modules are collected."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
