"""Merge another project file into ours, inside our one write transaction.

The other file has passed the open checklist and is read through a read-only connection; its
rows are copied with explicit columns, nothing in it is executed. Rules (design.md §7):
documents match by the SHA-256 of their text, schema items by key, everything else by uuid.
Of two versions of a row the later `modified` wins, ties go to the higher-ranked content, so
merging A into B and B into A give the same content. A tombstone in either file deletes the
row and is kept; a row edited after it was deleted elsewhere stays deleted (a merge never
brings back what someone deleted).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from annotator.domain.merge_report import MergeReport
from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError
from annotator.store.checks import open_read_only
from annotator.store.merge_annotations import Maps, merge_links, merge_spans, rank
from annotator.store.merge_schema import Policy, SchemaConflict, find_conflicts, merge_schema
from annotator.store.merge_tables import copy_provenance, merge_statuses, merge_tombstones
from annotator.store.project_store import ReadSession, WriteSession
from annotator.store.writes import _INDEX_DOCUMENT, _UNINDEX_DOCUMENT

#: progress(done, total, text) → False to cancel.
Progress = Callable[[int, int, str], bool | None]
PHASES = (
    "Merging annotators and schema",
    "Merging documents",
    "Merging entities",
    "Merging spans",
    "Merging links",
    "Merging statuses",
    "Applying deletions",
    "Copying history",
)


class MergeCancelled(AnnotatorError):
    """The user cancelled a merge; the project is unchanged."""


@dataclass
class OtherFile:
    """A checked project file opened read-only: a store session for its schema, the DBAPI
    connection for its rows."""

    session: ReadSession
    raw: sqlite3.Connection
    version: int

    def project_uuid(self) -> str:
        return self.session.project_info().get("uuid", "")

    def schema_conflicts(self, ours: ReadSession | WriteSession) -> list[SchemaConflict]:
        return find_conflicts(ours.schema(), self.session.schema())


@contextmanager
def open_other(path: Path, version: int) -> Iterator[OtherFile]:
    """Read a checked file through the checklist's hardened read-only connection."""
    engine = create_engine("sqlite://", creator=lambda: open_read_only(path), poolclass=StaticPool)
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            yield OtherFile(ReadSession(connection), raw, version)
    finally:
        engine.dispose()


def merge_other(
    session: WriteSession,
    other: OtherFile,
    policy: Policy,
    report: MergeReport,
    progress: Progress | None = None,
) -> set[str]:
    """Merge every row of other into the session's project; return the uuids of our documents
    whose content changed. Raises MergeCancelled when progress returns False."""
    ours, theirs = session._raw(), other.raw

    def phase(index: int) -> None:
        if progress is not None and progress(index, len(PHASES), PHASES[index]) is False:
            raise MergeCancelled("merge cancelled; the project is unchanged")

    maps = Maps()
    maps.deleted = {u for (u,) in ours.execute("SELECT uuid FROM tombstones")}
    maps.deleted |= {u for (u,) in theirs.execute("SELECT uuid FROM tombstones")}
    phase(0)
    _merge_annotators(ours, theirs, maps, report)
    merge_schema(session, session.schema(), other.session.schema(), maps.deleted, policy, report)
    phase(1)
    _merge_documents(ours, theirs, maps, report)
    phase(2)
    _merge_entities(ours, theirs, maps, report)
    phase(3)
    merge_spans(ours, theirs, maps, report)
    phase(4)
    merge_links(ours, theirs, maps, report)
    phase(5)
    merge_statuses(ours, theirs, maps, report)
    phase(6)
    merge_tombstones(ours, theirs, maps, report)
    phase(7)
    if other.version >= 2:
        copy_provenance(ours, theirs, maps, report)
    touched = sorted(maps.touched)
    uuids: set[str] = set()
    for index in range(0, len(touched), 900):
        chunk = touched[index : index + 900]
        marks = ",".join("?" * len(chunk))
        uuids.update(
            u for (u,) in ours.execute(f"SELECT uuid FROM documents WHERE id IN ({marks})", chunk)
        )
    return uuids


