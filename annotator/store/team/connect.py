"""Connections to the team database: URLs without secrets, one-line errors, offline detection.

Credentials never travel in Annotator's files: libpq finds them itself (~/.pgpass, a service
file, PGPASSWORD, PGSSLCERT...). A password typed into a URL is used for that connection only
and stripped from anything kept (`public_url`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from annotator.domain.wording import quoted
from annotator.store.team import TeamError, TeamOffline, require_driver


def public_url(url: str) -> str:
    """The URL without its password (in the user part or a `password=` parameter): what the
    project file may keep."""
    parts = urlsplit(url)
    query = "&".join(
        p for p in parts.query.split("&") if p and not p.lower().startswith("password=")
    )
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.rsplit("@", 1)[1]
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
    rebuilt = f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
    return rebuilt + (f"#{parts.fragment}" if parts.fragment else "")


def check_url(url: str) -> str:
    url = url.strip()
    if not url.startswith(("postgresql://", "postgres://")):
        raise TeamError(f"{quoted(url)} is not a PostgreSQL URL (postgresql://host/database)")
    return url


@lru_cache(maxsize=8)
def _engine(url: str) -> Any:
    """One engine per URL for the process: the dialect learns the server (version, settings:
    several round trips) on its first connection only; NullPool keeps no connection open."""
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
    require_driver()
    import psycopg
    from sqlalchemy.exc import DBAPIError, OperationalError

    try:
        connection = _engine(url).connect()
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


def raw(connection: Any) -> Any:
    """The psycopg connection under a SQLAlchemy one (COPY, server-side cursors)."""
    return connection.connection.driver_connection
