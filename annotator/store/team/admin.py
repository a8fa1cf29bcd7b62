"""Setting up a team database: its schema, the member group role, members and their rights.

Run with an administrator's connection (a role that may create roles and owns the schema);
members never run these. Rights themselves are enforced by PostgreSQL (the row security
policies of the migrations), not by Annotator."""

from __future__ import annotations

import re
from typing import Any

from annotator.domain.ids import now
from annotator.domain.layers import GOLD_ANNOTATOR_NAME, GOLD_ANNOTATOR_UUID
from annotator.domain.wording import quoted
from annotator.store.team import TeamError
from annotator.store.team.connect import connect, raw
from annotator.store.team.migrate import upgrade

KINDS = ("annotator", "curator", "owner")
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _identifier(name: str) -> Any:
    from psycopg import sql

    return sql.Identifier(name)


def _has_team(connection: Any) -> bool:
    return bool(connection.exec_driver_sql("SELECT to_regclass('team.settings')").scalar())


def init_team(url: str, name: str) -> str:
    """Create (or upgrade) the team schema in the database at url; return the member group
    role's name. A database that already holds another team is refused."""
    name = name.strip()
    if not name:
        raise TeamError("a team needs a name (--name)")
    with connect(url) as connection, connection.begin():
        existing = None
        if _has_team(connection):
            existing = connection.exec_driver_sql(
                "SELECT name, member_role FROM team.settings WHERE id = 1"
            ).first()
            if existing is not None and existing[0] != name:
                raise TeamError(f"this database already holds team {quoted(existing[0])}")
        upgrade(connection)
        database = connection.exec_driver_sql("SELECT current_database()").scalar()
        group = existing[1] if existing is not None else f"{database}_members"[:63]
        cursor = raw(connection).cursor()
        from psycopg import sql

        if not connection.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (group,)
        ).first():
            cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(_identifier(group)))
        for statement in (
            "REVOKE ALL ON SCHEMA team FROM PUBLIC",
            "GRANT USAGE ON SCHEMA team TO {group}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA team TO {group}",
            "REVOKE CONNECT ON DATABASE {database} FROM PUBLIC",
            "GRANT CONNECT ON DATABASE {database} TO {group}",
        ):
            cursor.execute(
                sql.SQL(statement).format(group=_identifier(group), database=_identifier(database))
            )
        when = now()
        connection.exec_driver_sql(
            "INSERT INTO team.settings (id, name, member_role) VALUES (1, %s, %s) "
            "ON CONFLICT (id) DO NOTHING",
            (name, group),
        )
        connection.exec_driver_sql(
            "INSERT INTO team.annotators (uuid, name, identifier, created, modified) "
            "VALUES (%s, %s, '', %s, %s) ON CONFLICT (uuid) DO NOTHING",
            (GOLD_ANNOTATOR_UUID, GOLD_ANNOTATOR_NAME, when, when),
        )
    return group


def add_member(
    url: str,
    role_name: str,
    kind: str,
    annotator_uuid: str,
    annotator_name: str,
    password: str | None = None,
) -> None:
    """A login role for a member, in the team's group, mapped to their annotator uuid. An
    existing role (a company account) is only added to the group."""
    if kind not in KINDS:
        raise TeamError(f"a member's role is one of {', '.join(KINDS)}, not {quoted(kind)}")
    if not _ROLE_NAME.fullmatch(role_name):
        raise TeamError(
            f"{quoted(role_name)} is not a usable login name (lower-case letters, digits, _)"
        )
    from psycopg import sql

    with connect(url) as connection, connection.begin():
        if not _has_team(connection):
            raise TeamError("this database holds no team yet; run `annotator team init` first")
        group = connection.exec_driver_sql("SELECT member_role FROM team.settings").scalar()
        taken = connection.exec_driver_sql(
            "SELECT role_name FROM team.members WHERE annotator_uuid = %s AND role_name <> %s",
            (annotator_uuid, role_name),
        ).first()
        if taken is not None:
            raise TeamError(f"annotator {annotator_uuid} is already member {quoted(taken[0])}")
        cursor = raw(connection).cursor()
        if not connection.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (role_name,)
        ).first():
            statement = sql.SQL("CREATE ROLE {} LOGIN").format(_identifier(role_name))
            if password:
                statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
            cursor.execute(statement)
        cursor.execute(sql.SQL("GRANT {} TO {}").format(_identifier(group), _identifier(role_name)))
        connection.exec_driver_sql(
            "INSERT INTO team.members (role_name, annotator_uuid, kind) VALUES (%s, %s, %s) "
            "ON CONFLICT (role_name) DO UPDATE SET annotator_uuid = excluded.annotator_uuid, "
            "kind = excluded.kind",
            (role_name, annotator_uuid, kind),
        )
        when = now()
        connection.exec_driver_sql(
            "INSERT INTO team.annotators (uuid, name, identifier, created, modified) "
            "VALUES (%s, %s, '', %s, %s) ON CONFLICT (uuid) DO NOTHING",
            (annotator_uuid, annotator_name, when, when),
        )


def set_visibility(url: str, *, blind: bool | None = None, gold_released: bool | None = None):
    """Turn the team's blind mode or the release of the gold layer on or off (owners)."""
    with connect(url) as connection, connection.begin():
        for column, value in (("blind", blind), ("gold_released", gold_released)):
            if value is not None:
                done = connection.exec_driver_sql(
                    f"UPDATE team.settings SET {column} = %s WHERE id = 1", (value,)
                ).rowcount
                if not done:
                    raise TeamError("only a team owner may change the team's blind mode")


def whoami(connection: Any) -> dict[str, Any]:
    """The team's name and settings, and who the connected member is (read in a transaction
    of its own, ended before returning)."""
    try:
        return _whoami(connection)
    finally:
        connection.rollback()


def _whoami(connection: Any) -> dict[str, Any]:
    if not _has_team(connection):
        raise TeamError("this database holds no team (or you are not one of its members)")
    row = connection.exec_driver_sql(
        "SELECT name, blind, gold_released, team.me(), team.my_kind() FROM team.settings"
    ).first()
    if row is None:
        raise TeamError("this database holds no team")
    return {
        "name": row[0],
        "blind": row[1],
        "gold_released": row[2],
        "member": row[3],
        "kind": row[4],
    }


#: Who we are and where the team stands, in one statement (one round trip on a plain psycopg
#: connection in autocommit): all a sync with nothing to do asks the server.
_PROBE = (
    "SELECT name, blind, gold_released, team.me(), team.my_kind(), team.last_seq() "
    "FROM team.settings WHERE id = 1"
)


def probe(session: Any) -> dict[str, Any]:
    """`whoami` and the team's last change number (`last_seq`), in one statement on a
    connect.PlainSession. A kept connection that died unnoticed (a server restart, a laptop
    that slept) fails this first statement: it is then replaced by a fresh one, once."""
    import psycopg

    try:
        return _probe(session.connection)
    except psycopg.OperationalError:
        if not session.reused:
            raise
    return _probe(session.reconnect())


def _probe(connection: Any) -> dict[str, Any]:
    from psycopg import errors

    try:
        row = connection.execute(_PROBE).fetchone()
    except (errors.UndefinedTable, errors.InvalidSchemaName, errors.UndefinedFunction,
            errors.InsufficientPrivilege):  # fmt: skip
        raise TeamError("this database holds no team (or you are not one of its members)") from None
    if row is None:
        raise TeamError("this database holds no team")
    keys = ("name", "blind", "gold_released", "member", "kind", "last_seq")
    return dict(zip(keys, row, strict=True))
