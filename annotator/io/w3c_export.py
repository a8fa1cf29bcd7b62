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
from pathlib import Path
from typing import Any

import orjson

from annotator.domain.layers import GOLD_ANNOTATOR_NAME, is_gold
from annotator.domain.model import Link, Span
from annotator.domain.offsets import context_of
from annotator.io.export_common import Dropped, iter_document_layers, write_atomically
from annotator.io.formats import ExportFormat, ExportOptions, ExportResult, register_export

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


def export_w3c(project: Any, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped = ExportResult(), Dropped()

    def write(temp: Path) -> None:
        items: list[dict[str, Any]] = []
        documents: list[dict[str, Any]] = []
        with project.store.read() as session:
            info = session.project_info()
            names = {a.uuid: a.name for a in session.annotators()}
            for item in iter_document_layers(session, options):
                document = item.document
                text = document.text
                entry = {"id": iri(document.uuid), "type": "Text", "title": document.info.title}
                if document.info.language:
                    entry["language"] = document.info.language
                documents.append(entry | {"format": TEXT_FORMAT, "value": text})
                items += [span_annotation(s, text, names) for s in item.spans]
                items += [link_annotation(x, names) for x in item.links]
                dropped.add("links", item.orphan_links, "an endpoint is in a layer not exported")
                dropped.add(
                    "entity references",
                    sum(1 for s in item.spans if s.entity),
                    "W3C annotations carry no entity registry",
                )
                result.documents += 1
                result.spans += len(item.spans)
                result.links += len(item.links)
        collection: dict[str, Any] = {
            "@context": CONTEXT,
            "id": iri(info.get("uuid", "")),
            "type": "AnnotationCollection",
            "label": info.get("name", "") or "Annotator project",
            "total": len(items),
        }
        if items:
            collection["first"] = {
                "id": f"{collection['id']}#page-1",
                "type": "AnnotationPage",
                "startIndex": 0,
                "items": items,
            }
        collection["documents"] = documents
        temp.write_bytes(orjson.dumps(collection, option=orjson.OPT_INDENT_2))

    write_atomically(destination, write)
    result.warnings = dropped.warnings()
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
