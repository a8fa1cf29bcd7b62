"""W3C Web Annotation (JSON-LD) import: annotations on texts become spans and links.

Reads what w3c_export writes and any similar JSON: an AnnotationCollection (items in its `first`
page), an AnnotationPage, one Annotation, or a JSON list of annotations. Texts come from our
`documents` term, or, when absent, a target `source` of `urn:uuid:<id>` must name a document of
the project. A target is anchored by its TextPositionSelector when the TextQuoteSelector (if
any) agrees with the text there, else by the quote (with prefix/suffix to choose among repeats).
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
from annotator.errors import ValidationError
from annotator.io.foreign_common import ForeignFormatError, read_json_bytes
from annotator.io.formats import ImportFormat, Progress, register_import
from annotator.io.import_common import ExchangeBuilder, apply_exchange, is_key, uuid_from_iri
from annotator.io.schema_file import is_exchange_time
from annotator.io.w3c_export import JSON_FORMAT

MAX_ERRORS = 20
TAG_PURPOSES = ("tagging", "classifying")


class _Reader:
    def __init__(self, project: Any, name: str) -> None:
        self.project, self.name = project, name
        with project.store.read() as session:
            self.schema = session.schema()
            self.project_docs = {d.uuid for d in session.documents()}
        self.builder = ExchangeBuilder(self.schema)
        self.errors: list[str] = []
        self.documents: dict[str, dict[str, Any]] = {}  # source IRI → builder entry
        self.spans: dict[str, tuple[str, str]] = {}  # annotation IRI → (span uuid, source IRI)

    def fail(self, path: str, reason: str) -> None:
        self.errors.append(f"{self.name}: {path}: {reason}")
        if len(self.errors) >= MAX_ERRORS:
            raise ForeignFormatError(self.errors)

    # -- documents ---------------------------------------------------------------------------
    def read_documents(self, raw: Any) -> None:
        if not isinstance(raw, list):
            self.fail("$.documents", "expected a list")
            return
        for i, doc in enumerate(raw):
            p = f"$.documents[{i}]"
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                self.fail(p, "expected an object with an id")
                continue
            text = doc.get("value")
            if not isinstance(text, str):
                self.fail(f"{p}.value", "expected the document text")
                continue
            if (problem := text_problem(text)) is not None:
                self.fail(f"{p}.value", f"the {problem}")
                continue
            title = doc.get("title") if isinstance(doc.get("title"), str) else ""
            language = doc.get("language") if isinstance(doc.get("language"), str) else ""
            self.documents[doc["id"]] = self.builder.document(
                uuid_from_iri(doc["id"]), title or doc["id"], text, language=language
            )

    def document_for(self, source: str, path: str) -> dict[str, Any] | None:
        if source in self.documents:
            return self.documents[source]
        uuid = uuid_from_iri(source)
        if source.startswith("urn:uuid:") and uuid in self.project_docs:
            with self.project.store.read() as session:
                document = session.document(uuid)
            entry = self.builder.document(uuid, document.info.title, document.text)
            self.documents[source] = entry
            return entry
        self.fail(path, f"source {source!r} is neither in the file's documents nor the project")
        return None

    # -- annotations -------------------------------------------------------------------------
    def creator(self, annotation: dict[str, Any], path: str) -> str:
        creator = annotation.get("creator")
        if isinstance(creator, list) and creator:
            creator = creator[0]
        if isinstance(creator, dict) and isinstance(creator.get("id"), str):
            uuid = uuid_from_iri(creator["id"])
            name = creator.get("name") or creator.get("nickname") or creator["id"]
            return self.builder.annotator(uuid, str(name))
        if creator is not None:
            self.fail(f"{path}.creator", "expected an agent object with an id")
        current = self.project.annotator
        return self.builder.annotator(current.uuid, current.name)

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
        """(type key, attributes, note, IRIs) from the bodies."""
        key, attributes, notes, iris = None, {}, [], []
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
            elif purpose in TAG_PURPOSES and key is None:
                key = value
            elif purpose == "describing" and isinstance(body.get("attribute"), str):
                attributes[body["attribute"]] = self.value(body, p)
            elif purpose == "commenting":
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
                self.fail(f"{path}.body", f"attribute {key!r} is not a valid key")
                continue
            kind = kinds.get(type(value))
            if kind is None or (
                kind == "multi_choice" and not all(isinstance(v, str) and v for v in value)
            ):
                self.fail(f"{path}.body", f"attribute {key!r}: unsupported value {value!r}")
                continue
            self.builder.attribute(owner, key, kind, tuple(value) if kind == "multi_choice" else ())
        return values

    def anchor(self, target: Any, path: str) -> tuple[str, tuple[int, int]] | None:
        if not isinstance(target, dict) or not isinstance(target.get("source"), str):
            self.fail(path, "expected a SpecificResource with a source")
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
            if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
                self.fail(
                    f"{path}.selector",
                    f"TextPositionSelector {start!r}..{end!r} is outside the text "
                    f"(0 to {len(text)} code points)",
                )
                return None
            if quote is None or quote.get("exact") == text[start:end]:
                return target["source"], (start, end)
        if quote is None or not isinstance(quote.get("exact"), str) or not quote["exact"]:
            self.fail(f"{path}.selector", "needs a TextPositionSelector or a TextQuoteSelector")
            return None
        found = find_occurrences(text, quote["exact"])
        prefix, suffix = str(quote.get("prefix", "")), str(quote.get("suffix", ""))
        fitting = [
            (a, b) for a, b in found if text[:a].endswith(prefix) and text[b:].startswith(suffix)
        ] or found
        if not fitting:
            self.fail(f"{path}.selector", f"the quote {quote['exact'][:40]!r} is not in the text")
            return None
        return target["source"], fitting[0]

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
        if not is_key(key):
            self.fail(f"{path}.body", f"needs a tagging body whose value is a tag key, got {key!r}")
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
        self.builder.span(
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

    def read_link(self, annotation: dict[str, Any], path: str) -> None:
        target = annotation.get("target")
        key, values, note, iris = self.classify(self.bodies(annotation, path))
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
                f"needs a classifying body whose value is a link type key, got {key!r}",
            )
            return
        owner = self.builder.link_type(key)
        values = self.typed_attributes(owner, values, path, self.schema.link_type(key))
        created, modified = self.times(annotation, path)
        self.builder.link(
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


def import_w3c(project: Any, path: Path, progress: Progress | None = None) -> Any:
    path = Path(path)
    try:
        data = orjson.loads(read_json_bytes(path))
    except orjson.JSONDecodeError as error:
        raise ForeignFormatError([f"{path.name}: $: not valid JSON ({error})"]) from None
    reader = _Reader(project, path.name)
    if isinstance(data, dict) and data.get("type") not in (
        None,
        "Annotation",
        "AnnotationPage",
        "AnnotationCollection",
    ):
        raise ForeignFormatError([f"{path.name}: $.type: not a Web Annotation, page or collection"])
    if isinstance(data, dict) and "documents" in data:
        reader.read_documents(data["documents"])
    where, annotations = _annotations(data)
    if not annotations and not reader.documents:
        raise ForeignFormatError([f"{path.name}: {where}: no annotations found"])
    links = []
    for i, annotation in enumerate(annotations):
        p = f"{where}[{i}]" if where != "$" or isinstance(data, list) else "$"
        if not isinstance(annotation, dict) or annotation.get("type") != "Annotation":
            reader.fail(p, "expected an object of type Annotation")
        elif not isinstance(annotation.get("id"), str):
            reader.fail(f"{p}.id", "an annotation needs an id (links refer to it)")
        elif annotation.get("motivation") == "linking":
            links.append((p, annotation))
        else:
            reader.read_span(annotation, p)
    for p, annotation in links:
        reader.read_link(annotation, p)
    if reader.errors:
        raise ForeignFormatError(reader.errors)
    return apply_exchange(project, reader.builder, path, progress)


register_import(
    ImportFormat(
        key="w3c",
        label="W3C Web Annotation (JSON-LD)",
        suffixes=(".jsonld", ".json"),
        read=import_w3c,
        description="Web Annotations on texts (a collection, a page, one annotation or a list); "
        "texts from the file or the project's documents",
    )
)
