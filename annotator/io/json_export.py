"""JSON v1 export: the lossless exchange format, written as a stream one document at a time."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import orjson

from annotator.domain.model import AttributeDef, Schema
from annotator.io.formats import ExportOptions
from annotator.io.json_history import exported_objects, write_history
from annotator.io.schema_file import schema_to_dict

FORMAT = "annotator"
VERSION = 1

Progress = Callable[[int, int], bool | None]
"""progress(done, total) → return False to cancel."""


class ExportCancelled(Exception):
    """The user cancelled an export; the partial output was removed."""


def _provenance(item: Any) -> dict[str, Any]:
    return {"created": item.created, "modified": item.modified, "author": item.author}


def schema_section(schema: Schema) -> dict[str, Any]:
    """The schema file's lists, with created/modified/author on every item."""
    data = schema_to_dict(schema)
    for items, objects in (
        (data["tag_types"], schema.tag_types),
        (data["link_types"], schema.link_types),
    ):
        for item, obj in zip(items, objects, strict=True):
            item.update(_provenance(obj))
            attributes: tuple[AttributeDef, ...] = obj.attributes
            for attribute_item, attribute in zip(item["attributes"], attributes, strict=True):
                attribute_item.update(_provenance(attribute))
    return data


def export_json(
    project: Any,
    destination: Path,
    progress: Progress | None = None,
    options: ExportOptions | None = None,
) -> int:
    """Write the project (or the part `options` selects) to destination (temp file + rename);
    return the document count."""
    destination = Path(destination)
    temp = destination.with_name(f".{destination.name}.partial")
    try:
        with temp.open("wb") as out:
            count = write_json(project, out, progress, options)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, destination)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return count


def write_json(
    project: Any,
    out: IO[bytes],
    progress: Progress | None = None,
    options: ExportOptions | None = None,
) -> int:
    """Stream the export to a binary file object; memory stays flat whatever the size.

    With `options.annotators` only those layers' spans, links and statuses are written (links
    whose endpoints were left out go too), e.g. the gold layer alone as a dataset; with
    `options.documents` only those documents."""
    dumps = orjson.dumps
    layers = options.annotators if options is not None else None
    chosen = options.documents if options is not None else None
    with project.store.read() as session:
        info = session.project_info()
        head = {
            "format": FORMAT,
            "version": VERSION,
            "project": {k: info.get(k, "") for k in ("id", "name", "created")}
            | {"id": info.get("uuid", "")},
            "schema": schema_section(session.schema()),
            "annotators": [
                {
                    "id": a.uuid,
                    "name": a.name,
                    "identifier": a.identifier,
                    "created": a.created,
                    "modified": a.modified,
                }
                for a in session.annotators()  # all: schema items and tombstones name them
            ],
        }
        total = len(session.documents()) if chosen is None else len(chosen)
        out.write(dumps(head)[:-1] + b',"documents":[')
        count = 0
        # A filtered export carries only the history of what it carries (entities: all).
        wanted = None if layers is None and chosen is None else set[str]()
        for document in session.export_documents():
            if chosen is not None and document["id"] not in chosen:
                continue
            if layers is not None:
                _keep_layers(document, layers)
            if count:
                out.write(b",")
            out.write(dumps(document))
            if wanted is not None:
                wanted.update(exported_objects(document))
            count += 1
            if progress is not None and progress(count, total) is False:
                raise ExportCancelled("export cancelled")
        entities = [
            {
                "id": e.uuid,
                "name": e.name,
                "kind": e.kind,
                "aliases": list(e.aliases),
                "external_ids": e.external_ids,
                "note": e.note,
                **_provenance(e),
            }
            for e in session.entities()
        ]
        out.write(b'],"entities":' + dumps(entities))
        if wanted is not None:
            wanted.update(e["id"] for e in entities)
        out.write(b',"tombstones":' + dumps(session.export_tombstones()) + b",")
        write_history(out, session.iter_history(), wanted)
        out.write(b"}")
    return count


def _keep_layers(document: dict[str, Any], layers: frozenset[str]) -> None:
    """Drop the spans, links and statuses of annotators outside `layers` (in place)."""
    document["spans"] = [s for s in document["spans"] if s["annotator"] in layers]
    kept = {s["id"] for s in document["spans"]}
    document["links"] = [
        x
        for x in document["links"]
        if x["annotator"] in layers and x["source"] in kept and x["target"] in kept
    ]
    document["status"] = [x for x in document["status"] if x["annotator"] in layers]
