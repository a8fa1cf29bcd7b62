"""The JSON export writes a long document in pieces (store/export_stream): its text in chunks
read from the file, its spans in batches. The bytes are the same as writing it whole, chunk
boundaries falling inside multi-byte characters included, and Python's memory (tracemalloc:
not SQLite's, no timing) stays at about a chunk, not the text or the spans."""

from __future__ import annotations

import io
import json
import random
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from annotator.io.documents.text import import_text
from annotator.io.formats import ExportOptions
from annotator.io.formats.json import writer as json_export
from annotator.services.document_commands import AddDocuments
from annotator.services.exchange_files import ProjectSnapshot
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan, CreateSpans
from annotator.store import export_stream

#: Characters of the long document: four-byte emoji, two- and three-byte letters, quotes and
#: backslashes (escaped in JSON), tabs and newlines, so chunk boundaries cut every kind.
PIECES = ("word", "😀", "é", "€", '"', "\\", "\t", "\n", "naïve", "𝐀")
LENGTH = 400_000
SPANS = 3_000


def _text(rng: random.Random) -> str:
    parts, size = [], 0
    while size < LENGTH:
        parts.append(rng.choice(PIECES))
        parts.append(" ")
        size += len(parts[-2]) + 1
    return "Start " + "".join(parts) + " end."


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str]]:
    rng = random.Random(11)
    path = tmp_path_factory.mktemp("large") / "large.annotator"
    with Project.create(path, annotator_name="Ada") as project:
        add = AddDocuments(
            [
                import_text(_text(rng), "long.txt", "utf-8"),
                import_text("A short one.", "s.txt", "utf-8"),
            ]
        )
        project.run(add)
        long_document = add.report.added[0]
        with project.store.read() as read:
            length = len(read.document_text(long_document))
        starts = sorted(rng.sample(range(length - 10), SPANS))
        project.run(
            CreateSpans("spans", [CreateSpan(long_document, "actor", [(s, s + 7)]) for s in starts])
        )
        project.switch_annotator("Bea")
        project.run(CreateSpan(long_document, "event", [(0, 5)]))
        yield project, long_document


def _export(project: Project, options: ExportOptions | None = None) -> bytes:
    out = io.BytesIO()
    json_export.write_json(ProjectSnapshot(project), out, options=options)
    return out.getvalue()


@pytest.fixture
def whole(monkeypatch: pytest.MonkeyPatch):
    """Export with every document inline and every list in one orjson call (as before)."""

    def run(project: Project, options: ExportOptions | None = None) -> bytes:
        with monkeypatch.context() as patch:
            patch.setattr(export_stream, "TEXT_INLINE_BYTES", 1 << 40)
            patch.setattr(json_export, "_ITEMS_PER_WRITE", 1 << 40)
            return _export(project, options)

    return run


@pytest.mark.parametrize("chunk", [1, 7, 4096, 65_537])
def test_pieces_give_the_same_bytes_as_the_whole(
    project, whole, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    project, long_document = project
    expected = whole(project)
    monkeypatch.setattr(export_stream, "TEXT_INLINE_BYTES", 1000)
    monkeypatch.setattr(export_stream, "TEXT_CHUNK_BYTES", chunk)
    monkeypatch.setattr(json_export, "_ITEMS_PER_WRITE", 7)
    assert _export(project) == expected
    loaded = json.loads(expected)
    with project.store.read() as read:
        assert loaded["documents"][0]["text"] == read.document_text(long_document)
    assert len(loaded["documents"][0]["spans"]) == SPANS + 1  # Ada's and Bea's


def test_a_filtered_export_in_pieces_is_the_same_too(
    project, whole, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, long_document = project
    bea = project.annotator.uuid
    options = ExportOptions(annotators=frozenset({bea}), documents=frozenset({long_document}))
    expected = whole(project, options)
    monkeypatch.setattr(export_stream, "TEXT_INLINE_BYTES", 1000)
    monkeypatch.setattr(export_stream, "TEXT_CHUNK_BYTES", 4099)
    monkeypatch.setattr(json_export, "_ITEMS_PER_WRITE", 3)
    assert _export(project, options) == expected
    (document,) = orjson.loads(expected)["documents"]
    assert [s["annotator"] for s in document["spans"]] == [bea]


def _peak(project: Project) -> int:
    """Python's peak memory (bytes) of writing the long document into a sink that keeps
    nothing (the history's batches and the head of the file are not counted)."""
    with project.store.read() as session:
        long_document = next(iter(session.export_stream()))
        tracemalloc.start()
        try:
            json_export._write_document(_Sink(), long_document, None, None)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_memory_stays_at_a_chunk(project, monkeypatch: pytest.MonkeyPatch) -> None:
    project, _ = project
    with monkeypatch.context() as patch:  # as before: the text and the spans whole
        patch.setattr(export_stream, "TEXT_INLINE_BYTES", 1 << 40)
        patch.setattr(json_export, "_ITEMS_PER_WRITE", 1 << 40)
        held_whole = _peak(project)
    monkeypatch.setattr(export_stream, "TEXT_INLINE_BYTES", 16 * 1024)
    monkeypatch.setattr(export_stream, "TEXT_CHUNK_BYTES", 16 * 1024)
    monkeypatch.setattr(json_export, "_ITEMS_PER_WRITE", 100)
    in_pieces = _peak(project)
    # Whole: the 1.6 MB str (four bytes a character), its JSON, 3,000 span dicts and theirs.
    assert held_whole > 3_000_000, held_whole
    assert in_pieces < 400_000, in_pieces


class _Sink(io.RawIOBase):
    """A file that keeps nothing (so the output itself is not counted)."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        return len(data)


def test_export_json_to_a_file_is_the_same(project, whole, tmp_path: Path) -> None:
    project, _ = project
    json_export.export_json(ProjectSnapshot(project), tmp_path / "out.json")
    assert (tmp_path / "out.json").read_bytes() == whole(project)
