"""The open checklist: every bad file is refused with its typed error, and is left as it was."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import fixtures_hostile as hostile
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotator.errors import (
    CorruptProjectError,
    HostileSchemaError,
    InvalidContentError,
    NewerVersionError,
    NotAProjectError,
    ProjectFileError,
)
from annotator.store import checks
from annotator.store.checks import run_checklist
from annotator.store.ddl import schema_version
from annotator.store.lock import lock_path
from annotator.store.project_store import ProjectStore

# A builder gets (populated file, destination, SmallProject written into it) and returns the path.
Builder = Callable[[Path, Path, object], Path]

CASES: list[tuple[str, Builder, type[ProjectFileError], str | None]] = [
    # -- not an SQLite file, or not ours
    ("random bytes", lambda s, d, v: hostile.random_bytes(d), NotAProjectError, "not an SQLite"),
    ("text file", lambda s, d, v: hostile.text_file(d), NotAProjectError, "not an SQLite"),
    ("empty file", lambda s, d, v: hostile.empty_file(d), NotAProjectError, "not an SQLite"),
    ("plain SQLite", lambda s, d, v: hostile.plain_sqlite(d), NotAProjectError, "0x00000000"),
    ("other application", lambda s, d, v: hostile.other_application(d), NotAProjectError,
     "0x47504b47"),
    # -- header and size
    ("corrupt magic", lambda s, d, v: hostile.bad_magic(s, d), NotAProjectError, None),
    ("corrupt page size", lambda s, d, v: hostile.bad_page_size(s, d), CorruptProjectError, None),
    ("truncated mid-page", lambda s, d, v: hostile.truncated_mid_page(s, d), CorruptProjectError,
     None),
    ("truncated pages", lambda s, d, v: hostile.truncated_pages(s, d), CorruptProjectError, None),
    ("newer version", lambda s, d, v: hostile.with_versions(s, d, user_version=schema_version()
     + 1), NewerVersionError, f"version {schema_version() + 1}"),
    # -- damage inside
    ("damaged b-tree page", lambda s, d, v: hostile.damaged_btree_page(s, d),
     CorruptProjectError, None),
    ("dangling reference", lambda s, d, v: hostile.dangling_reference(s, d, v.actor_span.uuid),
     InvalidContentError, "do not exist"),
    # -- hostile schema
    ("trojan trigger", lambda s, d, v: hostile.trojan_trigger(s, d), HostileSchemaError,
     "trigger \u201cretag\u201d"),
    ("extra view", lambda s, d, v: hostile.extra_view(s, d), HostileSchemaError, "spans_view"),
    ("extra table", lambda s, d, v: hostile.extra_table(s, d), HostileSchemaError, "payload"),
    ("extra index", lambda s, d, v: hostile.extra_index(s, d), HostileSchemaError, "spans_quote"),
    ("loosened CHECK", lambda s, d, v: hostile.loosened_check(s, d), HostileSchemaError,
     "tag_types"),
    ("dropped CHECK", lambda s, d, v: hostile.dropped_check(s, d), HostileSchemaError, "spans"),
    # -- invalid content
    ("offsets past the text", lambda s, d, v: hostile.offsets_past_text(s, d, v.actor_span.uuid),
     InvalidContentError, "outside"),
    ("fragment past the text", lambda s, d, v: hostile.offsets_past_text(s, d,
     v.claim_span.uuid), InvalidContentError, "outside"),
    ("quote mismatch", lambda s, d, v: hostile.quote_changed(s, d, v.actor_span.uuid),
     InvalidContentError, "quote"),
    ("fragmented quote mismatch", lambda s, d, v: hostile.quote_changed(s, d,
     v.claim_span.uuid), InvalidContentError, "quote"),
    ("link across documents", lambda s, d, v: hostile.link_across_documents(s, d, v.link.uuid),
     InvalidContentError, "different documents"),
    ("malformed span attributes", lambda s, d, v: hostile.malformed_attributes(s, d, "spans",
     v.claim_span.uuid), InvalidContentError, "attributes"),
    ("span attributes not an object", lambda s, d, v: hostile.malformed_attributes(s, d,
     "spans", v.claim_span.uuid, "[1, 2]"), InvalidContentError, "attributes"),
    ("malformed link attributes", lambda s, d, v: hostile.malformed_attributes(s, d, "links",
     v.link.uuid, "{'single': 'quotes'}"), InvalidContentError, "attributes"),
    ("text does not match sha256", lambda s, d, v: hostile.text_changed(s, d,
     v.document.uuid), InvalidContentError, "hash"),
]  # fmt: skip


@pytest.fixture
def bad_file(request, populated_project, tmp_path: Path) -> tuple[Path, type, str | None]:
    _, builder, error, pattern = request.param
    source, values = populated_project
    folder = tmp_path / "received"
    folder.mkdir()
    path = builder(source, folder / "received.annotator", values)
    return path, error, pattern


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _assert_one_line(message: str, path: Path) -> None:
    assert message, "empty message"
    assert "\n" not in message and "\r" not in message, repr(message)
    assert path.name in message
    assert len(message) < 300, message


@pytest.mark.parametrize("bad_file", CASES, ids=[case[0] for case in CASES], indirect=True)
def test_bad_file_is_refused_on_open_and_left_unchanged(bad_file) -> None:
    path, error, pattern = bad_file
    before = hostile.sha256_of(path)
    listing = _listing(path.parent)
    with pytest.raises(error) as caught:
        ProjectStore.open(path)
    assert type(caught.value) is error
    _assert_one_line(str(caught.value), path)
    if pattern:
        assert pattern in str(caught.value)
    assert hostile.sha256_of(path) == before
    assert not lock_path(path).exists()
    assert _listing(path.parent) == listing  # no lock, no -wal, no -shm left beside it


@pytest.mark.parametrize("bad_file", CASES, ids=[case[0] for case in CASES], indirect=True)
def test_checklist_refuses_bad_file_without_writing(bad_file) -> None:
    path, error, _ = bad_file
    before, mtime = hostile.sha256_of(path), path.stat().st_mtime_ns
    with pytest.raises(error):
        run_checklist(path)
    assert hostile.sha256_of(path) == before
    assert path.stat().st_mtime_ns == mtime


def test_valid_file_passes_the_checklist(populated_file: Path) -> None:
    messages: list[str] = []
    assert run_checklist(populated_file, progress=messages.append) == schema_version()
    assert messages and all(isinstance(m, str) and m for m in messages)


@pytest.fixture
def read_only_connections(monkeypatch) -> list[list[str]]:
    """Record every statement the checklist runs and check its connection is read-only."""
    traces: list[list[str]] = []
    original = checks.open_read_only

    def recording(path: Path) -> sqlite3.Connection:
        connection = original(path)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            connection.execute("CREATE TABLE probe (x)")
        statements: list[str] = []
        traces.append(statements)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(checks, "open_read_only", recording)
    return traces


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "VACUUM", "REINDEX",
          "ATTACH", "ANALYZE", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")  # fmt: skip


def test_checklist_never_writes(populated_file: Path, read_only_connections) -> None:
    before, mtime = hostile.sha256_of(populated_file), populated_file.stat().st_mtime_ns
    run_checklist(populated_file)
    assert hostile.sha256_of(populated_file) == before
    assert populated_file.stat().st_mtime_ns == mtime
    (statements,) = read_only_connections
    assert statements, "no statement was traced"
    for statement in statements:
        head = statement.lstrip().upper()
        assert not head.startswith(WRITES), statement
        assert not (head.startswith("PRAGMA") and "=" in head), statement
    wal = Path(f"{populated_file}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_refused_file_can_be_replaced_and_opened(populated_project, tmp_path: Path) -> None:
    """A refusal releases everything: the same path opens once a good file is put there."""
    source, _ = populated_project
    path = hostile.trojan_trigger(source, tmp_path / "swap.annotator")
    with pytest.raises(HostileSchemaError):
        ProjectStore.open(path)
    shutil.copyfile(source, path)
    ProjectStore.open(path).close()


def test_trojan_trigger_never_fires(populated_project, tmp_path: Path) -> None:
    source, values = populated_project
    path = hostile.trojan_trigger(source, tmp_path / "trojan.annotator")
    with pytest.raises(HostileSchemaError):
        ProjectStore.open(path)
    connection = sqlite3.connect(path)
    try:
        tags = dict(connection.execute("SELECT uuid, tag_type_id FROM spans"))
        claim_id = connection.execute("SELECT id FROM tag_types WHERE key = 'claim'").fetchone()
    finally:
        connection.close()
    assert tags[values.claim_span.uuid] == claim_id[0]


# -- fuzzing: flipped bytes --------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_project_file(populated_template) -> Path:
    return populated_template[0]


@contextlib.contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    """Turn a hang into a failure where the platform allows it."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def _timeout(*_args: object) -> None:
        raise TimeoutError(f"opening a damaged file took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(
    max_examples=40,
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_flipped_bytes_open_or_raise_a_project_error(small_project_file: Path, data) -> None:
    size = small_project_file.stat().st_size
    page = hostile.page_size(small_project_file)
    cell_area = st.builds(  # cells sit at the end of each page; the middle is mostly free space
        lambda number, back: number * page - back, st.integers(1, size // page), st.integers(1, 300)
    )
    offset = st.one_of(st.integers(0, 99), cell_area, st.integers(0, size - 1))
    flips = data.draw(
        st.lists(st.tuples(offset, st.integers(1, 255)), min_size=1, max_size=24), label="flips"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.annotator"
        content = bytearray(small_project_file.read_bytes())
        for position, mask in flips:
            content[position] ^= mask
        path.write_bytes(bytes(content))
        with _alarm(30):
            try:
                store = ProjectStore.open(path)
            except ProjectFileError as error:
                event(type(error).__name__)
                _assert_one_line(str(error), path)
                assert os.path.exists(path)
            else:
                event("opened")
                store.close()


# -- known gaps: damage that passes the checklist today ------------------------------------------


def test_text_that_is_not_utf8_is_refused(populated_project, tmp_path: Path) -> None:
    source, values = populated_project
    path = hostile.invalid_utf8(source, tmp_path / "bytes.annotator", values.claim_span.uuid)
    with pytest.raises(ProjectFileError):
        ProjectStore.open(path).close()


def test_index_that_disagrees_with_its_table_is_refused(populated_project, tmp_path) -> None:
    source, values = populated_project
    path = hostile.stale_uuid_index(source, tmp_path / "stale.annotator", values.document.uuid)
    connection = sqlite3.connect(path)
    try:  # the damage is real: integrity_check sees it
        assert connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
        assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with pytest.raises(ProjectFileError):
        ProjectStore.open(path).close()
