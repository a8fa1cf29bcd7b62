"""Push: a project's changed rows into the team database, by the merge rules, in one
transaction.

Each row is an idempotent upsert keyed like a merge keys it (documents by text hash, schema
items by key, the rest by uuid). The server's version is read first (FOR UPDATE) and ours is
written only where a merge would take it: the later `modified`, ties to the higher-ranked
content (store.merge_annotations.rank), the earlier deletion. A row the server holds a
tombstone for is not brought back. Rows the member has no right to write are not sent (the
server's row security would refuse them anyway)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.store.merge_annotations import rank
from annotator.store.team.local import TABLES

#: Server columns of each table, in the shape of local.changed_rows.
COLUMNS = {
    "annotators": "uuid, name, identifier, created, modified",
    "tag_types": "uuid, key, label, kind, color, hotkey, guideline, position, created, modified, "
    "author_uuid",
    "link_types": "uuid, key, label, directed, color, guideline, position, created, modified, "
    "author_uuid, sources, targets",
    "attribute_defs": "uuid, owner, owner_key, key, label, value_type, choices, required, "
    "default_value, guideline, position, created, modified, author_uuid",
    "documents": "uuid, sha256, title, text, author, outlet, url, published, language, "
    "source_filename, source_encoding, extra, imported, created, modified, author_uuid",
    "entities": "uuid, name, kind, aliases, external_ids, note, created, modified, author_uuid",
    "spans": 'uuid, document_sha, annotator_uuid, tag_key, start, "end", fragments, quote, '
    "prefix, suffix, attributes, note, entity_uuid, created, modified",
    "links": "uuid, document_sha, link_type_key, source_uuid, target_uuid, annotator_uuid, "
    "attributes, note, created, modified",
    "statuses": "document_sha, annotator_uuid, uuid, status, modified",
    "tombstones": "uuid, kind, deleted, author_uuid",
    "history": "uuid, object_uuid, object_kind, action, summary, detail, annotator_uuid, at",
    "decisions": "document_sha, unit_kind, unit_key, uuid, verdict, gold_uuid, source_uuid, "
    "source_annotator_uuid, decided_by_uuid, decided",
}
#: The columns a row is matched on (the merge's keys), as positions in COLUMNS.
KEYS = {
    "tag_types": ("key", (1,)),
    "link_types": ("key", (1,)),
    "documents": ("sha256", (1,)),
    "statuses": ("document_sha, annotator_uuid", (0, 1)),
    "decisions": ("document_sha, unit_kind, unit_key", (0, 1, 2)),
}
#: Columns an update leaves alone (a document or schema item keeps the team's uuid).
_KEEP = {"uuid", "sha256", "text", "key"}


def _pairs(flat: list[int]) -> tuple:
    return tuple(zip(flat[::2], flat[1::2], strict=True))


#: The merge's order of two versions of a row (higher wins), per table.
RANKS: dict[str, Callable[[tuple], tuple]] = {
    "annotators": lambda r: rank((r[4], r[1], r[2], r[3])),
    "tag_types": lambda r: rank((r[9], *r[1:9], r[10])),
    "link_types": lambda r: rank((r[8], *r[1:8], r[9], tuple(r[10]), tuple(r[11]))),
    "attribute_defs": lambda r: rank((r[12], *r[1:12], r[13])),
    "documents": lambda r: rank((r[14], r[2], *r[4:14], r[15])),
    "entities": lambda r: rank((r[7], *r[1:7], r[8])),
    "spans": lambda r: rank((r[14], r[1], r[2], r[3], _pairs(list(r[6])), *r[7:14])),
    "links": lambda r: rank((r[9], *r[2:9])),
    "statuses": lambda r: rank((r[4], r[3], r[2])),
    "decisions": lambda r: (r[9], r[3]),
}


@dataclass
class Member:
    """Who pushes: their annotator uuid and kind (annotator, curator, owner)."""

    uuid: str
    kind: str

    def may_write_layer(self, layer: str | None) -> bool:
        return (
            self.kind == "owner"
            or layer == self.uuid
            or (layer == GOLD_ANNOTATOR_UUID and self.kind == "curator")
        )

    def may_push(self, table: str, row: tuple) -> bool:
        if self.kind == "owner":
            return True
        if table == "annotators":
            return self.may_write_layer(row[0])
        if table in ("tag_types", "link_types", "attribute_defs", "documents"):
            return False
        if table == "entities":
            return True
        if table in ("spans", "links"):
            return self.may_write_layer(row[2] if table == "spans" else row[5])
        if table == "statuses":
            return self.may_write_layer(row[1])
        if table == "tombstones":
            return row[3] == self.uuid and row[1] in ("span", "link", "entity")
        if table == "history":
            return self.may_write_layer(row[6])
        return self.kind == "curator"  # decisions


@dataclass
class PushResult:
    sent: dict[str, int] = field(default_factory=dict)  # rows written, by table
    older: int = 0  # rows the server holds a newer version of (the pull brings it)
    deleted_there: int = 0  # rows the server holds a tombstone for
    #: The change numbers this push's rows took (first, last]: a pull need not read them back.
    own: tuple[int, int] = (0, 0)


def push(
    connection: Any,
    rows: dict[str, list[tuple]],
    member: Member,
    progress: Callable[[str], None] | None = None,
) -> PushResult:
    """Write rows (local.changed_rows) the merge rules let win, in one transaction on
    `connection` (a psycopg connection; none is opened when there is nothing to send);
    progress(text) before each table."""
    mine = {t: [r for r in rows.get(t, ()) if member.may_push(t, r)] for t in TABLES}
    if not any(mine.values()):
        return PushResult()  # nothing to send: no transaction, no wait for the writers' turn
    with connection.transaction():
        return _push(connection.cursor(), mine, progress)


def _push(
    cursor: Any, mine: dict[str, list[tuple]], progress: Callable[[str], None] | None
) -> PushResult:
    result = PushResult()
    cursor.execute("SELECT pg_advisory_xact_lock(1095650895)")  # writers in turn (see trigger)
    cursor.execute("SELECT team.last_seq()")
    (first,) = cursor.fetchone()
    tombstoned = _tombstoned(cursor, mine)
    for table in TABLES:
        candidates = mine[table]
        if not candidates:
            continue
        if progress is not None:
            progress(f"Pushing {table.replace('_', ' ')}")
        if table in ("entities", "documents", "spans", "links"):
            kept = [r for r in candidates if r[0] not in tombstoned]
            result.deleted_there += len(candidates) - len(kept)
            candidates = kept
        winners = _winners(cursor, table, candidates, result)
        if winners:
            _write(cursor, table, winners)
            result.sent[table] = len(winners)
    gone = {kind: [r[0] for r in mine["tombstones"] if r[1] == kind] for kind in ("span", "link")}
    for kind, uuids in gone.items():
        if uuids:
            cursor.execute(f"DELETE FROM team.{kind}s WHERE uuid = ANY(%s)", (uuids,))
    cursor.execute("SELECT team.last_seq()")
    result.own = (first, cursor.fetchone()[0])
    return result


def _tombstoned(cursor: Any, rows: dict[str, list[tuple]]) -> set[str]:
    uuids = [r[0] for t in ("entities", "documents", "spans", "links") for r in rows[t]]
    if not uuids:
        return set()
    cursor.execute("SELECT uuid FROM team.tombstones WHERE uuid = ANY(%s)", (uuids,))
    return {u for (u,) in cursor}


def _key(table: str, row: tuple) -> tuple:
    return tuple(row[i] for i in KEYS.get(table, ("uuid", (0,)))[1])


def _winners(cursor: Any, table: str, rows: list[tuple], result: PushResult) -> list[tuple]:
    """Our rows that win over the server's versions (all of them where it has none)."""
    if table == "history":
        return rows
    names, positions = KEYS.get(table, ("uuid", (0,)))
    ours = {_key(table, r): r for r in rows}  # one version per key (the last read)
    arrays = [list({k[n] for k in ours}) for n in range(len(positions))]
    if len(positions) == 1:
        where = f"{names} = ANY(%s)"
    else:
        where = f"({names}) IN (SELECT * FROM unnest({', '.join(['%s::text[]'] * len(arrays))}))"
    cursor.execute(f"SELECT {COLUMNS[table]} FROM team.{table} WHERE {where} FOR UPDATE", arrays)
    theirs = {_key(table, r): r for r in cursor}
    winners = []
    for key, row in ours.items():
        there = theirs.get(key)
        if there is None:
            winners.append(row)
        elif table == "tombstones":
            if rank((row[2], row[3])) < rank((there[2], there[3])):
                winners.append(row)  # the earlier deletion is kept
        elif table == "spans" and there[1] != row[1]:
            result.older += 1  # in another document there: a merge leaves it alone too
        elif RANKS[table](row) > RANKS[table](there):
            winners.append(row)
        elif tuple(row) != tuple(there):
            result.older += 1
    return winners


#: From this many rows on, a table's rows go by COPY into a temporary table, then one upsert.
COPY_FROM = 200


def _write(cursor: Any, table: str, rows: list[tuple]) -> None:
    if len(rows) < COPY_FROM:
        cursor.executemany(_upsert(table), rows)
        return
    columns = COLUMNS[table]
    incoming = f"incoming_{table}"
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {incoming} "
        f"(LIKE team.{table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    with cursor.copy(f"COPY {incoming} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(_upsert(table, f"SELECT {columns} FROM {incoming}"))


def _upsert(table: str, source: str | None = None) -> str:
    columns = [c.strip() for c in COLUMNS[table].split(",")]
    conflict = KEYS.get(table, ("uuid", ()))[0]
    values = source or f"VALUES ({', '.join(['%s'] * len(columns))})"
    insert = f"INSERT INTO team.{table} ({', '.join(columns)}) {values} "
    if table == "history":
        return insert + "ON CONFLICT (uuid) DO NOTHING"
    update = ", ".join(f"{c} = excluded.{c}" for c in columns if c.strip('"') not in _KEEP)
    return insert + f"ON CONFLICT ({conflict}) DO UPDATE SET {update}"
