"""The project-file lock of platforms without OFD locks (macOS, BSDs): flock() on the project
file itself, so a deleted `.NAME.lock` lets no second writer in (issue 17, "Locks that hold").

Run on Linux by forcing the fallback: flock locks are independent of the fcntl locks SQLite
takes on Linux as on macOS and the BSDs, so this is the code those platforms run."""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from pathlib import Path

import fixtures_hostile as hostile
import pytest
from test_read_only_open import LOCKED, _new_project

from annotator.errors import ProjectLockedError
from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project
from annotator.store import lock
from annotator.store.lock import lock_path
from annotator.store.project_store import ProjectStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no flock on Windows")

#: A child process that takes the flock fallback, then opens the project for writing.
CHILD_OPENS = (
    "import sys\n"
    "from annotator.store import lock\n"
    "lock._OFD_SETLK = None\n"
    "from annotator.store.project_store import ProjectStore\n"
    "try:\n    ProjectStore.open(sys.argv[1]).close()\n    print('opened')\n"
    "except Exception as error:\n    print(type(error).__name__)\n"
)


@pytest.fixture(autouse=True)
def flock_fallback(monkeypatch) -> None:
    monkeypatch.setattr(lock, "_OFD_SETLK", None)


def child_opens(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CHILD_OPENS, str(path)], capture_output=True, text=True
    )
    return done.stdout.strip() or done.stderr


def test_a_deleted_lock_file_lets_no_second_writer_in(tmp_path: Path) -> None:
    path = _new_project(tmp_path / "p.annotator")
    with Project.open(path) as project:
        lock_path(path).unlink()
        before = hostile.sha256_of(path)
        with pytest.raises(ProjectLockedError, match=LOCKED):
            ProjectStore.open(path)
        assert child_opens(path) == "ProjectLockedError"
        assert hostile.sha256_of(path) == before
        assert not lock_path(path).exists()  # the refused writer left no lock file behind
        # SQLite's own fcntl locks are untouched by the flock: the holder still writes
        text = "Written while held."
        mine = ImportedDocument("Still mine", text, sha256_text(text), {}, "mine.txt", "utf-8")
        project.run(AddDocuments([mine]))
    assert child_opens(path) == "opened"  # released on close
    with closing(ProjectStore.open(path, read_only=True)) as store, store.read() as session:
        assert "Still mine" in [d.title for d in session.documents()]


def test_the_lock_survives_sqlite_and_others_closing_the_file(tmp_path: Path) -> None:
    """Unlike a classic fcntl lock, a flock belongs to its descriptor: SQLite's connections
    and a plain open/close of the file in the same process do not drop it."""
    path = _new_project(tmp_path / "p.annotator")
    with Project.open(path) as project:
        for _ in range(3):
            with project.store.read() as session:
                session.documents()
        path.read_bytes()
        lock_path(path).unlink()
        assert child_opens(path) == "ProjectLockedError"


def test_readers_share_the_file_and_keep_writers_out(tmp_path: Path) -> None:
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
    with closing(ProjectStore.open(path)):  # every reader gone: a writer gets in
        pass
