"""Where the bundled files live: inside the installed package, or at the top of a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = _PACKAGE_DIR.parent


def schema_sql_path() -> Path:
    """schema.sql: the wheel carries it as annotator/schema.sql; a checkout has it at the top."""
    for candidate in (_PACKAGE_DIR / "schema.sql", _CHECKOUT_DIR / "schema.sql"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("schema.sql is missing from this installation")


def resource_path(name: str) -> Path:
    """A file from resources/ (annotator/resources/ in an installed wheel)."""
    for base in (_PACKAGE_DIR / "resources", _CHECKOUT_DIR / "resources"):
        candidate = base / name
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"resource {name!r} is missing from this installation")
