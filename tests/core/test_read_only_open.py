"""Read-only opens: the commands that only read work while the app has the project open.

Another process (tests/core/project_holder.py) holds the project open as the app does: its
lock, its WAL and a live connection, with committed changes still in the WAL or a write
transaction left open. The read-only commands must give what they give on a closed project,
read the holder's last commit, and never change the file; the writing commands are refused as
before. Synchronisation is by the holder's stdin/stdout lines, never by sleeping.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import json_helpers as h
import pytest
from fixtures_hostile import as_version_1
from foreign_format_helpers import outputs_equal

from annotator.cli import main
from annotator.errors import ProjectFileError, ProjectLockedError
from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project
from annotator.services.sample import sample_document
from annotator.store.ddl import schema_version
from annotator.store.lock import lock_path
from annotator.store.project_store import ProjectStore

HOLDER = Path(__file__).with_name("project_holder.py")
LOCKED = "is already open in another Annotator window"


class Holder:
    """A project_holder.py process holding a project open; `tell` waits for its answer."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HOLDER), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._expect("ready")

    def tell(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        self._expect("ok")

    def _expect(self, word: str) -> None:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if line.strip() != word:
            self.process.kill()
            _, stderr = self.process.communicate(timeout=60)
            pytest.fail(f"the holder said {line!r}, not {word!r}:\n{stderr}")

    def close(self) -> None:
        """Let the holder close the project (its checkpoint folds the WAL into the file)."""
        _, stderr = self.process.communicate("quit\n", timeout=60)
        assert self.process.returncode == 0, stderr


@contextlib.contextmanager
def holding(path: Path) -> Iterator[Holder]:
    holder = Holder(path)
    try:
        yield holder
    finally:
        if holder.process.poll() is None:
            holder.close()


def cli(*args: object) -> tuple[int, str, str]:
    """Run a sub-command in this process; (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def refused(*args: object) -> str:
    """A command that must fail with one line on stderr; that line."""
    code, out, err = cli(*args)
    assert code == 1 and out == "", (code, out, err)
    (line,) = err.splitlines()
    return line


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


#: Every command that only reads, as (id, arguments after the project, files it writes).
READ_COMMANDS: list[tuple[str, list[str], list[str]]] = [
    ("info", [], []),
    ("check", [], []),
    ("export-json", ["-o", "{out}/export.json"], ["export.json"]),
    ("export-csv-layer", ["--format", "csv", "--layer", "Ada", "-o", "{out}/ada.csv"], ["ada.csv"]),
    ("search", ["bridge"], []),
    ("search-json", ["Jane", "--json"], []),
    ("search-annotations", ["--annotations", "tag:actor"], []),
    ("history", ["--limit", "5"], []),
    ("agreement", ["--all-shared"], []),
    ("agreement-json", ["--all-shared", "--json", "--passages"], []),
    ("curate", [], []),
    ("schema-export", ["{out}/schema.json"], ["schema.json"]),
    ("merge-history", ["--history"], []),
]


def _command(name: str, path: Path, extra: list[str], out: Path) -> list[str]:
    command = {"export-json": "export", "export-csv-layer": "export"}.get(name, name)
    command = command.split("-")[0]
    head = ["schema", "export", str(path)] if name == "schema-export" else [command, str(path)]
    return head + [a.format(out=out) for a in extra]


@pytest.fixture(scope="module")
def held(tmp_path_factory) -> Iterator[tuple[Path, dict[str, tuple[str, dict[str, Path]]]]]:
    """The rich project, what each read command gives while it is closed, then the project
    held open by another process for the module's tests."""
    folder = tmp_path_factory.mktemp("held")
    project, _ = h.build_rich_project(folder / "rich.annotator")
    project.close()
    path = project.path
    before, files = sha(path), listing(folder)
    expected = {}
    for name, extra, outputs in READ_COMMANDS:
        out = tmp_path_factory.mktemp(name)
        code, stdout, err = cli(*_command(name, path, extra, out))
        assert code == 0, err
        expected[name] = (stdout, {o: out / o for o in outputs})
    # Closed, the read-only commands leave the file as they found it: same bytes, no -wal,
    # -shm or lock beside it.
    assert sha(path) == before and listing(folder) == files
    with holding(path):
        yield path, expected


@pytest.mark.parametrize("name", [c[0] for c in READ_COMMANDS])
def test_read_commands_work_while_the_project_is_open_elsewhere(held, tmp_path, name) -> None:
    path, expected = held
    extra = next(e for n, e, _ in READ_COMMANDS if n == name)
    before = sha(path)
    code, stdout, err = cli(*_command(name, path, extra, tmp_path))
    assert code == 0, err
    assert LOCKED not in err
    assert stdout == expected[name][0]
    for output, alone in expected[name][1].items():  # a zip's members: their times may differ
        assert outputs_equal(tmp_path / output, alone), output
    assert sha(path) == before


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """Files the writing commands read: a text, an export, a schema, another project."""
    folder = tmp_path_factory.mktemp("inputs")
    other, _ = h.build_rich_project(folder / "other.annotator")
    other.close()
    text = folder / "note.txt"
    text.write_text("A short note about the bridge.", encoding="utf-8")
    assert cli("export", other.path, "-o", folder / "other.json")[0] == 0
    assert cli("schema", "export", other.path, folder / "schema.json")[0] == 0
    return {"text": text, "json": folder / "other.json", "schema": folder / "schema.json",
            "other": other.path}  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        ["add", "{project}", "{text}"],
        ["import", "{project}", "{json}"],
        ["schema", "import", "{project}", "{schema}"],
        ["curate", "{project}", "--accept-agreed"],
        ["merge", "{project}", "{other}"],
    ],
    ids=["add", "import", "schema-import", "curate-accept", "merge"],
)
def test_writing_commands_are_still_refused_while_it_is_open(held, inputs, command) -> None:
    path, _ = held
    before = sha(path)
    line = refused(*(a.format(project=path, **inputs) for a in command))
    assert line.startswith(f"annotator {command[0]}: rich.annotator {LOCKED}"), line
    assert sha(path) == before


