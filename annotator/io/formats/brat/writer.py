"""brat standoff export: a zip with annotation.conf and, per layer, `<annotator>/<doc>.txt|.ann`.

One folder per exported annotator layer (the gold layer is "Gold"), every document in each, the
same file names in every folder — the layout bratiaa's agreement computation expects, and brat
finds the shared annotation.conf in the parent folder. Texts are UTF-8 with "\\n" line ends;
offsets are code points. A span is a T line (`start end;start end` for fragments, and split at
line breaks, since brat's text field cannot hold one); its note an AnnotatorNotes line; boolean
attributes binary A lines, choice attributes valued A lines (spaces in values become "_", counted
in the warnings as rewritten). A span of an event tag is an event: T trigger + E line whose
arguments are the span's outgoing links (role = link type). Any other link
is an R line (Arg1 = source) with its note as AnnotatorNotes. Counted in the warnings: other
attribute values (text, number, date, several choices), link attributes, entity references,
notes flattened to one line, and spans split at line breaks."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from annotator.domain.layers import GOLD_ANNOTATOR_NAME, is_gold
from annotator.domain.model import Span
from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ExportSource,
    register_export,
)
from annotator.io.formats.brat.conf import brat_value, write_conf
from annotator.io.formats.export_common import Dropped, iter_document_layers, write_atomically

UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(title: str, taken: set[str]) -> str:
    """A portable file name (without suffix) from a title, unique among `taken`."""
    base = UNSAFE_NAME.sub("_", title).strip(" .")[:80].strip(" .") or "document"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name.lower())
    return name


def line_fragments(text: str, span: Span) -> list[tuple[int, int]]:
    """The span's fragments cut at line breaks (the breaks themselves left out)."""
    pieces = []
    for start, end in span.fragments:
        cursor = start
        for index in range(start, end):
            if text[index] == "\n":
                if cursor < index:
                    pieces.append((cursor, index))
                cursor = index + 1
        if cursor < end:
            pieces.append((cursor, end))
    return pieces


def _one_line(value: str) -> str:
    return " ".join(value.replace("\t", " ").splitlines())


def _sort_key(span: Span) -> tuple:
    """The same order in every project holding these spans (uuids differ between projects)."""
    return (span.fragments, span.tag, span.note, json.dumps(span.attributes, sort_keys=True))


def ann_text(
    text: str,
    spans: list[Span],
    links: list,
    carried: dict[str, dict[str, str]],
    dropped: Dropped,
    events: frozenset[str] = frozenset(),
) -> str:
    """The .ann lines of one document and layer. `carried[tag][key]` is "binary" or "valued"
    for attributes the conf declares; a span whose tag is in `events` is an event: its T line
    is the trigger, an E line the event, its outgoing links the event's arguments (typed by
    role, repeated roles numbered as brat numbers them), its attributes on the E."""
    lines: list[str] = []
    ids: dict[str, str] = {}
    owner: dict[str, str] = {}  # span uuid → the id attributes and arguments name (T or E)
    event_ids: list[str] = []  # span uuids of events, in E number order
    notes: list[tuple[str, str]] = []
    attributes: list[tuple[str, str, str]] = []
    for number, span in enumerate(sorted(spans, key=_sort_key), 1):
        pieces = line_fragments(text, span)
        if not pieces:
            dropped.add("spans", 1, "they cover only line breaks")
            continue
        if len(pieces) > len(span.fragments):
            dropped.add("span(s)", 1, "brat's text field cannot hold a line break", "split")
        elif sum(b - a for a, b in pieces) < sum(b - a for a, b in span.fragments):
            dropped.add("span(s)", 1, "brat's text field cannot hold a line break", "trimmed")
        ids[span.uuid] = owner[span.uuid] = f"T{number}"
        if span.tag in events:
            event_ids.append(span.uuid)
            owner[span.uuid] = f"E{len(event_ids)}"
        offsets = ";".join(f"{a} {b}" for a, b in pieces)
        covered = " ".join(text[a:b] for a, b in pieces)
        lines.append(f"T{number}\t{span.tag} {offsets}\t{covered}")
        if span.note:
            notes.append((ids[span.uuid], span.note))
        if span.entity:
            dropped.add("entity references", 1, "brat has no entity registry")
        for key in sorted(span.attributes):
            value, how = span.attributes[key], carried.get(span.tag, {}).get(key)
            if how == "binary" and value is True:
                attributes.append((owner[span.uuid], key, ""))
            elif how == "binary" and value is False:
                dropped.add("false boolean values", 1, "brat writes a binary attribute as absent")
            elif how == "valued" and isinstance(value, str):
                written = brat_value(value)
                if written != value:
                    dropped.add(
                        "attribute value(s)",
                        1,
                        "' ' written as '_' (brat values are "
                        "one word; Annotator's import reads '_' back)",
                        "rewritten",
                    )
                attributes.append((owner[span.uuid], key, f" {written}"))
            else:
                dropped.add("attribute values", 1, "brat attributes are one word from a list")
    order = sorted(
        (x for x in links if x.source in ids and x.target in ids),
        key=lambda x: (int(ids[x.source][1:]), int(ids[x.target][1:]), x.type, x.note),
    )
    dropped.add(
        "cross-annotator links",
        len(links) - len(order),
        "brat keeps a link only in the folder of its ends' layer",
    )
    gone = [x for x in links if x.source not in ids or x.target not in ids]
    why = "they were on cross-annotator links"  # lost with their links: counted too
    dropped.add("link notes", sum(1 for x in gone if x.note), why)
    dropped.add("link attribute values", sum(len(x.attributes) for x in gone), why)
    arguments: dict[str, list[str]] = {}
    for link in order:
        if owner[link.source][0] == "E":
            roles = arguments.setdefault(link.source, [])
            count = sum(1 for r in roles if re.sub(r"\d+$", "", r.split(":")[0]) == link.type)
            role = link.type + (str(count + 1) if count else "")
            roles.append(f"{role}:{owner[link.target]}")
            why = "brat event arguments have none"
            dropped.add("link notes", 1 if link.note else 0, why)
            dropped.add("link attribute values", len(link.attributes), why)
    tags = {s.uuid: s.tag for s in spans}
    for span_uuid in event_ids:
        head = f"{owner[span_uuid]}\t{tags[span_uuid]}:{ids[span_uuid]}"
        lines.append(" ".join([head, *arguments.get(span_uuid, [])]))
    order = [x for x in order if owner[x.source][0] != "E"]
    for number, link in enumerate(order, 1):
        lines.append(f"R{number}\t{link.type} Arg1:{ids[link.source]} Arg2:{ids[link.target]}\t")
        if link.note:
            notes.append((f"R{number}", link.note))
        if link.attributes:
            dropped.add("link attribute values", len(link.attributes), "brat relations have none")
    for number, (target, key, value) in enumerate(attributes, 1):
        lines.append(f"A{number}\t{key} {target}{value}")
    for number, (target, note) in enumerate(notes, 1):
        flat = _one_line(note)
        if flat != note:
            dropped.add("note(s)", 1, "one line each in brat", "flattened")
        lines.append(f"#{number}\tAnnotatorNotes {target}\t{flat}")
    return "".join(line + "\n" for line in lines)


