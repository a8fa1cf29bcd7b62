"""Sync end to end on real files and a real PostgreSQL server: attach, clone, push, pull,
detach, deletions, conflicts by the merge rules, offline work."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("psycopg", reason="team sync needs its drivers: pip install 'annotator[team]'")
from json_helpers import build_rich_project
from merge_helpers import canonical
from team_helpers import new_team

from annotator.services import team as team_service
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan
from annotator.services.team_sync import sync
from annotator.store.team import TeamError, TeamOffline


@pytest.fixture
def attached(pg, team_db, tmp_path):
    """Ada (owner) attached her rich project and pushed it; Carl cloned it."""
    team = new_team(pg, team_db)
    ada, rich = build_rich_project(tmp_path / "ada.annotator")
    team.ada = team.add("ada", "owner", ada.annotator.uuid)
    team.carl = team.add("carl")
    team_service.attach(ada, team.url(team.ada))
    first = sync(ada)
    carl = team_service.clone(team.url(team.carl), tmp_path / "carl.annotator")
    yield SimpleNamespace(team=team, ada=ada, carl=carl, rich=rich, first=first)
    ada.close()
    carl.close()


def test_attach_pushes_everything_and_a_clone_equals_it(attached) -> None:
    t = attached
    ada, carl, _rich = t.ada, t.carl, t.rich
    assert t.first.pushed["spans"] > 5 and t.first.pushed["documents"] == 2
    assert canonical(carl) == canonical(ada)
    assert carl.annotator.name == "carl"


def test_edits_travel_both_ways(attached) -> None:
    t = attached
    ada, carl, rich = t.ada, t.carl, t.rich
    with carl.store.read() as session:
        text = session.document_text(rich.doc2)
    create = CreateSpan(rich.doc2, "event", [(0, 6)])
    carl.run(create)
    ada.run(EditSpan(rich.mayor, note="changed by Ada"))
    ada.run(DeleteSpans([rich.place]))
    assert sync(carl).pushed.get("spans") == 1
    report = sync(ada)
    assert report.merge is not None and report.merge.added.get("spans") == 1
    sync(carl)
    assert canonical(carl) == canonical(ada)
    assert text[0:6] in [s.quote for s in _spans(ada, rich.doc2)]


def test_a_sync_with_nothing_to_do_changes_nothing(attached) -> None:
    t = attached
    _ada, carl, _rich = t.ada, t.carl, t.rich
    sync(carl)
    before = canonical(carl)
    again = sync(carl)
    assert again.pushed == {} and again.pulled == 0
    assert canonical(carl) == before


def test_detach_leaves_an_ordinary_project(attached) -> None:
    t = attached
    _ada, carl, _rich = t.ada, t.carl, t.rich
    team_service.detach(carl)
    assert team_service.team_link(carl) is None
    with pytest.raises(TeamError, match="not synced with a team"):
        sync(carl)


def test_offline_is_reported_and_changes_nothing(attached, tmp_path) -> None:
    t = attached
    _ada, carl, _rich = t.ada, t.carl, t.rich
    link = team_service.team_link(carl)
    link.url = f"postgresql://nobody@/nothing?host={tmp_path}"
    team_service.save_link(carl, link)
    before = canonical(carl)
    with pytest.raises(TeamOffline, match="cannot reach"):
        sync(carl)
    assert canonical(carl) == before


def _spans(project, document):
    with project.store.read() as session:
        return session.spans(document)


def test_large_pushes_go_by_copy_with_the_same_result(attached, monkeypatch) -> None:
    from annotator.store.team import push

    monkeypatch.setattr(push, "COPY_FROM", 1)  # every table's rows by COPY + one upsert
    t = attached
    ada, carl, rich = t.ada, t.carl, t.rich
    for start in (0, 7, 16):
        carl.run(CreateSpan(rich.doc2, "actor", [(start, start + 5)]))
    ada.run(EditSpan(rich.mayor, note="changed again"))
    assert sync(carl).pushed.get("spans") == 3
    assert sync(ada).pushed.get("spans") == 1
    sync(carl)
    assert canonical(carl) == canonical(ada)


def test_a_pull_the_checklist_cannot_finish_in_time_is_said_plainly(attached, monkeypatch) -> None:
    from annotator.errors import CorruptProjectError
    from annotator.services import team_sync

    def out_of_time(*_args):  # what run_checklist raises when its deadline interrupts it
        raise CorruptProjectError("team.annotator is damaged: interrupted")

    t = attached
    t.ada.run(EditSpan(t.rich.mayor, note="to pull"))
    sync(t.ada)
    before = canonical(t.carl)
    monkeypatch.setattr(team_sync, "checked_other", out_of_time)  # a machine far too busy
    with pytest.raises(TeamError, match="took longer than the open checklist allows"):
        sync(t.carl)
    assert canonical(t.carl) == before
    monkeypatch.undo()
    sync(t.carl)
    assert canonical(t.carl) == canonical(t.ada)


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("postgresql://ada:s3cret@db.example.org:5433/news?sslmode=verify-full",
         "postgresql://ada@db.example.org:5433/news?sslmode=verify-full"),
        ("postgresql://ada@/news?host=/tmp&password=s3cret&sslmode=require",
         "postgresql://ada@/news?host=/tmp&sslmode=require"),
        ("postgresql:///?service=newsroom", "postgresql:///?service=newsroom"),
    ],
)  # fmt: skip
def test_no_password_is_kept_in_the_project(url: str, kept: str) -> None:
    from annotator.store.team.connect import public_url

    assert public_url(url) == kept
