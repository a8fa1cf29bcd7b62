"""Who "I" am across project files (services/identity): one uuid per name in a per-user file,
so the same person is one annotator in every project, in merges and in JSON imports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from json_helpers import export_data, project_for, write_data
from service_helpers import TEXT, add_document, between, make_schema

from annotator.cli import main
from annotator.domain.ids import is_uuid, new_uuid, now
from annotator.domain.model import Annotator
from annotator.services import identity
from annotator.services.exchange_files import import_json
from annotator.services.identity import CONFIG_DIR_VARIABLE, identity_path, identity_uuid
from annotator.services.merge import merge
from annotator.services.project import Project
from annotator.services.sample import create_sample_project
from annotator.services.span_commands import CreateSpan
from annotator.store.project_store import ProjectStore


def _annotated(path: Path, name: str, needle: str) -> Project:
    """A new project by `name` holding TEXT with one actor span over `needle`."""
    project = Project.create(path, annotator_name=name, schema=make_schema())
    document = add_document(project, TEXT, "Bridge story")
    project.run(CreateSpan(document, "actor", [between(TEXT, needle)]))
    return project


def _annotators(path: Path) -> list[Annotator]:
    with Project.open(path, annotator_name="reader", read_only=True) as project:
        with project.store.read() as session:
            return session.annotators()


def _colleague_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> Path:
    """A JSON export by a colleague called `name` on another machine (another identity
    file, so another uuid); the identity folder is this test's own again afterwards."""
    mine = os.environ[CONFIG_DIR_VARIABLE]
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(tmp_path / "colleague config"))
    with _annotated(tmp_path / "colleague.annotator", name, "Jane Doe") as theirs:
        exported = write_data(tmp_path / "colleague.json", export_data(theirs))
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, mine)
    return exported


# -- the identity file -------------------------------------------------------------------------
def test_the_identity_file_lives_where_the_variable_says(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "elsewhere" / "config"
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(folder))
    assert identity_path() == folder / "identity.json"
    uuid = identity_uuid(" Anna ")  # names are taken as typed, less surrounding blanks
    data = json.loads((folder / "identity.json").read_text(encoding="utf-8"))
    assert data == {"version": 1, "annotators": {"Anna": uuid}}
    assert is_uuid(uuid) and uuid[14] == "7"  # a UUIDv7
    assert identity_uuid("Anna") == uuid
    assert identity_uuid("Ben") != uuid
    # no temp file left (the empty lock file beside it stays, as lock files do)
    assert sorted(p.name for p in folder.iterdir()) == ["identity.json", "identity.json.lock"]


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2]", b'{"annotators": 7}', b""],
    ids=["broken", "not-utf8", "a-list", "wrong-shape", "empty"],
)
def test_a_corrupt_identity_file_is_replaced_without_crashing(
    isolated_identity: Path, content: bytes
) -> None:
    path = isolated_identity / "identity.json"
    path.write_bytes(content)
    uuid = identity_uuid("Anna")
    assert json.loads(path.read_text(encoding="utf-8"))["annotators"] == {"Anna": uuid}
    # The damaged file is kept beside it, not silently lost.
    assert (isolated_identity / "identity.json.damaged").read_bytes() == content
    assert identity_uuid("Anna") == uuid


def test_bad_entries_are_dropped_and_good_ones_kept(isolated_identity: Path) -> None:
    kept = new_uuid()
    (isolated_identity / "identity.json").write_text(
        json.dumps({"version": 1, "annotators": {"Anna": kept, "Ben": "not a uuid", "": kept}}),
        encoding="utf-8",
    )
    assert identity_uuid("Anna") == kept
    ben = identity_uuid("Ben")
    assert is_uuid(ben) and ben != kept
    assert identity.read_identities() == {"Anna": kept, "Ben": ben}


def test_an_unwritable_folder_keeps_one_uuid_for_the_session(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(blocker / "config"))  # cannot be created
    uuid = identity_uuid("Anna")
    assert identity_uuid("Anna") == uuid
    assert not (blocker / "config").exists()
    with Project.create(tmp_path / "p.annotator", annotator_name="Anna") as project:
        assert project.annotator.uuid == uuid  # the app works on


# -- projects ----------------------------------------------------------------------------------
def test_the_same_name_is_the_same_annotator_in_every_new_project(tmp_path: Path) -> None:
    first = _annotated(tmp_path / "first.annotator", "Anna", "Mayor Jane Doe")
    second = _annotated(tmp_path / "second.annotator", "Anna", "Jane Doe")
    assert first.annotator.uuid == second.annotator.uuid == identity_uuid("Anna")
    second.close()
    with first:
        merge(first, tmp_path / "second.annotator", backup=False)
        with first.store.read() as session:
            assert [a.name for a in session.annotators()] == ["Anna"]
            document = session.documents()[0].uuid
            layer = session.spans(document, first.annotator.uuid)
    assert sorted(s.quote for s in layer) == ["Jane Doe", "Mayor Jane Doe"]


def test_the_sample_project_and_the_cli_use_the_identity(tmp_path: Path) -> None:
    with create_sample_project(tmp_path / "sample.annotator", "Anna") as sample:
        assert sample.annotator.uuid == identity_uuid("Anna")
    assert main(["new", str(tmp_path / "cli.annotator"), "--annotator", "Anna"]) == 0
    assert [a.uuid for a in _annotators(tmp_path / "cli.annotator")] == [identity_uuid("Anna")]


