"""One identity (issue 14): the CLI and the app annotate under the name kept in the identity
file; `annotator whoami [--set NAME]` shows and changes it; `--annotator` overrides it once."""

from __future__ import annotations

import json

import pytest

from annotator.cli import main
from annotator.services import identity
from annotator.services.project import Project


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_whoami_before_a_name_is_chosen_is_the_login_name(capsys, monkeypatch) -> None:
    monkeypatch.setattr(identity, "login_name", lambda: "dana")
    code, out, err = run(capsys, "whoami")
    assert (code, out) == (0, "dana\n")
    assert "annotator whoami --set NAME" in err


def test_whoami_set_is_shared_with_every_command(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "whoami", "--set", "  Dana   Scully ")
    assert code == 0 and err.startswith("you annotate as Dana Scully")
    assert run(capsys, "whoami")[1] == "Dana Scully\n"
    data = json.loads(identity.identity_path().read_text(encoding="utf-8"))
    assert data["current"] == "Dana Scully"

    path = tmp_path / "p.annotator"
    assert run(capsys, "new", path)[0] == 0
    assert run(capsys, "info", path)[1].splitlines()[-1] == "annotators: Dana Scully"
    with Project.open(path) as project:  # the services' default is the same name
        assert project.annotator.name == "Dana Scully"


def test_the_annotator_option_overrides_for_one_command_only(capsys, tmp_path) -> None:
    run(capsys, "whoami", "--set", "Dana")
    path = tmp_path / "p.annotator"
    assert run(capsys, "new", path, "--annotator", "Fox")[0] == 0
    assert run(capsys, "info", path)[1].splitlines()[-1] == "annotators: Fox"
    assert run(capsys, "whoami")[1] == "Dana\n"  # unchanged


def test_an_empty_name_is_refused_in_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["whoami", "--set", "   "])
    assert caught.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "an annotator needs a name" in err[0]


def test_the_name_survives_new_identities_and_keeps_them(capsys) -> None:
    """Adding a uuid for another name (identity_uuid) keeps the chosen name, and choosing a
    name keeps every uuid."""
    run(capsys, "whoami", "--set", "Dana")
    fox = identity.identity_uuid("Fox")
    assert identity.saved_name() == "Dana"
    run(capsys, "whoami", "--set", "Walter")
    assert identity.read_identities()["Fox"] == fox


def test_an_unwritable_identity_folder_is_one_line(capsys, monkeypatch, tmp_path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv(identity.CONFIG_DIR_VARIABLE, str(blocked / "sub"))
    code, _, err = run(capsys, "whoami", "--set", "Dana")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("annotator whoami: cannot save the name")
