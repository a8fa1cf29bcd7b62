"""The team commands end to end through the CLI: init, add-member, attach, clone, sync,
status, assign, queue, progress, blind, detach, and `annotator check` on the results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("psycopg", reason="team sync needs its drivers: pip install 'annotator[team]'")
from json_helpers import build_rich_project

from annotator.cli import main as cli
from annotator.services.entity_commands import SetStatus
from annotator.services.project import Project


def test_the_team_workflow_through_the_cli(pg, team_db, tmp_path: Path, capsys) -> None:
    admin = pg.url(team_db)
    ada_path, carl_path = tmp_path / "ada.annotator", tmp_path / "carl.annotator"
    ada, rich = build_rich_project(ada_path)
    ada_uuid = ada.annotator.uuid
    ada.close()
    ada_login, carl_login = f"{team_db}_ada", f"{team_db}_carl"
    assert cli(["team", "init", admin, "--name", "newsroom"]) == 0
    assert cli(["team", "add-member", admin, ada_login, "--role", "owner",
                "--annotator-uuid", ada_uuid, "--annotator-name", "Ada"]) == 0  # fmt: skip
    assert cli(["team", "add-member", admin, carl_login]) == 0
    assert cli(["team", "attach", str(ada_path), pg.url(team_db, ada_login),
                "--annotator", "Ada"]) == 0  # fmt: skip
    assert "attached to team newsroom" in capsys.readouterr().out
    assert cli(["team", "clone", pg.url(team_db, carl_login), str(carl_path)]) == 0
    assert cli(["team", "assign", str(ada_path), "--annotator", "Ada", carl_login,
                rich.doc1, rich.doc2]) == 0  # fmt: skip
    capsys.readouterr()
    assert cli(["team", "queue", str(carl_path), "--annotator", carl_login]) == 0
    queue = capsys.readouterr().out.splitlines()
    assert queue[0].startswith("→ new") and rich.doc1 in queue[0] and len(queue) == 2
    with Project.open(carl_path, annotator_name=carl_login) as carl:
        carl.run(SetStatus(rich.doc1, "done"))
    assert cli(["team", "status", str(carl_path), "--annotator", carl_login]) == 0
    assert "2 changes to push" in capsys.readouterr().out  # the status and its history entry
    assert cli(["sync", str(carl_path), "--annotator", carl_login]) == 0
    assert "pushed 2 rows" in capsys.readouterr().out  # the status and its history entry
    assert cli(["team", "queue", str(carl_path), "--annotator", carl_login]) == 0
    queue = capsys.readouterr().out.splitlines()
    assert queue[0].startswith("  done") and queue[1].startswith("→ new")
    assert cli(["team", "progress", str(ada_path), "--annotator", "Ada"]) == 0
    progress = capsys.readouterr().out
    rows = [line.split() for line in progress.splitlines()]
    assert [carl_login, "annotator", "2", "0", "1"] in rows
    assert cli(["team", "blind", str(ada_path), "--annotator", "Ada", "on"]) == 0
    assert cli(["team", "detach", str(carl_path), "--annotator", carl_login]) == 0
    for path in (ada_path, carl_path):
        assert cli(["check", str(path)]) == 0


def test_a_non_member_gets_one_line(pg, team_db, tmp_path: Path, capsys) -> None:
    admin = pg.url(team_db)
    assert cli(["team", "init", admin, "--name", "newsroom"]) == 0
    capsys.readouterr()
    assert cli(["team", "clone", admin, str(tmp_path / "x.annotator")]) == 1
    assert "not a member of this team" in capsys.readouterr().err
    assert not (tmp_path / "x.annotator").exists()


@pytest.mark.parametrize("url", ["mysql://host/db", "postgresql://nobody@/x?host=/nonexistent"])
def test_bad_urls_get_one_line(url: str, tmp_path: Path, capsys) -> None:
    assert cli(["team", "clone", url, str(tmp_path / "x.annotator")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("annotator team:") and "\n" not in err


def test_status_of_a_lone_project_names_the_uuid_to_join_with(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.annotator"
    assert cli(["new", str(path), "--annotator", "Olga"]) == 0
    capsys.readouterr()
    assert cli(["team", "status", str(path), "--annotator", "Olga"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("not synced with a team; you annotate here as Olga (")


def _without(package: str, body: str) -> str:
    """Code run in a fresh interpreter where `package` is not installed."""
    return (
        "import sys\n"
        "class _Missing:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] == {package!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, _Missing())\n" + body
    )


@pytest.fixture
def attached_project(pg, team_db, tmp_path: Path) -> Path:
    """A new project attached to a new team as its owner."""
    admin = pg.url(team_db)
    project = tmp_path / "p.annotator"
    assert cli(["new", str(project)]) == 0
    with Project.open(project) as opened:
        me = opened.annotator.uuid
    assert cli(["team", "init", admin, "--name", "newsroom"]) == 0
    assert cli(["team", "add-member", admin, f"{team_db}_me", "--role", "owner",
                "--annotator-uuid", me]) == 0  # fmt: skip
    assert cli(["team", "attach", str(project), pg.url(team_db, f"{team_db}_me")]) == 0
    return project


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


@pytest.mark.parametrize("package", ["psycopg", "alembic"])
def test_sync_without_a_driver_says_which_in_one_line(attached_project, package: str) -> None:
    code = _without(package, "from annotator.cli import main\n"
                    f"sys.exit(main(['sync', {str(attached_project)!r}]))\n")  # fmt: skip
    result = _run(code)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"annotator sync: team sync needs the optional drivers ({package} is missing): "
        "pip install 'annotator[team]'"
    ]


def test_sync_does_not_load_alembic(attached_project) -> None:
    """Only `team init` runs Alembic; loading it cost a sync ~0.7 s of its start-up."""
    code = (
        "import sys\nfrom annotator.cli import main\n"
        f"code = main(['sync', {str(attached_project)!r}])\n"
        "print('alembic' in sys.modules)\nsys.exit(code)\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False"
