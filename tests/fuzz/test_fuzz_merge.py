"""Fuzzers of merge and of the open checklist: a colleague's project file, changed by hostile
SQL (CHECKs ignored, foreign keys off: what any SQLite tool lets an author do) or by flipped
bytes. A merge of it succeeds and the project passes `check`, or it is refused in one line
with the project byte-identical; opening it gives a project or a one-line refusal."""

from __future__ import annotations

import shutil
from pathlib import Path

import fixtures_hostile as fh
import pytest
from fuzz_helpers import FUZZ, apply_hostile, assert_clean_outcome, one_line, sql_mutations
from hypothesis import given
from hypothesis import strategies as st
from merge_helpers import rich_pair

from annotator.errors import ProjectFileError
from annotator.services.merge import merge
from annotator.store.project_store import ProjectStore


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a_path, b_path, _ = rich_pair(tmp_path_factory.mktemp("pair"))
    return a_path, b_path


@FUZZ
@given(statements=sql_mutations())
def test_fuzz_merge_of_a_hostile_file(pair, tmp_path_factory, statements) -> None:
    folder = tmp_path_factory.mktemp("merge")
    mine = fh.copy_project(pair[0], folder / "mine.annotator")
    hostile = fh.copy_project(pair[1], folder / "theirs.annotator")
    apply_hostile(hostile, statements)
    assert_clean_outcome(mine, lambda project: merge(project, hostile, backup=False))
    shutil.rmtree(folder)


def _open_checked(path: Path) -> None:
    """Open a file through the checklist: a store whose check runs, or a one-line refusal."""
    try:
        store = ProjectStore.open(path, read_only=True)
    except ProjectFileError as error:
        one_line(error)
        return
    try:
        for problem in store.integrity_check():
            assert "\n" not in problem
    finally:
        store.close()


@FUZZ
@given(statements=sql_mutations())
def test_fuzz_open_checklist_of_hostile_rows(pair, tmp_path_factory, statements) -> None:
    folder = tmp_path_factory.mktemp("open")
    hostile = fh.copy_project(pair[1], folder / "theirs.annotator")
    apply_hostile(hostile, statements)
    _open_checked(hostile)
    shutil.rmtree(folder)


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), max_size=12))
def test_fuzz_open_checklist_of_flipped_bytes(pair, tmp_path_factory, flips) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    hostile = fh.copy_project(pair[1], folder / "theirs.annotator")
    data = bytearray(hostile.read_bytes())
    for offset, value in flips:
        data[offset % len(data)] = value
    hostile.write_bytes(bytes(data))
    _open_checked(hostile)
    shutil.rmtree(folder)
