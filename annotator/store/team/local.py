"""A project file's rows in the team database's shape: what a push sends.

Rows name documents by text hash, schema items by key and the rest by uuid, like the server's.
`changed_rows` reads only what changed since the last push: rows modified at or after the
push mark, or inserted since (a merge brings rows with older modified times)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Tables a push reads, in the order they are sent (referenced rows first).
TABLES = (
    "annotators",
    "tag_types",
    "link_types",
    "attribute_defs",
    "documents",
    "entities",
    "spans",
    "links",
    "statuses",
    "tombstones",
    "history",
    "decisions",
)
#: The local table (and its "changed since" column) behind each pushed table.
LOCAL = {
    "annotators": ("annotators", "modified"),
    "tag_types": ("tag_types", "modified"),
    "link_types": ("link_types", "modified"),
    "attribute_defs": ("attribute_defs", "modified"),
    "documents": ("documents", "modified"),
    "entities": ("entities", "modified"),
    "spans": ("spans", "modified"),
    "links": ("links", "modified"),
    "statuses": ("document_status", "modified"),
    "tombstones": ("tombstones", "deleted"),
    "history": ("history", None),  # append-only: new rows only
    "decisions": ("decisions", "decided"),
}

_PERSON = "(SELECT uuid FROM annotators WHERE id = {})"
_SHA = "(SELECT sha256 FROM documents WHERE id = {})"
_QUERIES = {
    "annotators": "SELECT x.uuid, x.name, x.identifier, x.created, x.modified FROM annotators x",
    "tag_types": "SELECT x.uuid, x.key, x.label, x.kind, x.color, x.hotkey, x.guideline, "
    f"x.position, x.created, x.modified, {_PERSON.format('x.author_id')} FROM tag_types x",
    "link_types": "SELECT x.uuid, x.key, x.label, x.directed, x.color, x.guideline, x.position, "
    f"x.created, x.modified, {_PERSON.format('x.author_id')}, x.id FROM link_types x",
    "attribute_defs": "SELECT x.uuid, CASE WHEN x.tag_type_id IS NULL THEN 'link' ELSE 'tag' END, "
    "coalesce((SELECT key FROM tag_types WHERE id = x.tag_type_id), "
    "(SELECT key FROM link_types WHERE id = x.link_type_id)), x.key, x.label, x.value_type, "
    "x.choices, x.required, x.default_value, x.guideline, x.position, x.created, x.modified, "
    f"{_PERSON.format('x.author_id')} FROM attribute_defs x",
    "documents": "SELECT x.uuid, x.sha256, x.title, x.text, x.author, x.outlet, x.url, "
    "x.published, x.language, x.source_filename, x.source_encoding, x.extra, x.imported, "
    f"x.created, x.modified, {_PERSON.format('x.author_id')} FROM documents x",
    "entities": "SELECT x.uuid, x.name, x.kind, x.aliases, x.external_ids, x.note, x.created, "
    f"x.modified, {_PERSON.format('x.author_id')} FROM entities x",
    "spans": f"SELECT x.uuid, {_SHA.format('x.document_id')}, {_PERSON.format('x.annotator_id')}, "
    '(SELECT key FROM tag_types WHERE id = x.tag_type_id), x.start, x."end", x.id, x.quote, '
    "x.prefix, x.suffix, x.attributes, x.note, "
    "(SELECT uuid FROM entities WHERE id = x.entity_id), x.created, x.modified FROM spans x",
    "links": f"SELECT x.uuid, {_SHA.format('x.document_id')}, "
    "(SELECT key FROM link_types WHERE id = x.link_type_id), "
    "(SELECT uuid FROM spans WHERE id = x.source_span_id), "
    "(SELECT uuid FROM spans WHERE id = x.target_span_id), "
    f"{_PERSON.format('x.annotator_id')}, x.attributes, x.note, x.created, x.modified "
    "FROM links x",
    "statuses": f"SELECT {_SHA.format('x.document_id')}, {_PERSON.format('x.annotator_id')}, "
    "x.uuid, x.status, x.modified FROM document_status x",
    "tombstones": "SELECT x.uuid, x.kind, x.deleted, "
    f"{_PERSON.format('x.author_id')} FROM tombstones x",
    "history": "SELECT x.uuid, x.object_uuid, x.object_kind, x.action, x.summary, x.detail, "
    f"{_PERSON.format('x.annotator_id')}, x.at FROM history x",
    "decisions": f"SELECT {_SHA.format('x.document_id')}, x.unit_kind, x.unit_key, x.uuid, "
    "x.verdict, x.gold_uuid, x.source_uuid, "
    f"{_PERSON.format('x.source_annotator_id')}, {_PERSON.format('x.decided_by')}, x.decided "
    "FROM decisions x",
}


@dataclass
class PushMark:
    """Where the last push stopped: rows modified at or after `at`, or with a local row id
    above `ids[table]`, are new to the server."""

    at: str = ""
    ids: dict[str, int] = field(default_factory=dict)


def max_ids(connection: sqlite3.Connection) -> dict[str, int]:
    """The highest local row id of every pushed table (tombstones: their rowid)."""
    return {
        table: int(connection.execute(f"SELECT coalesce(max(rowid), 0) FROM {local}").fetchone()[0])
        for table, (local, _column) in LOCAL.items()
    }


def change_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Inserts and updates counted so far in each pushed table (format version 4's
    change_counters, kept by triggers), by pushed table name."""
    try:
        found = dict(connection.execute("SELECT table_name, changes FROM change_counters"))
    except sqlite3.OperationalError:  # an older file, read before its upgrade
        return {}
    return {table: found[local] for table, (local, _c) in LOCAL.items() if local in found}


