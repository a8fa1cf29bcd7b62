"""A report counted in two parts (the second in another process) is the report counted at once.

`merge_parts` of consecutive runs of documents gives the recorded digests of
`test_agreement_identity` at every split point; `compute_agreement` with the second process
(forced on a small project) gives the same report, passages included, as in one process; a
second process that fails is replaced by counting here; cancelling ends it."""

from __future__ import annotations

import hashlib
import json
import pickle
import random

import pytest
from service_helpers import OTHER_TEXT, TEXT, add_document, between, make_schema
from test_agreement_identity import ANNOTATORS, RECORDED, TAGS, _documents

import annotator.services.agreement as agreement_service
from annotator.domain.agreement.compute import (
    add_documents,
    finish_report,
    found_labels,
    label_order,
    merge_parts,
    start_part,
)
from annotator.errors import AnnotatorError
from annotator.services import agreement_worker
from annotator.services.agreement import AgreementCancelled, compute_agreement
from annotator.services.entity_commands import SetStatus
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

SETTINGS = {
    "directed": {"cites": True, "near": False},
    "attribute_keys": {"actor": ["certainty"], "claim": ["certainty", "roles"]},
}


def _digest(report) -> str:
    data = json.dumps(report.as_json(passages=True), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("voices", [2, 3])
@pytest.mark.parametrize("split", [0, 1, 13, 39, 40])
def test_parts_merged_give_the_recorded_report(voices: int, split: int, plain: bool) -> None:
    documents = _documents()
    annotators = ANNOTATORS[:voices]
    names = {a: a.upper() for a in annotators}
    found_tags, found_links = found_labels(documents)
    all_tags = label_order(TAGS[:2], found_tags)
    first = start_part(annotators, names, plain=plain)
    second = start_part(annotators, names, plain=plain)
    add_documents(first, documents[:split], all_tags, **SETTINGS)
    add_documents(second, documents[split:], all_tags, **SETTINGS)
    second = pickle.loads(pickle.dumps(second))  # as it comes back from the second process
    merged = merge_parts(first, second)
    report = finish_report(merged, all_tags, label_order(("cites",), found_links), names)
    assert _digest(report) == RECORDED[voices]


def test_parts_of_other_annotators_do_not_merge() -> None:
    with pytest.raises(ValueError, match="different annotators"):
        merge_parts(start_part(["a", "b"]), start_part(["a", "c"]))


# -- the service with its second process ------------------------------------------------------

NEEDLES = ("Mayor Jane Doe", "Jane Doe", "the bridge was safe", "Monday", "Engineers", "council")


@pytest.fixture
def project(tmp_path):
    """Eight documents, three annotators who tag them alike or not, with attributes and links;
    most documents done by all, some only started by one."""
    project = Project.create(tmp_path / "p.annotator", annotator_name="ann", schema=make_schema())
    texts = [(TEXT if i % 3 else f"{OTHER_TEXT} {TEXT}") + f" Note {i}." for i in range(8)]
    documents = [add_document(project, text, f"Story {i}") for i, text in enumerate(texts)]
    rng = random.Random(5)
    for who in ("ann", "bob", "cy"):
        project.switch_annotator(who)
        for index, document in enumerate(documents):
            text = texts[index]
            made = []
            for needle in NEEDLES:
                if rng.random() < 0.3:
                    continue
                tag = "actor" if rng.random() < 0.7 else "event"
                attributes = (
                    {"actor_kind": rng.choice(("person", "group"))} if tag == "actor" else {}
                )
                command = CreateSpan(
                    document, tag, [between(text, needle)], attributes=attributes or None
                )
                project.run(command)
                made.append((tag, command.uuid))
            actors = [uuid for tag, uuid in made if tag == "actor"]
            events = [uuid for tag, uuid in made if tag == "event"]
            if actors and events:
                project.run(CreateLink(actors[0], events[0], "participates"))
            done = who == "ann" or index % 4 != 3
            project.run(SetStatus(document, "done" if done else "in_progress"))
    yield project
    project.close()


@pytest.fixture
def second_processes(monkeypatch):
    """Every second process started, with whether it handed back its part."""
    started: list[agreement_worker.SecondProcess] = []
    original = agreement_worker.SecondProcess.start.__func__

    def start(cls):
        process = original(cls)
        if process is not None:
            started.append(process)
        return process

    monkeypatch.setattr(agreement_service.SecondProcess, "start", classmethod(start))
    return started


def _report_json(project, parallel: bool, monkeypatch, **kwargs) -> dict:
    monkeypatch.setattr(agreement_service, "PARALLEL_MIN_SPANS", 0 if parallel else 10**12)
    return compute_agreement(project, **kwargs).as_json(passages=True)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"all_shared": True},
        {"annotators": ["ann", "cy"]},
        {"documents": ["Story 1", "Story 2", "Story 3", "Story 7"], "all_shared": True},
    ],
)
def test_the_second_process_gives_the_same_report(
    project, monkeypatch, second_processes, kwargs
) -> None:
    alone = _report_json(project, False, monkeypatch, **kwargs)
    assert second_processes == []
    both = _report_json(project, True, monkeypatch, **kwargs)
    assert len(second_processes) == 1
    (process,) = second_processes
    assert process.process.returncode == 0  # it ran to the end and was reaped
    assert process.done >= 0 and process._outcome[0] == "part"
    assert both == alone
    assert both["pairs"][0]["spans_overlap"]["*"]["tp"] > 0


def test_a_second_process_that_fails_is_replaced_by_counting_here(
    project, monkeypatch, second_processes
) -> None:
    alone = _report_json(project, False, monkeypatch)

    # the child imports its own copy of the module: break the job on its way in instead
    monkeypatch.setattr(
        agreement_worker.SecondProcess, "submit", lambda self, job: self.process.stdin.close()
    )
    both = _report_json(project, True, monkeypatch)
    assert second_processes and second_processes[0]._outcome[0] == "error"
    assert both == alone


def test_cancel_stops_the_second_process(project, monkeypatch, second_processes) -> None:
    counted = len(compute_agreement(project).documents)
    monkeypatch.setattr(agreement_service, "PARALLEL_MIN_SPANS", 0)
    calls = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return len(calls) < 2

    with pytest.raises(AgreementCancelled):
        compute_agreement(project, progress=progress)
    (process,) = second_processes
    assert process.process.returncode is not None  # ended and reaped, not left running
    # the progress counts both processes' documents
    assert {total for _, total in calls} == {counted}


def test_an_error_before_the_job_ends_the_process_started_early(
    project, monkeypatch, second_processes
) -> None:
    monkeypatch.setattr(agreement_service, "PARALLEL_MIN_SPANS", 0)
    with pytest.raises(AnnotatorError, match="at least two annotators"):
        compute_agreement(project, annotators=["ann"])
    (process,) = second_processes  # started as the count began, before the choice was checked
    assert process.process.returncode is not None
    one = compute_agreement(project, documents=["Story 1"])  # one document: nothing to share
    assert one.documents and len(second_processes) == 2
    assert second_processes[1].process.returncode is not None


def test_a_file_opened_read_only_is_counted_in_one_process(
    project, monkeypatch, second_processes
) -> None:
    """Another process may hold it and write between two processes' reads."""
    path = project.path
    alone = _report_json(project, False, monkeypatch)
    project.close()
    reopened = Project.open(path, read_only=True)
    try:
        assert _report_json(reopened, True, monkeypatch) == alone
    finally:
        reopened.close()
    assert second_processes == []
