"""Issue 17 items 1, 2 and 6: the checklist enforces schema.sql's CHECKs, JSON in JSON columns,
the text rules and link endpoints; every such file is refused on open, by `check` and by a
merge, in one line, and is left byte for byte as it was."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import fixtures_hostile as hostile
import pytest
from merge_helpers import open_as, rich_pair

from annotator.errors import InvalidContentError, ProjectFileError
from annotator.services.merge import backup_path, merge
from annotator.store.checks import run_checklist
from annotator.store.lock import lock_path
from annotator.store.project_store import ProjectStore

STAMP = "2026-01-01T00:00:00.000Z"


def break_rules(source: Path, destination: Path, *statements: str) -> Path:
    """A copy of source with statements run as a hostile tool would: CHECKs not enforced,
    foreign keys off."""
    hostile.copy_project(source, destination)
    connection = sqlite3.connect(destination, isolation_level=None)
    try:
        connection.execute("PRAGMA ignore_check_constraints = ON")
        connection.execute("BEGIN")
        for statement in statements:
            connection.execute(statement)
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{destination}{suffix}").unlink(missing_ok=True)
    return destination


def nul_text(values) -> list[str]:
    """The document's text with a NUL at position 3, its hash made to match (issue 17 item 1:
    SQLite's length() stops at the NUL, so the old checklist said "offset outside")."""
    text = values.document.text[:3] + "\x00" + values.document.text[4:]
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    literal = "'" + text[:3].replace("'", "''") + "' || char(0) || '"
    literal += text[4:].replace("'", "''") + "'"
    return [f"UPDATE documents SET text = {literal}, sha256 = '{sha}'"]


#: name -> (statements(values), pattern the one-line message must hold)
CASES = {
    "status 'hacked'": (
        lambda v: [
            "INSERT OR IGNORE INTO document_status (uuid, document_id, annotator_id, status, "
            f"modified) SELECT 'st-1', d.id, a.id, 'new', '{STAMP}' FROM documents d, "
            "annotators a LIMIT 1",
            "UPDATE document_status SET status = 'hacked'",
        ],
        "status IN",
    ),
    "a link from a span to itself": (
        lambda v: [
            f"UPDATE links SET target_span_id = source_span_id WHERE uuid = '{v.link.uuid}'"
        ],
        "to itself",
    ),
    "tag kind 'bogus'": (
        lambda v: [f"UPDATE tag_types SET kind = 'bogus' WHERE uuid = '{v.actor.uuid}'"],
        "kind IN",
    ),
    "a link its type's endpoints do not allow": (
        lambda v: [
            "UPDATE links SET source_span_id = target_span_id, "
            f"target_span_id = source_span_id WHERE uuid = '{v.link.uuid}'"
        ],
        "does not allow",
    ),
    "a boolean that is 2": (
        lambda v: [f"UPDATE link_types SET directed = 2 WHERE uuid = '{v.asserts.uuid}'"],
        "directed IN",
    ),
    "a negative offset": (
        lambda v: [
            "UPDATE span_fragments SET start = -1 WHERE ordinal = 0 AND span_id = "
            f"(SELECT id FROM spans WHERE uuid = '{v.actor_span.uuid}')",
            f"UPDATE spans SET start = -1 WHERE uuid = '{v.actor_span.uuid}'",
        ],
        "start >= 0",
    ),
    "an empty fragment": (
        lambda v: [
            'UPDATE span_fragments SET "end" = start WHERE ordinal = 1 AND span_id = '
            f"(SELECT id FROM spans WHERE uuid = '{v.claim_span.uuid}')"
        ],
        '"end" > start',
    ),
    "history.detail that is not JSON": (
        lambda v: [
            "INSERT INTO history (uuid, object_uuid, object_kind, action, detail, at) VALUES "
            f"('h-1', '{v.actor_span.uuid}', 'span', 'update', '{{not json', '{STAMP}')"
        ],
        "detail that is not valid JSON",
    ),
    "history.detail that is a list": (
        lambda v: [
            "INSERT INTO history (uuid, object_uuid, object_kind, action, detail, at) VALUES "
            f"('h-1', '{v.actor_span.uuid}', 'span', 'update', '[1]', '{STAMP}')"
        ],
        "not a JSON object",
    ),
    "attributes with a lone surrogate escape (json_valid passes it, the readers do not)": (
        lambda v: [
            'UPDATE spans SET attributes = \'{"stance": "\\ud800"}\' '
            f"WHERE uuid = '{v.claim_span.uuid}'"
        ],
        "attributes that is not valid JSON",
    ),
    "attributes that are not UTF-8": (
        lambda v: [
            "UPDATE spans SET attributes = CAST(X'7B227374616E6365223A2022FF227D' AS TEXT) "
            f"WHERE uuid = '{v.claim_span.uuid}'"
        ],
        "spans holds text that is not valid UTF-8",
    ),
    "a merge report that is not JSON": (
        lambda v: [
            "INSERT INTO merge_reports (uuid, merged, source_name, report) VALUES "
            f"('m-1', '{STAMP}', 'x.annotator', 'nope')"
        ],
        "report that is not valid JSON",
    ),
    "a prefix that differs from the text": (
        lambda v: [f"UPDATE spans SET prefix = 'elsewhere ' WHERE uuid = '{v.actor_span.uuid}'"],
        "context",
    ),
    "a NUL in a text (issue 17 item 1)": (
        nul_text,
        "text contains U+0000 (NUL) at position 3",
    ),
}


