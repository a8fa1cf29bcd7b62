"""The command line: every sub-command in-process (`annotator.cli.main`) and a few through a
real `python -m annotator` process.

The contract (README, "Command line"): `--help` on each sub-command; exit status 0 on success;
on failure a non-zero status and exactly one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import fixtures_hostile as hostile
import json_helpers as h
import orjson
import pytest

from annotator import cli
from annotator.cli import COMMANDS, main
from annotator.errors import ValidationError
from annotator.io.schema_file import read_schema_file
from annotator.services.project import Project


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[str, str]:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out, err


def fails(capsys: pytest.CaptureFixture[str], *args: object, status: int = 1) -> str:
    """Run a command that must fail: its status, and the one line it printed on stderr."""
    code, out, err = run(capsys, *args)
    assert code == status, (code, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert out == ""
    return lines[0]


def usage_error(capsys: pytest.CaptureFixture[str], *args: object) -> str:
    """argparse's refusals raise SystemExit(2); they too are one line on stderr."""
    with pytest.raises(SystemExit) as caught:
        main([str(a) for a in args])
    err = capsys.readouterr().err
    assert caught.value.code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def cli_process(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("ANNOTATOR_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "annotator", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.fixture
def rich_file(tmp_path: Path) -> Path:
    """A closed project file holding the rich project of json_helpers."""
    project, _ = h.build_rich_project(tmp_path / "rich.annotator")
    project.close()
    return project.path


def info_of(capsys: pytest.CaptureFixture[str], path: Path) -> list[str]:
    out, _ = ok(capsys, "info", path)
    return out.splitlines()


# -- help and usage --------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_every_sub_command_has_help(capsys, command):
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    out, err = capsys.readouterr()
    assert caught.value.code == 0
    assert out.startswith(f"usage: annotator {command}") and err == ""


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith("annotator ")


def test_top_level_help_lists_the_sub_commands(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert all(command in out for command in COMMANDS)


@pytest.mark.parametrize(
    "args",
    [
        ["new"],
        ["new", "a.annotator", "--bogus"],
        ["export", "a.annotator"],
        ["export", "a.annotator", "-o", "x.json", "--format", "xml"],
        ["import", "a.annotator"],
        ["schema", "merge", "a.annotator", "s.json"],
        ["new", "a.annotator", "--annotator", "  "],
        ["--bogus"],
    ],
)
def test_usage_errors_are_one_line(capsys, args):
    line = usage_error(capsys, *args)
    assert line.startswith("annotator") and ": error: " in line, line
    assert line.endswith(" --help)")


def test_two_projects_for_the_app_is_a_one_line_usage_error(capsys):
    line = fails(capsys, "a.annotator", "b.annotator", status=2)
    assert line == "usage: annotator [PROJECT]  (or annotator COMMAND --help)"


@pytest.mark.parametrize(
    "error", [RuntimeError("boom\n[SQL: INSERT …]\n(Background …)"), ValidationError("a\nb")]
)
def test_an_unexpected_error_is_one_line_too(capsys, monkeypatch, tmp_path, error):
    def explode(args):
        raise error

    monkeypatch.delenv("ANNOTATOR_DEBUG", raising=False)
    monkeypatch.setitem(cli.HANDLERS, "info", explode)
    status = 2 if isinstance(error, RuntimeError) else 1
    line = fails(capsys, "info", tmp_path / "p.annotator", status=status)
    if status == 2:  # a bug: one line, saying where to report it
        assert line.startswith("annotator info: internal error: RuntimeError: boom (a bug: ")
        assert "please report it to the Annotator maintainers" in line
    else:
        assert line == "annotator info: a"


# -- new -------------------------------------------------------------------------------------


def test_new_creates_an_empty_project_with_the_default_schema(capsys, tmp_path):
    path = tmp_path / "p.annotator"
    _, err = ok(capsys, "new", path, "--annotator", "Ada", "--name", "Bridges")
    assert err == f"created {path}\n"
    lines = info_of(capsys, path)
    assert lines[0] == f"project:    Bridges ({path})"
    assert "documents:  0" in lines and "annotators: Ada" in lines
    with Project.open(path, annotator_name="Ada") as project:
        assert [t.key for t in project.schema.tag_types] == ["actor", "event", "claim", "place"]


def test_new_with_the_sample_article(capsys, tmp_path):
    path = tmp_path / "s.annotator"
    ok(capsys, "new", path, "--sample", "--annotator", "Ada")
    lines = info_of(capsys, path)
    # The app's sample (issue 14): the demo spans and links, by the annotator "Sample".
    assert "documents:  1" in lines and "spans:      12" in lines
    assert "annotators: Ada, Sample" in lines
    ok(capsys, "new", tmp_path / "named.annotator", "--sample", "--name", "Reading group")
    assert info_of(capsys, tmp_path / "named.annotator")[0].startswith("project:    Reading group")


def test_new_from_a_schema_file(capsys, tmp_path, rich_file):
    schema = tmp_path / "schema.json"
    ok(capsys, "schema", "export", rich_file, schema)
    data = orjson.loads(schema.read_bytes())
    data["tag_types"] = [t for t in data["tag_types"] if t["key"] in ("actor", "claim")]
    data["link_types"] = [x for x in data["link_types"] if x["key"] in ("asserts", "same_as")]
    schema.write_bytes(orjson.dumps(data))
    path = tmp_path / "small.annotator"
    ok(capsys, "new", path, "--schema", schema, "--sample")
    with Project.open(path) as project:
        assert [t.key for t in project.schema.tag_types] == ["actor", "claim"]


@pytest.mark.parametrize("existing", [b"", b"not a project\n"])
def test_new_refuses_an_existing_file_and_leaves_it_alone(capsys, tmp_path, existing):
    path = tmp_path / "p.annotator"
    path.write_bytes(existing)
    line = fails(capsys, "new", path)
    assert line == "annotator new: p.annotator already exists; choose another name"
    assert path.read_bytes() == existing
    line = fails(capsys, "new", path, "--sample")
    assert "already exists" in line and path.read_bytes() == existing


def test_new_refuses_a_project_that_exists(capsys, rich_file):
    before = rich_file.read_bytes()
    line = fails(capsys, "new", rich_file, "--sample")
    assert line == "annotator new: rich.annotator already exists; choose another name"
    assert rich_file.read_bytes() == before


def test_new_failures_are_one_line(capsys, tmp_path):
    line = fails(capsys, "new", tmp_path / "no" / "such" / "folder" / "p.annotator")
    assert "does not exist" in line
    line = fails(capsys, "new", tmp_path / "p.annotator", "--schema", tmp_path / "none.json")
    assert line.startswith("annotator new: none.json: cannot be read")
    bad = tmp_path / "bad-schema.json"
    bad.write_text('{"format": "annotator-schema", "version": 1, "tag_types": 3}')
    line = fails(capsys, "new", tmp_path / "p.annotator", "--schema", bad)
    assert "$.tag_types: expected list" in line
    assert not (tmp_path / "p.annotator").exists()
    assert sorted(os.listdir(tmp_path)) == ["bad-schema.json"]


# -- add -------------------------------------------------------------------------------------


def _articles(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "alpha.txt").write_bytes(
        b"Alpha article\r\nMayor Jane Doe \xf0\x9f\x98\x80 spoke.\r\n"
    )
    (folder / "sub" / "beta.txt").write_text("Beta article\nAbout the bridge.\n", "utf-8")
    (folder / "sub" / "gamma.txt").write_bytes("Гамма\nстатья о мосте.\n".encode("cp1251"))
    return folder


def test_add_files_and_folders_reporting_what_was_skipped(capsys, tmp_path):
    path = tmp_path / "p.annotator"
    ok(capsys, "new", path, "--annotator", "Ada")
    folder = _articles(tmp_path / "articles")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02 not text \x00" * 50)
    duplicate = tmp_path / "dup.txt"
    duplicate.write_text("Alpha article\nMayor Jane Doe 😀 spoke.\n", "utf-8")  # LF: same text
    single = tmp_path / "delta.txt"
    single.write_text("Delta article\n", "utf-8")

    _, err = ok(capsys, "add", path, folder, binary, duplicate, single, "--annotator", "Ada")

    lines = err.splitlines()
    assert "skipped binary.txt: binary file (contains NUL bytes), not text" in lines
    assert "skipped dup.txt: already in the project (Alpha article)" in lines
    assert lines[-1] == "added 4 document(s) to p.annotator"
    assert "documents:  4" in info_of(capsys, path)
    with Project.open(path, annotator_name="Ada") as project, project.store.read() as session:
        documents = session.documents()
        assert [d.title for d in documents] == [
            "Alpha article",
            "Beta article",
            "Гамма",
            "Delta article",
        ]
        assert "\r" not in session.document_text(documents[0].uuid)


def test_add_failures_are_one_line_and_change_nothing(capsys, tmp_path):
    path = tmp_path / "p.annotator"
    ok(capsys, "new", path)
    before = path.read_bytes()
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00" * 100)
    empty = tmp_path / "empty"
    empty.mkdir()

    line = fails(capsys, "add", path, binary)
    assert (
        line
        == "annotator add: nothing added: binary.txt: binary file (contains NUL bytes), not text"
    )
    line = fails(capsys, "add", path, binary, tmp_path / "absent.txt")
    assert line.startswith("annotator add: nothing added: binary.txt: ") and "(and 1 more" in line
    assert fails(capsys, "add", path, empty) == "annotator add: no files found"
    line = fails(capsys, "add", tmp_path / "missing.annotator", binary)
    assert line.startswith("annotator add: ") and "missing.annotator" in line
    assert path.read_bytes() == before


def test_adding_only_known_texts_is_not_a_failure(capsys, tmp_path):
    path = tmp_path / "p.annotator"
    folder = _articles(tmp_path / "articles")
    ok(capsys, "new", path)
    ok(capsys, "add", path, folder)
    _, err = ok(capsys, "add", path, folder)
    assert err.splitlines()[-1] == "added 0 document(s) to p.annotator"
    assert err.count("already in the project") == 3


# -- export and import -----------------------------------------------------------------------


def test_export_import_into_a_missing_file_export_gives_the_same_bytes(capsys, tmp_path, rich_file):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    copy = tmp_path / "copy.annotator"

    before = rich_file.read_bytes()
    _, err = ok(capsys, "export", rich_file, "-o", first)
    assert err.splitlines()[-1] == f"exported 2 document(s) to {first}"
    assert rich_file.read_bytes() == before
    out, _ = ok(capsys, "import", copy, first)
    assert out.splitlines() == [
        "added: 2 annotators, 2 documents, 1 entity, 7 link types, 3 links, 6 spans, "
        "3 statuses, 4 tag types, 2 tombstones",
        "updated: nothing",
        "deleted: nothing",
        "unchanged: nothing",
        "history: 19 entries added",
    ]
    ok(capsys, "export", copy, "-o", second)

    assert second.read_bytes() == first.read_bytes()
    assert info_of(capsys, copy)[1:] == info_of(capsys, rich_file)[1:]
    out, _ = ok(capsys, "import", copy, first)
    assert out.splitlines()[:3] == ["added: nothing", "updated: nothing", "deleted: nothing"]
    ok(capsys, "export", copy, "-o", second)
    assert second.read_bytes() == first.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "copy.annotator",
        "first.json",
        "rich.annotator",
        "second.json",
    ]


def test_export_import_export_through_a_real_process(tmp_path, rich_file):
    first = cli_process("export", rich_file, "-o", "first.json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    made = cli_process("import", "copy.annotator", "first.json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("added: 2 annotators, 2 documents")
    second = cli_process("export", "copy.annotator", "-o", "second.json", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "second.json").read_bytes() == (tmp_path / "first.json").read_bytes()
    checked = cli_process("check", "copy.annotator", cwd=tmp_path)
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "copy.annotator: ok\n", "")


def test_import_into_an_existing_project_merges(capsys, tmp_path, rich_file):
    exported = tmp_path / "rich.json"
    ok(capsys, "export", rich_file, "-o", exported)
    path = tmp_path / "p.annotator"
    ok(capsys, "new", path, "--annotator", "Cleo")
    out, _ = ok(capsys, "import", path, exported)
    assert out.startswith(
        "added: 2 annotators, 2 documents, 1 entity, 3 links, 6 spans, 3 statuses, 2 tombstones\n"
    )
    assert "conflict" not in out  # same default schema
    assert "annotators: Cleo, Ada, Bob" in info_of(capsys, path)


def test_import_failures_are_one_line_and_leave_nothing_behind(capsys, tmp_path, rich_file):
    exported = tmp_path / "rich.json"
    ok(capsys, "export", rich_file, "-o", exported)
    data = orjson.loads(exported.read_bytes())
    data["documents"][0]["spans"][0]["fragments"] = [[0, 10_000]]
    data["documents"][0]["spans"][1]["tag"] = "nope"
    bad = tmp_path / "bad.json"
    bad.write_bytes(orjson.dumps(data))
    not_json = tmp_path / "not.json"
    not_json.write_text("{oops", "utf-8")
    listing = sorted(os.listdir(tmp_path))

    missing = tmp_path / "new.annotator"
    line = fails(capsys, "import", missing, bad)
    assert line.startswith("annotator import: bad.json: $.documents[0].spans[0].fragments: ")
    assert line.endswith("more)")
    assert fails(capsys, "import", missing, not_json).startswith(
        "annotator import: not.json: $: not valid JSON"
    )
    line = fails(capsys, "import", missing, tmp_path / "absent.json")
    assert line.startswith("annotator import: absent.json: cannot be read")
    assert sorted(os.listdir(tmp_path)) == listing  # no project, lock or journal left

    before = rich_file.read_bytes()
    fails(capsys, "import", rich_file, bad)
    assert rich_file.read_bytes() == before
    ok(capsys, "check", rich_file)


def test_export_failures_are_one_line(capsys, tmp_path, rich_file):
    line = fails(capsys, "export", rich_file, "-o", tmp_path / "no" / "such" / "x.json")
    assert line == f"annotator export: folder {tmp_path / 'no' / 'such'} does not exist"
    line = fails(capsys, "export", tmp_path / "absent.annotator", "-o", tmp_path / "x.json")
    assert line == "annotator export: absent.annotator does not exist or is not a file"
    assert sorted(os.listdir(tmp_path)) == ["rich.annotator"]


# -- info ------------------------------------------------------------------------------------


def test_info_lists_documents_spans_per_tag_links_and_annotators(capsys, rich_file):
    assert info_of(capsys, rich_file) == [
        f"project:    Rich project ({rich_file})",
        "documents:  2",
        "spans:      6",
        "  actor: 3",
        "  claim: 1",
        "  event: 1",
        "  place: 1",
        "links:      3",
        "  asserts: 1",
        "  located_in: 1",
        "  participates_in: 1",
        "entities:   1",
        "annotators: Ada, Bob",
    ]


def test_info_does_not_change_the_file(capsys, rich_file):
    before = rich_file.read_bytes()
    ok(capsys, "info", rich_file, "--annotator", "Someone new")
    assert rich_file.read_bytes() == before


# -- check -----------------------------------------------------------------------------------


def test_check_a_good_file(capsys, rich_file):
    before = rich_file.read_bytes()
    out, err = ok(capsys, "check", rich_file)
    assert (out, err) == ("rich.annotator: ok\n", "")
    assert rich_file.read_bytes() == before


def _damaged(rich: Path, bad: Path) -> Path:
    return hostile.damaged_btree_page(rich, bad)


def _text_file(rich: Path, bad: Path) -> Path:
    return hostile.text_file(bad)


def _trojan(rich: Path, bad: Path) -> Path:
    return hostile.trojan_trigger(rich, bad)


def _truncated(rich: Path, bad: Path) -> Path:
    return hostile.truncated_mid_page(rich, bad)


def _empty(rich: Path, bad: Path) -> Path:
    return hostile.empty_file(bad)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_damaged, "is damaged"),
        (_truncated, "bad.annotator"),
        (_text_file, "is not an Annotator project"),
        (_empty, "bad.annotator"),
        (_trojan, "bad.annotator"),
    ],
)
def test_check_a_bad_file_says_what_is_wrong_in_one_line_and_leaves_it(
    capsys, tmp_path, rich_file, make, expected
):
    bad = make(rich_file, tmp_path / "bad.annotator")
    before = bad.read_bytes()
    line = fails(capsys, "check", bad)
    assert line.startswith("annotator check: ") and expected in line, line
    assert bad.read_bytes() == before
    wal = Path(f"{bad}-wal")  # SQLite's read-only open may leave an empty one: nothing in it
    assert not wal.exists() or wal.stat().st_size == 0


