"""Exporting onto the open project file (or its WAL / shm) is refused and changes nothing."""

from __future__ import annotations

import pytest

from annotator.cli import main
from annotator.services.project import Project


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_cli_export_onto_the_project_is_refused(tmp_path, capsys, suffix):
    path = tmp_path / "p.annotator"
    assert main(["new", str(path), "--sample", "--annotator", "Ann"]) == 0
    before = path.read_bytes()
    capsys.readouterr()
    target = path.with_name(path.name + suffix)
    assert main(["export", str(path), "--format", "json", "-o", str(target)]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the project file itself" in err[0], err
    assert path.read_bytes() == before
    with Project.open(path) as project, project.store.read() as read:
        assert read.documents()


def test_a_relative_spelling_of_the_project_is_refused(tmp_path, capsys, monkeypatch):
    path = tmp_path / "p.annotator"
    assert main(["new", str(path), "--sample", "--annotator", "Ann"]) == 0
    monkeypatch.chdir(tmp_path)
    sub = tmp_path / "sub"
    sub.mkdir()
    assert main(["export", "p.annotator", "--format", "csv", "-o", "sub/../p.annotator"]) != 0
    assert path.read_bytes().startswith(b"SQLite format 3\x00")


def test_cli_schema_export_onto_the_project_is_refused(tmp_path, capsys):
    path = tmp_path / "p.annotator"
    assert main(["new", str(path), "--sample", "--annotator", "Ann"]) == 0
    before = path.read_bytes()
    assert main(["schema", "export", str(path), str(path)]) != 0
    assert "the project file itself" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_a_folder_or_a_missing_folder_is_named_in_one_line(tmp_path, capsys):
    path = tmp_path / "p.annotator"
    assert main(["new", str(path), "--sample", "--annotator", "Ann"]) == 0
    capsys.readouterr()
    assert main(["export", str(path), "--format", "csv", "-o", str(tmp_path)]) != 0
    assert capsys.readouterr().err.strip() == (
        f"annotator export: {tmp_path} is a folder; export to a file name in it"
    )
    missing = tmp_path / "nope" / "x.json"
    assert main(["export", str(path), "-o", str(missing)]) != 0
    err = capsys.readouterr().err
    assert f"folder {missing.parent} does not exist" in err and ".partial" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.annotator"]