@pytest.fixture(params=sorted(CASES))
def broken(request, populated_project, tmp_path: Path) -> tuple[Path, str]:
    source, values = populated_project
    statements, pattern = CASES[request.param]
    folder = tmp_path / "received"
    folder.mkdir()
    return break_rules(source, folder / "received.annotator", *statements(values)), pattern


def test_every_broken_rule_is_refused_in_one_line_and_the_file_kept(broken) -> None:
    path, pattern = broken
    before, listing = hostile.sha256_of(path), sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(InvalidContentError) as caught:
        ProjectStore.open(path)
    message = str(caught.value)
    assert pattern in message, message
    assert path.name in message and "\n" not in message and len(message) < 300
    assert "outside" not in message  # never the NUL's old misreport
    assert hostile.sha256_of(path) == before
    assert not lock_path(path).exists()
    assert sorted(p.name for p in path.parent.iterdir()) == listing
    with pytest.raises(InvalidContentError):
        ProjectStore.open(path, read_only=True)
    assert hostile.sha256_of(path) == before


@pytest.mark.parametrize("mode", ["table pass in a thread", "chunks of 2 rows"])
def test_the_message_is_the_same_however_the_check_runs(broken, mode, monkeypatch) -> None:
    """Large files check their tables on a second connection in a thread, and the UTF-8 and
    JSON columns a chunk of rows at a time (a chunk that fails is read again row by row): the
    verdict and its message are the ones of the plain run."""
    from annotator.store import checks, column_checks

    path, _ = broken
    with pytest.raises(InvalidContentError) as plain:
        run_checklist(path)
    if mode == "table pass in a thread":
        monkeypatch.setattr(checks, "PARALLEL_FROM_BYTES", 0)
    else:
        monkeypatch.setattr(column_checks, "CHUNK_ROWS", 2)
    with pytest.raises(InvalidContentError) as other:
        run_checklist(path)
    assert str(other.value) == str(plain.value)


def test_check_refuses_it_with_one_line(broken) -> None:
    path, pattern = broken
    before = hostile.sha256_of(path)
    result = subprocess.run(
        [sys.executable, "-m", "annotator", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and pattern in lines[0] and "Traceback" not in result.stderr
    assert hostile.sha256_of(path) == before


def test_the_nul_text_names_the_character_and_position(populated_project, tmp_path) -> None:
    source, values = populated_project
    path = break_rules(source, tmp_path / "nul.annotator", *nul_text(values))
    with pytest.raises(InvalidContentError) as caught:
        run_checklist(path)
    assert str(caught.value) == (
        f"nul.annotator: document {values.document.uuid}: text contains U+0000 (NUL) at position 3"
    )


@pytest.mark.parametrize(
    "case", ["history.detail that is not JSON", "status 'hacked'", "a link from a span to itself"]
)
def test_a_merge_of_such_a_file_is_refused_before_anything_is_written(tmp_path, case) -> None:
    """Issue 17 item 2 (and 6): the colleague's file passed `check` and the merge succeeded,
    then export, history and the inspector failed on the poisoned rows."""
    a_path, b_path, _ = rich_pair(tmp_path)
    statements, pattern = CASES[case]
    connection = sqlite3.connect(b_path)
    try:
        span, link = connection.execute(
            "SELECT uuid, (SELECT uuid FROM links) FROM spans"
        ).fetchone()
    finally:
        connection.close()
    values = SimpleNamespace(actor_span=SimpleNamespace(uuid=span), link=SimpleNamespace(uuid=link))
    poisoned = break_rules(b_path, tmp_path / "poisoned.annotator", *statements(values))
    before, theirs = hostile.sha256_of(a_path), hostile.sha256_of(poisoned)
    with open_as(a_path, "Ada") as a, pytest.raises(ProjectFileError) as caught:
        merge(a, poisoned)
    assert pattern in str(caught.value) and "\n" not in str(caught.value)
    assert hostile.sha256_of(a_path) == before
    assert hostile.sha256_of(poisoned) == theirs
    assert not backup_path(a_path).exists()
