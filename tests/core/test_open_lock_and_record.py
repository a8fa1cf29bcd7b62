"""Locks that hold (issue 17 item 8), unresolvable paths (item 7), the record of clean closes
that lets a file this installation closed skip content validation, and a check that is
cancelled or runs out of time (never reported as damage)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import fixtures_hostile as hostile
import pytest
from test_read_only_open import LOCKED, _new_project, cli, holding

from annotator.errors import (
    CheckCancelledError,
    CheckTimeoutError,
    InvalidContentError,
    ProjectFileError,
    ProjectLockedError,
)
from annotator.services.project import Project
from annotator.store import checks, close_record, content_checks
from annotator.store.ddl import schema_version
from annotator.store.lock import lock_path
from annotator.store.project_store import ProjectStore

needs_ofd = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the project file itself is locked on Linux"
)


# -- issue 17 item 8: deleting the lock file does not let a second writer in --------------------
@needs_ofd
def test_a_deleted_lock_file_lets_no_second_writer_in(tmp_path: Path) -> None:
    path = _new_project(tmp_path / "p.annotator")
    with holding(path) as holder:
        lock_path(path).unlink()
        before = hostile.sha256_of(path)
        with pytest.raises(ProjectLockedError, match=LOCKED):
            ProjectStore.open(path)
        with pytest.raises(ProjectLockedError, match=LOCKED):
            Project.open(path, annotator_name="Second")
        status, _, err = cli("add", path, str(tmp_path))
        assert status == 1 and LOCKED in err
        assert hostile.sha256_of(path) == before
        assert not lock_path(path).exists()  # the refused writer left no lock file behind
        holder.tell("add Still mine")
    with closing(ProjectStore.open(path, read_only=True)) as store, store.read() as session:
        assert "Still mine" in [d.title for d in session.documents()]


@needs_ofd
def test_read_only_commands_still_read_while_the_lock_file_is_gone(tmp_path: Path) -> None:
    """A reader that finds the lock file gone takes a new one, finds the project file itself
    held, and reads through the holder's WAL as with the lock file in place."""
    path = _new_project(tmp_path / "p.annotator")
    with holding(path) as holder:
        holder.tell("add Committed while held")
        lock_path(path).unlink()
        status, out, _ = cli("info", path)
        assert status == 0 and "documents:  2" in out
        assert cli("check", path)[:2] == (0, "p.annotator: ok\n")


@needs_ofd
def test_a_reader_holding_the_file_keeps_writers_out_without_its_lock_file(tmp_path) -> None:
    path = _new_project(tmp_path / "p.annotator")
    with closing(ProjectStore.open(path, read_only=True)) as reader:
        lock_path(path).unlink()
        with pytest.raises(ProjectLockedError):
            ProjectStore.open(path)
        second = ProjectStore.open(path, read_only=True)
        with closing(second), second.read() as session:
            assert len(session.documents()) == 1
        with reader.read() as session:
            assert len(session.documents()) == 1


@needs_ofd
def test_the_lock_survives_sqlite_and_others_closing_the_file(tmp_path: Path) -> None:
    """A classic fcntl lock is dropped when any descriptor of the file closes in the process;
    ours must outlive SQLite's connections and a plain open/close of the file."""
    path = _new_project(tmp_path / "p.annotator")
    with Project.open(path) as project:
        for _ in range(3):
            with project.store.read() as session:
                session.documents()
        path.read_bytes()  # opens and closes another descriptor of the file
        lock_path(path).unlink()
        code = (
            "import sys; from annotator.store.project_store import ProjectStore\n"
            "try:\n    ProjectStore.open(sys.argv[1]).close()\n"
            "except Exception as error:\n    print(type(error).__name__)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
        )
        assert result.stdout.strip() == "ProjectLockedError", result.stderr


# -- issue 17 item 7: a symlink loop is an ordinary "cannot open" --------------------------------
def test_a_symlink_loop_is_refused_in_one_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop.annotator"
    loop.symlink_to("loop.annotator")
    with pytest.raises(ProjectFileError, match=r"loop\.annotator does not exist or is not a file"):
        ProjectStore.open(loop)
    with pytest.raises(ProjectFileError):
        Project.open(loop, read_only=True)
    for command in ("info", "check", "add"):
        status, _, err = cli(command, loop, *([str(tmp_path)] if command == "add" else []))
        assert status == 1 and err.count("\n") == 1 and "Traceback" not in err, err
    assert os.path.islink(loop) and sorted(p.name for p in tmp_path.iterdir()) == [loop.name]


# -- the record of clean closes ------------------------------------------------------------------
def _content_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = content_checks.validate_content

    def counting(connection, name, *args, **kwargs) -> None:
        seen.append(name)
        original(connection, name, *args, **kwargs)

    monkeypatch.setattr(checks, "validate_content", counting)
    return seen


def test_a_file_this_installation_closed_skips_content_validation(tmp_path, monkeypatch) -> None:
    path = _new_project(tmp_path / "p.annotator")
    seen = _content_validations(monkeypatch)
    Project.open(path).close()
    assert seen == []
    assert close_record.closed_cleanly_here(path, schema_version())
    # `check` always validates in full; a copy of the file (from elsewhere) too.
    assert cli("check", path)[0] == 0
    copy = tmp_path / "copy.annotator"
    copy.write_bytes(path.read_bytes())
    Project.open(copy).close()
    assert seen == ["p.annotator", "copy.annotator"]


