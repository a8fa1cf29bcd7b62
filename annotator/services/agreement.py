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
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from annotator.domain.agreement import (
    AgreementReport,
    DocumentLayers,
    Layer,
    Stopped,
    compute_report,
)
from annotator.domain.annotator_names import find_annotators
from annotator.domain.layers import is_gold
from annotator.domain.model import Annotator
from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError, NotFoundError
from annotator.services.project import Project
from annotator.store.agreement_reads import (
    annotators_with_annotations,
    document_texts,
    read_layers,
)

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


def _compute(project, annotators, documents, all_shared, progress) -> AgreementReport:
    with project.store.read() as session:
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
        rows = read_layers(session, uuids, set(candidates))
        done: dict[str, set[str]] = {}
        worked: dict[str, set[str]] = {}
        for status in statuses:
            if status.annotator in names:
                if status.status == "done":
                    done.setdefault(status.document, set()).add(status.annotator)
                if status.status != "new":
                    worked.setdefault(status.document, set()).add(status.annotator)
        for document, annotator in [*rows.spans, *rows.links]:
            worked.setdefault(document, set()).add(annotator)
        included: list[tuple[str, list[str]]] = []
        skipped: dict[str, str] = {}
        for document in candidates:
            if all_shared:
                covering = [a for a in uuids if a in worked.get(document, set())]
                if len(covering) >= 2:
                    included.append((document, covering))
                elif documents:
                    skipped[document] = "fewer than two of the annotators worked on it"
            else:
                missing = [names[a] for a in uuids if a not in done.get(document, set())]
                if not missing:
                    included.append((document, uuids))
                elif documents:
                    skipped[document] = "not done by " + ", ".join(missing)
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
        texts = document_texts(session, [d for d, _ in included])
        schema = project.schema
    layers = [
        DocumentLayers(
            document,
            texts[document],
            {
                a: Layer(
                    tuple(rows.spans.get((document, a), ())),
                    tuple(rows.links.get((document, a), ())),
                )
                for a in covering
            },
        )
        for document, covering in included
    ]
    try:
        report = compute_report(
            layers,
            uuids,
            names=names,
            tags=[t.key for t in schema.tag_types],
            link_types=[t.key for t in schema.link_types],
            directed={t.key: t.directed for t in schema.link_types},
            attribute_keys={t.key: [a.key for a in t.attributes] for t in schema.tag_types},
            progress=progress,
        )
    except Stopped:
        raise AgreementCancelled("agreement cancelled") from None
    report.skipped = skipped
    report.titles = {d: titles[d] for d in [*report.documents, *skipped]}
    return report