def moved_tables(counts: dict[str, int], pushed: dict[str, int]) -> list[str]:
    """The tables that may hold rows new to the server: those whose count moved since the
    counts a push recorded (all of them where either count is unknown)."""
    return [t for t in TABLES if t not in counts or t not in pushed or counts[t] != pushed[t]]


def changed_rows(
    connection: sqlite3.Connection, mark: PushMark, tables: Iterable[str] = TABLES
) -> dict[str, list[tuple]]:
    """The rows of `tables` new to the server since `mark`, in the server's shape (each
    named table is read whole: a row's modified time and row id are not indexed)."""
    rows: dict[str, list[tuple]] = {}
    wanted = set(tables)
    for table in (t for t in TABLES if t in wanted):
        _local, column = LOCAL[table]
        where = "x.rowid > ?"
        params: list = [mark.ids.get(table, 0)]
        if column is not None and mark.at:
            where += f" OR x.{column} >= ?"
            params.append(mark.at)
        found = connection.execute(f"{_QUERIES[table]} WHERE {where}", params).fetchall()
        if found:
            rows[table] = found
    if "spans" in rows:
        rows["spans"] = _with_fragments(connection, rows["spans"])
    if "link_types" in rows:
        rows["link_types"] = _with_endpoints(connection, rows["link_types"])
    return rows


def _with_fragments(connection: sqlite3.Connection, spans: list[tuple]) -> list[tuple]:
    """Replace the local id (column 6) with the span's fragments, flattened."""
    many: dict[int, list[int]] = defaultdict(list)
    for span_id, start, end in connection.execute(
        'SELECT span_id, start, "end" FROM span_fragments WHERE span_id IN '
        "(SELECT span_id FROM span_fragments WHERE ordinal = 1) ORDER BY span_id, ordinal"
    ):
        many[span_id] += (start, end)
    return [(*row[:6], many.get(row[6]) or [row[4], row[5]], *row[7:]) for row in spans]


def _with_endpoints(connection: sqlite3.Connection, link_types: list[tuple]) -> list[tuple]:
    """Replace the local id (last column) with the allowed source and target tag keys."""
    ends: dict[tuple[int, str], list[str]] = defaultdict(list)
    for link_type_id, role, key in connection.execute(
        "SELECT e.link_type_id, e.role, t.key FROM link_type_endpoints e "
        "JOIN tag_types t ON t.id = e.tag_type_id ORDER BY t.key"
    ):
        ends[link_type_id, role].append(key)
    return [(*row[:-1], ends[row[-1], "source"], ends[row[-1], "target"]) for row in link_types]


def rows_where(
    connection: sqlite3.Connection, table: str, column: str, values: list
) -> list[tuple]:
    """The local rows (server shape) whose `column` is one of values."""
    found: list[tuple] = []
    for index in range(0, len(values), 900):
        chunk = values[index : index + 900]
        marks = ",".join("?" * len(chunk))
        found += connection.execute(
            f"{_QUERIES[table]} WHERE x.{column} IN ({marks})", chunk
        ).fetchall()
    if table == "spans" and found:
        fragments: dict[int, list[int]] = defaultdict(list)
        ids = [row[6] for row in found]
        for index in range(0, len(ids), 900):
            chunk = ids[index : index + 900]
            for span_id, start, end in connection.execute(
                'SELECT span_id, start, "end" FROM span_fragments WHERE span_id IN '
                f"({','.join('?' * len(chunk))}) ORDER BY span_id, ordinal",
                chunk,
            ):
                fragments[span_id] += (start, end)
        found = [(*row[:6], fragments[row[6]], *row[7:]) for row in found]
    return found


TEAM_KEY = "team"  # project_info key of the team link (JSON; never a credential)


def read_link(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT value FROM project_info WHERE key = ?", (TEAM_KEY,)).fetchone()
    return None if row is None else row[0]


def write_link(connection: sqlite3.Connection, text: str | None) -> None:
    """Keep (text) or forget (None) the team link in the caller's transaction."""
    connection.execute("DELETE FROM project_info WHERE key = ?", (TEAM_KEY,))
    if text is not None:
        connection.execute("INSERT INTO project_info (key, value) VALUES (?, ?)", (TEAM_KEY, text))