def export_brat(source: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped = ExportResult(), Dropped()

    def write(temp: Path) -> None:
        with (
            source.read() as session,
            zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as zf,
        ):
            schema = session.schema()
            conf, uncarried = write_conf(schema)
            zf.writestr("annotation.conf", conf)
            carried = {
                tag.key: {
                    a.key: "binary" if a.value_type == "boolean" else "valued"
                    for a in tag.attributes
                    if (tag.key, a.key) not in uncarried
                }
                for tag in schema.tag_types
            }
            names = {a.uuid: a.name for a in session.annotators()}
            events = frozenset(t.key for t in schema.tag_types if t.kind == "event")
            folders: dict[str, str] = {}
            for layer in sorted(options.annotators or ()):
                folders[layer] = _folder(layer, names, set(folders.values()))
            written: set[str] = set()
            documents: list[tuple[str, str]] = []
            taken: set[str] = set()
            for item in iter_document_layers(session, options):
                name, text = file_name(item.document.info.title, taken), item.document.text
                documents.append((name, text))
                for layer in sorted({s.annotator for s in item.spans} - folders.keys()):
                    folders[layer] = _folder(layer, names, set(folders.values()))
                for layer, folder in folders.items():
                    spans = [s for s in item.spans if s.annotator == layer]
                    links = [x for x in item.links if x.annotator == layer]
                    zf.writestr(f"{folder}/{name}.txt", text.encode("utf-8"))
                    zf.writestr(
                        f"{folder}/{name}.ann",
                        ann_text(text, spans, links, carried, dropped, events),
                    )
                    written.add(f"{folder}/{name}")
                result.documents += 1
                result.spans += len(item.spans)
                result.links += len(item.links)
                dropped.add("links", item.orphan_links, "an endpoint is in a layer not exported")
            # Every folder holds every document (bratiaa's layout), a layer first met late too;
            # with no layer at all the texts go to the top folder.
            for folder in folders.values() or [""]:
                for name, text in documents:
                    path = f"{folder}/{name}" if folder else name
                    if path not in written:
                        zf.writestr(f"{path}.txt", text.encode("utf-8"))
                        zf.writestr(f"{path}.ann", "")

    write_atomically(destination, write)
    result.record(dropped.losses())
    return result


def _folder(layer: str, names: dict[str, str], taken: set[str]) -> str:
    name = GOLD_ANNOTATOR_NAME if is_gold(layer) else names.get(layer, "annotator")
    return file_name(name, {t.lower() for t in taken})


register_export(
    ExportFormat(
        key="brat",
        label="brat standoff",
        suffix=".zip",
        write=export_brat,
        description="a zip of a brat collection: annotation.conf and one folder per annotator "
        "with <document>.txt + .ann (code-point offsets, discontinuous spans, attributes, notes, "
        "relations); opens in brat and bratiaa",
        limits="text, number, date and multi-choice attribute values, link attributes, entities "
        "and statuses are not carried; spans are split at line breaks; spaces in values become "
        "'_' (counted); event-tag spans are written as events (trigger T + E with arguments)",
    )
)