def test_a_file_edited_outside_after_a_clean_close_is_checked_and_refused(populated_file) -> None:
    """The installation closed it cleanly; then someone changed one quote with another tool
    and put size and modification time back. The record's hash catches it."""
    path = populated_file
    Project.open(path).close()
    assert close_record.closed_cleanly_here(path, schema_version())
    status = os.stat(path)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(
            "UPDATE spans SET quote = 'forged' WHERE id = (SELECT min(id) FROM spans)"
        )
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert os.stat(path).st_size == status.st_size
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    before = hostile.sha256_of(path)
    with pytest.raises(InvalidContentError, match="quote differs"):
        Project.open(path)
    assert hostile.sha256_of(path) == before


def test_a_file_left_with_a_wal_is_fully_checked(tmp_path, monkeypatch) -> None:
    path = _new_project(tmp_path / "p.annotator")
    Project.open(path).close()
    seen = _content_validations(monkeypatch)
    with holding(path) as holder:
        holder.tell("add In the WAL")
        ProjectStore.open(path, read_only=True).close()
    assert seen == ["p.annotator"]


def test_the_record_lives_in_the_config_folder(tmp_path: Path, isolated_identity) -> None:
    path = _new_project(tmp_path / "p.annotator")
    Project.open(path).close()
    assert close_record.records_path().parent == isolated_identity
    assert close_record.records_path().is_file()


# -- cancel and deadline: never "damaged" --------------------------------------------------------
def test_cancel_stops_the_open_with_its_own_error(populated_file: Path) -> None:
    before = hostile.sha256_of(populated_file)
    texts: list[str] = []

    def steps(done: int, total: int, text: str) -> bool:
        texts.append(text)
        return text != "Checking the file's structure"

    with pytest.raises(CheckCancelledError, match="cancelled; nothing was changed"):
        Project.open(populated_file, steps=steps)
    assert hostile.sha256_of(populated_file) == before
    assert not lock_path(populated_file).exists()
    Project.open(populated_file).close()  # and it opens afterwards


def test_running_out_of_time_is_not_damage(populated_file: Path) -> None:
    before = hostile.sha256_of(populated_file)
    with pytest.raises(CheckTimeoutError) as caught:
        ProjectStore.open(populated_file, deadline_s=0)
    assert "did not finish" in str(caught.value) and "damaged" not in str(caught.value)
    assert not isinstance(caught.value, InvalidContentError)
    assert hostile.sha256_of(populated_file) == before
    status, _, err = cli("check", populated_file, "--deadline", "0")
    assert status == 1 and "did not finish" in err


def test_a_timeout_inside_a_long_statement_is_not_damage(populated_file, monkeypatch) -> None:
    """The deadline passes while SQLite works (the progress handler interrupts it)."""
    monkeypatch.setattr("annotator.store.check_watch.HANDLER_EVERY", 1)
    clock = iter(range(10**6))
    monkeypatch.setattr("annotator.store.check_watch.time.monotonic", lambda: next(clock))
    with pytest.raises(CheckTimeoutError):
        ProjectStore.open(populated_file, deadline_s=40)


LONG_CHECK = """
import signal, sys
# Ctrl+C as a terminal delivers it to a foreground `annotator check`. A test run started as a
# background job of a POSIX sh (`sh -c 'pytest ... &'`: dash sets SIGINT and SIGQUIT to SIG_IGN
# for it) passes SIG_IGN down to this child, and Python then installs no handler: SIGINT does
# nothing (the check, rightly, honours an inherited SIG_IGN, as nohup'ed jobs rely on it). That
# was the "first SIGINT not acted on" of the parallel full-suite runs; a blocked SIGINT would do
# the same.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
signal.signal(signal.SIGINT, signal.default_int_handler)
from annotator.cli import main
from annotator.store import checks

def long_statement(connection, name, watch, **_kwargs):
    print("ready", flush=True)  # SQLite now works inside one statement, for minutes
    connection.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT count(*) FROM (SELECT i FROM n LIMIT 10000000000)"
    ).fetchone()

checks.validate_content = long_statement
sys.exit(main(["check", sys.argv[1]]))
"""


def _ignore_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as sh does for a background job


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
@pytest.mark.parametrize("runner", ["plain", "SIGINT ignored, as in a background job"])
def test_ctrl_c_inside_a_long_statement_ends_check_cleanly(populated_file: Path, runner) -> None:
    """sqlite3 swallows a KeyboardInterrupt raised in the progress handler and reports the
    statement 'interrupted', which the checklist used to call damage. Also when the test run
    itself ignores SIGINT (see LONG_CHECK): it once hung the parallel full-suite runs."""
    import signal

    before = hostile.sha256_of(populated_file)
    child = subprocess.Popen(
        [sys.executable, "-c", LONG_CHECK, str(populated_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_sigint if runner != "plain" else None,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130 and err == "annotator: interrupted\n", err
    assert hostile.sha256_of(populated_file) == before
    assert sorted(p.name for p in populated_file.parent.iterdir()) == [populated_file.name]
