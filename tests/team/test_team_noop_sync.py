"""A sync with nothing to do: one statement to the server, no transaction, no new connection
when one is kept (a window's), and a kept connection that died is replaced, not reported."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("psycopg", reason="team sync needs its drivers: pip install 'annotator[team]'")
import psycopg
from json_helpers import build_rich_project
from merge_helpers import canonical
from team_helpers import new_team

from annotator.services import team as team_service
from annotator.services.span_commands import CreateSpan
from annotator.services.team_sync import KeptConnection, sync
from annotator.store.team import connect as team_connect


@pytest.fixture
def t(pg, team_db, tmp_path):
    """Ada (owner) attached her rich project; Carl (annotator) cloned it."""
    team = new_team(pg, team_db)
    ada, rich = build_rich_project(tmp_path / "ada.annotator")
    team.ada = team.add("ada", "owner", ada.annotator.uuid)
    team.carl = team.add("carl")
    team_service.attach(ada, team.url(team.ada))
    sync(ada)
    carl = team_service.clone(team.url(team.carl), tmp_path / "carl.annotator")
    keep = KeptConnection()
    state = SimpleNamespace(pg=pg, team=team, ada=ada, carl=carl, rich=rich, keep=keep)
    yield state
    keep.close()
    state.ada.close()
    state.carl.close()


class Traffic:
    """Counts the connections opened, transactions begun and statements sent through psycopg."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.connects = self.transactions = 0
        self.statements: list[str] = []
        connect = psycopg.connect
        execute = psycopg.Cursor.execute
        transaction = psycopg.Connection.transaction

        def counting_transaction(connection, *args, **kwargs):
            self.transactions += 1
            return transaction(connection, *args, **kwargs)

        def counting_connect(*args, **kwargs):
            self.connects += 1
            return connect(*args, **kwargs)

        def counting_execute(cursor, query, *args, **kwargs):
            self.statements.append(str(query))
            return execute(cursor, query, *args, **kwargs)

        monkeypatch.setattr(psycopg, "connect", counting_connect)
        monkeypatch.setattr(psycopg.Cursor, "execute", counting_execute)
        monkeypatch.setattr(psycopg.Connection, "transaction", counting_transaction)


def test_a_no_op_sync_on_a_kept_connection_sends_one_statement(t, monkeypatch) -> None:
    sync(t.carl, keep=t.keep)  # the first sync connects and keeps the connection
    before = team_service.team_link(t.carl)
    traffic = Traffic(monkeypatch)
    report = sync(t.carl, keep=t.keep)
    assert (traffic.connects, traffic.transactions) == (0, 0)
    assert len(traffic.statements) == 1 and "team.last_seq()" in traffic.statements[0]
    assert report.pushed == {} and report.pulled == 0 and report.merge is None
    after = team_service.team_link(t.carl)
    assert after.last_seq == before.last_seq and after.pushed_counts == before.pushed_counts


def test_without_a_kept_connection_a_no_op_sync_connects_once(t, monkeypatch) -> None:
    sync(t.carl)
    traffic = Traffic(monkeypatch)
    report = sync(t.carl)
    assert (traffic.connects, traffic.transactions, len(traffic.statements)) == (1, 0, 1)
    assert report.pulled == 0 and report.pushed == {}


def test_changes_after_no_op_syncs_travel_both_ways(t) -> None:
    for _ in range(3):
        sync(t.carl, keep=t.keep)
    theirs = CreateSpan(t.rich.doc2, "event", [(0, 6)])
    t.ada.run(theirs)
    sync(t.ada)
    mine = CreateSpan(t.rich.doc2, "actor", [(16, 25)])
    t.carl.run(mine)
    report = sync(t.carl, keep=t.keep)
    assert report.pushed.get("spans") == 1
    assert report.merge is not None and report.merge.added.get("spans") == 1
    assert sync(t.carl, keep=t.keep).pulled == 0  # our own push is not pulled back
    sync(t.ada)
    assert canonical(t.carl) == canonical(t.ada)


def _backend(keep: KeptConnection) -> int:
    return keep._connection.info.backend_pid


def test_a_kept_connection_is_reused_and_replaced_after_a_server_restart(t) -> None:
    sync(t.carl, keep=t.keep)
    first = _backend(t.keep)
    sync(t.carl, keep=t.keep)
    assert _backend(t.keep) == first
    t.pg.restart()
    assert sync(t.carl, keep=t.keep).pulled == 0  # no "lost the team database"
    assert _backend(t.keep) != first


def test_a_kept_connection_that_died_unseen_is_replaced_once(t, monkeypatch) -> None:
    """A connection whose death its socket does not show yet (a laptop that slept, a
    dropped route): the probe fails on it, and the sync goes on with a fresh one."""
    sync(t.carl, keep=t.keep)
    first = _backend(t.keep)
    t.team.sql("postgres", "SELECT pg_terminate_backend(%s)", (first,))
    monkeypatch.setattr(team_connect, "_alive", lambda _connection: True)
    theirs = CreateSpan(t.rich.doc2, "event", [(0, 6)])
    t.ada.run(theirs)
    sync(t.ada)
    report = sync(t.carl, keep=t.keep)
    assert report.merge is not None and report.merge.added.get("spans") == 1
    assert _backend(t.keep) != first


def test_a_failed_sync_does_not_keep_its_connection(t) -> None:
    sync(t.carl, keep=t.keep)
    link = team_service.team_link(t.carl)
    link.member = "someone-else"
    team_service.save_link(t.carl, link)
    with pytest.raises(team_service.TeamError, match="belongs to team member"):
        sync(t.carl, keep=t.keep)
    assert t.keep._connection is None


def _set_url(project, url: str) -> None:
    link = team_service.team_link(project)
    link.url = url
    team_service.save_link(project, link)


def test_tcp_keepalives_unless_the_url_sets_them(t) -> None:
    sync(t.carl, keep=t.keep)
    assert t.keep._connection.info.get_parameters()["keepalives_idle"] == "60"
    _set_url(t.carl, team_service.team_link(t.carl).url + "&keepalives_idle=5")
    sync(t.carl, keep=t.keep)  # another URL: a new connection, with the URL's setting
    assert t.keep._connection.info.get_parameters()["keepalives_idle"] == "5"


def test_a_url_libpq_refuses_is_one_line(t) -> None:
    _set_url(t.carl, team_service.team_link(t.carl).url + "&bogus=1")
    with pytest.raises(team_service.TeamError, match=r'invalid URI query parameter: "bogus"$'):
        sync(t.carl)
