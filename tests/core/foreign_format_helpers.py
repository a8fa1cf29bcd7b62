"""Helpers for the foreign-format tests (spaCy, XMI, REFI-QDA, doccano, Label Studio).

- `rich(tmp_path)`: json_helpers' rich project (emoji, ZWJ family, astral letter and a combining
  mark before the spans; a discontinuous span, links with attributes, notes) plus a span of
  Bob's, so a layer filter has something to leave out.
- `export(project, key, path, ...)`: export through the registry.
- `fresh(path, name)`: a project with the default schema to import into.
- `outputs_equal(a, b)`: two export files hold the same bytes (zips: the same members).
- `counts(project)`: documents, spans and links in a project (to show a failed import wrote
  nothing).
- `SHARED`: /work/shared/formats, `need_shared(sub)` skips when it is absent.
- `cli(capsys, *args)`: run the command line, return (status, stdout, stderr).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import json_helpers as h
import pytest

from annotator.cli import main
from annotator.io.formats import ExportOptions, ExportResult, export_format
from annotator.services import exchange_files
from annotator.services.exchange_files import export_file
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

SHARED = Path("/work/shared/formats")


def need_shared(sub: str) -> Path:
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared format samples are not on this machine)")
    return path


def rich(tmp_path: Path) -> tuple[Project, h.Rich, str]:
    """The rich project, plus Bob's actor span over "Engineers" (returns its uuid too)."""
    project, ids = h.build_rich_project(tmp_path / "rich.annotator")
    with project.store.read() as session:
        text2 = session.document_text(ids.doc2)
    project.switch_annotator("Bob")
    bob_span = CreateSpan(ids.doc2, "place", [h.between(text2, "bridge")])
    project.run(bob_span)
    project.switch_annotator("Ada")
    return project, ids, bob_span.uuid


def export(project: Project, key: str, path: Path, **options: Any) -> ExportResult:
    return export_file(project, key, path, ExportOptions(**options))


def import_file(project: Project, key: str, path: Path) -> Any:
    return exchange_files.import_file(project, key, path, None)


def fresh(path: Path, name: str = "Rich project", **kwargs: Any) -> Project:
    return Project.create(path, name=name, annotator_name="Importer", **kwargs)


def outputs_equal(a: Path, b: Path) -> bool:
    if zipfile.is_zipfile(a):
        with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
            names = sorted(za.namelist())
            return names == sorted(zb.namelist()) and all(za.read(n) == zb.read(n) for n in names)
    return a.read_bytes() == b.read_bytes()


def round_trip(project: Project, key: str, tmp_path: Path, **kwargs: Any) -> tuple[Path, Path]:
    """Export, import into a fresh project, export again; returns both export paths."""
    suffix = export_format(key).suffix
    first, second = tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"
    export(project, key, first)
    with fresh(tmp_path / f"copy-{key}.annotator", **kwargs) as copy:
        import_file(copy, key, first)
        export(copy, key, second)
        again = import_file(copy, key, first)  # the same file again changes nothing
        assert not again.changed, again.summary()
    return first, second


def counts(project: Project) -> tuple[int, int, int]:
    with project.store.read() as session:
        docs = session.documents()
        spans = sum(len(session.spans(d.uuid)) for d in docs)
        links = sum(len(session.links(d.uuid)) for d in docs)
    return len(docs), spans, links


def cancelled_export_leaves_nothing(project: Project, key: str, tmp_path: Path) -> None:
    from annotator.io.formats.json.writer import ExportCancelled

    out = tmp_path / f"cancelled{export_format(key).suffix}"
    with pytest.raises(ExportCancelled):
        export(project, key, out, progress=lambda done, total: False)
    assert list(tmp_path.glob("*cancelled*")) == []


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err
