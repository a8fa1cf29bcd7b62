"""Connections to the team database: URLs without secrets, one-line errors, offline detection.

Credentials never travel in Annotator's files: libpq finds them itself (~/.pgpass, a service
file, PGPASSWORD, PGSSLCERT...). A password typed into a URL is used for that connection only
and stripped from anything kept (`public_url`).

Two kinds: `connect` (SQLAlchemy on psycopg: set-up, migrations, membership) and
`plain_connect` (psycopg alone, what a sync needs): a sync imports neither SQLAlchemy's
PostgreSQL dialect nor pays its first-connection round trips, and a window keeps its
connection between syncs (`KeptConnection`)."""

from __future__ import annotations

import threading
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


def preload_driver() -> None:
    """Start importing psycopg on a background thread (about 80 ms of Python), for a caller
    that is about to do other work first: `annotator sync` starts it before it opens the
    project, whose open checklist (SQLite's checks, the file's hash) runs mostly outside the
    GIL, so the import costs the command little or nothing. A failed import is left for
    `require_driver` to report on the sync's own path."""
    import sys

    if "psycopg" in sys.modules:
        return

    def load() -> None:
        with suppress(Exception):
            import psycopg  # noqa: F401

    threading.Thread(target=load, name="annotator-psycopg-import", daemon=True).start()


#: TCP settings of a plain connection unless its URL sets them: a kept connection whose
#: server vanished without a word (a laptop that slept, a dropped route) is found dead while
#: idle, and a statement sent on one fails within half a minute instead of hanging.
_TCP_DEFAULTS = {"keepalives": "1", "keepalives_idle": "60", "keepalives_interval": "10",
                 "keepalives_count": "3", "tcp_user_timeout": "30000"}  # fmt: skip


def _open_plain(url: str) -> Any:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:  # libpq reads the URL itself (postgresql:// or postgres://, its query parameters)
        params = conninfo_to_dict(check_url(url))
    except psycopg.Error as error:
        raise TeamError(f"{quoted(public_url(url))}: {one_line(error)}") from None
    for key, value in _TCP_DEFAULTS.items():
        params.setdefault(key, value)
    try:
        return psycopg.connect(**params, autocommit=True)
    except psycopg.OperationalError as error:
        raise TeamOffline(f"cannot reach the team database: {one_line(error)}") from None
    except psycopg.Error as error:
        raise TeamError(f"the team database refused: {one_line(error)}") from None


def _alive(connection: Any) -> bool:
    """Whether a kept connection still looks usable, without a round trip: not closed, idle,
    and nothing (such as the server's goodbye on a restart) waiting on its socket that says
    otherwise."""
    from psycopg import pq

    if connection.closed or connection.broken:
        return False
    try:
        connection.pgconn.consume_input()  # reads what already arrived; never blocks
    except Exception:  # the socket is closed or in error: libpq marks the connection bad
        return False
    return (
        connection.pgconn.status == pq.ConnStatus.OK
        and connection.info.transaction_status == pq.TransactionStatus.IDLE
    )


class KeptConnection:
    """One plain connection kept between syncs (a window keeps one): a sync then costs its
    statements, not a new connection (a TLS handshake to a remote server). Used by one sync
    at a time; `close` when the window closes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url = ""
        self._connection: Any = None

    def take(self, url: str) -> Any:
        """The kept connection to url if it is still usable (else None); it is the caller's
        until `give_back`."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None and (self._url != url or not _alive(connection)):
            _close_quietly(connection)
            connection = None
        return connection

    def give_back(self, url: str, connection: Any) -> None:
        with self._lock:
            old, self._connection, self._url = self._connection, connection, url
        if old is not None:
            _close_quietly(old)

    def close(self) -> None:
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            _close_quietly(connection)


def _close_quietly(connection: Any) -> None:
    import psycopg

    with suppress(psycopg.Error, OSError):
        connection.close()


class PlainSession:
    """A psycopg connection (autocommit: each `transaction()` is one) and whether it was kept
    from an earlier sync (a kept one may have died unnoticed: see `reconnect`)."""

    def __init__(self, url: str, keep: KeptConnection | None) -> None:
        self.url, self.keep = url, keep
        self.connection = keep.take(url) if keep is not None else None
        self.reused = self.connection is not None
        if self.connection is None:
            self.connection = _open_plain(url)

    def reconnect(self) -> Any:
        """A fresh connection in place of a kept one that failed its first statement."""
        _close_quietly(self.connection)
        self.connection, self.reused = None, False
        self.connection = _open_plain(self.url)
        return self.connection


@contextmanager
def plain_connect(url: str, keep: KeptConnection | None = None) -> Iterator[PlainSession]:
    """A plain psycopg session on the team database (the kept connection when it is still
    usable); the same one-line errors as `connect`. A connection that ends cleanly and idle
    goes back to `keep`; any other is closed."""
    require_driver()
    import psycopg
    from psycopg import pq

    session = PlainSession(url, keep)
    clean = False
    try:
        yield session
        clean = True
    except psycopg.OperationalError as error:
        raise TeamOffline(f"lost the team database: {one_line(error)}") from None
    except psycopg.Error as error:
        raise TeamError(f"the team database refused: {one_line(error)}") from None
    finally:
        connection = session.connection
        idle = (
            connection is not None
            and not connection.closed
            and connection.info.transaction_status == pq.TransactionStatus.IDLE
        )
        if clean and idle and keep is not None:
            keep.give_back(url, connection)
        elif connection is not None:
            _close_quietly(connection)
