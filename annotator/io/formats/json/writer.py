"""JSON v1 export: the lossless exchange format, written as a stream one document at a time, and
each document in pieces: its text in chunks, its spans, links and statuses in batches, so a
20 MB document with 200,000 spans never sits in memory whole (store/export_stream). The bytes
are what `orjson.dumps` of the whole document would give: the pieces are cut between values
and at character boundaries of the text, where JSON's escaping does not change."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import orjson

from annotator.domain.model import AttributeDef, Schema
from annotator.io.formats import ExportOptions
from annotator.io.formats.json.history import write_history
from annotator.io.schema_file import schema_to_dict

FORMAT = "annotator"
VERSION = 1

#: A filtered export keeps this much of its documents and history in memory, then spills to disk.
_SPOOL_IN_MEMORY = 16 * 1024 * 1024
_COPY_CHUNK = 1024 * 1024
#: Spans (links, statuses) serialised per orjson call: few calls, little memory.
_ITEMS_PER_WRITE = 1000

Progress = Callable[[int, int], bool | None]
"""progress(done, total) → return False to cancel."""

Selection = tuple[frozenset[str] | None, frozenset[str] | None]
"""The layers (annotator uuids) and the documents an export keeps; None keeps all."""


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
    source: Any,
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
            count = write_json(source, out, progress, options)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, destination)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return count


def write_json(
    source: Any,
    out: IO[bytes],
    progress: Progress | None = None,
    options: ExportOptions | None = None,
) -> int:
    """Stream the export to a binary file object; memory stays flat whatever the size.

    With `options.annotators` only those layers' spans, links and statuses are written (links
    whose endpoints were left out go too), e.g. the gold layer alone as a dataset; with
    `options.documents` only those documents. A filtered export lists only the annotators it
    carries work of (see `_write_filtered`)."""
    layers = options.annotators if options is not None else None
    chosen = options.documents if options is not None else None
    with source.read() as session:
        total = session.document_count() if chosen is None else len(chosen)
        if layers is None and chosen is None:
            return _write_whole(session, out, progress, total)
        return _write_filtered(session, out, progress, total, (layers, chosen))


def _head(session: Any, schema: dict[str, Any], annotators: list[Any]) -> dict[str, Any]:
    info = session.project_info()
    return {
        "format": FORMAT,
        "version": VERSION,
        "project": {k: info.get(k, "") for k in ("id", "name", "created")}
        | {"id": info.get("uuid", "")},
        "schema": schema,
        "annotators": [
            {
                "id": a.uuid,
                "name": a.name,
                "identifier": a.identifier,
                "created": a.created,
                "modified": a.modified,
            }
            for a in annotators
        ],
    }


def _entities(session: Any) -> list[dict[str, Any]]:
    return [
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


def _write_whole(session: Any, out: IO[bytes], progress: Progress | None, total: int) -> int:
    """The whole project: every annotator (schema items and tombstones name them)."""
    head = _head(session, schema_section(session.schema()), session.annotators())
    out.write(orjson.dumps(head)[:-1] + b',"documents":[')
    count = _write_documents(session, out, progress, total, (None, None), None)
    out.write(b'],"entities":' + orjson.dumps(_entities(session)))
    out.write(b',"tombstones":' + orjson.dumps(session.export_tombstones()) + b",")
    write_history(out, session.iter_history())
    out.write(b"}")
    return count


def _write_filtered(
    session: Any, out: IO[bytes], progress: Progress | None, total: int, which: Selection
) -> int:
    """Some layers or documents: only the history of what is carried (entities: all), and
    only the annotators the file carries work of (spans, links, statuses, documents, history
    rows). Who made the parts carried whole (schema items, entities, tombstones) is kept when
    they are listed, else written as unknown (null): a gold dataset does not name every
    annotator of the project. The annotators are known only once the documents and history
    are written, so those two go through temporary files first (flat memory still)."""
    carried = _Carried()
    with _spool() as documents, _spool() as history:
        count = _write_documents(session, documents, progress, total, which, carried)
        entities = _entities(session)
        carried.objects.update(e["id"] for e in entities)
        carried.annotators |= write_history(history, session.iter_history(), carried.objects)
        named = carried.annotators
        schema = schema_section(session.schema())
        for items in (schema["tag_types"], schema["link_types"]):
            _known_authors(items, named)
            for item in items:
                _known_authors(item["attributes"], named)
        listed = [a for a in session.annotators() if a.uuid in named]
        out.write(orjson.dumps(_head(session, schema, listed))[:-1] + b',"documents":[')
        _copy(documents, out)
        out.write(b'],"entities":' + orjson.dumps(_known_authors(entities, named)))
        tombstones = _known_authors(session.export_tombstones(), named)
        out.write(b',"tombstones":' + orjson.dumps(tombstones) + b",")
        _copy(history, out)
    out.write(b"}")
    return count


class _Carried:
    """What a filtered export has written so far: object uuids and annotator uuids."""

    def __init__(self) -> None:
        self.objects: set[str] = set()
        self.annotators: set[str | None] = set()

    def add(self, item: dict[str, Any]) -> None:
        """A span, link or status written."""
        self.objects.add(item["id"])
        self.annotators.add(item["annotator"])


def _write_documents(
    session: Any,
    out: IO[bytes],
    progress: Progress | None,
    total: int,
    which: Selection,
    carried: _Carried | None,
) -> int:
    """Stream the chosen documents, comma-separated; return how many."""
    layers, chosen = which
    count = 0
    for document in session.export_stream():
        if chosen is not None and document.head["id"] not in chosen:
            continue
        if count:
            out.write(b",")
        _write_document(out, document, layers, carried)
        count += 1
        if progress is not None and progress(count, total) is False:
            raise ExportCancelled("export cancelled")
    return count


def _write_document(
    out: IO[bytes], document: Any, layers: frozenset[str] | None, carried: _Carried | None
) -> None:
    """One document object, written in pieces; with `layers`, only their spans, links and
    statuses (links whose endpoints were left out go too)."""
    out.write(orjson.dumps(document.head)[:-1] + b',"text":"')
    for piece in document.text_chunks():
        out.write(orjson.dumps(piece)[1:-1])
    out.write(b'"')
    out.write(b"," + orjson.dumps(document.rest)[1:-1])
    if carried is not None:
        carried.objects.add(document.head["id"])
        carried.annotators.add(document.rest["author"])
    spans, links, status = document.spans, document.links, document.status
    if layers is not None:
        kept: set[str] = set()
        spans = (s for s in spans if s["annotator"] in layers and not kept.add(s["id"]))
        links = (
            x
            for x in links
            if x["annotator"] in layers and x["source"] in kept and x["target"] in kept
        )
        status = (x for x in status if x["annotator"] in layers)
    _write_items(out, b',"spans":[', spans, carried)  # consumed before the links read `kept`
    _write_items(out, b'],"links":[', links, carried)
    _write_items(out, b'],"status":[', status, carried)
    out.write(b"]}")


def _write_items(out: IO[bytes], opening: bytes, items: Any, carried: _Carried | None) -> None:
    """`opening`, then the items comma-separated (without the closing bracket)."""
    out.write(opening)
    batch: list[dict[str, Any]] = []
    first = True
    for item in items:
        batch.append(item)
        if carried is not None:
            carried.add(item)
        if len(batch) >= _ITEMS_PER_WRITE:
            out.write((b"" if first else b",") + orjson.dumps(batch)[1:-1])
            batch, first = [], False
    if batch:
        out.write((b"" if first else b",") + orjson.dumps(batch)[1:-1])


def _known_authors(items: list[dict[str, Any]], named: set[str | None]) -> list[dict[str, Any]]:
    """Items whose author is not listed get an unknown (null) author, in place."""
    for item in items:
        if item.get("author") not in named:
            item["author"] = None
    return items


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)


def _copy(spool: IO[bytes], out: IO[bytes]) -> None:
    spool.seek(0)
    shutil.copyfileobj(spool, out, _COPY_CHUNK)
