"""Registers the lossless JSON v1 exchange format with the format registry."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ExportSource,
    ImportFormat,
    Progress,
    register_export,
    register_import,
)

if TYPE_CHECKING:
    from annotator.io.exchange import Exchange, ImportContext


def _write(source: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    from annotator.io.formats.json.writer import export_json

    count = export_json(source, destination, options.progress, options=options)
    return ExportResult(documents=count)


def _read(path: Path, context: ImportContext, progress: Progress | None) -> Exchange:
    from annotator.io.formats.json.reader import read_json

    return read_json(path, context, progress)


register_export(
    ExportFormat(
        key="json",
        label="Annotator JSON",
        suffix=".json",
        write=_write,
        description="lossless: schema, documents, spans, links, entities, statuses, tombstones",
    )
)
register_import(
    ImportFormat(
        key="json",
        label="Annotator JSON",
        suffixes=(".json",),
        read=_read,
        description="an Annotator JSON export (merged by uuid; re-importing changes nothing)",
    )
)
