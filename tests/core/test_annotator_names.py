"""Two annotators with the same name (a JSON import from a colleague who is "root" too): every
command that takes an annotator refuses the ambiguous name in one line naming the candidates,
and takes a uuid or a unique uuid prefix (8+ characters) instead; unique names work as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from service_helpers import TEXT, add_document, between, make_schema

from annotator.cli import main
from annotator.domain.annotator_names import find_annotator, find_annotators
from annotator.domain.layers import GOLD_ANNOTATOR_NAME, GOLD_ANNOTATOR_UUID
from annotator.domain.model import Annotator
from annotator.errors import AnnotatorError, NotFoundError
from annotator.services.entity_commands import SetStatus
from annotator.services.identity import CONFIG_DIR_VARIABLE
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

ROOT_A = Annotator("0190aaaa-1111-7000-8000-000000000001", "root")
ROOT_B = Annotator("0190bbbb-2222-7000-8000-000000000002", "root")
OTHER = Annotator("0190aaaa-3333-7000-8000-000000000003", "other")
GOLD = Annotator(GOLD_ANNOTATOR_UUID, GOLD_ANNOTATOR_NAME)
EVERYONE = [ROOT_A, ROOT_B, OTHER, GOLD]


# -- the resolver ------------------------------------------------------------------------------
def test_a_unique_name_a_uuid_a_prefix_and_gold_choose_one() -> None:
    assert find_annotator(EVERYONE, "other") == OTHER
    assert find_annotator(EVERYONE, ROOT_B.uuid) == ROOT_B
    assert find_annotator(EVERYONE, ROOT_B.uuid.upper()) == ROOT_B
    assert find_annotator(EVERYONE, "0190bbbb") == ROOT_B
    assert find_annotator(EVERYONE, "0190aaaa-11") == ROOT_A
    assert find_annotator(EVERYONE, "gold") == GOLD
    assert find_annotator(EVERYONE, "Gold") == GOLD
    assert find_annotator(EVERYONE, "OTHER", ignore_case=True) == OTHER
    assert find_annotators(EVERYONE, ["other", "0190bbbb", OTHER.uuid]) == [OTHER, ROOT_B]


def test_an_ambiguous_name_or_prefix_is_refused_naming_the_candidates() -> None:
    with pytest.raises(AnnotatorError) as caught:
        find_annotator(EVERYONE, "root")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("2 annotators match 'root': ")
    assert f"root ({ROOT_A.uuid})" in message and f"root ({ROOT_B.uuid})" in message
    with pytest.raises(AnnotatorError, match="2 annotators match '0190aaaa'"):
        find_annotator(EVERYONE, "0190aaaa")


def test_unknown_names_and_short_prefixes_are_not_found() -> None:
    for wanted in ("nobody", "0190bbb", "ROOT"):  # a prefix needs 8 digits; names keep case
        with pytest.raises(NotFoundError, match=f"no annotator named {wanted!r}"):
            find_annotator(EVERYONE, wanted)


# -- the commands ------------------------------------------------------------------------------
def _annotate(path: Path, needle: str, name: str = "root") -> Project:
    project = Project.create(path, annotator_name=name, schema=make_schema())
    document = add_document(project, TEXT, "Bridge story")
    project.run(CreateSpan(document, "actor", [between(TEXT, needle)]))
    project.run(SetStatus(document, "done"))
    return project


@pytest.fixture
def two_roots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_identity: Path
) -> tuple[Path, str, str]:
    """A project by root and other, into which another root's export was imported: the path,
    and the two roots' uuids (mine, theirs)."""
    # The other root works on another machine: another identity file, so another uuid.
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(tmp_path / "their config"))
    theirs = _annotate(tmp_path / "theirs.annotator", "Jane Doe")
    their_uuid = theirs.annotator.uuid
    theirs.close()
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(isolated_identity))
    mine = _annotate(tmp_path / "mine.annotator", "Mayor Jane Doe")
    my_uuid = mine.annotator.uuid
    with mine.store.read() as session:
        document = session.documents()[0].uuid
    mine.switch_annotator("other")
    mine.run(CreateSpan(document, "actor", [between(TEXT, "Mayor")]))
    mine.run(SetStatus(document, "done"))
    path = mine.path
    mine.close()
    exported = tmp_path / "theirs.json"
    assert main(["export", str(tmp_path / "theirs.annotator"), "-o", str(exported)]) == 0
    assert main(["import", str(path), str(exported)]) == 0
    return path, my_uuid, their_uuid


def _prefix(path: Path, uuid: str) -> str:
    """The shortest start of `uuid` (8+ characters) no other annotator's uuid shares: uuids
    made in the same minute share their first 8 (UUIDv7 leads with the time)."""
    with Project.open(path, annotator_name="reader") as project, project.store.read() as session:
        others = [a.uuid for a in session.annotators() if a.uuid != uuid]
    size = 8
    while any(o.startswith(uuid[:size]) for o in others):
        size += 1
    return uuid[:size]


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 1
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_agreement_refuses_an_ambiguous_name_and_takes_a_uuid(two_roots, capsys) -> None:
    path, mine, theirs = two_roots
    line = _refused(capsys, "agreement", str(path), "--annotators", "root", "other")
    assert line.startswith("annotator agreement: 2 annotators match 'root': ")
    assert mine in line and theirs in line
    capsys.readouterr()
    chosen = ["--annotators", _prefix(path, mine), "other"]
    assert main(["agreement", str(path), "--json", *chosen]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in data["annotators"]] == ["root", "other"]
    assert data["annotators"][0]["id"] == mine


def test_export_layer_refuses_an_ambiguous_name_and_takes_a_uuid(
    two_roots, capsys, tmp_path
) -> None:
    path, _, theirs = two_roots
    out = tmp_path / "layer.json"
    line = _refused(capsys, "export", str(path), "-o", str(out), "--layer", "root")
    assert "2 annotators match 'root'" in line and not out.exists()
    assert main(["export", str(path), "-o", str(out), "--layer", theirs]) == 0
    spans = json.loads(out.read_text(encoding="utf-8"))["documents"][0]["spans"]
    assert [(s["annotator"], s["text"]) for s in spans] == [(theirs, "Jane Doe")]
    assert main(["export", str(path), "-o", str(out), "--layer", "other"]) == 0


def test_curate_refuses_an_ambiguous_name_and_takes_uuids(two_roots, capsys) -> None:
    path, mine, theirs = two_roots
    line = _refused(capsys, "curate", str(path), "--annotators", "root", "other")
    assert "2 annotators match 'root'" in line
    assert main(["curate", str(path), "--json", "--annotators", mine, _prefix(path, theirs)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["annotators"] == ["root", "root"]


def test_search_annotator_filter_refuses_an_ambiguous_name(two_roots, capsys) -> None:
    path, _, theirs = two_roots
    line = _refused(capsys, "search", str(path), "--annotations", "annotator:root", "--json")
    assert "2 annotators match 'root'" in line
    expected = {_prefix(path, theirs): ["Jane Doe"], "OTHER": ["Mayor"], "nobody": []}
    for wanted, quotes in expected.items():
        assert main(["search", str(path), "--annotations", f"annotator:{wanted}", "--json"]) == 0
        results = json.loads(capsys.readouterr().out)["results"]
        assert [r["quote"] for r in results] == quotes
