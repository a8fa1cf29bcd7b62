"""Faults during a sync: a killed connection mid-push, the client SIGKILLed mid-pull, a server
restart, two members pushing the same span at once, a hostile pulled row. Each ends with no
duplicate, no lost acknowledged edit and a project that passes `annotator check`."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("psycopg", reason="team sync needs its drivers: pip install 'annotator[team]'")
from json_helpers import build_rich_project
from merge_helpers import canonical
from team_helpers import new_team

from annotator.cli import main as cli
from annotator.services import team as team_service
from annotator.services.span_commands import CreateSpan, EditSpan
from annotator.services.team_sync import sync
from annotator.store.team import TeamOffline

HERE = Path(__file__).resolve().parent


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
    state = SimpleNamespace(pg=pg, team=team, ada=ada, carl=carl, rich=rich, tmp=tmp_path)
    yield state
    state.ada.close()
    state.carl.close()


def _carl_spans(t, count: int) -> list[str]:
    uuids = []
    for start in range(count):
        create = CreateSpan(t.rich.doc2, "actor", [(start, start + 3)])
        t.carl.run(create)
        uuids.append(create.uuid)
    return uuids


def _server_spans(t, annotator: str) -> list[str]:
    rows = t.team.sql(
        "postgres", "SELECT uuid FROM team.spans WHERE annotator_uuid = %s", (annotator,)
    )
    return [u for (u,) in rows]


def _sound(*projects) -> None:
    """Every project passes `annotator check` and holds each span once."""
    for project in projects:
        assert cli(["check", str(project.store.path)]) == 0
        raw = project.store.engine.raw_connection()
        try:
            spans = raw.execute("SELECT count(*), count(DISTINCT uuid) FROM spans").fetchone()
            links = raw.execute("SELECT count(*), count(DISTINCT uuid) FROM links").fetchone()
        finally:
            raw.close()
        assert spans[0] == spans[1] and links[0] == links[1]


def _converged(t, *acknowledged: str) -> None:
    """Both members end equal and sound, each acknowledged span there exactly once."""
    for project in (t.carl, t.ada, t.carl):
        sync(project)
    assert canonical(t.carl) == canonical(t.ada)
    _sound(t.ada, t.carl)
    for project in (t.ada, t.carl):
        with project.store.read() as session:
            assert len(session.spans_by_uuid(acknowledged)) == len(acknowledged)


def test_connection_killed_mid_push(t) -> None:
    uuids = _carl_spans(t, 5)

    def kill(done: int, total: int, text: str = "") -> bool:
        if text == "Pushing history":  # the spans are written, the transaction is open
            t.team.sql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE usename = %s", (t.team.carl,))  # fmt: skip
        return True

    with pytest.raises(TeamOffline, match="lost the team database"):
        sync(t.carl, kill)
    assert _server_spans(t, t.carl.annotator.uuid) == []  # nothing half-pushed
    report = sync(t.carl)
    assert report.pushed["spans"] == 5
    assert sorted(_server_spans(t, t.carl.annotator.uuid)) == sorted(uuids)
    _converged(t, *uuids)


def test_client_killed_mid_pull(t) -> None:
    ada_spans = [CreateSpan(t.rich.doc2, "event", [(0, 6)]), CreateSpan(t.rich.doc2, "actor",
                 [(16, 25)])]  # fmt: skip
    for create in ada_spans:
        t.ada.run(create)
    sync(t.ada)
    mine = _carl_spans(t, 3)
    path = t.carl.store.path
    t.carl.close()
    child = subprocess.Popen(
        [sys.executable, str(HERE / "sync_child.py"), str(path), "carl"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=HERE.parents[1],
    )  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "PULLING"
        assert sorted(_server_spans(t, t.carl.annotator.uuid)) == sorted(mine)  # acknowledged
    finally:
        child.kill()
        child.wait()
    assert cli(["check", str(path)]) == 0
    t.carl = team_service.Project.open(path, annotator_name="carl")
    report = sync(t.carl)
    assert report.merge is not None and report.merge.added.get("spans") == 2
    _converged(t, *mine, *(create.uuid for create in ada_spans))


def test_server_restart_during_a_sync(t) -> None:
    theirs = CreateSpan(t.rich.doc2, "event", [(0, 6)])
    t.ada.run(theirs)
    sync(t.ada)  # something for Carl to pull
    mine = _carl_spans(t, 4)

    def restart(done: int, total: int, text: str = "") -> bool:
        if text == "Pulling spans":
            t.pg.restart()
        return True

    with pytest.raises(TeamOffline):
        sync(t.carl, restart)
    assert sorted(_server_spans(t, t.carl.annotator.uuid)) == sorted(mine)  # the push held
    _converged(t, *mine, theirs.uuid)


def test_two_members_push_the_same_span_at_once(t) -> None:
    (span,) = _carl_spans(t, 1)
    sync(t.carl)
    sync(t.ada)
    t.carl.run(EditSpan(span, note="Carl's"))
    t.ada.run(EditSpan(span, note="Ada's"))  # the owner may write every layer; hers is later
    gate = threading.Barrier(2)
    errors: list[BaseException] = []

    def together(done: int, total: int, text: str = "") -> bool:
        if text == "Pushing":  # both connected, both about to open their push transaction
            gate.wait(timeout=30)
        return True

    def run(project) -> None:
        try:
            sync(project, together)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(p,)) for p in (t.carl, t.ada)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    _converged(t, span)
    with t.carl.store.read() as session:
        assert session.span(span).note == "Ada's"  # the later edit wins, as in a merge
    notes = t.team.sql(t.team.ada, "SELECT note FROM team.spans WHERE uuid = %s", (span,))
    assert notes == [("Ada's",)]


def test_a_pulled_row_with_offsets_out_of_range_is_refused_and_reported(t) -> None:
    with t.ada.store.read() as session:
        sha = session.document_info(t.rich.doc2).sha256
    bad = "0190aaaa-0000-7000-8000-00000000beef"
    t.team.sql(
        t.team.ada,
        'INSERT INTO team.spans (uuid, document_sha, annotator_uuid, tag_key, start, "end", '
        "fragments, quote, created, modified) VALUES (%s, %s, %s, 'actor', 5, 9999, "
        "'{5,9999}', 'x', '2026-12-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z')",
        (bad, sha, t.ada.annotator.uuid),
    )
    report = sync(t.carl)
    assert any(bad in line and "outside the text" in line for line in report.refused)
    assert "refused 1 pulled rows" in report.summary()
    with t.carl.store.read() as session:
        assert session.spans_by_uuid([bad]) == []
    _sound(t.carl)
