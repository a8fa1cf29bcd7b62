"""Registers the lossless JSON v1 exchange format with the format registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ImportFormat,
    Progress,
    register_export,
    register_import,
)


def _write(project: Any, destination: Path, options: ExportOptions) -> ExportResult:
    from annotator.io.json_export import export_json

    count = export_json(project, destination, options.progress, options=options)
    return ExportResult(documents=count)


def _read(project: Any, source: Path, progress: Progress | None) -> Any:
    from annotator.io.json_import import import_json

    return import_json(project, source, progress)


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
