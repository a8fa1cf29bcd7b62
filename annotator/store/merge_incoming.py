"""Every row of another project file checked before a merge writes anything.

The open checklist vouches for the file's structure; this reads every row of every table that
a merge copies (history and merge reports included) through the read-only connection and
holds it to `domain.field_rules` (types, enums, ids, times, JSON columns, the CHECKs of
schema.sql) and to the rules between rows (offsets inside the text in code points, quotes,
links between two spans of one document whose tags the link type allows). A merge refuses a
file with any problem, naming each with where it is, and so never writes half of it.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter

from annotator.domain.field_rules import TABLE_RULES, row_problems, uuid_problem
from annotator.domain.offsets import quote_of
from annotator.domain.wording import quoted

#: The most problems listed; a file with more is refused all the same.
MAX_PROBLEMS = 50
BATCH = 5_000


def incoming_problems(raw: sqlite3.Connection, limit: int = MAX_PROBLEMS) -> list[str]:
    """Every problem with the file's rows (at most `limit`), each "where: what"; [] when the
    file may be merged."""
    problems: list[str] = []
    for problem in _problems(raw):
        problems.append(problem)
        if len(problems) >= limit:
            break
    return problems


def _problems(raw: sqlite3.Connection) -> Iterator[str]:
    present = {n for (n,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in TABLE_RULES:
        if table in present:
            yield from _table_rows(raw, table)
    yield from _span_offsets(raw)
    yield from _link_ends(raw)


def _name(uuid: object) -> str:
    """A row's uuid for a message: as it is when it is one, else escaped and cut (a hostile
    value must not break the one-line message)."""
    return str(uuid) if uuid_problem(uuid) is None else ascii(uuid)[:40]


def _where(table: str, row: dict) -> str:
    ident = row.get("uuid")
    if uuid_problem(ident) is None:  # anything else is shown by its row id, never raw
        return f"{table} {ident}"
    if table == "tombstones":
        return f"{table} row {_name(ident)}"
    if table == "span_fragments":
        return f"{table} of span row {quoted(row.get('span_id'))}, #{quoted(row.get('ordinal'))}"
    if table == "link_type_endpoints":
        return f"{table} of link type row {quoted(row.get('link_type_id'))}"
    return f"{table} row {quoted(row.get('id'))}"


def _table_rows(raw: sqlite3.Connection, table: str) -> Iterator[str]:
    cursor = raw.execute(f'SELECT * FROM "{table}"')  # table: a name of TABLE_RULES
    columns = [d[0] for d in cursor.description]
    while batch := cursor.fetchmany(BATCH):
        for values in batch:
            row = dict(zip(columns, values, strict=True))
            for problem in row_problems(table, row):
                yield f"{_where(table, row)}: {problem}"


def _span_offsets(raw: sqlite3.Connection) -> Iterator[str]:
    """Fragments inside their document's text (counted in code points in Python, never with
    SQLite's length(), which stops at a NUL), one after the other, and quotes that match."""
    # One document at a time (its text read once), so memory holds one document's spans.
    query = (
        'SELECT s.uuid, s.start, s."end", s.quote, f.start, f."end" FROM spans s '
        "LEFT JOIN span_fragments f ON f.span_id = s.id WHERE s.document_id = ? "
        "ORDER BY s.id, f.ordinal"
    )
    for document_id, text in raw.execute("SELECT id, text FROM documents").fetchall():
        if not isinstance(text, str):
            continue  # reported with the documents table
        rows = raw.execute(query, (document_id,)).fetchall()
        for uuid, group in groupby(rows, key=itemgetter(0)):
            members = list(group)
            _, start, end, quote = members[0][:4]
            pieces = [(a, b) for *_, a, b in members if a is not None]
            problem = _fragments_problem(pieces, start, end, len(text))
            if problem is None and quote != quote_of(text, pieces):
                problem = "its quote differs from the text it points at"
            if problem is not None:
                yield f"spans {_name(uuid)}: {problem}"
    for (uuid,) in raw.execute(
        "SELECT uuid FROM spans WHERE document_id NOT IN (SELECT id FROM documents)"
    ):
        yield f"spans {_name(uuid)}: its document is not in the file"


def _fragments_problem(pieces: list, start: object, end: object, length: int) -> str | None:
    if not pieces:
        return "has no fragments"
    if not all(type(v) is int for piece in pieces for v in piece):
        return "has fragments that are not integers"
    if any(a < 0 or b <= a or b > length for a, b in pieces):
        return f"has an offset outside its document's text of {length} characters"
    if any(b[0] < a[1] for a, b in itertools.pairwise(pieces)):
        return "has overlapping or unordered fragments"
    if (start, end) != (pieces[0][0], pieces[-1][1]):
        return "has fragments that do not match its extent"
    return None


def _link_ends(raw: sqlite3.Connection) -> Iterator[str]:
    """Each link joins two spans of its own document, and its type allows their tags."""
    ends: dict[int, dict[str, set[int]]] = defaultdict(lambda: {"source": set(), "target": set()})
    for link_type_id, role, tag_type_id in raw.execute(
        "SELECT link_type_id, role, tag_type_id FROM link_type_endpoints"
    ):
        if role in ("source", "target"):
            ends[link_type_id][role].add(tag_type_id)
    both = {i for (i,) in raw.execute("SELECT id FROM link_types WHERE directed = 0")}
    query = (
        "SELECT l.uuid, l.document_id, l.link_type_id, a.document_id, a.tag_type_id, "
        "b.document_id, b.tag_type_id FROM links l "
        "LEFT JOIN spans a ON a.id = l.source_span_id LEFT JOIN spans b ON b.id = l.target_span_id"
    )
    for uuid, document, link_type, a_doc, a_tag, b_doc, b_tag in raw.execute(query):
        if a_doc is None or b_doc is None:
            yield f"links {_name(uuid)}: a span it joins is not in the file"
        elif a_doc != document or b_doc != document:
            yield f"links {_name(uuid)}: joins spans of different documents"
        elif link_type in ends and not _allows(ends[link_type], a_tag, b_tag, link_type in both):
            yield f"links {_name(uuid)}: its link type does not allow these tag types"


def _allows(allowed: dict[str, set[int]], a: int, b: int, undirected: bool) -> bool:
    """`LinkType.allows` on row ids: no endpoint rows for a role means any tag type."""

    def fits(source: int, target: int) -> bool:
        return (not allowed["source"] or source in allowed["source"]) and (
            not allowed["target"] or target in allowed["target"]
        )

    return fits(a, b) or (undirected and fits(b, a))
