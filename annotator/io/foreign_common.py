"""Shared by the foreign formats (spaCy, XMI, REFI-QDA, doccano, Label Studio): UTF-16 offsets,
stable span order, and foreign spans turned into one checked JSON v1 import."""

from __future__ import annotations

import bisect
import codecs
import hashlib
import re
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from annotator.domain import content_rules
from annotator.domain.content_rules import text_problem
from annotator.domain.ids import is_uuid, now
from annotator.errors import ValidationError
from annotator.io.byte_sniff import not_json_text
from annotator.io.formats import Progress
from annotator.io.json_export import FORMAT, VERSION, schema_section
from annotator.io.json_validate import ExchangeError
from annotator.io.schema_file import COLOR, is_exchange_time

#: Namespace of the uuids given to rows of files that carry none, so importing a file twice
#: finds the same uuids the second time and changes nothing.
FOREIGN_NAMESPACE = uuidlib.UUID("5b0d7c36-2f5e-4b8a-9a57-0a3c1f6e2d11")
KEY_CHARS = re.compile(r"[^A-Za-z0-9_\-]+")
NEW_TAG_COLOR = "#808080"
#: Room a JSON line may take beyond its text's limit: labels, relations, metadata, escapes.
LABELS_ROOM = 16 * 1024 * 1024
ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class ForeignFormatError(ExchangeError):
    """A foreign file is malformed; the message names the file and the line or path."""


def stable_uuid(*parts: object) -> str:
    return str(uuidlib.uuid5(FOREIGN_NAMESPACE, "|".join(map(str, parts))))


def span_order(span: Any, names: dict[str, str]) -> tuple:
    """Sort key for spans that is the same in every project holding the same annotations (the
    store breaks ties by uuid, which differ after an import into another project)."""
    return (span.fragments, span.tag, names.get(span.annotator, span.annotator), span.uuid)


def split_warning(split: list[str], how: str) -> list[str]:
    """The warning for discontinuous spans a format writes as pieces."""
    return [f"{len(split)} discontinuous span(s) written as {how}"] if split else []


