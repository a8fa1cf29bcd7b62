"""compute_agreement on real project files (which documents and annotators count, errors) and
the `annotator agreement` command."""

from __future__ import annotations

import gc

import orjson
import pytest
from service_helpers import OTHER_TEXT, TEXT, add_document, between, make_schema

from annotator.cli import main
from annotator.domain.agreement import OVERALL
from annotator.domain.ids import now
from annotator.domain.layers import GOLD_ANNOTATOR_NAME, GOLD_ANNOTATOR_UUID
from annotator.domain.model import Annotator
from annotator.errors import AnnotatorError
from annotator.services.agreement import AgreementCancelled, compute_agreement
from annotator.services.entity_commands import SetStatus
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan


def tag(project: Project, document: str, text: str, tag_key: str, needle: str, **attrs) -> str:
    command = CreateSpan(document, tag_key, [between(text, needle)], attributes=attrs or None)
    project.run(command)
    return command.uuid


@pytest.fixture
def project(tmp_path):
    """ann and bob finished the bridge story; bob only started the second article; the gold
    layer finished the bridge story too (with an annotation nobody else made)."""
    project = Project.create(tmp_path / "p.annotator", annotator_name="ann", schema=make_schema())
    bridge = add_document(project, TEXT, "Bridge story")
    second = add_document(project, OTHER_TEXT, "Second")
    with project.store.write() as session:
        session.insert_annotator(
            Annotator(GOLD_ANNOTATOR_UUID, GOLD_ANNOTATOR_NAME, "", now(), now())
        )
    mayor = tag(project, bridge, TEXT, "actor", "Mayor Jane Doe", actor_kind="person")
    claim = tag(project, bridge, TEXT, "claim", "the bridge was safe")
    project.run(CreateLink(mayor, claim, "asserts"))
    tag(project, second, OTHER_TEXT, "actor", "the Mayor")
    project.run(SetStatus(bridge, "done"))
    project.run(SetStatus(second, "done"))
    project.switch_annotator("bob")
    jane = tag(project, bridge, TEXT, "actor", "Jane Doe", actor_kind="group")
    claim = tag(project, bridge, TEXT, "claim", "the bridge was safe")
    project.run(CreateLink(jane, claim, "asserts"))
    tag(project, bridge, TEXT, "event", "Monday")
    tag(project, second, OTHER_TEXT, "actor", "Mayor")
    project.run(SetStatus(bridge, "done"))
    project.run(SetStatus(second, "in_progress"))
    project.switch_annotator(GOLD_ANNOTATOR_NAME)
    tag(project, bridge, TEXT, "actor", "Engineers")
    project.run(SetStatus(bridge, "done"))
    project.ids = {"bridge": bridge, "second": second}
    yield project
    project.close()


def test_default_documents_are_the_ones_all_finished_and_gold_is_left_out(project) -> None:
    report = compute_agreement(project)
    assert list(report.annotators.values()) == ["ann", "bob"]
    assert report.documents == [project.ids["bridge"]]
    pair = report.pairs[0]
    assert (pair.exact[OVERALL].tp, pair.exact[OVERALL].fp, pair.exact[OVERALL].fn) == (1, 2, 1)
    assert (pair.overlap[OVERALL].tp, pair.overlap[OVERALL].fp, pair.overlap[OVERALL].fn) == (
        2,
        1,
        0,
    )
    assert pair.links[OVERALL].f1 == 1.0
    kind = next(x for x in pair.attributes if x.key == "actor_kind")
    assert kind.share_equal == 0.0
    assert pair.kappa[OVERALL].value is not None
    (event,) = pair.overlap["event"].false_positives
    assert event.document == project.ids["bridge"]
    assert TEXT[event.start : event.end] == "Monday"


def test_all_shared_adds_started_documents(project) -> None:
    report = compute_agreement(project, all_shared=True)
    assert report.documents == [project.ids["bridge"], project.ids["second"]]
    assert report.pairs[0].documents == 2


def test_naming_gold_includes_it_and_a_third_annotator_gives_missing_data(project) -> None:
    report = compute_agreement(project, ["ann", "bob", "gold"], all_shared=True)
    assert GOLD_ANNOTATOR_UUID in report.annotators
    assert len(report.pairs) == 3
    assert report.group.alpha[OVERALL].value is not None
    # gold did not work on the second article: Fleiss' κ needs everyone everywhere
    assert report.group.fleiss[OVERALL].value is None
    assert report.group.fleiss[OVERALL].reason == "not every annotator covers every unit"


def test_named_documents_that_fail_the_rule_are_skipped_with_the_reason(project) -> None:
    report = compute_agreement(project, documents=["Bridge story", "Second"])
    assert report.documents == [project.ids["bridge"]]
    assert report.skipped == {project.ids["second"]: "not done by bob"}
    with pytest.raises(
        AnnotatorError, match="none of the named documents qualifies: “Second”: not done by bob"
    ):
        compute_agreement(project, documents=["Second"])


