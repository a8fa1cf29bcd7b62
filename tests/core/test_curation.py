"""Adjudication on real project files: the queue (spans, attributes, links), accept / edit /
reject, accepting agreed units in bulk, decisions and history rows, progress, undo and redo,
the gold export, and the `annotator curate` command."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from service_helpers import TEXT, Workspace, assert_redone, assert_restored, assert_same

from annotator.cli import main
from annotator.domain.agreement.units import UnitSpan
from annotator.domain.curation import group_spans
from annotator.domain.ids import now
from annotator.domain.layers import GOLD_ANNOTATOR_NAME, GOLD_ANNOTATOR_UUID
from annotator.domain.model import Annotator
from annotator.errors import AnnotatorError, ValidationError
from annotator.io.formats import ExportOptions
from annotator.services.curation import build_queue, choose_annotators
from annotator.services.curation_commands import AcceptAgreed, Decide, EditIntoGold
from annotator.services.exchange_files import export_file
from annotator.services.span_commands import EditSpan
from annotator.store.decisions import decision_count, decisions


@pytest.fixture
def ws(tmp_path):
    """Ada and Bob on the bridge story: they agree on the claim and on Monday, differ on the
    mayor's extent and kind, and only Bob tagged the engineers; both link the mayor to the
    claim. The current annotator is Cleo, the adjudicator."""
    ws = Workspace(tmp_path / "p.annotator", "Ada")
    mayor = ws.span("actor", "Mayor Jane Doe", attributes={"actor_kind": "person"})
    claim = ws.span("claim", "the bridge was safe")
    ws.span("event", "Monday")
    ws.link(mayor, claim, "asserts")
    ws.project.switch_annotator("Bob")
    jane = ws.span("actor", "Jane Doe", attributes={"actor_kind": "group"})
    claim = ws.span("claim", "the bridge was safe")
    ws.span("event", "Monday")
    ws.span("actor", "Engineers")
    ws.link(jane, claim, "asserts")
    ws.project.switch_annotator("Cleo")
    ws.project.ensure_annotator_saved()
    ws.project.history.clear()
    yield ws
    ws.close()


def queue(ws):
    return build_queue(ws.project, choose_annotators(ws.project, ["Ada", "Bob"]))


def unit_at(ws, kind: str, needle: str | None = None):
    for unit in queue(ws).open_units:
        if unit.kind != kind:
            continue
        if needle is None or TEXT[slice(*unit.extent)].find(needle) >= 0:
            return unit
    raise AssertionError(f"no open {kind} unit at {needle!r}")


def gold_spans(ws) -> dict[str, str]:
    """Gold spans by their text → tag."""
    with ws.project.store.read() as session:
        return {s.quote: s.tag for s in session.spans(ws.doc, GOLD_ANNOTATOR_UUID)}


def insert_gold_annotator(ws) -> None:
    with ws.project.store.write() as session:
        when = now()
        session.insert_annotator(
            Annotator(GOLD_ANNOTATOR_UUID, GOLD_ANNOTATOR_NAME, "", when, when)
        )


def test_queue_spans_in_text_order_with_every_version(ws) -> None:
    q = queue(ws)
    assert [a.name for a in q.annotators] == ["Ada", "Bob"]
    units = q.open_units
    assert [u.kind for u in units] == ["span"] * 4  # attributes and links wait for gold spans
    texts = [
        [v.uuid and TEXT[slice(*v.fragments[0])] if v else None for v in u.versions] for u in units
    ]
    assert texts == [
        ["Mayor Jane Doe", "Jane Doe"],
        ["Monday", "Monday"],
        ["the bridge was safe", "the bridge was safe"],
        [None, "Engineers"],
    ]
    assert [u.agreed for u in units] == [False, True, True, False]
    assert (q.decided, q.total) == (0, 4)


def test_accept_writes_gold_decision_and_history(ws) -> None:
    unit = unit_at(ws, "span", "Jane")
    ws.run(Decide(unit, "accept", 1))
    assert gold_spans(ws) == {"Jane Doe": "actor"}
    with ws.project.store.read() as session:
        (decision,) = decisions(session)
        (gold,) = session.spans(ws.doc, GOLD_ANNOTATOR_UUID)
        rows = session.history_of(gold.uuid)
        names = {a.uuid: a.name for a in session.annotators()}
    assert decision.verdict == "accept" and decision.gold_uuid == gold.uuid
    assert decision.source_uuid == unit.versions[1].uuid
    assert names[decision.source_annotator] == "Bob" and names[decision.decided_by] == "Cleo"
    assert gold.attributes == {"actor_kind": "group"}
    assert {r.action for r in rows} == {"create", "adjudicate"}
    adjudicated = next(r for r in rows if r.action == "adjudicate")
    assert "accepted Bob's version" in adjudicated.summary
    assert adjudicated.detail["unit_key"] == unit.key
    # decided units leave the queue; an attribute unit appears (person vs group)
    q = queue(ws)
    assert [u.kind for u in q.open_units] == ["span", "span", "span", "attribute"]
    assert (q.decided, q.total) == (1, 5)


def test_attribute_unit_sets_the_gold_attributes(ws) -> None:
    ws.run(Decide(unit_at(ws, "span", "Jane"), "accept", 1))
    attribute = unit_at(ws, "attribute")
    assert [dict(v.attributes) for v in attribute.versions] == [
        {"actor_kind": "person"},
        {"actor_kind": "group"},
    ]
    ws.run(Decide(attribute, "accept", 0))
    with ws.project.store.read() as session:
        (gold,) = session.spans(ws.doc, GOLD_ANNOTATOR_UUID)
    assert gold.attributes == {"actor_kind": "person"} and gold.quote == "Jane Doe"
    assert all(u.kind != "attribute" for u in queue(ws).open_units)


def test_reject_writes_nothing_to_gold(ws) -> None:
    ws.run(Decide(unit_at(ws, "span", "Engineers"), "reject"))
    assert gold_spans(ws) == {}
    with ws.project.store.read() as session:
        (decision,) = decisions(session)
    assert decision.verdict == "reject" and decision.gold_uuid is None
    assert decision.source_uuid is None
    assert len(queue(ws).open_units) == 3


def test_edit_is_an_accept_recorded_as_edit(ws) -> None:
    command = Decide(unit_at(ws, "span", "Jane"), "edit", 0)
    ws.run(command)
    with ws.project.store.read() as session:
        (decision,) = decisions(session)
    assert decision.verdict == "edit" and decision.gold_uuid == command.gold_uuid
    assert gold_spans(ws) == {"Mayor Jane Doe": "actor"}


def test_accept_agreed_then_links_in_one_step_and_undo(ws) -> None:
    insert_gold_annotator(ws)
    ws.run(Decide(unit_at(ws, "span", "Jane"), "accept", 1))
    before = ws.snapshot()
    ws.run(AcceptAgreed([a.uuid for a in choose_annotators(ws.project, ["Ada", "Bob"])]))
    assert ws.project.history.undo_label == "Accept 3 agreed units"  # two spans, one link
    assert gold_spans(ws) == {
        "Jane Doe": "actor",
        "Monday": "event",
        "the bridge was safe": "claim",
    }
    with ws.project.store.read() as session:
        (link,) = session.links(ws.doc, GOLD_ANNOTATOR_UUID)
        gold = {s.uuid: s.quote for s in session.spans(ws.doc, GOLD_ANNOTATOR_UUID)}
        assert decision_count(session) == 4
    assert (gold[link.source], gold[link.target]) == ("Jane Doe", "the bridge was safe")
    after = ws.snapshot()
    ws.project.undo()  # one step undoes the whole bulk accept
    assert_restored(ws.snapshot(), before, after)
    with ws.project.store.read() as session:
        assert decision_count(session) == 1
    ws.project.redo()
    redone = ws.snapshot()
    assert_redone(redone, after)
    ws.reopen()
    assert_same(ws.snapshot(), redone)


def test_bulk_accept_leaves_an_agreed_link_the_schema_no_longer_allows(ws) -> None:
    ws.run(Decide(unit_at(ws, "span", "Jane"), "accept", 1))
    claim = Decide(unit_at(ws, "span", "bridge"), "accept", 0)
    ws.run(claim)
    ws.run(EditSpan(claim.gold_uuid, tag="topic"))  # asserts goes from an actor to a claim
    bulk = AcceptAgreed([a.uuid for a in choose_annotators(ws.project, ["Ada", "Bob"])])
    ws.run(bulk)
    assert [u.kind for u in bulk.skipped] == ["link"]
    assert gold_spans(ws)["Monday"] == "event"
    open_kinds = [u.kind for u in queue(ws).open_units]
    assert "link" in open_kinds and len(bulk.commands) == 1


def test_nothing_agreed_is_refused(ws) -> None:
    annotators = [a.uuid for a in choose_annotators(ws.project, ["Ada", "Bob"])]
    ws.run(AcceptAgreed(annotators))
    ws.refused(AcceptAgreed(annotators), ValidationError, "no agreed unit")


def test_edit_into_gold_changes_the_copy_and_round_trips(ws) -> None:
    insert_gold_annotator(ws)
    unit = unit_at(ws, "span", "Jane")
    start, end = TEXT.index("Jane Doe"), TEXT.index("Jane Doe") + len("Jane Doe")
    command = EditIntoGold(
        unit, 0, tag="actor", fragments=[(start, end)], attributes={"actor_kind": "group"},
        note="byline",
    )  # fmt: skip
    ws.round_trip(command)
    with ws.project.store.read() as session:
        (decision,) = decisions(session)
        (gold,) = session.spans(ws.doc, GOLD_ANNOTATOR_UUID)
        rows = {h.action for h in session.history_of(gold.uuid)}
    assert decision.verdict == "edit" and decision.source_uuid == unit.versions[0].uuid
    assert (gold.quote, gold.attributes, gold.note) == (
        "Jane Doe",
        {"actor_kind": "group"},
        "byline",
    )
    assert {"create", "update", "adjudicate"} <= rows


def test_edit_into_gold_of_a_link(ws) -> None:
    insert_gold_annotator(ws)
    ws.run(Decide(unit_at(ws, "span", "Jane"), "accept", 1))
    ws.run(Decide(unit_at(ws, "span", "bridge"), "accept", 0))
    ws.round_trip(EditIntoGold(unit_at(ws, "link"), 0, note="from the quote"))
    with ws.project.store.read() as session:
        (link,) = session.links(ws.doc, GOLD_ANNOTATOR_UUID)
    assert link.note == "from the quote"


@pytest.mark.parametrize("verdict, version", [("accept", 0), ("edit", 1)])
def test_accept_and_edit_round_trip(ws, verdict, version) -> None:
    insert_gold_annotator(ws)
    unit = unit_at(ws, "span", "Jane")
    ws.round_trip(Decide(unit, verdict, version))
    # after do, undo, redo and reopen: the unit is decided once
    with ws.project.store.read() as session:
        assert len(decisions(session)) == 1


def test_reject_undo_and_redo(ws) -> None:
    before = ws.snapshot()
    ws.run(Decide(unit_at(ws, "span", "Jane"), "reject"))
    with ws.project.store.read() as session:
        first = decisions(session)
    ws.project.undo()
    with ws.project.store.read() as session:
        assert decisions(session) == []
    assert len(queue(ws).open_units) == 4
    ws.project.redo()
    with ws.project.store.read() as session:
        assert decisions(session) == first  # the same uuid and time
    assert_same(ws.snapshot(), before)  # nothing in gold, nothing else touched


def test_attribute_and_link_decisions_round_trip(ws) -> None:
    insert_gold_annotator(ws)
    ws.run(Decide(unit_at(ws, "span", "Jane"), "accept", 1))
    ws.run(Decide(unit_at(ws, "span", "bridge"), "accept", 0))
    ws.round_trip(Decide(unit_at(ws, "attribute"), "accept", 0))
    link = unit_at(ws, "link")
    assert link.agreed and link.link_type == "asserts"
    ws.round_trip(Decide(link, "accept", 1))


def test_undo_removes_decision_and_gold_and_the_unit_returns(ws) -> None:
    unit = unit_at(ws, "span", "Monday")
    ws.run(Decide(unit, "accept", 0))
    ws.project.undo()
    assert gold_spans(ws) == {}
    with ws.project.store.read() as session:
        assert decision_count(session) == 0
        actions = [h.action for h in session.history()]
    assert actions.count("adjudicate") == 2  # the decision and its undo
    assert unit.key in [u.key for u in queue(ws).open_units]


def test_a_decided_unit_cannot_be_decided_twice(ws) -> None:
    unit = unit_at(ws, "span", "Monday")
    ws.run(Decide(unit, "accept", 0))
    ws.refused(Decide(unit, "reject"), ValidationError, "decided already")


def test_bad_choices_are_refused_with_one_line(ws) -> None:
    unit = unit_at(ws, "span", "Engineers")
    with pytest.raises(ValidationError, match="no version"):
        Decide(unit, "accept", 0)
    with pytest.raises(ValidationError, match="choose the version"):
        Decide(unit, "accept", 7)
    with pytest.raises(AnnotatorError, match="at least two"):
        choose_annotators(ws.project, ["Ada"])
    with pytest.raises(AnnotatorError, match="no annotator"):
        choose_annotators(ws.project, ["Ada", "Zed"])


def test_gold_exports_on_its_own_as_json_and_brat(ws, tmp_path) -> None:
    annotators = [a.uuid for a in choose_annotators(ws.project, ["Ada", "Bob"])]
    ws.run(AcceptAgreed(annotators))
    ws.run(Decide(unit_at(ws, "span", "Engineers"), "reject"))
    options = ExportOptions(annotators=frozenset({GOLD_ANNOTATOR_UUID}))
    export_file(ws.project, "json", tmp_path / "gold.json", options)
    data = json.loads((tmp_path / "gold.json").read_text(encoding="utf-8"))
    (document,) = data["documents"]
    quotes = sorted(s["text"] for s in document["spans"])
    assert quotes == ["Monday", "the bridge was safe"]
    assert {s["annotator"] for s in document["spans"]} == {GOLD_ANNOTATOR_UUID}
    result = export_file(ws.project, "brat", tmp_path / "gold.zip", options)
    assert result.spans == 2


def test_cli_curate_summary_and_accept_agreed(ws, capsys) -> None:
    path = str(ws.path)
    ws.close()
    assert main(["curate", path, "--annotators", "Ada", "Bob", "--json"]) == 0
    summary = orjson.loads(capsys.readouterr().out)
    assert (summary["decided"], summary["total"]) == (0, 4)
    assert summary["documents"][0]["agreed_open"] == 2
    assert main(["curate", path, "--annotators", "Ada", "Bob", "--accept-agreed"]) == 0
    out = capsys.readouterr().out
    assert "accepted 2 agreed units" in out and "2/4" in out
    assert main(["curate", path, "--annotators", "Ada"]) == 1
    assert "at least two annotators" in capsys.readouterr().err


# -- grouping invariants -----------------------------------------------------------------------
_spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 12), st.sampled_from(["a", "b"])), max_size=12
)


def _layer(prefix: str, raw) -> list[UnitSpan]:
    spans = [UnitSpan(f"{prefix}{i}", tag, ((s, s + n),)) for i, (s, n, tag) in enumerate(raw)]
    return sorted(spans, key=lambda s: (s.start, s.end, s.uuid))


@settings(max_examples=150, deadline=None)
@given(st.lists(_spans, min_size=2, max_size=4))
def test_groups_hold_every_span_once_and_at_most_one_per_annotator(layers) -> None:
    spans = [_layer(f"{index}-", raw) for index, raw in enumerate(layers)]
    groups = group_spans(spans)
    seen = [s.uuid for g in groups for s in g if s is not None]
    assert sorted(seen) == sorted(s.uuid for layer in spans for s in layer)
    for group in groups:
        assert len(group) == len(spans)
        assert any(s is not None for s in group)
        for index, span in enumerate(group):
            assert span is None or span.uuid.startswith(f"{index}-")


@settings(max_examples=100, deadline=None)
@given(_spans)
def test_identical_layers_are_all_agreed(raw) -> None:
    from annotator.domain.curation import span_agreed

    a, b = _layer("a", raw), _layer("b", raw)
    groups = group_spans([a, b])
    assert len(groups) == len(a)
    assert all(span_agreed(g) for g in groups)
