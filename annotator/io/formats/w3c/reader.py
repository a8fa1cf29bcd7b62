"""W3C Web Annotation (JSON-LD) import: annotations on texts become spans and links.

Reads what w3c_export writes and any similar JSON: an AnnotationCollection (items in its `first`
page), an AnnotationPage, one Annotation, or a JSON list of annotations. Texts come from our
`documents` term, or, when absent, a target `source` of `urn:uuid:<id>` must name a document of
the project. A target is anchored by its TextPositionSelector when the TextQuoteSelector (if
any) agrees with the text there, else by the quote (with prefix/suffix to choose among repeats).
Annotations made by other tools (no `documents` term: Hypothesis, Recogito) name a web page or
nothing as `source`: it is matched to a project document by uuid or recorded/canonical URL, else
the document the user gives (`--document`, the Import dialog's "Annotates:"); they are anchored
by quote, whitespace-tolerant, with prefix/suffix and the position as hints (w3c_anchor); tags
are labels (one span per tag), bodies without purpose are comments, Recogito connections are
links, and annotations that cannot be anchored are left out and reported.
Tags and link types the project lacks are added as custom ones, unknown attributes as new
attributes typed by their values. Everything is checked before anything is written; the first
problems are reported with their JSON path ($.first.items[3].target...)."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson

from annotator.domain.attributes import check_value
from annotator.domain.content_rules import text_problem
from annotator.domain.offsets import find_occurrences
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.io.exchange import BUILT_IDS, Exchange, ImportContext, Loss
from annotator.io.formats import ImportFormat, Progress, register_import
from annotator.io.formats.builder import ExchangeBuilder
from annotator.io.formats.foreign_common import ForeignFormatError, is_key, uuid_from_iri
from annotator.io.formats.foreign_files import read_json_bytes
from annotator.io.formats.w3c.anchor import anchor_quote
from annotator.io.formats.w3c.writer import JSON_FORMAT
from annotator.io.schema_file import is_exchange_time

MAX_ERRORS = 20
TAG_PURPOSES = ("tagging", "classifying")


class _Reader:
    def __init__(self, context: ImportContext, name: str) -> None:
        self.context, self.name = context, name
        self.schema = context.schema
        infos = context.documents
        self.project_docs = {d.uuid for d in infos}
        # a foreign target's source matched by the document's recorded URL or canonical URL
        self.by_url = {
            url: d.uuid
            for d in infos
            for url in (d.url, d.extra.get("canonical_url"), d.extra.get("source_url"))
            if isinstance(url, str) and url
        }
        self.default_document: str | None = None  # the document given (--document, dialog)
        self.strict = True  # our own files: a quote not found is an error, not a report
        self.unanchored: list[str] = []  # foreign annotations that could not be anchored
        self.builder = ExchangeBuilder(context, name, ids=BUILT_IDS, keep_existing="stamped")
        self.errors: list[str] = []
        self.documents: dict[str, dict[str, Any]] = {}  # source IRI → builder entry
        self.spans: dict[str, tuple[str, str]] = {}  # annotation IRI → (span uuid, source IRI)

    def fail(self, path: str, reason: str) -> None:
        self.errors.append(f"{self.name}: {path}: {reason}")
        if len(self.errors) >= MAX_ERRORS:
            raise ForeignFormatError(self.errors)

    # -- documents ---------------------------------------------------------------------------
    def metadata(self, **more: str) -> dict[str, str]:
        return {"imported": self.builder.when, **more}

    def read_documents(self, raw: Any) -> None:
        if not isinstance(raw, list):
            self.fail("$.documents", "expected a list")
            return
        for i, doc in enumerate(raw):
            self.read_document(doc, f"$.documents[{i}]")

    def read_document(self, doc: Any, p: str) -> dict[str, Any] | None:
        """One entry of `documents` at JSON path `p`: its builder entry, or None (failed)."""
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            self.fail(p, "expected an object with an id")
            return None
        text = doc.get("value")
        if not isinstance(text, str):
            self.fail(f"{p}.value", "expected the document text")
            return None
        if (problem := text_problem(text)) is not None:
            self.fail(f"{p}.value", f"the {problem}")
            return None
        title = doc.get("title") if isinstance(doc.get("title"), str) else ""
        language = doc.get("language") if isinstance(doc.get("language"), str) else ""
        entry = self.builder.add_document(
            uuid_from_iri(doc["id"]), title or doc["id"], text, self.metadata(language=language)
        )
        self.documents[doc["id"]] = entry
        return entry

    def document_for(self, source: str, path: str) -> dict[str, Any] | None:
        if source in self.documents:
            return self.documents[source]
        uuid = uuid_from_iri(source)
        if source in self.by_url:
            uuid = self.by_url[source]
        elif not (source.startswith("urn:uuid:") and uuid in self.project_docs):
            uuid = self.default_document
        known = next((e for e in self.documents.values() if e["id"] == uuid), None)
        if known is not None:  # the same document under another source IRI
            self.documents[source] = known
            return known
        if uuid in self.project_docs:
            title = next(d.title for d in self.context.documents if d.uuid == uuid)
            text = self.context.text_of(uuid) if self.context.text_of else ""
            entry = self.builder.add_document(uuid, title, text, self.metadata())
            self.documents[source] = entry
            return entry
        self.fail(
            path,
            f"source {quoted(source)} is neither in the file's documents nor the project (by id or "
            "URL); name the annotated document (--document, or choose it in the dialog)",
        )
        return None

    # -- annotations -------------------------------------------------------------------------
    def creator(self, annotation: dict[str, Any], path: str) -> str:
        creator = annotation.get("creator")
        if isinstance(creator, list) and creator:
            creator = creator[0]
        if isinstance(creator, dict) and isinstance(creator.get("id"), str):
            uuid = uuid_from_iri(creator["id"])
            name = creator.get("name") or creator.get("nickname") or creator["id"]
            return self.builder.add_annotator(uuid, str(name))
        if creator is not None:
            self.fail(f"{path}.creator", "expected an agent object with an id")
        current = self.context.annotator
        return self.builder.add_annotator(current.uuid, current.name)

    def times(self, annotation: dict[str, Any], path: str) -> tuple[str | None, str | None]:
        found = []
        for key in ("created", "modified"):
            value = annotation.get(key)
            if value is not None and not is_exchange_time(value):
                self.fail(f"{path}.{key}", "expected a UTC time like 2026-01-31T12:00:00.000Z")
                value = None
            found.append(value)
        return found[0], found[1]

    def bodies(self, annotation: dict[str, Any], path: str) -> list[tuple[str, Any]]:
        raw = annotation.get("body", [])
        listed = raw if isinstance(raw, list) else [raw]
        return [
            (f"{path}.body" + (f"[{i}]" if isinstance(raw, list) else ""), b)
            for i, b in enumerate(listed)
        ]

    def classify(
        self, bodies: list[tuple[str, Any]]
    ) -> tuple[str | None, dict[str, Any], str, list[str]]:
        """(type key, attributes, note, IRIs) from the bodies; every tag value is kept in
        `self.tags_seen` (Recogito gives several tags to one annotation)."""
        key, attributes, notes, iris = None, {}, [], []
        self.tags_seen: list[str] = []
        for p, body in bodies:
            if isinstance(body, str):
                iris.append(body)
                continue
            if not isinstance(body, dict):
                self.fail(p, "expected a body object or IRI")
                continue
            purpose, value = body.get("purpose"), body.get("value")
            if body.get("type") == "SpecificResource" or "value" not in body:
                if isinstance(body.get("id"), str):
                    iris.append(body["id"])
                continue
            if not isinstance(value, str):
                self.fail(f"{p}.value", "expected a string")
            elif purpose in TAG_PURPOSES:
                key = value if key is None else key
                self.tags_seen.append(value)
            elif purpose == "describing" and isinstance(body.get("attribute"), str):
                attributes[body["attribute"]] = self.value(body, p)
            elif purpose in ("commenting", None):  # Recogito writes comments without purpose
                notes.append(value)
        return key, attributes, "\n".join(notes), iris

    def value(self, body: dict[str, Any], path: str) -> Any:
        if body.get("format") != JSON_FORMAT:
            return body["value"]
        try:
            return json.loads(body["value"])
        except ValueError:
            self.fail(f"{path}.value", "format is application/json but the value is not JSON")
            return None

    def typed_attributes(
        self, owner: dict[str, Any], values: dict[str, Any], path: str, existing: Any
    ) -> dict[str, Any]:
        """Check values against the project's definitions; new keys become new attributes."""
        kinds = {bool: "boolean", int: "number", float: "number", str: "text", list: "multi_choice"}
        for key, value in values.items():
            definition = existing.attribute(key) if existing is not None else None
            if definition is not None:
                try:
                    check_value(definition, value)
                except ValidationError as error:
                    self.fail(f"{path}.body", str(error))
                continue
            if not is_key(key):
                self.fail(f"{path}.body", f"attribute {quoted(key)} is not a valid key")
                continue
            kind = kinds.get(type(value))
            if kind is None or (
                kind == "multi_choice" and not all(isinstance(v, str) and v for v in value)
            ):
                self.fail(
                    f"{path}.body", f"attribute {quoted(key)}: unsupported value {quoted(value)}"
                )
                continue
            self.builder.attribute(owner, key, kind, tuple(value) if kind == "multi_choice" else ())
        return values

    def anchor(self, target: Any, path: str) -> tuple[str, tuple[int, int]] | None:
        if isinstance(target, dict) and target.get("source") is None and self.default_document:
            target = target | {"source": f"urn:uuid:{self.default_document}"}  # Recogito
        if not isinstance(target, dict) or not isinstance(target.get("source"), str):
            self.fail(path, "expected a SpecificResource with a source (or give the document)")
            return None
        document = self.document_for(target["source"], f"{path}.source")
        if document is None:
            return None
        text = document["text"]
        selectors = target.get("selector", [])
        selectors = selectors if isinstance(selectors, list) else [selectors]
        quote = next(
            (s for s in selectors if isinstance(s, dict) and s.get("type") == "TextQuoteSelector"),
            None,
        )
        position = next(
            (
                s
                for s in selectors
                if isinstance(s, dict) and s.get("type") == "TextPositionSelector"
            ),
            None,
        )
        if position is not None:
            start, end = position.get("start"), position.get("end")
            fits = type(start) is int and type(end) is int and 0 <= start < end <= len(text)
            if not fits and not self.strict and quote is not None:
                pass  # the page's positions, not this text's: anchor by the quote
            elif not fits:
                self.fail(
                    f"{path}.selector",
                    f"TextPositionSelector {quoted(start)}..{quoted(end)} is outside the text "
                    f"(0 to {len(text)} code points)",
                )
                return None
            elif quote is None or quote.get("exact") == text[start:end]:
                return target["source"], (start, end)
        if quote is None or not isinstance(quote.get("exact"), str) or not quote["exact"]:
            self.fail(f"{path}.selector", "needs a TextPositionSelector or a TextQuoteSelector")
            return None
        prefix, suffix = str(quote.get("prefix", "")), str(quote.get("suffix", ""))
        if self.strict:
            found = find_occurrences(text, quote["exact"])
            fitting = [
                (a, b)
                for a, b in found
                if text[:a].endswith(prefix) and text[b:].startswith(suffix)
            ] or found
            if not fitting:
                self.fail(
                    f"{path}.selector",
                    f"the quote {quoted(quote['exact'][:40])} is not in the text",
                )
                return None
            return target["source"], fitting[0]
        hint = position.get("start") if isinstance(position, dict) else None
        found = anchor_quote(
            text, quote["exact"], prefix, suffix, hint if type(hint) is int else None
        )
        if found is None:
            self.unanchored.append(f"{path}: {quoted(quote['exact'][:40])}")
            return None
        return target["source"], found

    def read_span(self, annotation: dict[str, Any], path: str) -> None:
        raw = annotation.get("target")
        targets = raw if isinstance(raw, list) else [raw]
        anchors = [
            self.anchor(t, f"{path}.target" + (f"[{i}]" if isinstance(raw, list) else ""))
            for i, t in enumerate(targets)
        ]
        if not anchors or None in anchors:
            return
        sources = {source for source, _ in anchors}
        if len(sources) != 1:
            self.fail(f"{path}.target", "the targets of one annotation must share one source")
            return
        key, values, note, _ = self.classify(self.bodies(annotation, path))
        extra_tags: list[str] = []
        if not self.strict:  # foreign tags are labels: one span per tag ("annotation" if none)
            labels = self.tags_seen or ["annotation"]
            key = self.key_for(labels[0], path)
            extra_tags = [self.key_for(x, path) for x in labels[1:]]
        if not is_key(key):
            self.fail(
                f"{path}.body", f"needs a tagging body whose value is a tag key, got {quoted(key)}"
            )
            return
        owner = self.builder.tag(key)
        values = self.typed_attributes(owner, values, path, self.schema.tag(key))
        (source,) = sources
        uuid = uuid_from_iri(annotation["id"])
        created, modified = self.times(annotation, path)
        fragments = sorted(fragment for _, fragment in anchors)
        if any(a[1] > b[0] for a, b in pairwise(fragments)):
            self.fail(f"{path}.target", "the targets overlap")
            return
        self.builder.add_span(
            self.documents[source],
            uuid,
            self.creator(annotation, path),
            key,
            fragments,
            values,
            note,
            created,
            modified,
        )
        self.spans[annotation["id"]] = (uuid, source)
        for extra in extra_tags:
            self.builder.tag(extra)
            self.builder.add_span(
                self.documents[source],
                uuid_from_iri(f"{annotation['id']}#{extra}"),
                self.creator(annotation, path),
                extra,
                fragments,
                {},
                note,
                created,
                modified,
            )

    def read_annotation(self, annotation: Any, p: str, links: list) -> None:
        """A span annotation is read; a linking one is put in `links`, read after them all."""
        if not isinstance(annotation, dict) or annotation.get("type") != "Annotation":
            self.fail(p, "expected an object of type Annotation")
        elif not isinstance(annotation.get("id"), str):
            self.fail(f"{p}.id", "an annotation needs an id (links refer to it)")
        elif annotation.get("motivation") == "linking":
            links.append((p, annotation))
        else:
            self.read_span(annotation, p)

    def key_for(self, label: str, path: str, link: bool = False) -> str:
        """The key of a foreign tag or link label: the project's type with that key or label,
        else a key made from the label (a new type labelled so)."""
        label = label if label.strip() else "tag"
        if link:
            return self.builder.link_type_key(label, path)
        return self.builder.tag_key(label, path)

    def read_link(self, annotation: dict[str, Any], path: str) -> None:
        target = annotation.get("target")
        key, values, note, iris = self.classify(self.bodies(annotation, path))
        if isinstance(target, list) and len(target) == 2:  # Recogito: [{id: from}, {id: to}]
            ends = [t.get("id") if isinstance(t, dict) else t for t in target]
            target, iris = ends[0], [ends[1]]
        if not self.strict and key is not None:
            key = self.key_for(key, path, link=True)
        if not self.strict and (target not in self.spans or not set(iris) <= set(self.spans)):
            self.unanchored.append(f"{path}: a link to an annotation left out")
            return
        if not isinstance(target, str) or target not in self.spans:
            self.fail(
                f"{path}.target", "a linking annotation targets a span annotation of this file"
            )
            return
        if len(iris) != 1 or iris[0] not in self.spans:
            self.fail(
                f"{path}.body",
                "a linking annotation has one body IRI: a span annotation of this file",
            )
            return
        (source, doc_a), (other, doc_b) = self.spans[target], self.spans[iris[0]]
        if doc_a != doc_b or source == other:
            self.fail(path, "a link joins two different spans of one document")
            return
        if not is_key(key):
            self.fail(
                f"{path}.body",
                f"needs a classifying body whose value is a link type key, got {quoted(key)}",
            )
            return
        owner = self.builder.link_type(key)
        values = self.typed_attributes(owner, values, path, self.schema.link_type(key))
        created, modified = self.times(annotation, path)
        self.builder.add_link(
            self.documents[doc_a],
            uuid_from_iri(annotation["id"]),
            self.creator(annotation, path),
            key,
            source,
            other,
            values,
            note,
            created,
            modified,
        )


