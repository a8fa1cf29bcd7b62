"""Adjudication invariants on generated layers: every decision takes its unit out of the queue
and adds exactly its gold item; undoing them all gives the file back as it was; redoing them
gives the same gold again."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import Workspace, assert_redone, assert_restored

from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.services.curation import build_queue, choose_annotators
from annotator.services.curation_commands import Decide, ensure_gold_annotator
from annotator.store.decisions import decision_count

WORDS = ["Mayor", "Jane", "Doe", "Monday", "bridge", "safe", "Engineers", "council", "Springfield"]

_layer = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(["actor", "event"])),
    max_size=6,
    unique_by=lambda item: item[0],
)


def gold_count(project) -> tuple[int, int]:
    with project.store.read() as session:
        documents = [d.uuid for d in session.documents()]
        spans = sum(len(session.spans(d, GOLD_ANNOTATOR_UUID)) for d in documents)
        links = sum(len(session.links(d, GOLD_ANNOTATOR_UUID)) for d in documents)
    return spans, links


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_layer, _layer, st.lists(st.sampled_from(["0", "1", "reject"]), min_size=1, max_size=8))
def test_decisions_leave_the_queue_and_undo_gives_the_file_back(ada, bob, verdicts) -> None:
    folder = Path(tempfile.mkdtemp())
    ws = Workspace(folder / "p.annotator", "Ada")
    try:
        for word, tag in ada:
            ws.span(tag, word)
        ws.project.switch_annotator("Bob")
        ws.project.ensure_annotator_saved()
        for word, tag in bob:
            ws.span(tag, word)
        ws.project.switch_annotator("Cleo")
        ws.project.ensure_annotator_saved()
        with ws.project.store.write() as session:  # the gold annotator, before the snapshot
            ensure_gold_annotator(session)
        annotators = choose_annotators(ws.project, ["Ada", "Bob"])
        before = ws.snapshot()
        done = 0
        accepted_spans = 0
        for verdict in verdicts:
            queue = build_queue(ws.project, annotators)
            if not queue.open_units:
                break
            unit = queue.open_units[0]
            version = None if verdict == "reject" else int(verdict)
            if version is not None and unit.versions[version] is None:
                version = 1 - version  # the other annotator has one
            ws.run(Decide(unit, "reject" if version is None else "accept", version))
            done += 1
            accepted_spans += version is not None and unit.kind == "span"
            after = build_queue(ws.project, annotators)
            assert unit.key not in [u.key for u in after.open_units]
            assert after.decided == queue.decided + 1
        assert gold_count(ws.project)[0] == accepted_spans
        with ws.project.store.read() as session:
            assert decision_count(session) == done
        after = ws.snapshot()
        for _ in range(done):
            ws.project.undo()
        assert_restored(ws.snapshot(), before, after)
        with ws.project.store.read() as session:
            assert decision_count(session) == 0
        for _ in range(done):
            ws.project.redo()
        assert_redone(ws.snapshot(), after)
    finally:
        ws.close()
