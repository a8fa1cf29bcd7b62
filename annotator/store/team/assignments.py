"""Assignments of documents to members, and every member's progress (trainers, curators)."""

from __future__ import annotations

from typing import Any

from annotator.domain.ids import now


def assign(connection: Any, shas: list[str], annotator_uuid: str, by: str | None) -> int:
    """Assign documents (by text hash) to a member; return how many were new. Row security
    lets only curators and owners write assignments."""
    when = now()
    added = 0
    with connection.begin():
        for sha in shas:
            added += connection.exec_driver_sql(
                "INSERT INTO team.assignments (document_sha, annotator_uuid, assigned, "
                "assigned_by) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (sha, annotator_uuid, when, by),
            ).rowcount
    return added


def unassign(connection: Any, shas: list[str], annotator_uuid: str) -> int:
    with connection.begin():
        return connection.exec_driver_sql(
            "DELETE FROM team.assignments WHERE annotator_uuid = %s AND document_sha = ANY(%s)",
            (annotator_uuid, shas),
        ).rowcount


def assigned_to_me(connection: Any) -> list[tuple[str, str]]:
    """(text hash, assigned time) of the connected member's assignments, oldest first."""
    with connection.begin():
        return [
            tuple(r)
            for r in connection.exec_driver_sql(
                "SELECT document_sha, assigned FROM team.assignments "
                "WHERE annotator_uuid = team.me() ORDER BY assigned, document_sha"
            )
        ]


def member_uuid(connection: Any, name: str) -> str | None:
    """A member's annotator uuid by login role name or annotator name."""
    with connection.begin():
        row = connection.exec_driver_sql(
            "SELECT m.annotator_uuid FROM team.members m "
            "LEFT JOIN team.annotators a ON a.uuid = m.annotator_uuid "
            "WHERE m.role_name = %s OR a.name = %s ORDER BY m.role_name = %s DESC LIMIT 1",
            (name, name, name),
        ).first()
    return None if row is None else row[0]


def progress(connection: Any) -> list[tuple[str, str, int, int, int]]:
    """(member name, kind, assigned, in progress, done) per member, as pushed to the server;
    curators and owners see everyone, others themselves."""
    with connection.begin():
        return [
            tuple(r)
            for r in connection.exec_driver_sql(
                "SELECT coalesce(a.name, m.role_name), m.kind, "
                "(SELECT count(*) FROM team.assignments x "
                "WHERE x.annotator_uuid = m.annotator_uuid), "
                "(SELECT count(*) FROM team.assignments x JOIN team.statuses s ON "
                "s.document_sha = x.document_sha AND s.annotator_uuid = x.annotator_uuid "
                "WHERE x.annotator_uuid = m.annotator_uuid AND s.status = 'in_progress'), "
                "(SELECT count(*) FROM team.assignments x JOIN team.statuses s ON "
                "s.document_sha = x.document_sha AND s.annotator_uuid = x.annotator_uuid "
                "WHERE x.annotator_uuid = m.annotator_uuid AND s.status = 'done') "
                "FROM team.members m LEFT JOIN team.annotators a ON a.uuid = m.annotator_uuid "
                "ORDER BY 1"
            )
        ]
