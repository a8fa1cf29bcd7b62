"""A merge or import that writes rows older than a team's push mark moves the mark back to
them, so the next push sends them (store/team/push_floor.py); no team link, nothing changes."""

from __future__ import annotations

import copy

import json_helpers as h
import orjson

from annotator.services.exchange_files import import_data
from annotator.store.team.local import PushMark, changed_rows, max_ids, read_link, write_link

MARK = "2090-01-01T00:00:00.000Z"


def _attach(project) -> None:
    with project.store.write() as session:
        raw = session.connection.connection.driver_connection
        link = {"url": "postgresql:///x", "name": "t", "member": "m", "pushed_at": MARK}
        write_link(raw, orjson.dumps(link | {"pushed_ids": max_ids(raw)}).decode())


def _link(project) -> dict:
    with project.store.read() as session:
        text = read_link(session.connection.connection.driver_connection)
    return {} if text is None else orjson.loads(text)


def _colleague_edit(project, when: str) -> tuple[dict, str]:
    theirs = copy.deepcopy(h.export_data(project))
    span = theirs["documents"][0]["spans"][0]
    span |= {"note": "a colleague's note", "modified": when}
    return theirs, span["id"]


def test_an_import_older_than_the_push_mark_lowers_it_and_is_pushed(tmp_path):
    project, _ids = h.build_rich_project(tmp_path / "mine.annotator")
    _attach(project)
    when = "2080-05-05T05:05:05.005Z"  # newer than my version, older than the mark
    theirs, uuid = _colleague_edit(project, when)
    assert import_data(project, theirs).updated.get("spans") == 1
    link = _link(project)
    assert link["pushed_at"] == when
    with project.store.read() as session:
        raw = session.connection.connection.driver_connection
        rows = changed_rows(raw, PushMark(link["pushed_at"], link["pushed_ids"]), ["spans"])
    assert uuid in {row[0] for row in rows["spans"]}
    with project.store.read() as session:
        raw = session.connection.connection.driver_connection
        temp = raw.execute("SELECT name FROM sqlite_temp_master WHERE name LIKE '_push%'")
        assert temp.fetchall() == []  # the triggers and their table are gone
    project.close()


def test_rows_newer_than_the_mark_leave_it_alone(tmp_path):
    project, _ids = h.build_rich_project(tmp_path / "mine.annotator")
    _attach(project)
    theirs, _uuid = _colleague_edit(project, "2095-01-01T00:00:00.000Z")
    import_data(project, theirs)
    assert _link(project)["pushed_at"] == MARK
    project.close()


def test_without_a_team_link_an_import_writes_no_link(tmp_path):
    project, _ids = h.build_rich_project(tmp_path / "mine.annotator")
    theirs, _uuid = _colleague_edit(project, "2080-05-05T05:05:05.005Z")
    import_data(project, theirs)
    assert _link(project) == {}
    project.close()
