"""Adjudication decisions: read, insert and delete rows of the decisions table.

Functions over any store session (read or write), straight on the DBAPI connection of its
transaction, so the curation queue and the decision commands see one consistent state."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from annotator.domain.curation import Decision
from annotator.errors import ValidationError

_SELECT = (
    "SELECT d.uuid, doc.uuid, d.unit_kind, d.unit_key, d.verdict, d.gold_uuid, d.source_uuid, "
    "src.uuid, who.uuid, d.decided FROM decisions d JOIN documents doc ON doc.id = d.document_id "
    "LEFT JOIN annotators src ON src.id = d.source_annotator_id "
    "LEFT JOIN annotators who ON who.id = d.decided_by"
)


def _raw(session) -> sqlite3.Connection:
    return session.connection.connection.driver_connection


def decisions(session, documents: Collection[str] | None = None) -> list[Decision]:
    """Every decision (of `documents` when given), oldest first."""
    raw = _raw(session)
    if documents is None:
        return [Decision(*row) for row in raw.execute(_SELECT + " ORDER BY d.id")]
    wanted = list(documents)
    if len(wanted) > 500:  # more than a statement should bind: filter here
        chosen = set(wanted)
        return [d for d in decisions(session) if d.document in chosen]
    marks = ",".join("?" * len(wanted))
    rows = raw.execute(_SELECT + f" WHERE doc.uuid IN ({marks}) ORDER BY d.id", wanted)
    return [Decision(*row) for row in rows]


def insert_decision(session, decision: Decision) -> None:
    """Write one decision; a unit decided already is refused with a one-line message."""
    raw = _raw(session)
    taken = raw.execute(
        "SELECT 1 FROM decisions d JOIN documents doc ON doc.id = d.document_id "
        "WHERE doc.uuid = ? AND d.unit_kind = ? AND d.unit_key = ?",
        (decision.document, decision.unit_kind, decision.unit_key),
    ).fetchone()
    if taken:
        raise ValidationError("this unit has been decided already")
    raw.execute(
        "INSERT INTO decisions (uuid, document_id, unit_kind, unit_key, verdict, gold_uuid, "
        "source_uuid, source_annotator_id, decided_by, decided) VALUES (?, "
        "(SELECT id FROM documents WHERE uuid = ?), ?, ?, ?, ?, ?, "
        "(SELECT id FROM annotators WHERE uuid = ?), "
        "(SELECT id FROM annotators WHERE uuid = ?), ?)",
        (
            decision.uuid,
            decision.document,
            decision.unit_kind,
            decision.unit_key,
            decision.verdict,
            decision.gold_uuid,
            decision.source_uuid,
            decision.source_annotator,
            decision.decided_by,
            decision.decided,
        ),
    )


def delete_decision(session, uuid: str) -> None:
    _raw(session).execute("DELETE FROM decisions WHERE uuid = ?", (uuid,))


def decision_count(session) -> int:
    return int(_raw(session).execute("SELECT count(*) FROM decisions").fetchone()[0])
