"""The one builder every foreign import uses: a file's rows collected as one JSON v1 exchange.

Readers add rows at two levels. Row level (`add_document`, `add_span`, `add_link`,
`add_annotator`, and builder_schema's `tag`, `link_type`, `attribute`): the reader has resolved
ids and keys itself (brat, W3C check everything first and report every problem at once).
Checked level (`document`, `span`, `link`, `annotator`, `tag_key`, `link_type_key`, `entity`):
the builder checks the file's locations as they come (failing with the file's name and place),
matches labels and annotators to the project's, normalises CRLF/CR to LF and remaps the offsets
(spaCy, XMI, REFI-QDA, doccano, Label Studio). Either way the result is one `Exchange`, applied
by the services' ImportExchange: validated again, matched (documents by text hash, rows by uuid)
and written in one transaction, so importing the same file twice changes nothing the second
time (uuids derived with `stable_uuid` in the reader family's namespace, `ids`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.domain.content_rules import text_problem, text_sha256
from annotator.domain.ids import is_uuid, now
from annotator.domain.offsets import quote_of
from annotator.domain.wording import quoted
from annotator.io.exchange import (
    FOREIGN_IDS,
    Exchange,
    ImportContext,
    KeepExisting,
    Loss,
    LossReport,
    stable_uuid,
)
from annotator.io.formats import Progress
from annotator.io.formats.builder_schema import SchemaEntries
from annotator.io.formats.foreign_common import ForeignFormatError
from annotator.io.formats.foreign_schema import admits
from annotator.io.formats.json.writer import FORMAT, VERSION
from annotator.io.schema_file import is_exchange_time
from annotator.io.text_positions import LineEnds


class ExchangeBuilder(SchemaEntries):
    """Collects annotators, schema additions, documents, spans, links and entities of one file
    as JSON v1 rows. `ids` is the reader family's uuid namespace (BUILT_IDS for brat and W3C,
    as they have always used); `keep_existing` how rows the project holds are treated."""

    def __init__(
        self,
        context: ImportContext,
        source: Path | str,
        *,
        ids: tuple = FOREIGN_IDS,
        keep_existing: KeepExisting = "all",
    ) -> None:
        super().__init__()
        self.context, self.name = context, Path(source).name
        self.schema = context.schema
        self.ids, self.keep_existing = ids, keep_existing
        self.when = now()
        self.annotators: dict[str, dict[str, Any]] = {}  # uuid → row
        self.documents: list[dict[str, Any]] = []
        self.entities: dict[str, dict[str, Any]] = {}  # entity uuid → its row, new here
        self.notices: list[str] = []  # what a reader kept, for the import report
        self.lost: list[Loss] = []  # what a reader left out, counted (the LossReport)
        self.last_span: str | None = None  # the uuid the last span() call returned
        # checked level: what the file's own names and keys became
        self.known_annotators = {a.name: a for a in context.annotators}
        self.known_entities = set(context.entities)
        self.hashes = dict(context.document_hashes)
        self._annotator_names: dict[str, str] = {}  # a name new to the project → its uuid
        self._texts: dict[str, str] = {}  # document key → the text as the file gives it
        self._line_ends: dict[str, LineEnds] = {}  # document key → its LF text and offset map
        self._by_key: dict[str, dict[str, Any]] = {}  # document key → its exchange row
        self._by_sha: dict[str, str] = {}  # text hash → the key of its first occurrence
        self._span_docs: dict[str, str] = {}  # span uuid → document uuid
        self._span_tags: dict[str, str] = {}  # span uuid → tag type key
        self._link_ids: set[str] = set()
        self.repeated_texts = 0  # texts the file gives again (one document each)
        self.dropped_line_end_spans = 0  # spans that covered nothing but a line end
        self.dropped_entity_refs = 0  # spans naming an entity neither the file nor project has

    def fail(self, where: str, reason: str) -> ForeignFormatError:
        """The file's name, then where in it (nothing when the whole file is meant)."""
        return ForeignFormatError(
            [f"{self.name}: {where}: {reason}" if where else f"{self.name}: {reason}"]
        )

    def uuid(self, *parts: object) -> str:
        """A uuid derived from `parts` in this reader family's namespace (the same every time)."""
        return stable_uuid(*parts, ids=self.ids)

    # -- who ---------------------------------------------------------------------------------
    def add_annotator(self, uuid: str, name: str) -> str:
        """The annotator row `uuid` named `name` (added with the import when it is new)."""
        row = self.annotators.setdefault(
            uuid, {"id": uuid, "name": name, "identifier": "", "created": self.when}
        )
        row["modified"] = self.when
        return uuid

    def annotator(self, name: str | None = None, uuid: str | None = None) -> str:
        """The uuid of the annotator named `name` (the project's current one when None); a
        name new to the project is added with the import (with `uuid` when the file gives one
        the project does not use)."""
        current = self.context.annotator
        name = (name or "").strip() or current.name
        known = self.known_annotators.get(name)
        if known is not None:
            return known.uuid
        if name not in self._annotator_names:
            taken = {a.uuid for a in self.known_annotators.values()} | set(self.annotators)
            if name == current.name:
                uuid = current.uuid
            elif not is_uuid(uuid) or uuid in taken:
                uuid = self.uuid("annotator", name)
            self._annotator_names[name] = self.add_annotator(uuid, name)
        return self._annotator_names[name]

    # -- documents ---------------------------------------------------------------------------
    def add_document(
        self, uuid: str, title: str, text: str, metadata: dict[str, Any], sha: str | None = None
    ) -> dict[str, Any]:
        """A document row as given (the reader checked its text; `sha` its hash if known)."""
        entry = {
            "id": uuid,
            "title": title,
            "text": text,
            "sha256": sha or text_sha256(text),
            "metadata": metadata,
            "created": self.when,
            "modified": self.when,
            "spans": [],
            "links": [],
        }
        self.documents.append(entry)
        return entry

    def document(self, text: Any, title: str, where: str, uuid: str | None = None) -> str:
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
            self._by_key[key] = self._by_key[seen]
        else:
            key = self.hashes.get(sha) or (
                uuid if uuid and uuid not in self.hashes.values() else self.uuid("document", sha)
            )
            if key in self._by_key:
                raise self.fail(where, f"document id {key} is given to two different texts")
            title = title or f"document {len(self.documents) + 1}"
            metadata = {"source_filename": self.name}
            self._by_key[key] = self.add_document(key, title, text, metadata, sha)
            self._by_sha[sha] = key
        self._texts[key] = original
        self._line_ends[key] = line_ends
        return key

    def document_entry(self, key: str) -> dict[str, Any]:
        """The exchange row of a document key (to add metadata)."""
        return self._by_key[key]

    def forget_texts(self) -> None:
        """Drop the last document's text and rows and every text held for offsets, keeping
        what later items are checked against (labels, annotators, hashes): a first pass over
        a large file checks each item without holding what it read."""
        if self.documents:
            self.documents[-1].update(text="", spans=[], links=[])
        self._texts.clear()
        self._line_ends.clear()

    # -- spans and links ---------------------------------------------------------------------
    def add_span(
        self,
        document: dict[str, Any],
        uuid: str,
        annotator: str,
        tag: str,
        fragments: list[tuple[int, int]],
        attributes: dict[str, Any] | None = None,
        note: str = "",
        created: str | None = None,
        modified: str | None = None,
        entity: str | None = None,
    ) -> None:
        """A span row as given (code point fragments of the document's stored text)."""
        document["spans"].append(
            {
                "id": uuid,
                "tag": tag,
                "fragments": [list(f) for f in fragments],
                "text": quote_of(document["text"], fragments),
                "annotator": annotator,
                "attributes": attributes or {},
                "note": note,
                "entity": entity,
                "created": created or self.when,
                "modified": modified or created or self.when,
            }
        )

    def add_link(
        self,
        document: dict[str, Any],
        uuid: str,
        annotator: str,
        link_type: str,
        source: str,
        target: str,
        attributes: dict[str, Any] | None = None,
        note: str = "",
        created: str | None = None,
        modified: str | None = None,
    ) -> None:
        """A link row as given."""
        document["links"].append(
            {
                "id": uuid,
                "type": link_type,
                "source": source,
                "target": target,
                "annotator": annotator,
                "attributes": attributes or {},
                "note": note,
                "created": created or self.when,
                "modified": modified or created or self.when,
            }
        )

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
        tag = self.tag_key(label, where)
        who = self.annotator(annotator, annotator_uuid)
        fragments = sorted(fragments)
        row = self._by_key[document]
        uuid = uuid or self.uuid("span", row["id"], who, tag, fragments)
        self.last_span = uuid
        if uuid in self._span_docs:  # the same span twice in the file: one span
            return uuid
        self._span_docs[uuid] = row["id"]
        self._span_tags[uuid] = tag
        when = created if is_exchange_time(created) else None
        values = self.known_attributes(tag, attributes, tag=True)
        self.add_span(
            row, uuid, who, tag, fragments, values, note, when, when, self._entity(entity)
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
        """Add a link between two spans of the document (a type of the file's own when the
        project's type of that name links other tag types)."""
        row = self._by_key[document]
        ends = (self._span_docs.get(source), self._span_docs.get(target))
        if ends != (row["id"], row["id"]) or source == target:
            raise self.fail(where, "a link needs two different spans of its document")
        kind = self.link_type_key(label, where)
        existing = self.schema.link_type(kind)
        if existing is not None and not admits(
            existing, self._span_tags[source], self._span_tags[target]
        ):
            # the project's type of that name links other tag types: a type of the file's own
            kind = self.link_type_key(f"{label} (imported)", where)
        who = self.annotator(annotator)
        uuid = uuid or self.uuid("link", row["id"], who, kind, source, target)
        if uuid in self._link_ids:  # the same link twice in the file: one link
            return uuid
        self._link_ids.add(uuid)
        values = self.known_attributes(kind, attributes, tag=False)
        self.add_link(row, uuid, who, kind, source, target, values, note)
        return uuid

    # -- entities ----------------------------------------------------------------------------
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

    def _entity(self, entity: str | None) -> str | None:
        if entity is None or entity in self.known_entities or entity in self.entities:
            return entity
        self.dropped_entity_refs += 1
        return None

    # -- the result --------------------------------------------------------------------------
    def data(self) -> dict[str, Any]:
        """The JSON v1 exchange (the schema lists only what the project lacks or extends)."""
        stamp = {"created": self.when, "modified": self.when, "author": None}

        def item(entry: dict[str, Any]) -> dict[str, Any]:
            attributes = [
                {k: v for k, v in a.items() if k != "new"} | stamp for a in entry["attributes"]
            ]
            return entry | stamp | {"attributes": attributes}

        return {
            "format": FORMAT,
            "version": VERSION,
            "project": {},
            "schema": {
                "tag_types": [item(e) for e in self.tags.values()],
                "link_types": [item(e) for e in self.link_types.values()],
            },
            "annotators": list(self.annotators.values()),
            "documents": self.documents,
            "entities": list(self.entities.values()),
            "tombstones": [],
        }

    def losses(self) -> list[Loss]:
        """What the builder itself left out, counted."""
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

    def exchange(self, progress: Progress | None = None, losses: list[Loss] = ()) -> Exchange:
        """The file as an exchange (applied by the services' ImportExchange: validated again,
        written in one transaction, nothing written on any error)."""
        if progress is not None:
            progress(0, 3)
        return Exchange(
            self.name,
            self.data(),
            loss=LossReport.of([*losses, *self.lost, *self.losses()]),
            notices=tuple(self.notices),
            stamp=self.when,
            keep_existing=self.keep_existing,
            foreign=True,
        )
