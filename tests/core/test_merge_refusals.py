"""A hostile, damaged or newer file is refused, and a merge that fails or is cancelled midway
leaves the project byte-identical (one transaction); the other file is never changed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import fixtures_hostile as fh
import pytest
from json_helpers import Rich
from merge_helpers import open_as, rich_pair

from annotator.errors import (
    CorruptProjectError,
    HostileSchemaError,
    InvalidContentError,
    NewerVersionError,
    NotAProjectError,
    ValidationError,
)
from annotator.services.merge import MergeCancelled, backup_path, merge
from annotator.services.span_commands import EditSpan
from annotator.store import merge as store_merge
from annotator.store.ddl import schema_version

#: case → (make(source, destination, rich), the error it gets)
HOSTILE: dict[str, tuple[Callable[[Path, Path, Rich], Path], type[Exception]]] = {
    "trojan trigger": (lambda s, d, _: fh.trojan_trigger(s, d), HostileSchemaError),
    "extra view": (lambda s, d, _: fh.extra_view(s, d), HostileSchemaError),
    "damaged page": (lambda s, d, _: fh.damaged_btree_page(s, d), CorruptProjectError),
    "wrong application_id": (
        lambda s, d, _: fh.with_versions(s, d, user_version=2, application_id=0x47504B47),
        NotAProjectError,
    ),
    "newer version": (
        lambda s, d, _: fh.with_versions(s, d, user_version=schema_version() + 1),
        NewerVersionError,
    ),
    "quote changed": (
        lambda s, d, rich: fh.quote_changed(s, d, rich.mayor),
        InvalidContentError,
    ),
    "offsets past the text": (
        lambda s, d, rich: fh.offsets_past_text(s, d, rich.mayor),
        InvalidContentError,
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_refused_file_leaves_both_files_as_they_were(tmp_path: Path, case: str) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="would be merged"))
    make, error = HOSTILE[case]
    hostile = make(b_path, tmp_path / "hostile.annotator", rich)
    hostile_before = fh.sha256_of(hostile)
    before = fh.sha256_of(a_path)
    with open_as(a_path, "Ada") as a:
        with pytest.raises(error) as raised:
            merge(a, hostile)
    assert "hostile.annotator" in str(raised.value) and "\n" not in str(raised.value)
    assert fh.sha256_of(a_path) == before
    assert fh.sha256_of(hostile) == hostile_before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("hostile")) == [
        "hostile.annotator"
    ]
    assert not backup_path(a_path).exists()  # refused before anything was written


def test_merging_a_project_into_itself_is_refused(tmp_path: Path) -> None:
    a_path, _, _ = rich_pair(tmp_path)
    with open_as(a_path, "Ada") as a, pytest.raises(ValidationError, match="into itself"):
        merge(a, a_path)


def test_the_project_under_another_name_is_refused_as_itself(tmp_path: Path) -> None:
    # A hard link (or another spelling on a case-insensitive disk) resolves to another path:
    # the project was merged into itself, a backup written and a report kept.
    a_path, _, _ = rich_pair(tmp_path)
    linked = tmp_path / "linked.annotator"
    os.link(a_path, linked)
    before = fh.sha256_of(a_path)
    with open_as(a_path, "Ada") as a, pytest.raises(ValidationError, match="into itself"):
        merge(a, linked)
    assert fh.sha256_of(a_path) == before
    assert not backup_path(a_path).exists()


def test_an_error_midway_leaves_the_project_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="Bob's note"))
    before = fh.sha256_of(a_path)

    def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    # spans, entities and documents are written by then; the links step fails
    monkeypatch.setattr(store_merge, "merge_links", broken)
    with open_as(a_path, "Ada") as a:
        with pytest.raises(RuntimeError, match="disk on fire"):
            merge(a, b_path, backup=False)
        with a.store.read() as session:
            assert session.span(rich.mayor).note != "Bob's note"
            assert not session._raw().execute("SELECT 1 FROM merge_reports").fetchall()
    assert fh.sha256_of(a_path) == before


def test_cancel_leaves_the_project_byte_identical(tmp_path: Path) -> None:
    a_path, b_path, rich = rich_pair(tmp_path)
    with open_as(b_path, "Bob") as b:
        b.run(EditSpan(rich.mayor, note="Bob's note"))
    before = fh.sha256_of(a_path)
    seen: list[str] = []

    def progress(done: int, total: int, text: str = "") -> bool:
        seen.append(text)
        return text != "Merging links"

    with open_as(a_path, "Ada") as a, pytest.raises(MergeCancelled):
        merge(a, b_path, progress, backup=False)
    assert fh.sha256_of(a_path) == before
    assert "Checking the file's structure" in seen and "Merging spans" in seen
