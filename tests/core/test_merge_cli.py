"""`annotator merge`: prints the report (text or JSON), --theirs takes the file's schema,
--history lists kept reports, a refused file exits 1 with one line and changes nothing."""

from __future__ import annotations

from pathlib import Path

import fixtures_hostile as fh
import orjson
import pytest
from merge_helpers import open_as, rich_pair

from annotator.cli import main as cli
from annotator.services.schema_commands import EditTagType
from annotator.services.span_commands import EditSpan


def test_merge_prints_the_report_and_takes_theirs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    c_path = tmp_path / "c.annotator"
    c_path.write_bytes(b_path.read_bytes())
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="from Bob"))
        b.run(EditTagType("actor", color="#000000"))
    # c: an untouched copy (nothing to merge); b: Bob's edits, with a schema conflict
    args = ["merge", str(a_path), str(c_path), str(b_path), "--theirs", "--annotator", "Ada"]
    assert cli([*args, "--json"]) == 0
    first, second = (orjson.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["source"] == "c.annotator" and first["updated"] == {}
    assert first["backup"].endswith("a.before-merge.annotator")
    assert second["source"] == "b.annotator" and second["updated"]["spans"] == 1
    assert second["conflicts"] == [
        "tag type “actor” differs in color; the merged file's definition taken"
    ]
    assert second["backup"] == ""
    with open_as(a_path, "Ada") as a:
        assert a.schema.tag("actor").color == "#000000"
    assert cli(["merge", str(a_path), "--history", "--annotator", "Ada"]) == 0
    out = capsys.readouterr().out
    assert out.count("merged b.annotator") == 1 and out.count("merged c.annotator") == 1
    assert cli(["merge", str(a_path), str(b_path), "--annotator", "Ada"]) == 0
    assert "added: nothing\nupdated: nothing\ndeleted: nothing" in capsys.readouterr().out


def test_refused_file_exits_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_path, b_path, _ = rich_pair(tmp_path)
    trojan = fh.trojan_trigger(b_path, tmp_path / "trojan.annotator")
    before = fh.sha256_of(a_path)
    assert cli(["merge", str(a_path), str(trojan), "--annotator", "Ada"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("annotator merge: trojan.annotator contains a trigger")
    assert fh.sha256_of(a_path) == before


def test_merge_needs_another_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_path, _, _ = rich_pair(tmp_path)
    assert cli(["merge", str(a_path)]) == 2
    assert "name at least one OTHER" in capsys.readouterr().err