def test_readers_see_the_last_commit_never_an_open_transaction(tmp_path) -> None:
    project, _ = h.build_rich_project(tmp_path / "p.annotator")
    project.close()
    path = project.path
    with holding(path) as holder:
        holder.tell("add Added while open")
        # The commit is in the holder's WAL, not yet in the file: a reader reads it there.
        before = sha(path)
        out = cli("info", path)[1]
        assert "documents:  3" in out and "project:    Rich project" in out
        assert "Added while open" in cli("search", path, "reader")[1]

        holder.tell("begin Renamed but not committed")  # holds the write lock meanwhile
        out = cli("info", path)[1]
        assert "documents:  3" in out and "project:    Rich project" in out
        assert cli("check", path)[:2] == (0, "p.annotator: ok\n")
        assert cli("export", path, "-o", tmp_path / "during.json")[0] == 0
        assert "Renamed" not in (tmp_path / "during.json").read_text(encoding="utf-8")
        holder.tell("rollback")

        holder.tell("add Second addition")  # the holder still writes after the readers
        assert "documents:  4" in cli("info", path)[1]
        assert sha(path) == before
    assert "documents:  4" in cli("info", path)[1]
    assert cli("check", path)[:2] == (0, "p.annotator: ok\n")
    assert listing(tmp_path) == ["during.json", "p.annotator"]


# -- the store -------------------------------------------------------------------------------


def _new_project(path: Path) -> Path:
    project = Project.create(path)
    project.run(AddDocuments([sample_document()]))
    project.close()
    return path


def test_read_only_open_of_a_closed_project_writes_nothing(tmp_path) -> None:
    path = _new_project(tmp_path / "p.annotator")
    before, files = sha(path), listing(tmp_path)
    store = ProjectStore.open(path, read_only=True)
    try:
        # Nobody else had it open: it holds the lock, as every open did before; whoever
        # finds it taken is told it is a command that will let go (not "another window").
        with pytest.raises(ProjectLockedError, match="a read-only command, until it finishes"):
            ProjectStore.open(path)
        with store.read() as session:
            assert len(session.documents()) == 1
            assert session.count_matches("russia") == 1
        assert store.integrity_check() == []
        assert store.user_version() == schema_version()
        assert listing(tmp_path) == sorted([*files, lock_path(path).name])  # the lock, no -wal/-shm
    finally:
        store.close()
    assert sha(path) == before and listing(tmp_path) == files
    ProjectStore.open(path).close()  # the lock was released


def test_a_read_only_store_refuses_every_write(tmp_path) -> None:
    path = _new_project(tmp_path / "p.annotator")
    before = sha(path)
    text = "One more document."
    document = ImportedDocument("More", text, sha256_text(text), {}, "more.txt", "utf-8")
    project = Project.open(path, read_only=True)
    try:
        with pytest.raises(ProjectFileError, match=r"p\.annotator was opened read-only"):
            project.run(AddDocuments([document]))
        with pytest.raises(ProjectFileError, match="opened read-only"), project.store.write():
            pass
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            with project.store.raw() as connection:
                connection.execute("CREATE TEMP TABLE probe (x)")
    finally:
        project.close()
    assert sha(path) == before


def test_two_read_only_opens_at_once(tmp_path) -> None:
    """The second finds the lock taken by the first and reads through the WAL instead."""
    path = _new_project(tmp_path / "p.annotator")
    before = sha(path)
    with contextlib.closing(ProjectStore.open(path, read_only=True)) as first:
        with contextlib.closing(ProjectStore.open(path, read_only=True)) as second:
            for store in (first, second):
                with store.read() as session:
                    assert session.count_matches("china") == 1
    assert sha(path) == before
    wal = Path(f"{path}-wal")  # the second reader's may stay beside it: nothing in it
    assert not wal.exists() or wal.stat().st_size == 0
    ProjectStore.open(path).close()
    assert listing(tmp_path) == ["p.annotator"]


