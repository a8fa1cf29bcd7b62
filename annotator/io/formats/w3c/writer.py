"""W3C Web Annotation (JSON-LD) export: one AnnotationCollection with its page and the texts.

The file is an `AnnotationCollection` (id `urn:uuid:<project>`) whose `first` page holds every
annotation. A span is an Annotation (motivation tagging) with one TextualBody of purpose
"tagging" holding the tag key, one "describing" body per attribute (our `attribute` term names
it; `format` "application/json" marks a value that is not a string), one "commenting" body for
the note, and one target per fragment: source `urn:uuid:<document>` with a TextQuoteSelector
(exact, prefix, suffix) and a TextPositionSelector (code points, as the spec requires). A link is
an Annotation (motivation linking) whose target is the source span's annotation IRI and whose
body is the target span's annotation IRI plus a "classifying" TextualBody with the link type.
The texts travel in our `documents` term (Text resources with `value`), so the file imports into
an empty project; the extra terms are defined in a second context object so JSON-LD expansion
keeps them. Not carried: entities (counted), document statuses, the schema's labels, colours,
kinds and guidelines (an import creates missing tags as custom ones)."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from annotator.domain.layers import GOLD_ANNOTATOR_NAME, is_gold
from annotator.domain.model import Link, Span
from annotator.domain.offsets import context_of
from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ExportSource,
    register_export,
)
from annotator.io.formats.export_common import Dropped, iter_document_layers, write_atomically

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NS = "urn:x-annotator:"
#: Our terms; everything else is the W3C context's.
EXTRA_CONTEXT: dict[str, Any] = {
    "documents": {"@id": f"{NS}documents", "@container": "@set"},
    "attribute": f"{NS}attribute",
    "title": "dc:title",
}
CONTEXT = [ANNO_CONTEXT, EXTRA_CONTEXT]
JSON_FORMAT = "application/json"
TEXT_FORMAT = "text/plain"


def iri(uuid: str) -> str:
    return f"urn:uuid:{uuid}"


def _creator(uuid: str, names: dict[str, str]) -> dict[str, str]:
    name = GOLD_ANNOTATOR_NAME if is_gold(uuid) else names.get(uuid, "")
    return {"id": iri(uuid), "type": "Person", "name": name}


def _extra_bodies(attributes: dict[str, Any], note: str) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    for key in sorted(attributes):
        value = attributes[key]
        text = isinstance(value, str)
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "describing",
                "attribute": key,
                "value": value if text else json.dumps(value, ensure_ascii=False),
                "format": TEXT_FORMAT if text else JSON_FORMAT,
            }
        )
    if note:
        bodies.append(
            {"type": "TextualBody", "purpose": "commenting", "value": note, "format": TEXT_FORMAT}
        )
    return bodies


def span_annotation(span: Span, text: str, names: dict[str, str]) -> dict[str, Any]:
    targets = []
    for start, end in span.fragments:
        prefix, suffix = context_of(text, [(start, end)])
        targets.append(
            {
                "type": "SpecificResource",
                "source": iri(span.document),
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": text[start:end],
                        "prefix": prefix,
                        "suffix": suffix,
                    },
                    {"type": "TextPositionSelector", "start": start, "end": end},
                ],
            }
        )
    tag = {"type": "TextualBody", "purpose": "tagging", "value": span.tag, "format": TEXT_FORMAT}
    return {
        "id": iri(span.uuid),
        "type": "Annotation",
        "motivation": "tagging",
        "created": span.created,
        "modified": span.modified,
        "creator": _creator(span.annotator, names),
        "body": [tag, *_extra_bodies(span.attributes, span.note)],
        "target": targets[0] if len(targets) == 1 else targets,
    }


def link_annotation(link: Link, names: dict[str, str]) -> dict[str, Any]:
    kind = {"type": "TextualBody", "purpose": "classifying", "value": link.type}
    kind["format"] = TEXT_FORMAT
    return {
        "id": iri(link.uuid),
        "type": "Annotation",
        "motivation": "linking",
        "created": link.created,
        "modified": link.modified,
        "creator": _creator(link.annotator, names),
        "body": [iri(link.target), kind, *_extra_bodies(link.attributes, link.note)],
        "target": iri(link.source),
    }


#: Stand-ins for the two long lists in the collection's frame (see `_frame`).
_ITEMS, _DOCUMENTS = "@annotator-items@", "@annotator-documents@"
#: A stand-in's line in orjson's indented output: a whole line, so no user text can match.
_STAND_IN = re.compile(rb'^( *)"(@annotator-items@|@annotator-documents@)"$', re.MULTILINE)


class _ListWriter:
    """Writes the elements of one JSON list of an OPT_INDENT_2 document one at a time, as
    orjson would indent them inside the whole document (`indent`: the list's element depth).
    JSON strings hold no raw newline, so every newline in an element starts a line to indent."""

    def __init__(self, out: BinaryIO, indent: bytes) -> None:
        self.out, self.indent, self.count = out, indent, 0

    def write(self, value: dict[str, Any]) -> None:
        element = orjson.dumps(value, option=orjson.OPT_INDENT_2)
        separator = b",\n" if self.count else b""
        self.out.write(separator + self.indent + element.replace(b"\n", b"\n" + self.indent))
        self.count += 1


def _frame(collection: dict[str, Any], documents: bool) -> tuple[bytes, dict[str, re.Match[bytes]]]:
    """The collection's bytes with a stand-in line for its items (when it has any) and for its
    documents (when there are any; else `[]`, as orjson writes an empty list)."""
    frame = orjson.dumps(
        collection | {"documents": [_DOCUMENTS] if documents else []},
        option=orjson.OPT_INDENT_2,
    )
    return frame, {match[2].decode(): match for match in _STAND_IN.finditer(frame)}


def export_w3c(source: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped = ExportResult(), Dropped()

    def write(temp: Path) -> None:
        # The bytes of orjson.dumps(collection, OPT_INDENT_2), written as the documents are
        # read rather than built whole (that was the export's memory peak, growing with the
        # project). `total` comes first, so it is counted in SQL up front; the document texts
        # come last, so they are spooled to an unnamed file beside the output (not to memory,
        # not to a /tmp that may be RAM) and copied in at the end.
        with (
            source.read() as session,
            temp.open("wb") as out,
            tempfile.TemporaryFile(dir=temp.parent) as texts,
        ):
            info = session.project_info()
            names = {a.uuid: a.name for a in session.annotators()}
            extent = session.layer_extent(options.documents, options.annotators)
            collection: dict[str, Any] = {
                "@context": CONTEXT,
                "id": iri(info.get("uuid", "")),
                "type": "AnnotationCollection",
                "label": info.get("name", "") or "Annotator project",
                "total": extent.spans + extent.links,
            }
            if collection["total"]:
                collection["first"] = {
                    "id": f"{collection['id']}#page-1",
                    "type": "AnnotationPage",
                    "startIndex": 0,
                    "items": [_ITEMS],
                }
            frame, stand_ins = _frame(collection, documents=True)
            written = 0  # how much of the frame is in `out`
            items = _ListWriter(out, b"")
            if _ITEMS in stand_ins:
                written = stand_ins[_ITEMS].start()
                out.write(frame[:written])
                items = _ListWriter(out, stand_ins[_ITEMS][1])
            documents = _ListWriter(texts, stand_ins[_DOCUMENTS][1])
            for item in iter_document_layers(session, options):
                document = item.document
                text = document.text
                entry = {"id": iri(document.uuid), "type": "Text", "title": document.info.title}
                if document.info.language:
                    entry["language"] = document.info.language
                documents.write(entry | {"format": TEXT_FORMAT, "value": text})
                for s in item.spans:
                    items.write(span_annotation(s, text, names))
                for x in item.links:
                    items.write(link_annotation(x, names))
                dropped.add("links", item.orphan_links, "an endpoint is in a layer not exported")
                dropped.add(
                    "entity references",
                    sum(1 for s in item.spans if s.entity),
                    "W3C annotations carry no entity registry",
                )
                result.documents += 1
                result.spans += len(item.spans)
                result.links += len(item.links)
            if items.count != collection["total"]:
                # The count up front and the read disagree: never write a wrong total.
                raise RuntimeError(
                    f"W3C export: counted {collection['total']} annotations, read {items.count}"
                )
            frame, stand_ins = _frame(collection, documents=documents.count > 0)
            if _ITEMS in stand_ins:
                written = stand_ins[_ITEMS].end()
            if documents.count:
                out.write(frame[written : stand_ins[_DOCUMENTS].start()])
                texts.seek(0)
                shutil.copyfileobj(texts, out)
                written = stand_ins[_DOCUMENTS].end()
            out.write(frame[written:])

    write_atomically(destination, write)
    result.record(dropped.losses())
    return result


register_export(
    ExportFormat(
        key="w3c",
        label="W3C Web Annotation (JSON-LD)",
        suffix=".jsonld",
        write=export_w3c,
        description="an AnnotationCollection of Web Annotations (TextQuote + TextPosition "
        "selectors in code points, tags as bodies, links as annotations of annotations), "
        "with the document texts",
        limits="entities and document statuses are not carried; tag labels, colours and kinds "
        "are not carried (only tag keys)",
    )
)
