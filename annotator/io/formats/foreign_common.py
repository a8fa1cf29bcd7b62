"""Shared by the foreign formats (spaCy, XMI, REFI-QDA, doccano, Label Studio): UTF-16 offsets,
stable span order, and foreign spans turned into one checked JSON v1 import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from annotator.domain.content_rules import text_problem, text_sha256
from annotator.domain.ids import is_uuid, now
from annotator.domain.wording import quoted
from annotator.io.exchange import Exchange, ImportContext, Loss, LossReport, stable_uuid
from annotator.io.formats import Progress
from annotator.io.formats.foreign_schema import admits as _admits
from annotator.io.formats.foreign_schema import value_type as _value_type
from annotator.io.formats.json.validate import ExchangeError
from annotator.io.formats.json.writer import FORMAT, VERSION, schema_section
from annotator.io.schema_file import COLOR, is_exchange_time
from annotator.io.schema_file import KEY as ATTRIBUTE_KEY
from annotator.io.text_positions import LineEnds

KEY_CHARS = re.compile(r"[^A-Za-z0-9_\-]+")
NEW_TAG_COLOR = "#808080"


class ForeignFormatError(ExchangeError):
    """A foreign file is malformed; the message names the file and the line or path."""


def span_order(span: Any, names: dict[str, str]) -> tuple:
    """Sort key for spans that is the same in every project holding the same annotations (the
    store breaks ties by uuid, which differ after an import into another project)."""
    return (span.fragments, span.tag, names.get(span.annotator, span.annotator), span.uuid)


def split_loss(split: list[str], how: str) -> list[Loss]:
    """The loss of discontinuous spans a format writes as pieces."""
    return [Loss(f"discontinuous span(s) written as {how}", len(split))]


# -- import side ---------------------------------------------------------------------------------


class ForeignImport:
    """Collects a foreign file's documents, spans and links, checked against the file's own
    locations as they come, then imports them as one JSON v1 exchange (validated again, written
    in one transaction, nothing written on any error). Labels unknown to the project become new
    custom tag or link types."""

    def __init__(self, context: ImportContext, path: Path) -> None:
        self.context, self.name = context, Path(path).name
        self.schema = context.schema
        self.known_annotators = {a.name: a for a in context.annotators}
        self.hashes = dict(context.document_hashes)
        self.known_entities = set(context.entities)
        self.when = now()
        self.annotators: dict[str, dict[str, Any]] = {}
        self.documents: list[dict[str, Any]] = []
        self.new_tags: dict[str, dict[str, Any]] = {}
        self.new_link_types: dict[str, dict[str, Any]] = {}
        self._new_labels: dict[tuple[bool, str], str] = {}  # (is a tag, label) → new type key
        self._texts: dict[str, str] = {}  # document key → the text as the file gives it
        self._line_ends: dict[str, LineEnds] = {}  # document key → its LF text and offset map
        self.dropped_attributes = 0
        self.dropped_line_end_spans = 0  # spans that covered nothing but a line end
        self.notices: list[str] = []  # what a reader kept, for the import report
        self.lost: list[Loss] = []  # what a reader left out, counted (the LossReport)
        self.last_span: str | None = None  # the uuid the last span() call returned
        self._span_docs: dict[str, str] = {}  # span uuid → document uuid
        self._link_ids: set[str] = set()
        self._span_tags: dict[str, str] = {}  # span uuid → tag type key
        self.entities: dict[str, dict[str, Any]] = {}  # entity uuid → its row, new here
        self.dropped_entity_refs = 0  # spans naming an entity neither the file nor project has
        self._by_uuid: dict[str, dict[str, Any]] = {}  # document key → its exchange row
        self._by_sha: dict[str, str] = {}  # text hash → the key of its first occurrence
        self.repeated_texts = 0  # texts the file gives again (one document each)

    def fail(self, where: str, reason: str) -> ForeignFormatError:
        """The file's name, then where in it (nothing when the whole file is meant)."""
        return ForeignFormatError(
            [f"{self.name}: {where}: {reason}" if where else f"{self.name}: {reason}"]
        )

    def annotator(self, name: str | None = None, uuid: str | None = None) -> str:
        """The uuid of the annotator named `name` (the project's current one when None); a
        name new to the project is added with the import (with `uuid` when the file gives one
        the project does not use)."""
        current = self.context.annotator
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
        key later spans use. The same text again in the file (Prodigy repeats a text per answer,
        INCEpTION per user) is the same document, under a key of its own, since its offsets
        count its own line ends."""
        if not isinstance(text, str):
            raise self.fail(where, "the text must be a string")
        # CRLF/CR become LF; the file's offsets count the CRs, so span() remaps them
        line_ends = LineEnds(text)
        original, text = text, line_ends.text
        # Offsets point into the text as it is, so a forbidden character (a NUL, a control) is
        # refused, never removed: removing it would shift every span after it.
        problem = text_problem(text)
        if problem is not None:
            raise self.fail(where, f"the {problem}")
        sha = text_sha256(text)  # hashed a slice at a time: no copy of a 100 MiB text
        seen = self._by_sha.get(sha)
        if seen is not None:
            self.repeated_texts += 1
            key = f"{seen}#{self.repeated_texts}"
            self._by_uuid[key] = self._by_uuid[seen]
        else:
            key = self.hashes.get(sha) or (
                uuid if uuid and uuid not in self.hashes.values() else stable_uuid("document", sha)
            )
            if key in self._by_uuid:
                raise self.fail(where, f"document id {key} is given to two different texts")
            stamp = {"created": self.when, "modified": self.when}
            self.documents.append(
                {
                    "id": key,
                    "title": title or f"document {len(self.documents) + 1}",
                    "text": text,
                    "sha256": sha,
                    "metadata": {"source_filename": self.name},
                    "spans": [],
                    "links": [],
                    **stamp,
                }
            )
            self._by_sha[sha] = key
            self._by_uuid[key] = self.documents[-1]
        self._texts[key] = original
        self._line_ends[key] = line_ends
        return key

    def forget_texts(self) -> None:
        """Drop the last document's text and rows and every text held for offsets, keeping
        what later lines are checked against (labels, annotators, hashes): a first pass over
        a large JSON-lines file checks each line without holding what it read."""
        if self.documents:
            self.documents[-1].update(text="", spans=[], links=[])
        self._texts.clear()
        self._line_ends.clear()

    def document_entry(self, key: str) -> dict[str, Any]:
        """The exchange row of a document key (to add metadata)."""
        return self._by_uuid[key]

    def tag_key(
        self, label: str, where: str, uuid: str | None = None, color: str = "", guideline: str = ""
    ) -> str:
        """The tag type for a foreign label: by key, then by label; else a new custom type
        (with the file's uuid, colour and description when it gives them)."""
        tags, new = self.schema.tag_types, self.new_tags
        return self._type_key(
            label, where, tags, new, tag=True, uuid=uuid, color=color, guideline=guideline
        )

    def link_type_key(self, label: str, where: str) -> str:
        return self._type_key(label, where, self.schema.link_types, self.new_link_types, tag=False)

    def _type_key(
        self, label, where, existing, new: dict, *, tag: bool, uuid=None, color="", guideline=""
    ) -> str:
        if not isinstance(label, str) or not label.strip():
            raise self.fail(where, "a label must be a non-empty string")
        for item in existing:
            if label in (item.key, item.label):
                return item.key
        if label in new:
            return label
        found = self._new_labels.get((tag, label.strip()))
        if found is not None:
            return found
        stem = KEY_CHARS.sub("_", label.strip()).strip("_")[:60] or "label"
        if not stem[0].isalpha():
            stem = f"t_{stem}"[:60]
        key, n = stem, 1
        keys = {item.key for item in existing}
        while key in new or key in keys:  # another label gave the same key ("sárga", "s rga")
            n += 1
            key = f"{stem}_{n}"
        if key not in new:
            self._new_labels[(tag, label.strip())] = key
            taken = {t.uuid for t in (*self.schema.tag_types, *self.schema.link_types)}
            taken |= {t["id"] for t in (*self.new_tags.values(), *self.new_link_types.values())}
            if not is_uuid(uuid) or uuid in taken:
                uuid = stable_uuid("type", tag, key)
            color = color if COLOR.match(color or "") else NEW_TAG_COLOR
            item: dict[str, Any] = {"id": uuid, "key": key}
            item |= {"label": label.strip(), "color": color, "guideline": guideline}
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
        entity: str | None = None,
        attributes: dict[str, Any] | None = None,
        uuid: str | None = None,
        created: str | None = None,
    ) -> str | None:
        """Add a span (code point fragments of the text as the file gave it, checked here, then
        remapped to its LF line ends); returns its uuid, or None when the span covered only
        line-end characters (counted). Attribute values are kept for tag types the project has
        (checked by the import)."""
        text = self._texts[document]
        for start, end in fragments:
            if type(start) is not int or type(end) is not int:
                raise self.fail(
                    where, f"offsets must be integers, got {quoted(start)}, {quoted(end)}"
                )
            if not 0 <= start < end <= len(text):
                raise self.fail(
                    where, f"span [{start}, {end}] is empty or outside the text (0 to {len(text)})"
                )
        line_ends = self._line_ends[document]
        if line_ends.changed:
            fragments = [(line_ends.to_lf(s), line_ends.to_lf(e, end=True)) for s, e in fragments]
            fragments = [(s, e) for s, e in fragments if s < e]
            if not fragments:
                self.last_span = None
                self.dropped_line_end_spans += 1
                return None
            text = line_ends.text
        tag = self.tag_key(label, where)
        who = self.annotator(annotator, annotator_uuid)
        fragments = sorted(fragments)
        doc_id = self._by_uuid[document]["id"]
        uuid = uuid or stable_uuid("span", doc_id, who, tag, fragments)
        self.last_span = uuid
        if uuid in self._span_docs:  # the same span twice in the file: one span
            return uuid
        self._span_docs[uuid] = doc_id
        self._span_tags[uuid] = tag
        self._doc(document)["spans"].append(
            {
                "id": uuid,
                "tag": tag,
                "fragments": [list(f) for f in fragments],
                "text": " … ".join(text[s:e] for s, e in fragments),
                "annotator": who,
                "attributes": self._known_attributes(self.schema.tag(tag) or tag, attributes),
                "note": note,
                "entity": self._entity_ref(entity),
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
        doc_id = self._by_uuid[document]["id"]
        ends = (self._span_docs.get(source), self._span_docs.get(target))
        if ends != (doc_id, doc_id) or source == target:
            raise self.fail(where, "a link needs two different spans of its document")
        kind = self.link_type_key(label, where)
        existing = self.schema.link_type(kind)
        ends = (self._span_tags[source], self._span_tags[target])
        if existing is not None and not _admits(existing, *ends):
            # the project's type of that name links other tag types: a type of the file's own
            kind = self.link_type_key(f"{label} (imported)", where)
        who = self.annotator(annotator)
        uuid = uuid or stable_uuid("link", doc_id, who, kind, source, target)
        if uuid in self._link_ids:  # the same link twice in the file: one link
            return uuid
        self._link_ids.add(uuid)
        stamp = {"created": self.when, "modified": self.when}
        link = {"id": uuid, "type": kind, "source": source, "target": target, "annotator": who}
        values = self._known_attributes(self.schema.link_type(kind) or kind, attributes)
        self._doc(document)["links"].append(link | {"attributes": values, "note": note} | stamp)
        return uuid

    def entity(self, uuid: str, data: Any) -> str | None:
        """Add an entity the file carries (uuid, and name, kind, aliases, external_ids, note
        in `data`); one the project has already is only referred to. None when unusable."""
        if not is_uuid(uuid):
            return None
        if uuid in self.known_entities or uuid in self.entities:
            return uuid
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return None
        if not data["name"].strip():
            return None
        aliases = [a for a in data.get("aliases", []) if isinstance(a, str)]
        ids = data.get("external_ids") if isinstance(data.get("external_ids"), dict) else {}
        row = {"id": uuid, "name": data["name"], "kind": str(data.get("kind") or "")}
        row |= {"aliases": aliases, "external_ids": {str(k): str(v) for k, v in ids.items()}}
        row |= {"note": str(data.get("note") or ""), "created": self.when}
        self.entities[uuid] = row | {"modified": self.when}
        return uuid

    def _entity_ref(self, entity: str | None) -> str | None:
        if entity is None:
            return None
        if entity in self.known_entities or entity in self.entities:
            return entity
        self.dropped_entity_refs += 1
        return None

    def _known_attributes(self, item: Any, values: dict[str, Any] | None) -> dict[str, Any]:
        """The values whose attribute the project's type defines; a type new with this import
        gets an attribute for each value (text, number, boolean or multi-choice, by the first
        value seen). The rest (a value of another kind than its attribute's, a name that cannot
        be a key) are counted in `dropped_attributes`."""
        values = values or {}
        new = None
        if isinstance(item, str):  # the key of a type new with this import
            new = self.new_tags.get(item) or self.new_link_types.get(item)
            item = None
        kept = {}
        for key, value in values.items():
            defined = item is not None and item.attribute(key) is not None
            if defined or (new is not None and self._new_attribute(new, key, value)):
                kept[key] = value
        self.dropped_attributes += len(values) - len(kept)
        return kept

    def _new_attribute(self, owner: dict[str, Any], key: Any, value: Any) -> bool:
        """Define (or extend) attribute `key` of a new type so it holds `value`."""
        kind = _value_type(value)
        if kind is None or not isinstance(key, str) or not ATTRIBUTE_KEY.match(key):
            return False
        found = next((a for a in owner["attributes"] if a["key"] == key), None)
        if found is None:
            found = {"id": stable_uuid("attribute", owner["id"], key), "key": key}
            found |= {"label": key, "type": kind, "choices": [], "required": False}
            found |= {"default": None, "guideline": "", "created": self.when}
            found |= {"modified": self.when, "author": None}
            owner["attributes"].append(found)
        if found["type"] != kind:
            return False
        if kind == "multi_choice":
            found["choices"] += [v for v in dict.fromkeys(value) if v not in found["choices"]]
        return True

    def _doc(self, uuid: str) -> dict[str, Any]:
        return self._by_uuid[uuid]

    def exchange(self) -> dict[str, Any]:
        """The collected rows as a JSON v1 exchange (rows the project already holds keep their
        version there when applied: see Exchange.keep_existing)."""
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
            "entities": list(self.entities.values()),
            "tombstones": [],
        }

    def losses(self) -> list[Loss]:
        """What the reader left out, counted."""
        return [
            Loss(
                "entity reference(s) left out: the entity is neither in the file nor in this "
                "project",
                self.dropped_entity_refs,
            ),
            Loss(
                "span(s) left out: they covered only a line end (CR LF), which Annotator "
                "stores as one LF",
                self.dropped_line_end_spans,
            ),
            Loss(
                "attribute values left out: their tag or link type here has no such attribute",
                self.dropped_attributes,
            ),
        ]

    def run(self, progress: Progress | None = None, losses: list[Loss] = ()) -> Exchange:
        """The file as an exchange (applied by the services' ImportExchange: validated again,
        written in one transaction, nothing written on any error)."""
        if progress is not None:
            progress(0, 3)
        return Exchange(
            self.name,
            self.exchange(),
            loss=LossReport.of([*losses, *self.lost, *self.losses()]),
            notices=tuple(self.notices),
            stamp=self.when,
            keep_existing="all",
            foreign=True,
        )
