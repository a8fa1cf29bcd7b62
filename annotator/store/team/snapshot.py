"""A project file built from team database rows, for the merge machinery to take in.

Rows from the server are untrusted input. Each is checked here before it is written: the
merge's rules for every column (domain.field_rules: types, enums, ids, times, JSON, the CHECKs
of schema.sql), texts, offsets against the document's text, quotes and references; a refused
row is named in `refused` and left out, the rest goes in. The file is this process's own
(parameterised inserts into a schema it created), so before the merge it is held to the
merge's row checks again (store.merge_incoming), not to the structural open checklist that
guards against files from elsewhere (services.team_sync)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable
from functools import cache
from pathlib import Path

import orjson

from annotator.domain.content_rules import text_problem
from annotator.domain.field_rules import row_problems
from annotator.domain.model import STATUSES, TAG_KINDS, VALUE_TYPES
from annotator.domain.offsets import normalize_fragments, quote_of
from annotator.domain.provenance import ACTIONS, OBJECT_KINDS
from annotator.errors import ValidationError
from annotator.store.project_store import ProjectStore
from annotator.store.writes import _INDEX_DOCUMENT

_TOMBSTONE_KINDS = ("span", "link", "entity", "document", "tag_type", "link_type",
                    "attribute_def", "annotator")  # fmt: skip


_INSERT = re.compile(r"INSERT INTO (\w+) \(([^)]*)\)")


@cache
def _shape(sql: str) -> tuple[str, tuple[str, ...]]:
    """The table and column names of one of this module's INSERT statements."""
    match = _INSERT.match(sql)
    assert match is not None, sql
    return match.group(1), tuple(c.strip().strip('"') for c in match.group(2).split(","))


class Refused(ValueError):
    """A row that cannot go into a project (the message says why)."""


