"""Agreement use case: choose annotators and documents of a project, compute the report.

Which documents count (the documented rule):
- by default, the documents every chosen annotator has marked *done*;
- with ``all_shared``, every document at least two of the chosen annotators have worked on
  (a status of in progress or done, or a span or link of theirs in it); an annotator who has
  not worked on such a document gives *missing data* there (Krippendorff's α takes it; Cohen's
  κ and the span figures of a pair use the documents both worked on; Fleiss' κ needs everyone
  on every unit and is left undefined otherwise).
`documents` narrows either set; a named document that fails the rule is reported as skipped.

Annotators: by default every annotator with a status or an annotation in the project except
the gold layer's reserved annotator (the adjudicated layer is what agreement is measured
*against*, not one of the raters); naming it ("gold" or its uuid) includes it.

Speed: over PARALLEL_MIN_SPANS spans, on two or more cores, the last documents (SECOND_SHARE
of the spans) are counted by a second process (`agreement_worker`) while this one counts the
first; its part is merged after this one's (`merge_parts`), so the report is the one counted
in a single process. It reads the file in its own read-only transaction: the project lock
keeps other processes from writing, and the window computes behind a modal progress dialog.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from annotator.domain.agreement import AgreementReport, Stopped, compute_report
from annotator.domain.agreement.compute import (
    add_documents,
    finish_report,
    found_labels,
    label_order,
    merge_parts,
    start_part,
)
from annotator.domain.annotator_names import find_annotators
from annotator.domain.layers import is_gold
from annotator.domain.model import Annotator
from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError, NotFoundError
from annotator.services.agreement_worker import (
    Job,
    SecondProcess,
    WorkerFailed,
    count_job,
    document_layers,
)
from annotator.services.project import Project
from annotator.store.agreement_reads import (
    annotated_documents,
    annotators_with_annotations,
    document_texts,
    read_layers,
    span_counts,
    span_id_bound,
)

#: A report over fewer spans than this is counted in this process alone (a second process
#: costs about 0.1-0.2 s to start and to hand its part back).
PARALLEL_MIN_SPANS = 20_000
#: The share of the work (by spans) the second process takes: a little under half, as its
#: part must still be pickled, sent back and merged (measured: both processes then use about
#: the same CPU time on the perf project).
SECOND_SHARE = 0.48

#: progress(done, total); returning False cancels (AgreementCancelled is raised).
Progress = Callable[[int, int], bool | None]


class NoFinishedDocuments(AnnotatorError):
    """No document is marked done by every chosen annotator; the CLI and the GUI each add how
    to include the documents they did not finish (a flag, a check box)."""


class AgreementCancelled(Exception):
    """The caller's progress callback asked to stop."""


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a report over 200,000 spans makes about a million
    small acyclic objects, and the collector's repeated passes over them cost a quarter of the
    time (measured). Reference counting still frees everything; the previous state returns.

    On the way out, the objects made meanwhile (the report's, all in the youngest generation)
    are moved to the oldest one unscanned (`freeze` then `unfreeze`): otherwise the first
    collection after `enable` walks every one of them, 0.15–0.35 s for that report. Cyclic
    garbage among them is still found by the next full collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _default_annotators(session, everyone: list[Annotator], statuses) -> list[Annotator]:
    active = {s.annotator for s in statuses if s.status != "new"}
    active |= annotators_with_annotations(session)
    return [a for a in everyone if a.uuid in active and not is_gold(a.uuid)]


def default_annotators(project: Project) -> list[Annotator]:
    """Who is compared when nobody is named: everyone who worked in the project, except gold."""
    with project.store.read() as session:
        return _default_annotators(session, session.annotators(), session.statuses())


def compute_agreement(
    project: Project,
    annotators: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
    *,
    all_shared: bool = False,
    progress: Progress | None = None,
) -> AgreementReport:
    """The agreement report of a project (see the module docstring for the choices).

    `annotators` and `documents` take names/titles or uuids. Raises AnnotatorError with a
    one-line message when fewer than two annotators or no document qualifies."""
    with _without_cyclic_gc():
        return _compute(project, annotators, documents, all_shared, progress)


def _compute(
    project, annotators, documents, all_shared, progress, parallel=True
) -> AgreementReport:
    second: list[SecondProcess] = []  # started early, stopped however the count ends
    try:
        report = _count(second, project, annotators, documents, all_shared, progress, parallel)
    except Stopped:
        raise AgreementCancelled("agreement cancelled") from None
    finally:
        for process in second:
            process.stop()
    if report is None:  # a tag the schema does not name (never, by the store): count again
        return _compute(project, annotators, documents, all_shared, progress, parallel=False)
    return report


def _count(started, project, annotators, documents, all_shared, progress, parallel):
    """The report (None: count again in one process); a second process it starts goes into
    `started`."""
    with project.store.read() as session:
        # Not for a file opened read-only: another process may hold it and write between this
        # read and the second process's, and the report must be of one state of the file.
        shared = parallel and not project.store.read_only and (os.cpu_count() or 1) >= 2
        if shared and span_id_bound(session) >= PARALLEL_MIN_SPANS:
            # started now, its interpreter starts while this one reads what to count
            second = SecondProcess.start()
            started.extend([second] if second is not None else [])
        everyone = session.annotators()
        statuses = session.statuses()
        infos = session.documents()
        if annotators:
            chosen = find_annotators(everyone, annotators)
        else:
            chosen = _default_annotators(session, everyone, statuses)
        if len(chosen) < 2:
            names = ", ".join(a.name for a in chosen) or "none"
            raise AnnotatorError(
                f"agreement needs at least two annotators (chosen: {names}); name them with "
                "--annotators"
            )
        uuids = [a.uuid for a in chosen]
        names = {a.uuid: a.name for a in chosen}
        titles = {d.uuid: d.title for d in infos}
        candidates = [d.uuid for d in infos]
        if documents:
            candidates = []
            for wanted in documents:
                found = [d.uuid for d in infos if wanted in (d.uuid, d.title)]
                if not found:
                    raise NotFoundError(f"no document {quoted(wanted)} in this project")
                candidates.extend(u for u in found if u not in candidates)
        included, skipped = _included(
            session, statuses, uuids, names, candidates, all_shared, bool(documents)
        )
        if not included:
            who = ", ".join(names.values())
            if documents:
                raise AnnotatorError(
                    "none of the named documents qualifies: "
                    + "; ".join(f"{quoted(titles[d])}: {why}" for d, why in skipped.items())
                )
            if all_shared:
                raise AnnotatorError(f"no document was worked on by two of {who}")
            raise NoFinishedDocuments(f"no document is marked done by all of {who}")
        schema = project.schema
        settings = {
            "directed": {t.key: t.directed for t in schema.link_types},
            "attribute_keys": {t.key: [a.key for a in t.attributes] for t in schema.tag_types},
        }
        tags = [t.key for t in schema.tag_types]
        link_types = [t.key for t in schema.link_types]
        split = _split_point(session, included) if started else len(included)
        mine = included[:split]
        if split < len(included):
            job = Job(project.path, uuids, names, included[split:], tags, **settings)
            started[0].submit(job)
        elif started:  # not worth it after all
            started.pop().stop()
        rows = read_layers(session, uuids, {d for d, _ in mine})
        texts = document_texts(session, [d for d, _ in mine])
    if not started:
        report = compute_report(
            document_layers(mine, rows, texts),
            uuids,
            names=names,
            tags=tags,
            link_types=link_types,
            progress=progress,
            **settings,
        )
    else:
        report = _compute_with(started[0], job, mine, rows, texts, link_types, settings, progress)
        if report is None:
            return None
    report.skipped = skipped
    report.titles = {d: titles[d] for d in [*report.documents, *skipped]}
    return report


def _included(session, statuses, uuids, names, candidates, all_shared, named):
    """The documents that count, with their covering annotators, and why named ones do not."""
    done: dict[str, set[str]] = {}
    worked: dict[str, set[str]] = {}
    for status in statuses:
        if status.annotator in names:
            if status.status == "done":
                done.setdefault(status.document, set()).add(status.annotator)
            if status.status != "new":
                worked.setdefault(status.document, set()).add(status.annotator)
    if all_shared:
        for document, annotator in annotated_documents(session, uuids):
            worked.setdefault(document, set()).add(annotator)
    included: list[tuple[str, list[str]]] = []
    skipped: dict[str, str] = {}
    for document in candidates:
        if all_shared:
            covering = [a for a in uuids if a in worked.get(document, set())]
            if len(covering) >= 2:
                included.append((document, covering))
            elif named:
                skipped[document] = "fewer than two of the annotators worked on it"
        else:
            missing = [names[a] for a in uuids if a not in done.get(document, set())]
            if not missing:
                included.append((document, uuids))
            elif named:
                skipped[document] = "not done by " + ", ".join(missing)
    return included, skipped


def _split_point(session, included: list[tuple[str, list[str]]]) -> int:
    """How many of the included documents this process counts; the rest go to the second
    process when there is enough work for two (by the documents' span counts)."""
    if len(included) < 2:
        return len(included)
    counts = span_counts(session)
    weights = [counts.get(document, 0) + 1 for document, _ in included]
    total = sum(weights)
    if total < PARALLEL_MIN_SPANS:
        return len(included)
    share, running = total * (1 - SECOND_SHARE), 0
    for index, weight in enumerate(weights):
        running += weight
        if running >= share:
            return max(1, min(index + 1, len(included) - 1))
    return len(included) - 1


def _compute_with(second, job, mine, rows, texts, link_types, settings, progress):
    """Count `mine` here while the second process counts the job's documents; merged, the
    report (None if a document uses a tag the schema does not name)."""
    total = len(mine) + len(job.included)

    def my_progress(done: int, _: int) -> bool | None:
        return progress(done + second.done, total)

    layers = document_layers(mine, rows, texts)
    del rows, texts
    part = start_part(job.annotators, job.names)
    add_documents(
        part,
        layers,
        job.tags,
        progress=None if progress is None else my_progress,
        **settings,
    )
    found_tags, found_links = found_labels(layers)
    del layers
    waiting = None if progress is None else (lambda: my_progress(len(mine), total))
    try:
        theirs, (their_tags, their_links) = second.result(waiting)
    except WorkerFailed:
        if progress is not None and my_progress(len(mine), total) is False:
            raise Stopped() from None
        theirs, (their_tags, their_links) = _count_here(job, len(mine), total, progress)
    merge_parts(part, theirs)
    if not (found_tags | their_tags) <= set(job.tags):
        return None
    if progress is not None:
        progress(total, total)
    return finish_report(
        part, job.tags, label_order(link_types, found_links | their_links), job.names
    )


def _count_here(job, offset: int, total: int, progress):
    """The second process's documents, counted here (it could not)."""
    wrapped = None if progress is None else (lambda done, _: progress(offset + done, total))
    return count_job(job, wrapped)
