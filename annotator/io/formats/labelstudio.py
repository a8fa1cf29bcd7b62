"""Label Studio JSON (a list of tasks), one annotation per layer, offsets in UTF-16 units.

Task: `{"id", "data": {"text", "title", "document_id", "annotators"}, "annotations": [{"id",
"completed_by", "result": [...]}]}`. A span is a region `{"id", "from_name": "label", "to_name":
"text", "type": "labels", "value": {"start", "end", "text", "labels": [tag]}}`; a link is
`{"type": "relation", "from_id", "to_id", "direction": "right" | "bi", "labels": [type]}`.
`value.start/end` are JavaScript string indices (UTF-16 units), converted here. Label Studio
names users by number in `completed_by`; `data.annotators` maps those numbers to our
annotator names so layers survive a round trip. The matching labelling config is
`<View><Labels name="label" toName="text">…</Labels><Text name="text" value="$text"/></View>`.

Import also reads `completions` (Label Studio before 1.0) as annotations, `predictions` as one
layer per model ("model: <model_version>"), a text under another data key (the key regions
name in `source`, "$review", or the task's only string), and links between regions of different
annotations (a cross-annotator link of our own export).
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
from annotator.io.formats.foreign_common import (
    ForeignFormatError,
    span_order,
    split_loss,
)
from annotator.io.formats.foreign_files import check_items_first, read_json_bytes
from annotator.io.text_positions import Utf16Offsets


def write_labelstudio(
    source: ExportSource, destination: Path, options: ExportOptions
) -> ExportResult:
    result, dropped, split = ExportResult(), Dropped(), []

    def write(temp: Path) -> None:
        with source.read() as session, temp.open("wb") as out:
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
                count_losses(dropped, layer, "Label Studio", entities=True, link_notes=True)
            out.write(b"]")

    write_atomically(destination, write)
    result.record(dropped.losses() + split_loss(split, "one region per fragment"))
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
        dropped.add("link attribute values", len(link.attributes), "Label Studio has none")
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


def read_labelstudio(path: Path, context: ImportContext, progress: Progress | None) -> Exchange:
    check_items_first(context, path, "item", _read_task)  # a bad last task at bounded memory
    builder = ExchangeBuilder(context, path)
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
    predictions = sum(len(t.get("predictions") or []) for t in tasks)
    if predictions:
        builder.notices.append(
            f"{predictions} prediction(s) imported as layers of their own "
            '("model: <version>"), to review like any other layer'
        )
    return builder.exchange(progress)


#: The result lists of a task: human annotations (`completions` before Label Studio 1.0) and
#: model predictions, each prediction a layer of its own ("model: <model_version>").
RESULT_LISTS = ("annotations", "completions", "predictions")


def _text_key(builder: ExchangeBuilder, task: dict, data: dict, where: str) -> str:
    """The data key holding the text: "text", else the key a region names as its source
    ("$review"), else the only string in the data."""
    if isinstance(data.get("text"), str):
        return "text"
    for name in RESULT_LISTS:
        for annotation in task.get(name) or []:
            for item in (annotation.get("result") or []) if isinstance(annotation, dict) else []:
                source = item.get("source") if isinstance(item, dict) else None
                if isinstance(source, str) and isinstance(data.get(source[1:]), str):
                    return source[1:]
    strings = [k for k, v in data.items() if isinstance(v, str) and k not in ("title",)]
    if len(strings) == 1:
        return strings[0]
    raise builder.fail(
        f"{where}.data", f'no text: expected "text" or one string field, found {strings}'
    )


def _read_task(builder: ExchangeBuilder, task: Any, where: str) -> None:
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict):
        raise builder.fail(where, 'expected a task with a "data" object')
    key = _text_key(builder, task, data, where)
    text, title, uuid = data[key], data.get("title"), data.get("document_id")
    title = title if isinstance(title, str) else f"Label Studio task {task.get('id', where)}"
    doc = builder.document(text, title, f"{where}.data.{key}", uuid if is_uuid(uuid) else None)
    units = Utf16Offsets(text)
    people = data.get("annotators") if isinstance(data.get("annotators"), dict) else {}
    everywhere: dict[str, str] = {}  # region id → span, over the task (cross-layer links)
    pending = []
    for name in RESULT_LISTS:
        annotations = task.get(name) or []
        if not isinstance(annotations, list):
            raise builder.fail(f"{where}.{name}", "expected a list")
        for j, annotation in enumerate(annotations):
            at = f"{where}.{name}[{j}]"
            if not isinstance(annotation, dict) or not isinstance(annotation.get("result"), list):
                raise builder.fail(at, 'expected an object with a "result" list')
            who = _annotator(annotation, people, name)
            regions, relations = _regions(builder, doc, units, annotation, at, who)
            for region, span in regions.items():
                everywhere.setdefault(region, span)
            pending.append((regions, relations, who))
    for regions, relations, who in pending:
        for rp, item in relations:
            ends = (str(item.get("from_id")), str(item.get("to_id")))
            source, target = (regions.get(e) or everywhere.get(e) for e in ends)
            if source is None or target is None:
                raise builder.fail(rp, "from_id and to_id must name regions of this task")
            labels = item.get("labels") or ["related"]
            if item.get("direction") == "left":
                source, target = target, source
            for label in labels:
                builder.link(doc, label, source, target, rp, annotator=who)


def _annotator(annotation: dict, people: dict, kind: str) -> str | None:
    if kind == "predictions":
        version = annotation.get("model_version")
        return f"model: {version}" if isinstance(version, str) and version else "model: prediction"
    who = annotation.get("completed_by")
    if isinstance(who, dict):  # some exports expand the user
        who = who.get("email") or who.get("id")
    name = people.get(str(who)) if who is not None else None
    return name if isinstance(name, str) else (f"Label Studio user {who}" if who else None)


def _regions(builder, doc, units, annotation, at, name):
    """The labels regions of one annotation as spans (region id → span uuid), and its relations."""
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
            span = builder.span(doc, label, fragments, rp, annotator=name, uuid=span_id)
            if span is not None:
                regions[region] = span
    return regions, relations


def _points(
    builder: ExchangeBuilder, units: Utf16Offsets, value: dict, key: str, where: str
) -> int:
    offset = value.get(key)
    if type(offset) is not int:
        raise builder.fail(
            f"{where}.value.{key}", f"expected an integer offset, got {quoted(offset)}"
        )
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
