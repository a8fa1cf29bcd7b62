"""Rights enforced by PostgreSQL itself: raw SQL as a member role, no Annotator code between."""

from __future__ import annotations

import pytest

pytest.importorskip("psycopg", reason="team sync needs its drivers: pip install 'annotator[team]'")

import psycopg
from team_helpers import new_team

from annotator.domain.ids import new_uuid
from annotator.store.team import TeamError
from annotator.store.team.admin import add_member, init_team, set_visibility

SPAN = (
    'INSERT INTO team.spans (uuid, document_sha, annotator_uuid, tag_key, start, "end", '
    "fragments, quote, created, modified) VALUES (%s, 'sha', %s, 'actor', 0, 3, '{0,3}', 'abc', "
    "'2026-12-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z')"
)


@pytest.fixture
def team(pg, team_db):
    team = new_team(pg, team_db)
    team.alice_uuid, team.bob_uuid = new_uuid(), new_uuid()
    team.alice = team.add("alice", annotator_uuid=team.alice_uuid)
    team.bob = team.add("bob", annotator_uuid=team.bob_uuid)
    team.owner = team.add("olga", "owner")
    team.sql(team.alice, SPAN, (new_uuid(), team.alice_uuid))
    team.bobs_span = new_uuid()
    team.sql(team.bob, SPAN, (team.bobs_span, team.bob_uuid))
    return team


def test_an_annotator_cannot_write_another_members_span(team) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        team.sql(team.alice, SPAN, (new_uuid(), team.bob_uuid))  # a span in Bob's layer
    changed = team.sql(
        team.alice, "UPDATE team.spans SET note = 'mine now' WHERE uuid = %s RETURNING uuid",
        (team.bobs_span,),
    )  # fmt: skip
    assert changed == []
    assert team.sql(team.alice, "DELETE FROM team.spans WHERE uuid = %s RETURNING uuid",
                    (team.bobs_span,)) == []  # fmt: skip
    assert team.sql(team.bob, "SELECT note FROM team.spans WHERE uuid = %s",
                    (team.bobs_span,)) == [("",)]  # fmt: skip


def test_an_annotator_cannot_change_documents_or_the_schema(team) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        team.sql(team.alice, "INSERT INTO team.tag_types (uuid, key, label, kind, color, created, "
                 "modified) VALUES ('u', 'k', 'K', 'actor', '#000', 't', 't')")  # fmt: skip
    team.sql(team.owner, "INSERT INTO team.tag_types (uuid, key, label, kind, color, created, "
             "modified) VALUES ('u', 'k', 'K', 'actor', '#000', 't', 't')")  # fmt: skip
    assert team.sql(team.alice, "UPDATE team.tag_types SET label = 'x' RETURNING key") == []


def test_an_annotator_cannot_tombstone_another_members_span(team) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        team.sql(team.alice, "INSERT INTO team.tombstones (uuid, kind, deleted, author_uuid) "
                 "VALUES (%s, 'span', 't', %s)", (team.bobs_span, team.alice_uuid))  # fmt: skip


def test_blind_mode_hides_other_members_spans_from_raw_sql(team) -> None:
    everyone = "SELECT annotator_uuid FROM team.spans"
    assert len(team.sql(team.alice, everyone)) == 2
    set_visibility(team.admin_url, blind=True)
    assert team.sql(team.alice, everyone) == [(team.alice_uuid,)]
    assert team.sql(team.bob, everyone) == [(team.bob_uuid,)]
    assert team.sql(team.alice, "SELECT count(*) FROM team.spans WHERE uuid = %s",
                    (team.bobs_span,)) == [(0,)]  # fmt: skip
    assert len(team.sql(team.owner, everyone)) == 2  # the owner adjudicates


def test_a_member_cannot_change_blind_mode(team) -> None:
    with pytest.raises(TeamError, match="owner"):
        set_visibility(team.url(team.alice), blind=True)


def test_a_role_without_membership_cannot_reach_the_team_tables(pg, team) -> None:
    outsider = f"{team.database}_eve"
    pg.admin_sql(f"CREATE ROLE {outsider} LOGIN")
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(team.url(outsider)).close()
    # Even granted CONNECT by someone, the schema stays closed to a non-member.
    pg.admin_sql(f"GRANT CONNECT ON DATABASE {team.database} TO {outsider}", team.database)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        team.sql(outsider, "SELECT * FROM team.spans")


def test_init_refuses_another_team_and_is_repeatable(pg, team_db) -> None:
    url = pg.url(team_db)
    init_team(url, "one")
    init_team(url, "one")  # upgrades, changes nothing
    with pytest.raises(TeamError, match="already holds team “one”"):
        init_team(url, "two")


def test_add_member_refuses_a_bad_role(pg, team_db) -> None:
    url = pg.url(team_db)
    init_team(url, "one")
    with pytest.raises(TeamError, match="one of annotator, curator, owner"):
        add_member(url, "x", "boss", new_uuid(), "X")
    with pytest.raises(TeamError, match="usable login name"):
        add_member(url, "Robert'); DROP", "annotator", new_uuid(), "X")