class Utf16Offsets:
    """Code point ↔ UTF-16 unit offsets of one text (Java and JavaScript count UTF-16)."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self._astral = [m.start() for m in ASTRAL.finditer(text)]  # regex: 10x a Python loop
        self._astral_units = [i + k for k, i in enumerate(self._astral)]
        self.units = self.length + len(self._astral)

    def to_units(self, point: int) -> int:
        return point + bisect.bisect_left(self._astral, point)

    def to_points(self, unit: int) -> int:
        """The code point offset of a UTF-16 offset; ValueError inside a surrogate pair or
        outside the text."""
        if not 0 <= unit <= self.units:
            raise ValueError(f"offset {unit} is outside the text (0 to {self.units} UTF-16 units)")
        before = bisect.bisect_left(self._astral_units, unit)
        if before and self._astral_units[before - 1] == unit - 1:
            raise ValueError(f"offset {unit} falls inside a character outside the BMP")
        return unit - before


# -- import side ---------------------------------------------------------------------------------


class ForeignImport:
    """Collects a foreign file's documents, spans and links, checked against the file's own
    locations as they come, then imports them as one JSON v1 exchange (validated again, written
    in one transaction, nothing written on any error). Labels unknown to the project become new
    custom tag or link types."""

    def __init__(self, project: Any, path: Path) -> None:
        self.project, self.name = project, Path(path).name
        with project.store.read() as session:
            self.schema = session.schema()
            self.known_annotators = {a.name: a for a in session.annotators()}
            self.hashes = session.document_hashes()
        self.when = now()
        self.annotators: dict[str, dict[str, Any]] = {}
        self.documents: list[dict[str, Any]] = []
        self.new_tags: dict[str, dict[str, Any]] = {}
        self.new_link_types: dict[str, dict[str, Any]] = {}
        self._texts: dict[str, str] = {}
        self.dropped_attributes = 0
        self.last_span: str | None = None  # the uuid the last span() call returned
        self._span_docs: dict[str, str] = {}  # span uuid → document uuid
        self._by_uuid: dict[str, dict[str, Any]] = {}

    def fail(self, where: str, reason: str) -> ForeignFormatError:
        """The file's name, then where in it (nothing when the whole file is meant)."""
        return ForeignFormatError(
            [f"{self.name}: {where}: {reason}" if where else f"{self.name}: {reason}"]
        )

    def annotator(self, name: str | None = None, uuid: str | None = None) -> str:
        """The uuid of the annotator named `name` (the project's current one when None); a
        name new to the project is added with the import (with `uuid` when the file gives one
        the project does not use)."""
        current = self.project.annotator
        name = (name or "").strip() or current.name
        known = self.known_annotators.get(name)
        if known is not None:
            return known.uuid
        if name not in self.annotators:
            taken = {a.uuid for a in self.known_annotators.values()}
            taken |= {a["id"] for a in self.annotators.values()}
            if name == current.name:
                uuid = current.uuid
            elif not is_uuid(uuid) or uuid in taken:
                uuid = stable_uuid("annotator", name)
            stamp = {"created": self.when, "modified": self.when}
            self.annotators[name] = {"id": uuid, "name": name, "identifier": "", **stamp}
        return self.annotators[name]["id"]

    def document(self, text: str, title: str, where: str, uuid: str | None = None) -> str:
        """Add a document (a text already in the project is matched by its hash); returns the
        key later spans use."""
        # Offsets point into the text as it is, so a forbidden character (a CR, a NUL) is
        # refused, never removed: removing it would shift every span after it.
        problem = text_problem(text)
        if problem is not None:
            raise self.fail(where, f"the {problem}")
        sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        uuid = self.hashes.get(sha) or (
            uuid if uuid and uuid not in self.hashes.values() else stable_uuid("document", sha)
        )
        stamp = {"created": self.when, "modified": self.when}
        self.documents.append(
            {
                "id": uuid,
                "title": title or f"document {len(self.documents) + 1}",
                "text": text,
                "sha256": sha,
                "metadata": {"source_filename": self.name},
                "spans": [],
                "links": [],
                **stamp,
            }
        )
        if uuid in self._by_uuid:
            raise self.fail(where, "the same text appears twice in this file")
        self._texts[uuid] = text
        self._by_uuid[uuid] = self.documents[-1]
        return uuid

    def tag_key(self, label: str, where: str, uuid: str | None = None, color: str = "") -> str:
        """The tag type for a foreign label: by key, then by label; else a new custom type
        (with the file's uuid and colour when it gives them)."""
        tags = self.schema.tag_types
        return self._type_key(label, where, tags, self.new_tags, tag=True, uuid=uuid, color=color)

    def link_type_key(self, label: str, where: str) -> str:
        return self._type_key(label, where, self.schema.link_types, self.new_link_types, tag=False)

    def _type_key(
        self, label: str, where: str, existing, new: dict, *, tag: bool, uuid=None, color=""
    ) -> str:
        if not isinstance(label, str) or not label.strip():
            raise self.fail(where, "a label must be a non-empty string")
        for item in existing:
            if label in (item.key, item.label):
                return item.key
        key = KEY_CHARS.sub("_", label.strip()).strip("_")[:64] or "label"
        if not key[0].isalpha():
            key = f"t_{key}"[:64]
        if key not in new:
            taken = {t.uuid for t in (*self.schema.tag_types, *self.schema.link_types)}
            taken |= {t["id"] for t in (*self.new_tags.values(), *self.new_link_types.values())}
            if not is_uuid(uuid) or uuid in taken:
                uuid = stable_uuid("type", tag, key)
            color = color if COLOR.match(color or "") else NEW_TAG_COLOR
            item: dict[str, Any] = {"id": uuid, "key": key}
            item |= {"label": label.strip(), "color": color, "guideline": ""}
            item |= {"attributes": [], "created": self.when, "modified": self.when}
            if tag:
                item |= {"kind": "custom", "hotkey": None}
            else:
                item |= {"directed": True, "sources": [], "targets": []}
            new[key] = item
        return key

    def span(
        self,
        document: str,
        label: str,
        fragments: list[tuple[int, int]],
        where: str,
        *,
        annotator: str | None = None,
        annotator_uuid: str | None = None,
        note: str = "",
        attributes: dict[str, Any] | None = None,
        uuid: str | None = None,
        created: str | None = None,
    ) -> str:
        """Add a span (code point fragments, checked here against the text); returns its uuid.
        Attribute values are kept for tag types the project has (checked by the import)."""
        text = self._texts[document]
        for start, end in fragments:
            if type(start) is not int or type(end) is not int:
                raise self.fail(where, f"offsets must be integers, got {start!r}, {end!r}")
            if not 0 <= start < end <= len(text):
                raise self.fail(
                    where, f"span [{start}, {end}] is empty or outside the text (0 to {len(text)})"
                )
        tag = self.tag_key(label, where)
        who = self.annotator(annotator, annotator_uuid)
        fragments = sorted(fragments)
        uuid = uuid or stable_uuid("span", document, who, tag, fragments)
        self.last_span = uuid
        if uuid in self._span_docs:  # the same span twice in the file: one span
            return uuid
        self._span_docs[uuid] = document
        self._doc(document)["spans"].append(
            {
                "id": uuid,
                "tag": tag,
                "fragments": [list(f) for f in fragments],
                "text": " … ".join(text[s:e] for s, e in fragments),
                "annotator": who,
                "attributes": self._known_attributes(self.schema.tag(tag), attributes),
                "note": note,
                "created": created if is_exchange_time(created) else self.when,
                "modified": created if is_exchange_time(created) else self.when,
            }
        )
        return uuid

    def link(
        self,
        document: str,
        label: str,
        source: str,
        target: str,
        where: str,
        *,
        annotator: str | None = None,
        note: str = "",
        attributes: dict[str, Any] | None = None,
        uuid: str | None = None,
    ) -> str:
        ends = (self._span_docs.get(source), self._span_docs.get(target))
        if ends != (document, document) or source == target:
            raise self.fail(where, "a link needs two different spans of its document")
        kind = self.link_type_key(label, where)
        who = self.annotator(annotator)
        uuid = uuid or stable_uuid("link", document, who, kind, source, target)
        stamp = {"created": self.when, "modified": self.when}
        link = {"id": uuid, "type": kind, "source": source, "target": target, "annotator": who}
        values = self._known_attributes(self.schema.link_type(kind), attributes)
        self._doc(document)["links"].append(link | {"attributes": values, "note": note} | stamp)
        return uuid

    def _known_attributes(self, item: Any, values: dict[str, Any] | None) -> dict[str, Any]:
        """The values whose attribute the project's type defines (a type new to the project
        has none); the rest are counted in `dropped_attributes`."""
        values = values or {}
        kept = {k: v for k, v in values.items() if item is not None and item.attribute(k)}
        self.dropped_attributes += len(values) - len(kept)
        return kept

    def _doc(self, uuid: str) -> dict[str, Any]:
        return self._by_uuid[uuid]

    def exchange(self) -> dict[str, Any]:
        """The collected rows as a JSON v1 exchange. Rows already in the project keep their
        `modified` time there, so importing the same file again changes nothing."""
        with self.project.store.read() as session:
            versions = session.versions("spans") | session.versions("links")
        for document in self.documents:
            for row in (*document["spans"], *document["links"]):
                if row["id"] in versions:
                    row["modified"] = versions[row["id"]]
        schema = schema_section(self.schema)
        schema["tag_types"] += list(self.new_tags.values())
        schema["link_types"] += list(self.new_link_types.values())
        return {
            "format": FORMAT,
            "version": VERSION,
            "project": {},
            "schema": schema,
            "annotators": list(self.annotators.values()),
            "documents": self.documents,
            "entities": [],
            "tombstones": [],
        }

    def run(self, progress: Progress | None = None) -> Any:
        """Validate and import everything (one transaction); returns the import report."""
        from annotator.io.json_import import import_data

        try:
            report = import_data(self.project, self.exchange(), progress)
        except ExchangeError as error:
            raise ForeignFormatError([f"{self.name}: {line}" for line in error.errors]) from None
        if self.dropped_attributes:
            report.conflicts.append(
                f"{self.dropped_attributes} attribute values left out: their tag or link type "
                "here has no such attribute"
            )
        return report


