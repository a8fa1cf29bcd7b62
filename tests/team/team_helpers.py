"""Helpers of the team tests: a team database with members, raw SQL as a member."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from pg_server import Server

from annotator.domain.ids import new_uuid
from annotator.store.team.admin import add_member, init_team


@dataclass
class Team:
    server: Server
    database: str

    @property
    def admin_url(self) -> str:
        return self.server.url(self.database)

    def url(self, member: str) -> str:
        return self.server.url(self.database, member)

    def add(self, name: str, kind: str = "annotator", annotator_uuid: str | None = None) -> str:
        """Add a member (login role named after the database and name); return its role name."""
        role = f"{self.database}_{name}"
        add_member(self.admin_url, role, kind, annotator_uuid or new_uuid(), name)
        return role

    def sql(self, role: str, statement: str, params: tuple = ()) -> list[tuple]:
        """Run one statement as a role (raw SQL, no Annotator code in between)."""
        with psycopg.connect(self.url(role), autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []


def new_team(server: Server, database: str, name: str = "newsroom") -> Team:
    init_team(server.url(database), name)
    return Team(server, database)
