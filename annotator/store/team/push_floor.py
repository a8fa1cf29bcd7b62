"""Lower a team's push mark when a merge or an import writes rows older than it.

A push sends the rows modified at or after the last push's time (or inserted since). A merge
or an import can write a row a colleague changed before that time but after my version: newer
than mine, so the merge takes it, yet older than the mark, so no push would ever send it.
While `lowering_push_mark` is active, TEMP triggers note the oldest such time, and at the end
the mark is moved back to it (in the same transaction), so the next push sends those rows.
The team's own pull merges without it: what it brings is already on the server."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import orjson

from annotator.store.team.local import LOCAL, read_link, write_link

_TABLE = "_push_floor"
_MARK = f"temp.{_TABLE}"


def _timed_tables() -> list[tuple[str, str]]:
    return [(local, column) for local, column in LOCAL.values() if column is not None]


@contextmanager
def lowering_push_mark(connection: sqlite3.Connection) -> Iterator[None]:
    """Inside the caller's write transaction: after the block, move a team link's push time
    back to the oldest row time written below it. Nothing happens without a team link."""
    link = _link(connection)
    at = link.get("pushed_at") if link is not None else None
    if not isinstance(at, str) or not at:
        yield
        return
    connection.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_TABLE} (at TEXT, floor TEXT)")
    connection.execute(f"DELETE FROM {_MARK}")
    connection.execute(f"INSERT INTO {_MARK} (at, floor) VALUES (?, NULL)", (at,))
    names = []
    for table, column in _timed_tables():
        for event in ("INSERT", "UPDATE"):
            name = f"_push_floor_{table}_{event.lower()}"
            names.append(name)
            connection.execute(
                f"CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {event} ON main.{table} "
                f"WHEN NEW.{column} < (SELECT at FROM {_MARK}) BEGIN "
                f"UPDATE {_TABLE} SET floor = min(coalesce(floor, NEW.{column}), NEW.{column}); "
                "END"
            )
    try:
        yield
    except BaseException:
        _drop(connection, names, quietly=True)  # the caller's rollback undoes the rest
        raise
    floor = connection.execute(f"SELECT floor FROM {_MARK}").fetchone()[0]
    _drop(connection, names)
    if floor is not None and floor < at:
        assert link is not None
        write_link(connection, orjson.dumps(link | {"pushed_at": floor}).decode("utf-8"))


def _drop(connection: sqlite3.Connection, names: list[str], quietly: bool = False) -> None:
    try:
        for name in names:
            connection.execute(f"DROP TRIGGER IF EXISTS temp.{name}")
        connection.execute(f"DROP TABLE IF EXISTS {_MARK}")
    except sqlite3.Error:
        if not quietly:
            raise


def _link(connection: sqlite3.Connection) -> dict | None:
    """The team link's fields; None without a link (or a damaged one: sync says so)."""
    text = read_link(connection)
    if text is None:
        return None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None
