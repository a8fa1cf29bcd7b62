"""Label Studio JSON (a list of tasks), one annotation per layer, offsets in UTF-16 units.

Task: `{"id", "data": {"text", "title", "document_id", "annotators"}, "annotations": [{"id",
"completed_by", "result": [...]}]}`. A span is a region `{"id", "from_name": "label", "to_name":
"text", "type": "labels", "value": {"start", "end", "text", "labels": [tag]}}`; a link is
`{"type": "relation", "from_id", "to_id", "direction": "right" | "bi", "labels": [type]}`.
`value.start/end` are JavaScript string indices (UTF-16 units), converted here. Label Studio
names users by number in `completed_by`; `data.annotators` maps those numbers to our
annotator names so layers survive a round trip. The matching labelling config is
`<View><Labels name="label" toName="text">…</Labels><Text name="text" value="$text"/></View>`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from annotator.domain.ids import is_uuid
from annotator.io.export_common import (
    Dropped,
    annotator_names,
    iter_document_layers,
    write_atomically,
)
from annotator.io.foreign_common import (
    ForeignFormatError,
    ForeignImport,
    read_json_bytes,
    span_order,
    split_warning,
)
from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ImportFormat,
    Progress,
    register_export,
    register_import,
)
from annotator.io.text_positions import Utf16Offsets


def write_labelstudio(project: Any, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped, split = ExportResult(), Dropped(), []

    def write(temp: Path) -> None:
        with project.store.read() as session, temp.open("wb") as out:
            names = annotator_names(session)
            schema = session.schema()
            # Users numbered by name among those in the export: the same in every project.
            # Counted in SQL first, so the tasks can be written one document at a time (the
            # list of every task was the export's memory peak, growing with the project).
            used = session.layer_extent(options.documents, options.annotators).annotators
            numbers = {uuid: n for n, uuid in enumerate(sorted(used, key=names.get), 1)}
            # The bytes of orjson.dumps(list of tasks): "[", the tasks joined by ",", "]".
            out.write(b"[")
            for number, layer in enumerate(iter_document_layers(session, options), 1):
                task = _task(number, layer, names, numbers, schema, dropped, split)
                out.write((b"," if number > 1 else b"") + orjson.dumps(task))
                result.documents += 1
                result.spans += len(layer.spans)
                result.links += len(layer.links)
                dropped.add("links", layer.orphan_links, "an endpoint is in a layer not exported")
            out.write(b"]")

    write_atomically(destination, write)
    result.warnings = dropped.warnings() + split_warning(split, "one region per fragment")
    return result


def _task(number, layer, names, numbers, schema, dropped: Dropped, split: list) -> dict:
    text = layer.document.text
    units = Utf16Offsets(text)
    by_annotator: dict[str, list[dict[str, Any]]] = {}
    region_of: dict[str, str] = {}
    for span in sorted(layer.spans, key=lambda s: span_order(s, names)):
        dropped.add("attribute sets", bool(span.attributes), "Label Studio regions carry none")
        dropped.add("notes", bool(span.note), "Label Studio regions carry none")
        if len(span.fragments) > 1:
            split.append(span.uuid)
        result = by_annotator.setdefault(span.annotator, [])
        for index, (start, end) in enumerate(span.fragments):
            region = span.uuid if index == 0 else f"{span.uuid}/{index}"
            region_of.setdefault(span.uuid, region)
            value = {"start": units.to_units(start), "end": units.to_units(end)}
            value |= {"text": text[start:end], "labels": [span.tag]}
            result.append(
                {"id": region, "from_name": "label", "to_name": "text", "type": "labels"}
                | {"value": value}
            )
    for link in sorted(layer.links, key=lambda x: (x.source, x.target, x.type)):
        dropped.add("link attribute sets", bool(link.attributes), "Label Studio has none")
        directed = schema.link_type(link.type).directed
        by_annotator.setdefault(link.annotator, []).append(
            {"from_id": region_of[link.source], "to_id": region_of[link.target]}
            | {"type": "relation", "direction": "right" if directed else "bi"}
            | {"labels": [link.type]}
        )
    annotations = [
        {"id": number * 1000 + numbers[who], "completed_by": numbers[who], "result": result}
        for who, result in sorted(by_annotator.items(), key=lambda item: numbers[item[0]])
    ]
    data = {"text": text, "title": layer.document.info.title, "document_id": layer.document.uuid}
    data["annotators"] = {str(numbers[who]): names[who] for who in by_annotator}
    return {"id": number, "data": data, "annotations": annotations, "predictions": []}


def read_labelstudio(project: Any, path: Path, progress: Progress | None) -> Any:
    builder = ForeignImport(project, path)
    try:
        tasks = orjson.loads(read_json_bytes(path))
    except orjson.JSONDecodeError as error:
        raise ForeignFormatError([f"{builder.name}: $: not valid JSON ({error})"]) from None
    if isinstance(tasks, dict):  # a single task
        tasks = [tasks]
    if not isinstance(tasks, list) or not tasks:
        raise builder.fail("$", "expected a list of Label Studio tasks")
    for i, task in enumerate(tasks):
        _read_task(builder, task, f"$[{i}]")
    return builder.run(progress)


def _read_task(builder: ForeignImport, task: Any, where: str) -> None:
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise builder.fail(where, 'expected a task with a "data.text" string')
    text, title, uuid = data["text"], data.get("title"), data.get("document_id")
    title = title if isinstance(title, str) else f"Label Studio task {task.get('id', where)}"
    doc = builder.document(text, title, f"{where}.data.text", uuid if is_uuid(uuid) else None)
    units = Utf16Offsets(text)
    people = data.get("annotators") if isinstance(data.get("annotators"), dict) else {}
    annotations = task.get("annotations", [])
    if not isinstance(annotations, list):
        raise builder.fail(f"{where}.annotations", "expected a list")
    for j, annotation in enumerate(annotations):
        at = f"{where}.annotations[{j}]"
        if not isinstance(annotation, dict) or not isinstance(annotation.get("result"), list):
            raise builder.fail(at, 'expected an object with a "result" list')
        who = annotation.get("completed_by")
        if isinstance(who, dict):  # some exports expand the user
            who = who.get("email") or who.get("id")
        name = people.get(str(who)) if who is not None else None
        name = name if isinstance(name, str) else (f"Label Studio user {who}" if who else None)
        relations, pieces = [], {}
        for k, item in enumerate(annotation["result"]):
            rp = f"{at}.result[{k}]"
            if not isinstance(item, dict):
                raise builder.fail(rp, "expected an object")
            if item.get("type") == "relation":
                relations.append((rp, item))
                continue
            value = item.get("value")
            if not isinstance(value, dict) or "start" not in value:
                continue  # choices, text areas, ratings: not spans
            labels = value.get("labels") or value.get("hypertextlabels") or []
            if not isinstance(labels, list) or not labels:
                raise builder.fail(f"{rp}.value.labels", "expected a non-empty list of labels")
            fragment = (_points(builder, units, value, "start", rp),)
            fragment += (_points(builder, units, value, "end", rp),)
            # Our export writes fragment n > 0 of a discontinuous span as region "<uuid>/<n>".
            region = str(item.get("id", rp))
            base, _, part = region.partition("/")
            key = base if part.isdigit() and is_uuid(base) else region
            entry = pieces.setdefault(key, (rp, labels, []))
            entry[2].append(fragment)
        regions: dict[str, str] = {}
        for region, (rp, labels, fragments) in pieces.items():
            for label in labels:
                span_id = region if is_uuid(region) and len(labels) == 1 else None
                regions[region] = builder.span(
                    doc, label, fragments, rp, annotator=name, uuid=span_id
                )
        for rp, item in relations:
            source, target = (
                regions.get(str(item.get("from_id"))),
                regions.get(str(item.get("to_id"))),
            )
            if source is None or target is None:
                raise builder.fail(rp, "from_id and to_id must name regions of this annotation")
            labels = item.get("labels") or ["related"]
            if item.get("direction") == "left":
                source, target = target, source
            for label in labels:
                builder.link(doc, label, source, target, rp, annotator=name)


def _points(builder: ForeignImport, units: Utf16Offsets, value: dict, key: str, where: str) -> int:
    offset = value.get(key)
    if type(offset) is not int:
        raise builder.fail(f"{where}.value.{key}", f"expected an integer offset, got {offset!r}")
    try:
        return units.to_points(offset)
    except ValueError as error:
        raise builder.fail(f"{where}.value.{key}", str(error)) from None


register_export(
    ExportFormat(
        key="labelstudio",
        label="Label Studio JSON",
        suffix=".json",
        write=write_labelstudio,
        description="tasks with one annotation per layer: labels regions and relations",
        limits="no attributes or notes; discontinuous spans become one region per fragment",
    )
)
register_import(
    ImportFormat(
        key="labelstudio",
        label="Label Studio JSON",
        suffixes=(".json",),
        read=read_labelstudio,
        description="a Label Studio JSON export (labels regions, relations, one layer per user)",
    )
)
