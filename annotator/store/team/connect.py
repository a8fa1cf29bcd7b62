"""Connections to the team database: URLs without secrets, one-line errors, offline detection.

Credentials never travel in Annotator's files: libpq finds them itself (~/.pgpass, a service
file, PGPASSWORD, PGSSLCERT...). A password typed into a URL is used for that connection only
and stripped from anything kept (`public_url`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from annotator.store.team import TeamError, TeamOffline, require_driver


def public_url(url: str) -> str:
    """The URL without its password: what the project file may keep."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, f"{user}{host}", parts.path, parts.query, parts.fragment))


def check_url(url: str) -> str:
    url = url.strip()
    if not url.startswith(("postgresql://", "postgres://")):
        raise TeamError(f"{url!r} is not a PostgreSQL URL (postgresql://host/database)")
    return url


def _engine(url: str) -> Any:
    require_driver()
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    rest = check_url(url).split("://", 1)[1]
    return create_engine(f"postgresql+psycopg://{rest}", poolclass=NullPool)


def one_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return text[0] if text else type(error).__name__


@contextmanager
def connect(url: str, *, autocommit: bool = False) -> Iterator[Any]:
    """A SQLAlchemy connection to the team database; errors of reaching it raise TeamOffline,
    errors the server reports raise TeamError, each in one line."""
    import psycopg
    from sqlalchemy.exc import DBAPIError, OperationalError

    engine = _engine(url)
    try:
        try:
            connection = engine.connect()
        except OperationalError as error:
            raise TeamOffline(f"cannot reach the team database: {one_line(error)}") from None
        try:
            if autocommit:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection
        except (OperationalError, psycopg.OperationalError) as error:
            raise TeamOffline(f"lost the team database: {one_line(error)}") from None
        except (DBAPIError, psycopg.Error) as error:
            raise TeamError(f"the team database refused: {one_line(error)}") from None
        finally:
            with suppress(DBAPIError, psycopg.Error):  # a connection the server dropped
                connection.close()
    finally:
        engine.dispose()


def raw(connection: Any) -> Any:
    """The psycopg connection under a SQLAlchemy one (COPY, server-side cursors)."""
    return connection.connection.driver_connection