def test_errors_say_what_is_missing(project) -> None:
    with pytest.raises(AnnotatorError, match=r"at least two annotators \(chosen: ann\)"):
        compute_agreement(project, ["ann"])
    with pytest.raises(AnnotatorError, match="no annotator named 'zoe'"):
        compute_agreement(project, ["ann", "zoe"])
    with pytest.raises(AnnotatorError, match="no document \u201cNope\u201d"):
        compute_agreement(project, documents=["Nope"])
    project.switch_annotator("bob")
    project.run(SetStatus(project.ids["bridge"], "in_progress"))
    with pytest.raises(AnnotatorError, match="no document is marked done by all of ann, bob"):
        compute_agreement(project)


def test_progress_can_cancel(project) -> None:
    with pytest.raises(AgreementCancelled):
        compute_agreement(project, progress=lambda done, total: False)
    seen = []
    compute_agreement(project, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (1, 1)


# -- command line ------------------------------------------------------------------------------
def test_cli_table_json_and_errors(project, capsys) -> None:
    path = project.path
    project.close()
    assert main(["agreement", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert "ann (reference) vs bob" in out
    assert "Confusion (rows: ann, columns: bob)" in out
    overall = next(line for line in out.splitlines() if line.startswith("all tags"))
    assert "1/2/1" in overall and "2/1/0" in overall

    assert main(["agreement", str(path), "--json", "--passages", "--all-shared"]) == 0
    data = orjson.loads(capsys.readouterr().out)
    assert [a["name"] for a in data["annotators"]] == ["ann", "bob"]
    assert len(data["documents"]) == 2
    event = data["pairs"][0]["spans_overlap"]["event"]
    assert event["fp"] == 1 and event["passages"]["fp"][0]["end"] > 0

    assert main(["agreement", str(path), "--annotators", "ann"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "annotator agreement: agreement needs at least two annotators (chosen: ann); "
        "name them with --annotators"
    ]
    assert main(["agreement", str(path), "--documents", "Second"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "“Second”: not done by bob" in line


def test_discontinuous_spans_and_symmetric_links_read_from_the_file(tmp_path) -> None:
    project = Project.create(tmp_path / "d.annotator", annotator_name="ann", schema=make_schema())
    try:
        doc = add_document(project, TEXT, "Bridge story")
        fragments = [between(TEXT, "Mayor"), between(TEXT, "the bridge was safe")]
        extent = [(fragments[0][0], fragments[1][1])]  # same extent, one fragment
        for name in ("ann", "bob"):
            project.switch_annotator(name)
            project.run(CreateSpan(doc, "claim", fragments))
            project.run(CreateSpan(doc, "claim", fragments if name == "ann" else extent))
            first = tag(project, doc, TEXT, "actor", "Jane Doe")
            second = tag(project, doc, TEXT, "actor", "Engineers")
            ends = (first, second) if name == "ann" else (second, first)
            project.run(CreateLink(*ends, "same_as"))  # symmetric: direction does not matter
            project.run(SetStatus(doc, "done"))
        pair = compute_agreement(project).pairs[0]
        # the fragments are read back from the file: the same extent in one piece is no
        # exact match, but an overlap match
        exact = pair.exact["claim"]
        assert (exact.tp, exact.fp, exact.fn) == (1, 1, 1)
        assert pair.overlap["claim"].tp == 2
        claim = exact.true_positives[0]
        assert (claim.start, claim.end) == (fragments[0][0], fragments[1][1])
        assert pair.links["same_as"].tp == 1
    finally:
        project.close()


def test_cli_says_which_flag_includes_unfinished_documents(project, capsys) -> None:
    project.switch_annotator("bob")
    project.run(SetStatus(project.ids["bridge"], "in_progress"))
    path = project.path
    project.close()
    assert main(["agreement", str(path)]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "no document is marked done by all of ann, bob" in line and "--all-shared" in line


def test_the_report_is_not_left_in_the_young_gc_generations(project) -> None:
    """Left there, the collections after the computation walk every object of the report
    (0.9 s for 200,000 spans); compute_agreement moves them to the oldest one unscanned."""
    gc.collect()
    assert gc.isenabled()
    report = compute_agreement(project)
    young = [*gc.get_objects(generation=0), *gc.get_objects(generation=1)]
    assert gc.isenabled()
    assert report.pairs and not any(item is report for item in young)


def test_layers_are_read_in_span_order_whatever_the_order_they_were_written(tmp_path) -> None:
    """read_layers sorts each layer by (start, end, uuid) itself (no ORDER BY): spans written
    last-first, with equal starts and two layers interleaved, come back in that order."""
    from annotator.store.agreement_reads import read_layers

    project = Project.create(tmp_path / "o.annotator", annotator_name="ann", schema=make_schema())
    try:
        doc = add_document(project, TEXT, "Bridge story")
        needles = ["the bridge was safe", "Engineers", "Jane Doe", "Mayor Jane Doe", "Mayor"]
        for name in ("ann", "bob", "ann"):
            project.switch_annotator(name)
            for needle in needles:
                tag(project, doc, TEXT, "actor", needle)
                tag(project, doc, TEXT, "claim", needle)
        with project.store.read() as session:
            uuids = {a.name: a.uuid for a in session.annotators()}
            rows = read_layers(session, [uuids["ann"], uuids["bob"]], {doc})
        for name, count in (("ann", 20), ("bob", 10)):
            spans = rows.spans[(doc, uuids[name])]
            keys = [(s.start, s.end, s.uuid) for s in spans]
            assert len(keys) == count and keys == sorted(keys)
    finally:
        project.close()