def _add_annotators(path: Path, *annotators: Annotator) -> None:
    """Write annotators straight into the project at `path` (created if missing), as files
    made before identities or elsewhere hold them."""
    store = ProjectStore.open(path) if path.exists() else ProjectStore.create(path)
    with store.write() as session:
        for annotator in annotators:
            session.insert_annotator(annotator)
    store.close()


def test_an_old_file_keeps_its_per_file_annotator(tmp_path: Path) -> None:
    """A file made before identities gave me a random uuid: opening it by name still finds me."""
    path = tmp_path / "old.annotator"
    old = Annotator(new_uuid(), "Anna", "", now(), now())
    _add_annotators(path, old)
    with Project.open(path, annotator_name="Anna") as project:
        assert project.annotator == old
        assert project.annotator.uuid != identity_uuid("Anna")


def test_several_of_my_name_my_uuid_wins_else_the_first(tmp_path: Path) -> None:
    path = tmp_path / "many.annotator"
    first = Annotator(new_uuid(), "Anna", "", now(), now())
    second = Annotator(new_uuid(), "Anna", "", now(), now())
    _add_annotators(path, first, second)
    with Project.open(path, annotator_name="Anna") as project:
        assert project.annotator == first  # none is mine: the oldest row, as before
    mine = Annotator(identity_uuid("Anna"), "Anna", "", now(), now())
    _add_annotators(path, mine)
    with Project.open(path, annotator_name="Anna") as project:
        assert project.annotator == mine
        assert project.switch_annotator("Ben").uuid == identity_uuid("Ben")
        assert project.switch_annotator("Anna") == mine


# -- importing a same-named colleague ----------------------------------------------------------
def test_importing_a_same_named_colleague_does_not_make_me_them(
    tmp_path: Path, monkeypatch
) -> None:
    exported = _colleague_export(tmp_path, monkeypatch, "Anna")
    mine = _annotated(tmp_path / "mine.annotator", "Anna", "Mayor Jane Doe")
    me = mine.annotator
    with mine:
        import_json(mine, exported)
        assert mine.annotator == me
    everyone = _annotators(tmp_path / "mine.annotator")
    assert [a.name for a in everyone] == ["Anna", "Anna"]
    (theirs,) = [a for a in everyone if a.uuid != me.uuid]
    # Reopened by name, with the colleague's row there too: still me, whatever the row order.
    with Project.open(tmp_path / "mine.annotator", annotator_name="Anna") as again:
        assert again.annotator.uuid == me.uuid != theirs.uuid
    # Through the CLI (it picks the annotator by name too): a re-import as Anna changes nothing
    # and adds no third Anna.
    path = str(tmp_path / "mine.annotator")
    assert main(["import", path, str(exported), "--annotator", "Anna"]) == 0
    assert _annotators(tmp_path / "mine.annotator") == everyone


def test_importing_a_same_named_colleague_into_a_fresh_file(tmp_path: Path, monkeypatch) -> None:
    """A new file made for the import (`annotator import` into a new path) holds only the
    colleague: I am still me for the rest of that session (a change of mine is written under
    my identity uuid), but opened again by name the one "Anna" in the file is taken, since a
    file made before identities gave me a per-file uuid that cannot be told apart from hers.
    Use another name (or the uuid in agreement/curation) to keep two people apart there."""
    exported = _colleague_export(tmp_path, monkeypatch, "Anna")
    data = json.loads(exported.read_text(encoding="utf-8"))
    (colleague,) = data["annotators"]
    fresh = project_for(tmp_path / "fresh.annotator", data, annotator_name="Anna")
    with fresh:
        import_json(fresh, exported)
        assert fresh.annotator.uuid == identity_uuid("Anna") != colleague["id"]
    with Project.open(tmp_path / "fresh.annotator", annotator_name="Anna") as again:
        assert again.annotator.uuid == colleague["id"]  # documented limit, see the docstring

    # Once I have made a change in such a file, I stay me.
    fresh = project_for(tmp_path / "fresh2.annotator", data, annotator_name="Anna")
    with fresh:
        import_json(fresh, exported)
        document = data["documents"][0]["id"]
        fresh.run(CreateSpan(document, "actor", [between(TEXT, "Mayor")]))
    with Project.open(tmp_path / "fresh2.annotator", annotator_name="Anna") as again:
        assert again.annotator.uuid == identity_uuid("Anna")


def test_processes_adding_names_at_once_lose_none(tmp_path) -> None:
    # The app and the CLI may each add a name at the same moment; without the lock around
    # read-and-rewrite, one process's rewrite drops the other's new entry.
    import subprocess
    import sys

    folder = tmp_path / "shared-identity"
    script = (
        "import sys\n"
        "from annotator.services.identity import identity_uuid\n"
        "sys.stdin.readline()\n"  # all start adding together
        "for n in range(40):\n"
        "    identity_uuid(f'{sys.argv[1]}-{n}')\n"
    )
    env = {**os.environ, CONFIG_DIR_VARIABLE: str(folder)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, f"p{i}"], stdin=subprocess.PIPE, env=env, text=True
        )
        for i in range(6)
    ]
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        child.stdin.close()
        assert child.wait(timeout=120) == 0
    names = json.loads((folder / "identity.json").read_text(encoding="utf-8"))["annotators"]
    assert len(names) == 6 * 40