def _version_1(path: Path) -> Path:
    """A project file of format version 1 (before search, history, merge reports)."""
    return as_version_1(_new_project(path))


def test_a_file_that_needs_upgrading_is_refused_read_only(tmp_path) -> None:
    path = _version_1(tmp_path / "old.annotator")
    before, files = sha(path), listing(tmp_path)
    with pytest.raises(ProjectFileError) as caught:
        ProjectStore.open(path, read_only=True)
    message = str(caught.value)
    assert message.startswith("old.annotator is format version 1 and must first be upgraded")
    assert "open it in the Annotator app" in message and "\n" not in message
    line = refused("info", path)
    assert line == f"annotator info: {message}"
    assert sha(path) == before and listing(tmp_path) == files  # no backup, lock or -wal
    project = Project.open(path)  # a writing open upgrades it, as before
    project.close()
    assert cli("info", path)[0] == 0


def test_a_damaged_search_index_is_reported_not_rebuilt(tmp_path) -> None:
    path = _new_project(tmp_path / "p.annotator")
    connection = sqlite3.connect(path)
    connection.execute("UPDATE documents_fts_data SET block = zeroblob(40) WHERE id > 10")
    connection.commit()
    connection.close()
    before, files = sha(path), listing(tmp_path)
    line = refused("search", path, "russia")
    assert line.startswith("annotator search: p.annotator's search index is damaged")
    assert "open the project in the Annotator app" in line
    assert cli("search", path, "--annotations", "tag:actor")[0] == 0  # no index needed
    assert cli("info", path)[0] == 0
    assert refused("check", path) == (
        "annotator check: p.annotator: its search index is damaged "
        "(opening it in the app rebuilds it)"
    )
    assert sha(path) == before and listing(tmp_path) == files
    Project.open(path).close()  # the writing open rebuilds it
    assert "1 document(s) match" in cli("search", path, "russia")[1]


def test_changes_a_crashed_writer_left_in_the_wal_are_read_not_folded_in(tmp_path) -> None:
    """A -wal holding commits beside a file nobody has open (the app was killed): a read-only
    open reads them through the WAL and leaves both files as they were."""
    project, _ = h.build_rich_project(tmp_path / "p.annotator")
    project.close()
    crashed = tmp_path / "crashed.annotator"
    with holding(project.path) as holder:
        holder.tell("add Only in the WAL")
        shutil.copyfile(project.path, crashed)  # as a killed app leaves them
        shutil.copyfile(f"{project.path}-wal", f"{crashed}-wal")
    before, wal = sha(crashed), sha(Path(f"{crashed}-wal"))
    alone = sqlite3.connect(f"{crashed.as_uri()}?mode=ro&immutable=1", uri=True)
    with contextlib.closing(alone):  # the main file alone does not hold it
        assert alone.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    assert "Only in the WAL" in cli("search", crashed, "reader")[1]
    assert cli("check", crashed)[:2] == (0, "crashed.annotator: ok\n")
    assert sha(crashed) == before and sha(Path(f"{crashed}-wal")) == wal


def test_a_symlink_to_a_project_open_elsewhere_reads_its_last_commit(tmp_path) -> None:
    """The lock is the target's: through a symlink, a read-only open sees that the project is
    held and reads its WAL (it took `.link.lock` and read the main file alone, without the
    holder's committed document)."""
    path = _new_project(tmp_path / "p.annotator")
    link = tmp_path / "link.annotator"
    link.symlink_to(path.name)
    text = "A document committed while the project is held."
    document = ImportedDocument("Held", text, sha256_text(text), {}, "held.txt", "utf-8")
    with contextlib.closing(Project.open(path)) as holder:
        holder.run(AddDocuments([document]))  # in the WAL: no checkpoint before close
        with pytest.raises(ProjectLockedError):
            ProjectStore.open(link)
        with contextlib.closing(ProjectStore.open(link, read_only=True)) as reader:
            with reader.read() as session:
                titles = [d.title for d in session.documents()]
        assert len(titles) == 2 and titles[-1] == "Held"


def test_the_locked_checklist_leaves_a_concurrent_readers_wal_and_shm(tmp_path) -> None:
    """A read-only open that holds the lock reads the main file alone (immutable), so it
    creates no -wal/-shm, and must not delete those a reader that found the project locked
    created meanwhile (that reader's connection kept reading through unlinked files)."""
    path = _new_project(tmp_path / "p.annotator")
    sidecars = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    second: list[ProjectStore] = []

    def progress(message: str) -> None:
        if message == "Checking the file for damage" and not second:
            second.append(ProjectStore.open(path, read_only=True))  # lock taken: shared

    with contextlib.closing(ProjectStore.open(path, read_only=True, progress=progress)):
        assert second and all(sidecar.exists() for sidecar in sidecars)
        second[0].close()
