"""Pull: the team database's rows changed since a sequence number, streamed (server-side
cursors, one consistent snapshot) into a project file for the merge machinery.

Rows that changed rows refer to (a span's document, a link's endpoints) are taken from our
own project where it has them, else fetched from the server, so a pull carries little more
than what changed. The schema and the annotators are small and always come whole."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.store.team.local import rows_where
from annotator.store.team.push import COLUMNS
from annotator.store.team.snapshot import Snapshot

#: progress(done, total, text) → False to cancel (the GUI's progress dialog callback).
Progress = Callable[[int, int, str], bool | None]
DELTA = ("documents", "entities", "spans", "links", "statuses", "tombstones", "history",
         "decisions")  # fmt: skip
BATCH = 5000


@dataclass
class PullResult:
    last_seq: int = 0
    rows: int = 0  # changed rows read from the server
    refused: list[str] = field(default_factory=list)
    blind: bool = False
    gold_released: bool = False


class _Puller:
    def __init__(self, server: Any, snapshot: Snapshot, local: sqlite3.Connection | None):
        self.server, self.snapshot, self.local = server, snapshot, local

    def _fetch(self, table: str, column: str, values: list) -> list[tuple]:
        """Rows of ours (when we have them) or else the server's, by column."""
        found = rows_where(self.local, table, column, values) if self.local is not None else []
        key = {"sha256": 1}.get(column, 0)
        missing = sorted(set(values) - {row[key] for row in found})
        if missing:
            server_column = {"sha256": "sha256"}.get(column, "uuid")
            cursor = self.server.cursor()
            cursor.execute(
                f"SELECT {COLUMNS[table]} FROM team.{table} WHERE {server_column} = ANY(%s)",
                (missing,),
            )
            found += cursor.fetchall()
        return found

    def documents(self, shas: set) -> None:
        missing = [s for s in shas if s is not None and s not in self.snapshot.documents]
        if missing:
            for row in self._fetch("documents", "sha256", missing):
                self.snapshot.document(row)

    def entities(self, uuids: set) -> None:
        missing = [u for u in uuids if u is not None and u not in self.snapshot.entities]
        if missing:
            for row in self._fetch("entities", "uuid", missing):
                if row[0] not in self.snapshot.entities:
                    self.snapshot.entity(row)

    def spans(self, uuids: set) -> None:
        missing = [u for u in uuids if u not in self.snapshot.spans]
        if missing:
            rows = self._fetch("spans", "uuid", missing)
            self.documents({r[1] for r in rows})
            self.entities({r[12] for r in rows})
            for row in rows:
                if row[0] not in self.snapshot.spans:
                    self.snapshot.span(row)

    def batch(self, table: str, rows: list[tuple]) -> None:
        snapshot = self.snapshot
        if table in ("spans", "links"):
            self.documents({r[1] for r in rows})
        elif table in ("statuses", "decisions"):
            self.documents({r[0] for r in rows})
        if table == "spans":
            self.entities({r[12] for r in rows})
        if table == "links":
            self.spans({u for r in rows for u in (r[3], r[4])})
        write = {
            "documents": snapshot.document,
            "entities": snapshot.entity,
            "spans": snapshot.span,
            "links": snapshot.link,
            "statuses": snapshot.status,
            "tombstones": snapshot.tombstone,
            "history": snapshot.history,
            "decisions": snapshot.decision,
        }[table]
        seen = {"entities": snapshot.entities, "spans": snapshot.spans}.get(table)
        for row in rows:
            if seen is None or row[0] not in seen:
                write(row)


#: Rows above the last pulled number, but not those our own push just wrote (first, last].
NEW = "seq > %s AND NOT (seq > %s AND seq <= %s)"


def _anything_since(cursor: Any, since: int, own: tuple[int, int]) -> bool:
    """Whether any table holds a row we may read above `since` that is not our own push's.

    First the sequence itself (no table read): when it handed out no number past `since`
    other than our own push's, nothing changed. Else one probe per table, written as
    ORDER BY seq LIMIT 1 so the planner walks the seq index (an EXISTS made it scan every row
    through the row-security filter: 80 ms at 100,000 spans)."""
    cursor.execute("SELECT team.last_seq()")
    (last,) = cursor.fetchone()
    if last <= since or (own[0] <= since and last <= own[1]):
        return False
    tables = ("annotators", "tag_types", "link_types", "attribute_defs", *DELTA)
    cursor.execute(
        "SELECT "
        + " OR ".join(
            f"EXISTS (SELECT 1 FROM (SELECT seq FROM team.{t} WHERE {NEW} ORDER BY seq LIMIT 1) x)"
            for t in tables
        ),
        (since, *own) * len(tables),
    )
    return bool(cursor.fetchone()[0])


def pull(
    server: Any,
    path: Path,
    since: int,
    local: sqlite3.Connection | None = None,
    progress: Progress | None = None,
    own: tuple[int, int] = (0, 0),
) -> PullResult:
    """Write the rows changed after `since` into a new project file at path; the caller's
    transaction on `server` (a psycopg connection) should be REPEATABLE READ. `own`: the
    change numbers of our own push just before, which hold nothing new to us."""
    result = PullResult(last_seq=max(since, own[1]))
    cursor = server.cursor()
    cursor.execute("SELECT blind, gold_released, seq FROM team.settings WHERE id = 1")
    settings = cursor.fetchone()
    if settings is not None:
        result.blind, result.gold_released = settings[0], settings[1]
        result.last_seq = max(result.last_seq, settings[2])
    if not _anything_since(cursor, since, own):
        return result  # nothing new: no file to build, nothing to merge (a no-op sync)
    snapshot = Snapshot(path)
    try:
        for table, order, write in (
            ("annotators", "uuid", snapshot.annotator),
            ("tag_types", "position, key", snapshot.tag_type),
            ("link_types", "position, key", snapshot.link_type),
            ("attribute_defs", "position, key", snapshot.attribute_def),
        ):
            cursor.execute(f"SELECT {COLUMNS[table]}, seq FROM team.{table} ORDER BY {order}")
            for row in cursor.fetchall():
                result.last_seq = max(result.last_seq, row[-1])
                result.rows += row[-1] > since and not own[0] < row[-1] <= own[1]
                write(row[:-1])
        puller = _Puller(server, snapshot, local)
        for index, table in enumerate(DELTA):
            if progress is not None and progress(index, len(DELTA), f"Pulling {table}") is False:
                raise InterruptedError("pull cancelled")
            named = server.cursor(name=f"pull_{table}")
            named.itersize = BATCH
            named.execute(
                f"SELECT {COLUMNS[table]}, seq FROM team.{table} WHERE {NEW} ORDER BY seq",
                (since, *own),
            )
            while batch := named.fetchmany(BATCH):
                result.last_seq = max(result.last_seq, batch[-1][-1])
                result.rows += len(batch)
                puller.batch(table, [row[:-1] for row in batch])
            named.close()
        snapshot.finish()
    except BaseException:
        snapshot.abandon()
        raise
    result.refused = snapshot.refused
    return result