def record_report(
    session: WriteSession, uuid: str, report: MergeReport, author: str | None, text: str
) -> None:
    """Keep a merge's report in the project (table merge_reports)."""
    session._raw().execute(
        "INSERT INTO merge_reports (uuid, merged, source_name, source_uuid, author_id, report) "
        "VALUES (?, ?, ?, ?, (SELECT id FROM annotators WHERE uuid = ?), ?)",
        (uuid, report.merged, report.source, report.source_uuid, author, text),
    )


def stored_reports(session: ReadSession) -> list[tuple[str, str, str, str]]:
    """(uuid, merged, source name, report JSON) of every kept merge report, newest first."""
    rows = session._raw().execute(
        "SELECT uuid, merged, source_name, report FROM merge_reports ORDER BY merged DESC, id DESC"
    )
    return [tuple(row) for row in rows]


def _uuid_ids(connection: sqlite3.Connection, table: str) -> dict[str, int]:
    return dict(connection.execute(f"SELECT uuid, id FROM {table}").fetchall())


def _merge_annotators(
    ours: sqlite3.Connection, theirs: sqlite3.Connection, maps: Maps, report: MergeReport
) -> None:
    """By uuid; never deleted by a merge (spans and history name them)."""
    here = {
        r[0]: r[1:]
        for r in ours.execute("SELECT uuid, name, identifier, created, modified FROM annotators")
    }
    new, changed = [], []
    for uuid, name, identifier, created, modified in theirs.execute(
        "SELECT uuid, name, identifier, created, modified FROM annotators ORDER BY id"
    ):
        mine = here.get(uuid)
        if mine is None:
            new.append((uuid, name, identifier, created, modified))
        elif rank((modified, name, identifier, created)) > rank((mine[3], *mine[:3])):
            changed.append((name, identifier, created, modified, uuid))
    ours.executemany(
        "INSERT INTO annotators (uuid, name, identifier, created, modified) VALUES (?, ?, ?, ?, ?)",
        new,
    )
    ours.executemany(
        "UPDATE annotators SET name = ?, identifier = ?, created = ?, modified = ? WHERE uuid = ?",
        changed,
    )
    report.count("added", "annotators", len(new), example=new[0][1] if new else None)
    report.count("updated", "annotators", len(changed), example=changed[0][0] if changed else None)
    ids = _uuid_ids(ours, "annotators")
    maps.annotators = {i: ids[u] for i, u in theirs.execute("SELECT id, uuid FROM annotators")}
    maps.annotator_uuids = {i: u for u, i in ids.items()}


_DOCUMENT_FIELDS = (
    "title, author, outlet, url, published, language, source_filename, source_encoding, extra, "
    "imported, created"
)


def _merge_documents(
    ours: sqlite3.Connection, theirs: sqlite3.Connection, maps: Maps, report: MergeReport
) -> None:
    """By text hash: a known text is ours whatever its uuid; newer metadata wins."""
    author = maps.annotator_uuids
    here = {
        r[1]: r
        for r in ours.execute(
            f"SELECT id, sha256, uuid, author_id, modified, {_DOCUMENT_FIELDS} FROM documents"
        )
    }
    uuids = {r[2] for r in here.values()}
    titles = {r[5] for r in here.values()}
    their_authors = dict(theirs.execute("SELECT id, uuid FROM annotators").fetchall())
    for row in theirs.execute(
        f"SELECT id, sha256, uuid, author_id, modified, {_DOCUMENT_FIELDS} FROM documents "
        "ORDER BY id"
    ).fetchall():
        their_id, sha, uuid, their_author, modified, *fields = row
        mine = here.get(sha)
        if mine is not None:
            maps.documents[their_id] = mine[0]
            if uuid != mine[2]:  # their spans and links are re-pointed to our copy
                report.count(
                    "skipped", "document ids: the same text under another id here", example=uuid
                )
            theirs_key = rank((modified, *fields, their_authors.get(their_author)))
            if theirs_key > rank((mine[4], *mine[5:], author.get(mine[3]))):
                _update_document(
                    ours, mine[0], mine[2], fields, modified, maps.annotators.get(their_author)
                )
                report.count("updated", "documents", example=mine[2])
                titles.add(fields[0])
                maps.touched.add(mine[0])
            else:
                report.count("skipped", "documents: unchanged or older", example=uuid)
        elif uuid in maps.deleted:
            report.count("skipped", "documents: deleted in one of the files", example=uuid)
        elif uuid in uuids:
            report.count("skipped", "documents: another text under this id here", example=uuid)
            report.conflict(
                f"document {uuid} ({quoted(fields[0])}) has another text here; not merged"
            )
        else:
            if fields[0] in titles:
                report.conflict(
                    f"document {quoted(fields[0])}: another text than this project's document of "
                    "that title; merged as a separate document"
                )
            (text,) = theirs.execute(
                "SELECT text FROM documents WHERE id = ?", (their_id,)
            ).fetchone()
            cursor = ours.execute(
                "INSERT INTO documents (uuid, sha256, text, author_id, modified, "
                f"{_DOCUMENT_FIELDS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (uuid, sha, text, maps.annotators.get(their_author), modified, *fields),
            )
            ours.execute(_INDEX_DOCUMENT, (uuid,))
            maps.documents[their_id] = cursor.lastrowid
            maps.touched.add(cursor.lastrowid)
            here[sha] = (cursor.lastrowid, sha, uuid)
            uuids.add(uuid)
            report.count("added", "documents", example=uuid)
    maps.shas = {i: s for i, s in ours.execute("SELECT id, sha256 FROM documents")}


