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
    """Refuse, in one line, when the optional team drivers are not installed."""
    try:
        import alembic  # noqa: F401
        import psycopg  # noqa: F401
    except ImportError as error:
        raise TeamError(
            f"team sync needs the optional drivers ({error.name} is missing): "
            "pip install 'annotator[team]'"
        ) from None
