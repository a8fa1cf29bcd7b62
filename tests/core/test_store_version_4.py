"""Format version 4: change counters kept by triggers (what a team sync asks "anything to
push?"), version 3 files upgraded with their content untouched, and the counting triggers
held to the schema allow-list like every other object."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from fixtures_hostile import as_version_3, run_sql
from json_helpers import build_rich_project
from merge_helpers import canonical

from annotator.errors import HostileSchemaError
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project
from annotator.services.sample import sample_document
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan
from annotator.store.checks import run_checklist
from annotator.store.ddl import CHANGE_COUNTED, schema_version
from annotator.store.migrations import backup_path


def _counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return dict(connection.execute("SELECT table_name, changes FROM change_counters"))
    finally:
        connection.close()


def _moved(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}


def test_version_4_is_part_of_this_builds_format() -> None:
    assert schema_version() >= 4


def test_inserts_and_updates_are_counted_per_table(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    project = Project.create(path)
    assert set(_counts(path)) == set(CHANGE_COUNTED)
    add = AddDocuments([sample_document()])
    project.run(add)
    (document,) = add.report.added
    before = _counts(path)
    create = CreateSpan(document, "actor", [(0, 6)])
    project.run(create)
    assert _moved(before, _counts(path)) == {"spans": 1, "history": 1}
    before = _counts(path)
    project.run(EditSpan(create.uuid, note="edited"))
    assert _moved(before, _counts(path)) == {"spans": 1, "history": 1}
    before = _counts(path)
    project.run(DeleteSpans([create.uuid]))
    moved = _moved(before, _counts(path))
    assert moved["tombstones"] == 1 and "spans" not in moved  # a deletion leaves a tombstone
    project.close()


def test_a_version_3_file_is_upgraded_with_its_content_untouched(tmp_path: Path) -> None:
    path = tmp_path / "old.annotator"
    project, rich = build_rich_project(path)
    before = canonical(project)
    project.close()
    as_version_3(path)
    assert run_checklist(path, full=True) == 3  # a version 3 file is sound as version 3

    project = Project.open(path, annotator_name="Ada")
    assert project.store.user_version() == schema_version()
    assert canonical(project) == before
    project.close()
    assert backup_path(path, 3).exists()
    assert _counts(path) == dict.fromkeys(CHANGE_COUNTED, 0)
    assert run_checklist(path, full=True) == schema_version()

    project = Project.open(path, annotator_name="Ada")
    project.run(EditSpan(rich.mayor, note="after the upgrade"))
    project.close()
    assert _counts(path)["spans"] == 1


def test_a_file_missing_a_counting_trigger_is_refused(tmp_path: Path) -> None:
    """Without its trigger a table's changes would go uncounted (and unsynced): the file is
    not what Annotator made, and the checklist says so."""
    path = tmp_path / "p.annotator"
    Project.create(path).close()
    changed = shutil.copyfile(path, tmp_path / "changed.annotator")
    run_sql(changed, "DROP TRIGGER spans_counted_update")
    with pytest.raises(HostileSchemaError, match="spans_counted_update"):
        run_checklist(changed, full=True)