def _update_document(
    ours: sqlite3.Connection,
    document_id: int,
    uuid: str,
    fields: list,
    modified: str,
    author: int | None,
) -> None:
    """New metadata for one of our documents; its title is indexed, so the entry is replaced."""
    ours.execute(_UNINDEX_DOCUMENT, (uuid,))
    assignments = ", ".join(f"{name.strip()} = ?" for name in _DOCUMENT_FIELDS.split(","))
    ours.execute(
        f"UPDATE documents SET {assignments}, modified = ?, author_id = ? WHERE id = ?",
        (*fields, modified, author, document_id),
    )
    ours.execute(_INDEX_DOCUMENT, (uuid,))


_ENTITY_FIELDS = "name, kind, aliases, external_ids, note, created"


def _merge_entities(
    ours: sqlite3.Connection, theirs: sqlite3.Connection, maps: Maps, report: MergeReport
) -> None:
    here = {
        r[0]: r[1:]
        for r in ours.execute(f"SELECT uuid, modified, author_id, {_ENTITY_FIELDS} FROM entities")
    }
    their_authors = dict(theirs.execute("SELECT id, uuid FROM annotators").fetchall())
    new, changed = [], []
    for uuid, modified, author, *fields in theirs.execute(
        f"SELECT uuid, modified, author_id, {_ENTITY_FIELDS} FROM entities ORDER BY id"
    ):
        mine = here.get(uuid)
        if uuid in maps.deleted:
            report.count("skipped", "entities: deleted in one of the files", example=uuid)
        elif mine is None:
            new.append((uuid, modified, maps.annotators.get(author), *fields))
        elif rank((modified, *fields, their_authors.get(author))) > rank(
            (mine[0], *mine[2:], maps.annotator_uuids.get(mine[1]))
        ):
            changed.append((modified, maps.annotators.get(author), *fields, uuid))
        else:
            report.count("skipped", "entities: unchanged or older", example=uuid)
    ours.executemany(
        f"INSERT INTO entities (uuid, modified, author_id, {_ENTITY_FIELDS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new,
    )
    assignments = ", ".join(f"{name.strip()} = ?" for name in _ENTITY_FIELDS.split(","))
    ours.executemany(
        f"UPDATE entities SET modified = ?, author_id = ?, {assignments} WHERE uuid = ?", changed
    )
    report.count("added", "entities", len(new), example=new[0][0] if new else None)
    report.count("updated", "entities", len(changed), example=changed[0][-1] if changed else None)
    ids = _uuid_ids(ours, "entities")
    maps.entities = {
        i: ids[u] for i, u in theirs.execute("SELECT id, uuid FROM entities") if u in ids
    }
    maps.entity_uuids = {i: u for u, i in ids.items()}
