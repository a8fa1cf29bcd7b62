"""doccano sequence-labelling JSONL (entities + relations), offsets in UTF-16 units.

One line per document: `{"id", "text", "entities": [{"id", "label", "start_offset",
"end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}], "Comments": []}` plus our
`document_id` and `title` (doccano keeps unknown keys as metadata). doccano counts offsets in
JavaScript string indices, i.e. UTF-16 code units (doccano issue #2290), so they are converted
from and to code points here. The import also reads the plain form `{"text", "label": [[start,
end, "LABEL"], ...]}` (older exports: `labels`). Labels are tag type keys; a label the project
lacks becomes a new custom tag type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from annotator.domain.ids import is_uuid
from annotator.domain.wording import quoted
from annotator.io.exchange import Exchange, ImportContext
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
from annotator.io.formats.builder import ExchangeBuilder
from annotator.io.formats.export_common import (
    Dropped,
    annotator_names,
    iter_document_layers,
    write_atomically,
)
from annotator.io.formats.export_losses import count_losses
from annotator.io.formats.foreign_common import span_order, split_loss
from annotator.io.formats.foreign_files import check_lines_first, jsonl_texts
from annotator.io.text_positions import Utf16Offsets


def write_doccano(source: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped, split = ExportResult(), Dropped(), []
    layers: set[str] = set()

    def write(temp: Path) -> None:
        with source.read() as session, temp.open("wb") as out:
            names = annotator_names(session)
            for number, layer in enumerate(iter_document_layers(session, options), 1):
                out.write(orjson.dumps(_line(number, layer, names, dropped, layers, split)) + b"\n")
                result.documents += 1
                result.spans += len(layer.spans)
                result.links += len(layer.links)
                dropped.add("links", layer.orphan_links, "an endpoint is in a layer not exported")
                count_losses(dropped, layer, "doccano", entities=True, link_notes=True)

    write_atomically(destination, write)
    if len(layers) > 1:
        dropped.add("layer names", len(layers), "doccano has one layer per file; spans merged")
    else:  # the one layer's name: the importer's own name takes its place
        dropped.add("layer names", len(layers), "a doccano file names no annotator")
    result.record(dropped.losses() + split_loss(split, "one entity per fragment"))
    return result


def _line(
    number: int, layer: Any, names: dict, dropped: Dropped, layers: set, split: list
) -> dict[str, Any]:
    text = layer.document.text
    units = Utf16Offsets(text)
    entities, first_entity = [], {}
    for span in sorted(layer.spans, key=lambda s: span_order(s, names)):
        layers.add(span.annotator)
        dropped.add("attribute sets", bool(span.attributes), "doccano has no span attributes")
        dropped.add("notes", bool(span.note), "doccano entities carry no notes")
        if len(span.fragments) > 1:
            split.append(span.uuid)
        for start, end in span.fragments:
            entity_id = len(entities) + 1
            first_entity.setdefault(span.uuid, entity_id)
            entities.append(
                {
                    "id": entity_id,
                    "label": span.tag,
                    "start_offset": units.to_units(start),
                    "end_offset": units.to_units(end),
                }
            )
    relations = []
    for link in sorted(layer.links, key=lambda x: (first_entity[x.source], first_entity[x.target])):
        dropped.add("link attribute values", len(link.attributes), "doccano relations have none")
        relations.append(
            {
                "id": len(relations) + 1,
                "from_id": first_entity[link.source],
                "to_id": first_entity[link.target],
                "type": link.type,
            }
        )
    return {
        "id": number,
        "text": text,
        "entities": entities,
        "relations": relations,
        "Comments": [],
        "document_id": layer.document.uuid,
        "title": layer.document.info.title,
    }


def _ident(value: Any) -> Any:
    """An entity id as a key: a number or a string; anything else (a list, an object) matches
    nothing, so a relation naming it is refused rather than failing to hash."""
    return value if isinstance(value, str | int | float) and not isinstance(value, bool) else ()


def read_doccano(path: Path, context: ImportContext, progress: Progress | None) -> Exchange:
    check_lines_first(context, path, _read_item)  # a bad last line at bounded memory
    builder = ExchangeBuilder(context, path)
    for item, where in jsonl_texts(builder, path):
        _read_item(builder, item, where)
    return builder.exchange(progress)


def _read_item(builder: ExchangeBuilder, item: dict[str, Any], where: str) -> None:
    text, title = item["text"], item.get("title")
    uuid = item.get("document_id")
    doc = builder.document(
        text,
        title if isinstance(title, str) else f"doccano {item.get('id', where)}",
        where,
        uuid if is_uuid(uuid) else None,
    )
    units = Utf16Offsets(text)

    def points(value: Any, at: str) -> int:
        if type(value) is not int:
            raise builder.fail(at, f"expected an integer offset, got {quoted(value)}")
        try:
            return units.to_points(value)
        except ValueError as error:
            raise builder.fail(at, str(error)) from None

    spans: dict[Any, str] = {}
    if "entities" in item:
        entities = item["entities"]
        if not isinstance(entities, list):
            raise builder.fail(f"{where}: entities", "expected a list")
        for i, entity in enumerate(entities):
            at = f"{where}: entities[{i}]"
            if not isinstance(entity, dict):
                raise builder.fail(at, "expected an object")
            start = points(entity.get("start_offset"), f"{at}.start_offset")
            end = points(entity.get("end_offset"), f"{at}.end_offset")
            uuid = builder.span(doc, entity.get("label"), [(start, end)], at)
            spans[_ident(entity.get("id"))] = uuid
    else:
        key = "label" if "label" in item else "labels"
        labels = item.get(key, [])
        if not isinstance(labels, list):
            raise builder.fail(f"{where}: {key}", "expected a list of [start, end, label]")
        for i, entry in enumerate(labels):
            at = f"{where}: {key}[{i}]"
            if not isinstance(entry, list) or len(entry) != 3:
                raise builder.fail(at, "expected [start, end, label]")
            start, end = points(entry[0], at), points(entry[1], at)
            builder.span(doc, entry[2], [(start, end)], at)
    relations = item.get("relations", [])
    if not isinstance(relations, list):
        raise builder.fail(f"{where}: relations", "expected a list")
    for i, relation in enumerate(relations):
        at = f"{where}: relations[{i}]"
        if not isinstance(relation, dict):
            raise builder.fail(at, "expected an object")
        source = spans.get(_ident(relation.get("from_id")))
        target = spans.get(_ident(relation.get("to_id")))
        if source is None or target is None:
            raise builder.fail(at, "from_id and to_id must name entities of this line")
        builder.link(doc, relation.get("type"), source, target, at)


register_export(
    ExportFormat(
        key="doccano",
        label="doccano JSONL",
        suffix=".jsonl",
        write=write_doccano,
        description="sequence labelling with relations, one document per line (UTF-16 offsets)",
        limits="one layer (spans of several are merged), no attributes or notes, discontinuous "
        "spans become one entity per fragment",
    )
)
register_import(
    ImportFormat(
        key="doccano",
        label="doccano JSONL",
        suffixes=(".jsonl",),
        read=read_doccano,
        description="doccano sequence-labelling JSONL (entities/relations or label lists)",
    )
)