def test_check_a_missing_file(capsys, tmp_path):
    line = fails(capsys, "check", tmp_path / "absent.annotator")
    assert line == "annotator check: absent.annotator does not exist or is not a file"


def test_failures_through_a_real_process_are_one_line_without_traceback(tmp_path, rich_file):
    hostile.text_file(tmp_path / "notes.annotator")
    (tmp_path / "bad.json").write_text("[1, 2", "utf-8")
    for args in (
        ["check", "notes.annotator"],
        ["info", "notes.annotator"],
        ["new", "rich.annotator"],
        ["import", "copy.annotator", "bad.json"],
        ["export", "rich.annotator"],  # no -o: a usage error
    ):
        done = cli_process(*args, cwd=tmp_path)
        assert done.returncode != 0, args
        assert "Traceback" not in done.stderr
        assert len(done.stderr.splitlines()) == 1, (args, done.stderr)
        assert done.stdout == ""
    assert not (tmp_path / "copy.annotator").exists()


def test_a_project_open_elsewhere_is_reported_to_writing_commands_only(tmp_path, rich_file):
    """Commands that only read open it read-only (tests/core/test_read_only_open.py)."""
    (tmp_path / "note.txt").write_text("A note.", encoding="utf-8")
    with Project.open(rich_file):
        for command in (["info"], ["check"], ["export", "-o", "x.json"]):
            done = cli_process(command[0], rich_file, *command[1:], cwd=tmp_path)
            assert done.returncode == 0, done.stderr
        for command in (["add", "note.txt"], ["curate", "--accept-agreed"]):
            done = cli_process(command[0], rich_file, *command[1:], cwd=tmp_path)
            assert done.returncode == 1
            (line,) = done.stderr.splitlines()
            assert "already open" in line and "Traceback" not in done.stderr


