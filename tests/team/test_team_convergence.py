"""Convergence (hypothesis): three members edit offline (create, retag, resize, delete, link,
attribute) and sync in random orders; at the end every member's project exports the same
JSON (tombstones and history included), equal to one merge of all their files."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

pytest.importorskip("psycopg", reason="team sync needs its drivers: pip install 'annotator[team]'")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from json_helpers import TEXT_1, TEXT_2
from merge_helpers import canonical, open_as
from team_helpers import Team, new_team

from annotator.errors import AnnotatorError
from annotator.io.documents.text import import_text
from annotator.services import team as team_service
from annotator.services.document_commands import AddDocuments
from annotator.services.link_commands import CreateLink
from annotator.services.merge import merge
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan
from annotator.services.team_sync import sync

MEMBERS = 3
TAGS = ("actor", "event", "claim", "place")
KINDS = ("person", "organisation", "other")
RANGES = ((0, 6), (7, 14), (16, 25), (26, 35), (40, 45), (46, 51))  # inside either text

operation = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 1), st.sampled_from(TAGS), st.sampled_from(RANGES)),
    st.tuples(st.just("retag"), st.integers(0, 9), st.sampled_from(TAGS)),
    st.tuples(st.just("resize"), st.integers(0, 9), st.sampled_from(RANGES)),
    st.tuples(st.just("delete"), st.integers(0, 9)),
    st.tuples(st.just("link"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("attribute"), st.integers(0, 9), st.sampled_from(KINDS)),
    st.tuples(st.just("sync")),
)
step = st.tuples(st.integers(0, MEMBERS - 1), operation)


def _apply(project: Project, documents: list[str], mine: list[str], op: tuple) -> None:
    """One edit of this member's own layer (others' layers are not theirs to write)."""
    kind = op[0]
    try:
        if kind == "sync":
            sync(project)
        elif kind == "create":
            create = CreateSpan(documents[op[1]], op[2], [op[3]])
            project.run(create)
            mine.append(create.uuid)
        elif not mine:
            return
        elif kind == "retag":
            project.run(EditSpan(mine[op[1] % len(mine)], tag=op[2]))
        elif kind == "resize":
            project.run(EditSpan(mine[op[1] % len(mine)], fragments=[op[2]]))
        elif kind == "delete":
            project.run(DeleteSpans([mine.pop(op[1] % len(mine))]))
        elif kind == "link":
            source, target = mine[op[1] % len(mine)], mine[op[2] % len(mine)]
            project.run(CreateLink(source, target, "same_as"))
        elif kind == "attribute":
            project.run(EditSpan(mine[op[1] % len(mine)], attributes={"kind": op[2]}))
    except AnnotatorError:
        pass  # an edit the schema refuses (a link that exists, a retag a link forbids)


def _team_with_members(team: Team, folder: Path) -> tuple[list[Project], list[str]]:
    owner = Project.create(folder / "owner.annotator", annotator_name="Olga")
    add = AddDocuments([import_text(TEXT_1, "one.txt", "utf-8"),
                        import_text(TEXT_2, "two.txt", "utf-8")])  # fmt: skip
    owner.run(add)
    team_service.attach(owner, team.url(team.add("olga", "owner", owner.annotator.uuid)))
    sync(owner)
    owner.close()
    members = []
    for index in range(MEMBERS):
        role = team.add(f"m{index}")
        members.append(team_service.clone(team.url(role), folder / f"m{index}.annotator"))
    return members, list(add.report.added)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(step, min_size=4, max_size=24))
def test_members_converge_to_one_merge_of_their_files(pg, steps) -> None:
    team = new_team(pg, pg.new_database())
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        members, documents = _team_with_members(team, folder)
        created: list[list[str]] = [[] for _ in members]
        try:
            for who, op in steps:
                _apply(members[who], documents, created[who], op)
            copies = []
            for index, member in enumerate(members):
                copies.append(folder / f"copy{index}.annotator")
                member.store.save_copy(copies[-1])
            for _round in range(2):
                for member in members:
                    sync(member)
            results = [canonical(member) for member in members]
            assert results[1] == results[0]
            assert results[2] == results[0]
            merged = open_as(copies[0], members[0].annotator.name)
            try:
                for other in copies[1:]:
                    merge(merged, other, backup=False)
                assert canonical(merged) == results[0]
            finally:
                merged.close()
        finally:
            for member in members:
                member.close()