def _text(value: object, what: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise Refused(f"{what}: {problem}")
    return value  # type: ignore[return-value]


def _json(value: object, what: str) -> str:
    _text(value, what)
    try:
        orjson.loads(value)  # type: ignore[arg-type]
    except orjson.JSONDecodeError:
        raise Refused(f"{what} is not JSON") from None
    return value  # type: ignore[return-value]


class Snapshot:
    """The file being written, with the maps from server keys to its row ids."""

    def __init__(self, path: Path) -> None:
        ProjectStore.create(path).close()
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("BEGIN")
        self.annotators: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.link_types: dict[str, int] = {}
        self.documents: dict[str, tuple[int, str]] = {}  # sha → (id, text)
        self.entities: dict[str, int] = {}
        self.spans: dict[str, tuple[int, int]] = {}  # uuid → (id, document id)
        self.refused: list[str] = []
        self.count = 0  # rows written

    def finish(self) -> None:
        self.db.execute("COMMIT")
        self.db.close()

    def abandon(self) -> None:
        self.db.close()

    def _refuse(self, what: str, error: Exception) -> None:
        self.refused.append(f"{what}: {error}")

    def _insert(self, sql: str, values: tuple, what: str) -> int | None:
        table, columns = _shape(sql)
        problems = row_problems(table, dict(zip(columns, values, strict=True)))
        if problems:
            self.refused.append(f"{what}: {'; '.join(problems[:3])}")
            return None
        try:
            cursor = self.db.execute(sql, values)
        except sqlite3.Error as error:  # a CHECK, NOT NULL or UNIQUE of the project schema
            self._refuse(what, error)
            return None
        self.count += 1
        return cursor.lastrowid

    # -- rows, in the server's shape (push.COLUMNS) ------------------------------------------
    def annotator(self, r: tuple) -> None:
        what = f"annotator {r[0]}"
        try:
            values = (_text(r[0], what), _text(r[1], what), _text(r[2], what), r[3], r[4])
        except Refused as error:
            return self.refused.append(str(error))
        found = self._insert(
            "INSERT INTO annotators (uuid, name, identifier, created, modified) "
            "VALUES (?, ?, ?, ?, ?)",
            values,
            what,
        )
        if found is not None:
            self.annotators[r[0]] = found

    def tag_type(self, r: tuple) -> None:
        what = f"tag type {r[1]!r}"
        if r[3] not in TAG_KINDS:
            return self.refused.append(f"{what}: unknown kind {r[3]!r}")
        found = self._insert(
            "INSERT INTO tag_types (uuid, key, label, kind, color, hotkey, guideline, position, "
            "created, modified, author_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*r[:10], self.annotators.get(r[10])),
            what,
        )
        if found is not None:
            self.tags[r[1]] = found

    def link_type(self, r: tuple) -> None:
        what = f"link type {r[1]!r}"
        found = self._insert(
            "INSERT INTO link_types (uuid, key, label, directed, color, guideline, position, "
            "created, modified, author_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*r[:9], self.annotators.get(r[9])),
            what,
        )
        if found is None:
            return
        self.link_types[r[1]] = found
        for role, keys in (("source", r[10]), ("target", r[11])):
            for key in keys:
                if key in self.tags:
                    self.db.execute(
                        "INSERT OR IGNORE INTO link_type_endpoints (link_type_id, role, "
                        "tag_type_id) VALUES (?, ?, ?)",
                        (found, role, self.tags[key]),
                    )

    def attribute_def(self, r: tuple) -> None:
        what = f"attribute {r[3]!r} of {r[2]!r}"
        owner = (self.tags if r[1] == "tag" else self.link_types).get(r[2])
        if owner is None or r[5] not in VALUE_TYPES:
            return self.refused.append(f"{what}: unknown owner or value type")
        try:
            _json(r[6], what)
        except Refused as error:
            return self.refused.append(str(error))
        tag, link = (owner, None) if r[1] == "tag" else (None, owner)
        self._insert(
            "INSERT INTO attribute_defs (uuid, tag_type_id, link_type_id, key, label, value_type, "
            "choices, required, default_value, guideline, position, created, modified, author_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (r[0], tag, link, *r[3:13], self.annotators.get(r[13])),
            what,
        )

    def document(self, r: tuple) -> None:
        what = f"document {r[0]}"
        if r[1] in self.documents:
            return
        try:
            for value in r[2:11]:
                _text(value, what)
            _json(r[11], what)
            if hashlib.sha256(r[3].encode("utf-8")).hexdigest() != r[1]:
                raise Refused(f"{what}: its text does not match its hash")
        except Refused as error:
            return self.refused.append(str(error))
        found = self._insert(
            "INSERT INTO documents (uuid, sha256, title, text, author, outlet, url, published, "
            "language, source_filename, source_encoding, extra, imported, created, modified, "
            "author_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*r[:15], self.annotators.get(r[15])),
            what,
        )
        if found is not None:
            self.db.execute(_INDEX_DOCUMENT, (r[0],))
            self.documents[r[1]] = (found, r[3])

    def entity(self, r: tuple) -> None:
        what = f"entity {r[0]}"
        try:
            for value in (r[1], r[2], r[5]):
                _text(value, what)
            _json(r[3], what)
            _json(r[4], what)
        except Refused as error:
            return self.refused.append(str(error))
        found = self._insert(
            "INSERT INTO entities (uuid, name, kind, aliases, external_ids, note, created, "
            "modified, author_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*r[:8], self.annotators.get(r[8])),
            what,
        )
        if found is not None:
            self.entities[r[0]] = found

    def span(self, r: tuple) -> None:
        what = f"span {r[0]}"
        document = self.documents.get(r[1])
        try:
            if document is None or r[2] not in self.annotators or r[3] not in self.tags:
                raise Refused(f"{what}: its document, annotator or tag type is not in the team")
            flat = list(r[6])
            if len(flat) % 2:
                raise Refused(f"{what}: odd fragment offsets")
            try:
                fragments = normalize_fragments(
                    zip(flat[::2], flat[1::2], strict=False), len(document[1])
                )
            except ValidationError as error:
                raise Refused(f"{what}: {error}") from None
            if (r[4], r[5]) != (fragments[0][0], fragments[-1][1]):
                raise Refused(f"{what}: its extent does not match its fragments")
            if r[7] != quote_of(document[1], fragments):
                raise Refused(f"{what}: its quote is not the text at its offsets")
            for value in (r[8], r[9], r[11]):
                _text(value, what)
            _json(r[10], what)
        except Refused as error:
            return self.refused.append(str(error))
        found = self._insert(
            'INSERT INTO spans (uuid, document_id, annotator_id, tag_type_id, start, "end", quote, '
            "prefix, suffix, attributes, note, entity_id, created, modified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r[0],
                document[0],
                self.annotators[r[2]],
                self.tags[r[3]],
                r[4],
                r[5],
                *r[7:12],
                self.entities.get(r[12]),
                r[13],
                r[14],
            ),
            what,
        )
        if found is None:
            return
        self.db.executemany(
            'INSERT INTO span_fragments (span_id, ordinal, start, "end") VALUES (?, ?, ?, ?)',
            [(found, n, a, b) for n, (a, b) in enumerate(fragments)],
        )
        self.spans[r[0]] = (found, document[0])

    def link(self, r: tuple) -> None:
        what = f"link {r[0]}"
        document = self.documents.get(r[1])
        source, target = self.spans.get(r[3]), self.spans.get(r[4])
        if (
            document is None
            or source is None
            or target is None
            or r[2] not in self.link_types
            or r[5] not in self.annotators
        ):
            return self.refused.append(f"{what}: an endpoint, type or annotator is not in the team")
        if source[1] != document[0] or target[1] != document[0] or source == target:
            return self.refused.append(f"{what}: joins spans of other documents or itself")
        try:
            _json(r[6], what)
            _text(r[7], what)
        except Refused as error:
            return self.refused.append(str(error))
        self._insert(
            "INSERT INTO links (uuid, document_id, link_type_id, source_span_id, target_span_id, "
            "annotator_id, attributes, note, created, modified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r[0],
                document[0],
                self.link_types[r[2]],
                source[0],
                target[0],
                self.annotators[r[5]],
                *r[6:10],
            ),
            what,
        )

    def status(self, r: tuple) -> None:
        what = f"status {r[2]}"
        document = self.documents.get(r[0])
        if document is None or r[1] not in self.annotators or r[3] not in STATUSES:
            return self.refused.append(f"{what}: unknown document, annotator or status")
        self._insert(
            "INSERT INTO document_status (uuid, document_id, annotator_id, status, modified) "
            "VALUES (?, ?, ?, ?, ?)",
            (r[2], document[0], self.annotators[r[1]], r[3], r[4]),
            what,
        )

    def tombstone(self, r: tuple) -> None:
        if r[1] not in _TOMBSTONE_KINDS:
            return self.refused.append(f"tombstone {r[0]}: unknown kind {r[1]!r}")
        self._insert(
            "INSERT INTO tombstones (uuid, kind, deleted, author_id) VALUES (?, ?, ?, ?)",
            (r[0], r[1], r[2], self.annotators.get(r[3])),
            f"tombstone {r[0]}",
        )

    def history(self, r: tuple) -> None:
        what = f"history entry {r[0]}"
        if r[2] not in OBJECT_KINDS or r[3] not in ACTIONS:
            return self.refused.append(f"{what}: unknown kind or action")
        try:
            _text(r[4], what)
            _json(r[5], what)
        except Refused as error:
            return self.refused.append(str(error))
        self._insert(
            "INSERT INTO history (uuid, object_uuid, object_kind, action, summary, detail, "
            "annotator_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (*r[:6], self.annotators.get(r[6]), r[7]),
            what,
        )

    def decision(self, r: tuple) -> None:
        what = f"decision {r[3]}"
        document = self.documents.get(r[0])
        if document is None:
            return self.refused.append(f"{what}: its document is not in the team")
        self._insert(
            "INSERT INTO decisions (uuid, document_id, unit_kind, unit_key, verdict, gold_uuid, "
            "source_uuid, source_annotator_id, decided_by, decided) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r[3],
                document[0],
                r[1],
                r[2],
                r[4],
                r[5],
                r[6],
                self.annotators.get(r[7]),
                self.annotators.get(r[8]),
                r[9],
            ),
            what,
        )


def stamp(
    path: Path,
    info: dict[str, str],
    link_text: Callable[[dict[str, int], dict[str, int]], str],
) -> tuple[dict[str, int], dict[str, int]]:
    """Make a pulled file a project of its own (a clone): its project_info and team link, the
    latter told the file's highest row ids and its change counts (nothing in it is new to
    the server); return both."""
    from annotator.store.team.local import change_counts, max_ids, write_link

    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN")
        for key, value in info.items():
            db.execute(
                "INSERT OR REPLACE INTO project_info (key, value) VALUES (?, ?)", (key, value)
            )
        ids, counts = max_ids(db), change_counts(db)
        write_link(db, link_text(ids, counts))
        db.execute("COMMIT")
    finally:
        db.close()
    return ids, counts