# -- schema ----------------------------------------------------------------------------------


def test_schema_export_and_import(capsys, tmp_path, rich_file):
    schema = tmp_path / "schema.json"
    _, err = ok(capsys, "schema", "export", rich_file, schema)
    assert err == f"wrote {schema}\n"
    data = orjson.loads(schema.read_bytes())
    assert read_schema_file(data).tag("actor") is not None
    data["tag_types"].append(
        {
            "id": "00000000-0000-4000-8000-000000000001",
            "key": "weapon",
            "label": "Weapon 🗡",
            "kind": "custom",
            "color": "#aa0000",
            "hotkey": "w",
            "attributes": [],
        }
    )
    schema.write_bytes(orjson.dumps(data))
    path = tmp_path / "p.annotator"
    ok(capsys, "new", path)

    _, err = ok(capsys, "schema", "import", path, schema)

    assert "weapon" in err
    with Project.open(path) as project:
        assert project.schema.tag("weapon").label == "Weapon 🗡"
    again = tmp_path / "again.json"
    ok(capsys, "schema", "export", path, again)
    assert [t["key"] for t in orjson.loads(again.read_bytes())["tag_types"]][-1] == "weapon"


def test_schema_failures_are_one_line(capsys, tmp_path, rich_file):
    before = rich_file.read_bytes()
    exported = tmp_path / "rich.json"
    ok(capsys, "export", rich_file, "-o", exported)
    line = fails(capsys, "schema", "import", rich_file, exported)
    assert line == (
        "annotator schema: not an Annotator schema file "
        "(expected format \u201cannotator-schema\u201d)"
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "annotator-schema", "version": 1, "tag_types": [{}]}', "utf-8")
    line = fails(capsys, "schema", "import", rich_file, bad)
    assert line.startswith("annotator schema: $.tag_types[0].id: expected a lower-case UUID")
    line = fails(capsys, "schema", "export", rich_file, tmp_path / "no" / "schema.json")
    assert line == f"annotator schema: folder {tmp_path / 'no'} does not exist"
    assert rich_file.read_bytes() == before
