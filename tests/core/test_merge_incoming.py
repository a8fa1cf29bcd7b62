"""Issue 17 items 2 and 6, the merge side: a colleague's file whose rows break the model
(history detail that is not JSON, a status 'hacked', a self-link, a tag kind 'bogus', a link its
type does not allow, a NUL in a text) is refused before anything is written, each problem named
with where it is; the project stays byte-identical and every command still works on it."""

from __future__ import annotations

import hashlib
from contextlib import closing
from pathlib import Path

import fixtures_hostile as fh
import pytest
from merge_helpers import open_as, rich_pair

from annotator.cli import main
from annotator.domain.ids import new_uuid, now
from annotator.errors import IncomingRowsError, InvalidContentError
from annotator.services.merge import backup_path, merge
from annotator.store.checks import open_read_only
from annotator.store.merge_incoming import incoming_problems

NUL_TEXT = "A text with a NUL \u0000 and nothing else."
NUL_SQL = "'A text with a NUL ' || char(0) || ' and nothing else.'"
NUL_SHA = hashlib.sha256(NUL_TEXT.encode()).hexdigest()


def _cases(rich) -> dict[str, tuple[tuple[str, ...], str]]:
    """case → (SQL statements, a phrase the refusal must hold)."""
    span = "(SELECT id FROM spans WHERE uuid = '{}')".format
    return {
        "history detail not JSON": (
            ("UPDATE history SET detail = '{not json' WHERE id = (SELECT min(id) FROM history)",),
            "detail is not valid JSON",
        ),
        "status hacked": (
            (
                "INSERT OR REPLACE INTO document_status (uuid, document_id, annotator_id, status,"
                f" modified) VALUES ('{new_uuid()}', 1, 1, 'hacked', '{now()}')",
            ),
            "status expected one of ['new', 'in_progress', 'done'], not 'hacked'",
        ),
        "self-link": (
            (f"UPDATE links SET target_span_id = source_span_id WHERE uuid = '{rich.asserts}'",),
            f"links {rich.asserts}: links a span to itself",
        ),
        "bogus tag kind": (
            ("UPDATE tag_types SET kind = 'bogus' WHERE key = 'actor'",),
            "kind expected one of",
        ),
        "link its type does not allow": (
            (
                f"UPDATE links SET source_span_id = {span(rich.place)} "
                f"WHERE uuid = '{rich.asserts}'",
            ),
            f"links {rich.asserts}: its link type does not allow these tag types",
        ),
        "NUL in a text without spans": (
            (
                "INSERT INTO documents (uuid, title, text, sha256, imported, created, modified)"
                f" VALUES ('{new_uuid()}', 'nul', {NUL_SQL}, '{NUL_SHA}', '{now()}',"
                f" '{now()}', '{now()}')",
            ),
            "text contains U+0000 (NUL) at position 18",
        ),
        "malformed attributes": (
            (f"UPDATE spans SET attributes = '[1, 2]' WHERE uuid = '{rich.mayor}'",),
            rich.mayor,  # the open checklist may name it first, in its own words
        ),
        "line break as an id": (  # found by tests/fuzz: the message must stay one line
            (
                "UPDATE tombstones SET uuid = char(13) || char(10) "
                "WHERE rowid = (SELECT min(rowid) FROM tombstones)",
            ),
            "tombstones row '\\r\\n': uuid expected a lower-case UUID",
        ),
        "bad time": (
            (f"UPDATE spans SET modified = 'yesterday' WHERE uuid = '{rich.mayor}'",),
            "modified expected a UTC timestamp",
        ),
    }


def _hostile(tmp_path: Path, case: str) -> tuple[Path, Path, str]:
    a_path, b_path, rich = rich_pair(tmp_path)
    statements, phrase = _cases(rich)[case]
    hostile = fh.copy_project(b_path, tmp_path / "hostile.annotator")
    fh.run_sql(hostile, "PRAGMA ignore_check_constraints = ON", *statements)
    return a_path, hostile, phrase


CASES = sorted(_cases(type("R", (), {k: "x" for k in ("asserts", "place", "mayor")})()))


@pytest.mark.parametrize("case", CASES)
def test_merge_refuses_every_row_problem_and_changes_nothing(tmp_path: Path, case: str) -> None:
    a_path, hostile, phrase = _hostile(tmp_path, case)
    before = fh.sha256_of(a_path)
    with open_as(a_path, "Ada") as a:
        with pytest.raises(InvalidContentError) as raised:
            merge(a, hostile)
    message = str(raised.value)
    assert "hostile.annotator" in message and "\n" not in message
    if isinstance(raised.value, IncomingRowsError):  # else the open checklist refused it first
        assert any(phrase in e for e in raised.value.errors), raised.value.errors
    assert fh.sha256_of(a_path) == before
    assert not backup_path(a_path).exists()


@pytest.mark.parametrize("case", CASES)
def test_cli_merge_lists_each_problem_and_the_project_still_works(
    tmp_path: Path, capsys, case: str
) -> None:
    a_path, hostile, phrase = _hostile(tmp_path, case)
    before = a_path.read_bytes()
    assert main(["merge", str(a_path), str(hostile)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    assert "hostile.annotator" in err.splitlines()[-1]
    if "nothing was merged" in err:  # else the open checklist refused it first, in one line
        assert phrase in err
    else:
        assert len(err.splitlines()) == 1
    assert a_path.read_bytes() == before
    out = tmp_path / "out.json"
    for command in (["check", a_path], ["history", a_path], ["export", a_path, "-o", out]):
        assert main([str(c) for c in command]) == 0, capsys.readouterr().err


def test_several_problems_are_each_named(tmp_path: Path) -> None:
    _a_path, b_path, rich = rich_pair(tmp_path)
    hostile = fh.copy_project(b_path, tmp_path / "hostile.annotator")
    fh.run_sql(
        hostile,
        "PRAGMA ignore_check_constraints = ON",
        "UPDATE tag_types SET kind = 'bogus' WHERE key = 'actor'",
        f"UPDATE links SET target_span_id = source_span_id WHERE uuid = '{rich.asserts}'",
        "UPDATE history SET detail = 'x'",
    )
    with closing(open_read_only(hostile)) as connection:  # the rows alone, checklist or not
        errors = incoming_problems(connection)
    assert any("tag_types" in e and "bogus" in e for e in errors)
    assert any(rich.asserts in e and "itself" in e for e in errors)
    assert sum("detail is not valid JSON" in e for e in errors) >= 2
    assert all("\n" not in e for e in errors)
    refusal = IncomingRowsError("hostile.annotator", errors)
    assert str(refusal).endswith(f"(and {len(errors) - 1} more)")