def read_bytes(path: Path, limit: int = 2 * 1024**3) -> bytes:
    """A file's bytes, or a one-line error naming it."""
    path = Path(path)
    try:
        if path.stat().st_size > limit:
            raise ValidationError(f"{path.name} is larger than 2 GB")
        return path.read_bytes()
    except OSError as error:
        raise ForeignFormatError([f"{path.name}: cannot be read ({error.strerror})"]) from None


def read_json_bytes(path: Path) -> bytes:
    """A JSON or JSON-lines file's bytes without a UTF-8 byte order mark (Windows editors
    write one; JSON parsers refuse it)."""
    return read_bytes(path).removeprefix(codecs.BOM_UTF8)


def _numbered_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file's lines (LF, CRLF or CR ends) with their numbers, one at a time; a UTF-8 byte
    order mark is dropped. A line is measured before it is read (in 1 MiB steps, keeping
    nothing), and one longer than a document's text limit plus room for its labels is
    refused unread: a 200 MB line costs no memory to refuse."""
    path = Path(path)
    limit = content_rules.MAX_TEXT_BYTES + LABELS_ROOM
    try:
        with path.open("rb") as handle:
            number = 0
            while True:
                start, length = handle.tell(), 0
                while chunk := handle.readline(1 << 20):
                    length += len(chunk)
                    if length > limit:
                        raise ForeignFormatError(
                            [
                                f"{path.name}: line {number + 1}: over {limit // 1024**2} MiB "
                                f"(the text limit for one document, "
                                f"{content_rules.MAX_TEXT_BYTES // 1024**2} MiB, and its labels)"
                            ]
                        )
                    if chunk.endswith(b"\n"):
                        break
                if length == 0:
                    return
                handle.seek(start)
                physical = handle.read(length)
                if number == 0:
                    physical = physical.removeprefix(codecs.BOM_UTF8)
                pieces = (physical.splitlines() if b"\r" in physical else [physical]) or [b""]
                del physical
                while pieces:  # popped, so only the caller holds the line it is given
                    number += 1
                    yield number, pieces.pop(0)
    except OSError as error:
        raise ForeignFormatError([f"{path.name}: cannot be read ({error.strerror})"]) from None


def jsonl_texts(builder: ForeignImport, path: Path) -> Iterator[tuple[dict[str, Any], str]]:
    """The objects of a JSON-lines file that each carry a "text" string, with where they are
    ("line N"); a line that is not such an object fails the import naming its line, and a file
    without any fails it too (doccano and spaCy JSONL share this shape)."""
    found = False
    for number, line in _numbered_lines(path):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            del line
            # a zip, a picture, UTF-16: say so, not where it broke
            reason = not_json_text(read_json_bytes(path))
            if reason is not None:
                raise ForeignFormatError(
                    [f"{builder.name}: not a JSON-lines file ({reason})"]
                ) from None
            raise builder.fail(where, f"not valid JSON ({error})") from None
        del line  # one line's bytes at a time: a 200 MB line is not held twice
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise builder.fail(where, 'expected an object with a "text" string')
        found = True
        yield item, where
    if not found:
        raise ForeignFormatError([f"{builder.name}: no documents (expected one JSON per line)"])