def _annotations(data: Any) -> tuple[str, list[Any]]:
    """(JSON path, list) of the annotations wherever the file keeps them."""
    if isinstance(data, list):
        return "$", data
    if not isinstance(data, dict):
        return "$", []
    kind = data.get("type")
    if kind == "Annotation":
        return "$", [data]
    if kind == "AnnotationPage":
        return "$.items", data.get("items", []) if isinstance(data.get("items"), list) else []
    first = data.get("first")
    if isinstance(first, dict) and isinstance(first.get("items"), list):
        return "$.first.items", first["items"]
    if isinstance(data.get("items"), list):
        return "$.items", data["items"]
    return "$", []


def import_w3c(path: Path, context: ImportContext, progress: Progress | None = None) -> Exchange:
    """context.target_document: the project document foreign annotations without a known
    source annotate (its uuid; the CLI's --document, the dialog's "Annotates:")."""
    from annotator.io.formats.w3c.stream_check import check_w3c_first

    document = context.target_document
    path = Path(path)
    check_w3c_first(path, context)  # a large file: refused, if it is to be, a row at a time
    try:
        data = orjson.loads(read_json_bytes(path))
    except orjson.JSONDecodeError as error:
        raise ForeignFormatError([f"{path.name}: $: not valid JSON ({error})"]) from None
    reader = _Reader(context, path.name)
    if isinstance(data, dict) and data.get("type") not in (
        None,
        "Annotation",
        "AnnotationPage",
        "AnnotationCollection",
    ):
        raise ForeignFormatError([f"{path.name}: $.type: not a Web Annotation, page or collection"])
    reader.default_document = document
    reader.strict = isinstance(data, dict) and "documents" in data
    if reader.strict:
        reader.read_documents(data["documents"])
    where, annotations = _annotations(data)
    if not annotations and not reader.documents:
        raise ForeignFormatError([f"{path.name}: {where}: no annotations found"])
    links: list[tuple[str, dict[str, Any]]] = []
    for i, annotation in enumerate(annotations):
        p = f"{where}[{i}]" if where != "$" or isinstance(data, list) else "$"
        reader.read_annotation(annotation, p, links)
    for p, annotation in links:
        reader.read_link(annotation, p)
    if reader.errors:
        raise ForeignFormatError(reader.errors)
    shown = "; ".join(reader.unanchored[:5])
    what = f"annotation(s) could not be anchored in the text and were left out: {shown}"
    return reader.builder.exchange(progress, [Loss(what, len(reader.unanchored))])


register_import(
    ImportFormat(
        key="w3c",
        label="W3C Web Annotation (JSON-LD)",
        suffixes=(".jsonld", ".json"),
        read=import_w3c,
        description="Web Annotations on texts (a collection, a page, one annotation or a list); "
        "texts from the file or the project's documents; annotations made elsewhere "
        "(Hypothesis, Recogito) anchored by quote in the document you choose",
    )
)
