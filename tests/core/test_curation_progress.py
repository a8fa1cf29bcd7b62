"""A bulk accept reports progress through a plain callback and a cancel rolls its one
transaction back: the file, the decisions and the undo history stay as they were."""

from __future__ import annotations

import pytest
from service_helpers import Workspace, assert_same

from annotator.services.curation import choose_annotators
from annotator.services.curation_commands import AcceptAgreed, CurationCancelled
from annotator.store.decisions import decision_count


@pytest.fixture
def ws(tmp_path):
    """Ada and Bob agree on the claim, on Monday and on the mayor; Cleo adjudicates."""
    ws = Workspace(tmp_path / "p.annotator", "Ada")
    for name in ("Ada", "Bob"):
        ws.project.switch_annotator(name)
        mayor = ws.span("actor", "Mayor Jane Doe")
        claim = ws.span("claim", "the bridge was safe")
        ws.span("event", "Monday")
        ws.link(mayor, claim, "asserts")
    ws.project.switch_annotator("Cleo")
    ws.project.ensure_annotator_saved()
    ws.project.history.clear()
    yield ws
    ws.close()


def annotators(ws) -> list[str]:
    return [a.uuid for a in choose_annotators(ws.project, ["Ada", "Bob"])]


def test_progress_counts_every_agreed_unit_up_to_the_total(ws) -> None:
    calls: list[tuple[int, int, str]] = []
    command = AcceptAgreed(annotators(ws), progress=lambda *call: calls.append(call) or True)
    ws.run(command)
    assert len(command.commands) == 4  # three spans, then the link between gold spans
    counted = [(done, total) for done, total, _ in calls if total]
    assert counted[-1] == (4, 4)
    assert [done for done, _ in counted] == sorted(done for done, _ in counted)
    assert all(done <= total for done, total in counted)
    assert any("Accepting agreed units" in text for *_, text in calls)
    ws.project.undo()  # still one step
    with ws.project.store.read() as session:
        assert decision_count(session) == 0


@pytest.mark.parametrize("cancel_at", [1, 2, 3, 5, 8])
def test_a_cancel_writes_nothing_and_a_later_accept_starts_afresh(ws, cancel_at) -> None:
    before = ws.snapshot()
    calls: list[int] = []

    def progress(done: int, total: int, text: str) -> bool:
        calls.append(done)
        return len(calls) < cancel_at  # the user presses Cancel at this report (8: the last)

    command = AcceptAgreed(annotators(ws), progress=progress)
    with pytest.raises(CurationCancelled, match="nothing was written"):
        ws.run(command)
    assert_same(ws.snapshot(), before)
    assert ws.project.history.undo_label is None
    assert command.commands == [] and command.skipped == []
    command.progress = None  # the same command, run again to the end
    ws.run(command)
    assert len(command.commands) == 4
    with ws.project.store.read() as session:
        assert decision_count(session) == 4
