"""annotator export / import without --format: the format the file's suffix names."""

from __future__ import annotations

import zipfile

import foreign_format_helpers as ff
import pytest


@pytest.fixture
def project_file(tmp_path):
    project, _, _ = ff.rich(tmp_path)
    project.close()
    return tmp_path / "rich.annotator"


@pytest.mark.parametrize(
    ("name", "looks_right"),
    [
        ("out.qdpx", lambda p: "project.qde" in zipfile.ZipFile(p).namelist()),
        ("out.conll", lambda p: p.read_text(encoding="utf-8").startswith("-DOCSTART- -X- -X- O")),
        ("out.jsonld", lambda p: "@context" in p.read_text(encoding="utf-8")),
        ("out.json", lambda p: p.read_text(encoding="utf-8").startswith('{"format":"annotator"')),
    ],
)
def test_export_takes_the_format_its_output_suffix_names(
    tmp_path, capsys, project_file, name, looks_right
) -> None:
    out = tmp_path / name
    code, _, err = ff.cli(capsys, "export", project_file, "-o", out)
    assert code == 0, err
    assert looks_right(out)


@pytest.mark.parametrize(("name", "formats"), [("out.zip", "brat, csv or xmi")])
def test_a_suffix_several_formats_share_is_refused_naming_them(
    tmp_path, capsys, project_file, name, formats
) -> None:
    code, _, err = ff.cli(capsys, "export", project_file, "-o", tmp_path / name)
    assert code != 0 and len(err.splitlines()) == 1
    assert formats in err and "--format" in err
    assert not (tmp_path / name).exists()


def test_import_takes_the_format_its_file_suffix_names(tmp_path, capsys, project_file) -> None:
    qdpx = tmp_path / "out.qdpx"
    assert ff.cli(capsys, "export", project_file, "-o", qdpx)[0] == 0
    code, out, err = ff.cli(capsys, "import", tmp_path / "from-qdpx.annotator", qdpx)
    assert code == 0, err
    assert "2 documents" in out


def test_import_of_a_folder_reads_it_as_a_brat_collection(tmp_path, capsys, project_file) -> None:
    archive = tmp_path / "brat.zip"
    assert ff.cli(capsys, "export", project_file, "-o", archive, "--format", "brat")[0] == 0
    folder = tmp_path / "collection"
    zipfile.ZipFile(archive).extractall(folder)
    code, out, err = ff.cli(capsys, "import", tmp_path / "from-brat.annotator", folder)
    assert code == 0, err
    assert "2 documents" in out


def test_an_ambiguous_import_is_refused_and_creates_no_project(tmp_path, capsys) -> None:
    lines = tmp_path / "data.jsonl"
    lines.write_text('{"text": "Hello"}\n', encoding="utf-8")
    target = tmp_path / "new.annotator"
    code, _, err = ff.cli(capsys, "import", target, lines)
    assert code != 0 and len(err.splitlines()) == 1
    assert "doccano or spacy-jsonl" in err and "--format" in err
    assert not target.exists()


def test_export_to_standard_output(tmp_path, capsysbinary, project_file) -> None:
    from annotator.cli import main

    assert main(["export", str(project_file), "-o", str(tmp_path / "file.json")]) == 0
    capsysbinary.readouterr()
    assert main(["export", str(project_file), "-o", "-"]) == 0
    out, err = capsysbinary.readouterr()
    assert out == (tmp_path / "file.json").read_bytes()
    assert b"to standard output" in err
    assert not (tmp_path / "-").exists() and not list(tmp_path.glob("annotator-export-*"))


def test_a_reader_that_goes_away_stops_the_output_quietly(tmp_path, project_file) -> None:
    import subprocess
    import sys

    child = subprocess.Popen(
        [sys.executable, "-m", "annotator", "export", str(project_file), "-o", "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.close()  # before it writes anything: every write finds no reader
    err = child.stderr.read().decode()
    assert child.wait() == 141
    assert "Traceback" not in err and "Broken pipe" not in err
