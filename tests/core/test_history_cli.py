"""`annotator history`: an object's changes newest first, the project's latest changes, JSON
output, and one-line refusals for a bad or unknown uuid."""

from __future__ import annotations

import json

import json_helpers as h
import pytest

from annotator.cli import COMMANDS, main
from annotator.services.span_commands import EditSpan


@pytest.fixture
def project_path(tmp_path):
    project, ids = h.build_rich_project(tmp_path / "rich.annotator")
    try:
        project.switch_annotator("Bob")
        project.run(EditSpan(ids.mayor, note="checked"))
    finally:
        project.close()
    return tmp_path / "rich.annotator", ids


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_history_is_a_registered_command():
    assert "history" in COMMANDS


def test_an_objects_history_newest_first_with_names(capsys, project_path):
    path, ids = project_path
    code, out, err = run(capsys, "history", path, ids.mayor)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert "  Bob  update: note edited" in lines[0]
    assert "  Ada  create: created" in lines[1]
    assert lines[0][:4].isdigit() and lines[0][10] == " "  # "YYYY-MM-DD HH:MM:SS" local time


def test_the_json_output(capsys, project_path):
    path, ids = project_path
    code, out, _ = run(capsys, "history", path, ids.mayor.upper(), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["object"] == ids.mayor
    assert [r["action"] for r in data["history"]] == ["update", "create"]
    assert data["history"][0]["annotator_name"] == "Bob"
    assert data["history"][0]["annotator"] == ids.bob
    assert data["history"][0]["at"].endswith("Z")


def test_the_latest_changes_of_the_project(capsys, project_path):
    path, ids = project_path
    code, out, _ = run(capsys, "history", path, "--limit", "3")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    assert f"Bob  span {ids.mayor}  update: note edited" in lines[0]


@pytest.mark.parametrize(
    ("argument", "message"),
    [("not-a-uuid", "is not a uuid"), ("01a22502-1965-7201-acbc-4f49b5c4d7a4", "no recorded")],
)
def test_a_bad_or_unknown_object_is_one_line(capsys, project_path, argument, message):
    path, _ = project_path
    code, out, err = run(capsys, "history", path, argument)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("annotator history: ") and message in err


def test_a_missing_project_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "history", tmp_path / "nope.annotator")
    assert code == 1 and err.count("\n") == 1
