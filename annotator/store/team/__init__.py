"""The team database: a shared PostgreSQL hub every member's project file syncs with.

Only this package speaks to PostgreSQL (SQLAlchemy Core on the psycopg 3 driver, schema under
Alembic migrations kept in `migrations/`). The drivers are an optional extra
(`pip install 'annotator[team]'`); `require_driver` says so in one line when they are missing.
"""

from __future__ import annotations

from annotator.errors import AnnotatorError


class TeamError(AnnotatorError):
    """The team database refused something, or the project is not set up for it."""


class TeamOffline(TeamError):
    """The team database cannot be reached (no network, server down, connection lost)."""


def require_driver() -> None:
    """Refuse, in one line, when the optional team drivers are not installed. Alembic is
    only looked for, not imported (its import costs ~0.7 s; only `team init` runs it)."""
    from importlib.util import find_spec

    def absent(name: str) -> bool:
        try:
            return find_spec(name) is None
        except (ImportError, ValueError):  # a finder that refuses it; a module set to None
            return True

    missing = next((name for name in ("psycopg", "alembic") if absent(name)), None)
    if missing is not None:
        raise TeamError(
            f"team sync needs the optional drivers ({missing} is missing): "
            "pip install 'annotator[team]'"
        )
