"""JSON v1 validation: every problem reported with its JSON path, before anything is written."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotator.domain.attributes import check_attributes
from annotator.domain.content_rules import text_problem, text_sha256
from annotator.domain.field_rules import MAX_FIELD_CHARS, TOMBSTONE_KINDS, field_problem
from annotator.domain.ids import is_uuid
from annotator.domain.model import (
    STATUSES,
    Annotator,
    Document,
    DocumentInfo,
    DocumentStatus,
    Entity,
    Link,
    Schema,
    Span,
    Tombstone,
)
from annotator.domain.offsets import context_of, normalize_fragments, quote_of
from annotator.domain.provenance import HistoryEntry
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.io.formats.json.history import check_history
from annotator.io.schema_file import is_exchange_time, schema_from_dict

FORMAT, VERSION = "annotator", 1
MAX_ERRORS = 50
META_KEYS = (
    "author",
    "outlet",
    "url",
    "published",
    "language",
    "source_filename",
    "source_encoding",
    "imported",
)


class ExchangeError(ValidationError):
    """A JSON file failed validation; `errors` lists "path: reason" lines."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}")


@dataclass
class Exchange:
    """A validated JSON v1 file as domain values."""

    project: dict[str, str]
    schema: Schema
    annotators: list[Annotator] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    statuses: list[DocumentStatus] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    tombstones: list[Tombstone] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.times: set[str] = set()  # valid time stamps met (a few thousand at most)

    def fail(self, path: str, reason: str) -> None:
        self.errors.append(f"{path}: {reason}")
        if len(self.errors) >= MAX_ERRORS:
            raise ExchangeError(self.errors)

    def obj(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, "expected an object")
            return {}
        return value

    def items(self, parent: dict, key: str, path: str) -> list:
        value = parent.get(key, [])
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", "expected a list")
            return []
        return value

    def text(
        self, parent: dict, key: str, path: str, default: str | None = None, *, short=True
    ) -> str:
        """A string field; a short one (a name, a note, not a document's text) must also meet
        `field_rules.field_problem` (no control characters, a length limit)."""
        value = parent.get(key, default)
        if not isinstance(value, str):
            self.fail(f"{path}.{key}", "missing" if value is None else "expected a string")
            return ""
        if short and (problem := field_problem(value)) is not None:
            self.fail(f"{path}.{key}", problem)
            return ""
        return value

    def uuid(self, parent: dict, key: str, path: str, *, new: bool = False) -> str:
        value = parent.get(key)
        if not is_uuid(value):
            self.fail(f"{path}.{key}", "expected a lower-case UUID")
            return ""
        if new:
            if value in self.ids:
                self.fail(f"{path}.{key}", f"id {value} is used twice")
            self.ids.add(value)
        return value

    def time(self, parent: dict, key: str, path: str) -> str:
        value = parent.get(key)
        if isinstance(value, str) and value in self.times:  # rows share their time stamps
            return value
        if not is_exchange_time(value):
            self.fail(f"{path}.{key}", "expected a UTC timestamp like 2026-01-31T12:00:00.000Z")
            return ""
        if len(self.times) < 4096:
            self.times.add(value)
        return value


def _json_size_problem(value: Any) -> str | None:
    """A JSON column's value within the limit of a short field (a 300 MB attribute would
    otherwise reach SQLite as "string or blob too big"), and with no lone surrogate."""
    try:
        size = len(orjson.dumps(value))
    except (TypeError, orjson.JSONEncodeError):
        return "holds a value that cannot be stored as JSON"
    if size > MAX_FIELD_CHARS:
        return f"is {size:,} bytes of JSON, over the limit of {MAX_FIELD_CHARS:,}"
    return None


def effective_schema(
    project_schema: Schema, file_schema: Schema, deleted: Collection[str] = ()
) -> Schema:
    """The project's schema plus the file's items whose keys the project lacks.

    Items deleted in the project (their uuid in `deleted`, its tombstones) stay out, so a merge
    does not bring them back; so does a new link type that joins a tag type that stays out."""
    tags = list(project_schema.tag_types)
    for tag in file_schema.tag_types:
        mine = project_schema.tag(tag.key)
        if mine is None and tag.uuid not in deleted:
            attributes = tuple(a for a in tag.attributes if a.uuid not in deleted)
            tags.append(dataclasses.replace(tag, attributes=attributes))
        elif mine is not None:
            extra = tuple(
                a for a in tag.attributes if mine.attribute(a.key) is None and a.uuid not in deleted
            )
            tags[tags.index(mine)] = dataclasses.replace(mine, attributes=mine.attributes + extra)
    keys = {tag.key for tag in tags}
    link_types = list(project_schema.link_types)
    for link_type in file_schema.link_types:
        new = project_schema.link_type(link_type.key) is None and link_type.uuid not in deleted
        if new and set(link_type.sources + link_type.targets) <= keys:
            attributes = tuple(a for a in link_type.attributes if a.uuid not in deleted)
            link_types.append(dataclasses.replace(link_type, attributes=attributes))
    return Schema(tuple(tags), tuple(link_types))


def _new_schema_ids(c: _Checker, mine: Schema, theirs: Schema) -> None:
    """A schema item the import would add must not take the id of another item here (a key
    renamed by hand in a schema file keeps its id)."""
    taken = {t.uuid for t in (*mine.tag_types, *mine.link_types)}
    taken |= {a.uuid for t in (*mine.tag_types, *mine.link_types) for a in t.attributes}
    reason = "this id belongs to another tag type, link type or attribute in this project"
    for role, items, find in (
        ("tag_types", theirs.tag_types, mine.tag),
        ("link_types", theirs.link_types, mine.link_type),
    ):
        for i, item in enumerate(items):
            existing = find(item.key)
            if existing is None and item.uuid in taken:
                c.fail(f"$.schema.{role}[{i}].id", reason)
            if existing is not None and role == "link_types":
                continue  # attributes of a link type already here are not imported
            for j, attribute in enumerate(item.attributes):
                new = existing is None or existing.attribute(attribute.key) is None
                if new and attribute.uuid in taken:
                    c.fail(f"$.schema.{role}[{i}].attributes[{j}].id", reason)


def validate_exchange(data: Any, project_schema: Schema, known: dict[str, set[str]]) -> Exchange:
    """Check a parsed JSON v1 file against the rules and the target project.

    `known` holds uuids already in the project ("annotators", "entities"), which the file may
    reference without carrying them, and its tombstones ("tombstones": schema items deleted
    there are not valid here). Raises ExchangeError listing every problem by path.
    """
    c = _Checker()
    top = c.obj(data, "$")
    if top.get("format") != FORMAT:
        raise ExchangeError(
            [f"$.format: expected {quoted(FORMAT)}; this is not an Annotator JSON file"]
        )
    version = top.get("version")
    if type(version) is not int or version != VERSION:  # not True, 1.0 or "1"
        newer = type(version) is int and version > VERSION
        reason = "written by a newer Annotator" if newer else "unsupported version"
        raise ExchangeError([f"$.version: {quoted(version)} {reason} (this one reads {VERSION})"])
    try:
        file_schema = schema_from_dict(top.get("schema"), "$.schema")
    except ValidationError as error:
        raise ExchangeError(str(error).split("; ")) from None
    schema = effective_schema(project_schema, file_schema, known.get("tombstones", set()))
    _new_schema_ids(c, project_schema, file_schema)
    project = c.obj(top.get("project", {}), "$.project")
    out = Exchange({k: v for k, v in project.items() if isinstance(v, str)}, file_schema)

    annotators = set(known.get("annotators", set()))
    for i, raw in enumerate(c.items(top, "annotators", "$")):
        p = f"$.annotators[{i}]"
        a = c.obj(raw, p)
        uuid = c.uuid(a, "id", p, new=True)
        name = c.text(a, "name", p)
        if not name.strip():
            c.fail(f"{p}.name", "an annotator needs a name")
        out.annotators.append(
            Annotator(
                uuid,
                name,
                c.text(a, "identifier", p, ""),
                c.time(a, "created", p),
                c.time(a, "modified", p),
            )
        )
        annotators.add(uuid)

    author = author_check(c, annotators)

    entities = set(known.get("entities", set()))
    for i, raw in enumerate(c.items(top, "entities", "$")):
        entity = entity_row(c, raw, f"$.entities[{i}]", author)
        out.entities.append(entity)
        entities.add(entity.uuid)

    for i, raw in enumerate(c.items(top, "documents", "$")):
        _document(
            c, c.obj(raw, f"$.documents[{i}]"), f"$.documents[{i}]", schema, out, author, entities
        )

    for i, raw in enumerate(c.items(top, "tombstones", "$")):
        out.tombstones.append(tombstone_row(c, raw, f"$.tombstones[{i}]", author))
    out.history = check_history(c, top, annotators)
    if c.errors:
        raise ExchangeError(c.errors)
    return out


def entity_row(c: _Checker, raw: Any, p: str, author: Callable[..., str | None]) -> Entity:
    """One row of `entities` at JSON path `p`, its problems told to `c`."""
    e = c.obj(raw, p)
    aliases = e.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(x, str) for x in aliases):
        c.fail(f"{p}.aliases", "expected a list of strings")
        aliases = []
    ext = e.get("external_ids", {})
    if not isinstance(ext, dict) or not all(isinstance(v, str) for v in ext.values()):
        c.fail(f"{p}.external_ids", "expected an object of strings")
        ext = {}
    name = c.text(e, "name", p)
    if isinstance(e.get("name"), str) and not name.strip():
        c.fail(f"{p}.name", "an entity needs a name")
    return Entity(
        c.uuid(e, "id", p, new=True),
        name,
        c.text(e, "kind", p, ""),
        tuple(aliases),
        dict(ext),
        c.text(e, "note", p, ""),
        c.time(e, "created", p),
        c.time(e, "modified", p),
        author(e, "author", p),
    )


def tombstone_row(c: _Checker, raw: Any, p: str, author: Callable[..., str | None]) -> Tombstone:
    """One row of `tombstones` at JSON path `p`, its problems told to `c`."""
    t = c.obj(raw, p)
    kind = c.text(t, "kind", p)
    if kind not in TOMBSTONE_KINDS:
        c.fail(f"{p}.kind", f"expected one of {list(TOMBSTONE_KINDS)}")
    return Tombstone(c.uuid(t, "id", p), kind, c.time(t, "deleted", p), author(t, "author", p))


def author_check(c: _Checker, annotators: Collection[str]) -> Callable[..., str | None]:
    """`author(obj, key, path, required=False)`: the annotator uuid at obj[key], checked to be
    one of `annotators` (the file's and the project's)."""

    def author(obj: dict, key: str, path: str, required: bool = False) -> str | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or value not in annotators:
            c.fail(f"{path}.{key}", "no such annotator in the file or the project")
        return value

    return author


def _document(
    c: _Checker, d: dict, p: str, schema: Schema, out: Exchange, author, entities
) -> None:
    text = c.text(d, "text", p, short=False)
    if (problem := text_problem(text)) is not None:
        c.fail(f"{p}.text", problem)
    sha = c.text(d, "sha256", p)
    if problem is None:  # a refused text is not copied to be hashed (it may be 200 MB)
        digest = text_sha256(text)
        if isinstance(d.get("sha256"), str) and sha != digest:  # an empty one too
            c.fail(f"{p}.sha256", "does not match the SHA-256 of the text")
    meta = c.obj(d.get("metadata", {}), f"{p}.metadata")
    values = {k: meta.get(k, "") for k in META_KEYS}
    for key, value in values.items():
        if (problem := field_problem(value)) is not None:
            c.fail(f"{p}.metadata.{key}", problem)
    extra = meta.get("extra", {})
    if not isinstance(extra, dict):
        c.fail(f"{p}.metadata.extra", "expected an object")
        extra = {}
    elif (problem := _json_size_problem(extra)) is not None:
        c.fail(f"{p}.metadata.extra", problem)
        extra = {}
    uuid = c.uuid(d, "id", p, new=True)
    info = DocumentInfo(
        uuid=uuid,
        title=c.text(d, "title", p),
        sha256=sha,
        length=len(text),
        author=str(values["author"]),
        outlet=str(values["outlet"]),
        url=str(values["url"]),
        published=str(values["published"]),
        language=str(values["language"]),
        source_filename=str(values["source_filename"]),
        source_encoding=str(values["source_encoding"]),
        extra=extra,
        imported=values["imported"]
        if is_exchange_time(values["imported"])
        else c.time(d, "created", p),
        created=c.time(d, "created", p),
        modified=c.time(d, "modified", p),
        author_uuid=author(d, "author", p),
    )
    out.documents.append(Document(info, text))
    tags: dict[str, str] = {}
    for i, raw in enumerate(c.items(d, "spans", p)):
        sp = f"{p}.spans[{i}]"
        s = c.obj(raw, sp)
        tag = schema.tag(c.text(s, "tag", sp))
        if tag is None:
            gone = " (it was deleted in this project)" if out.schema.tag(s.get("tag")) else ""
            c.fail(f"{sp}.tag", f"no tag type {quoted(s.get('tag'))} in the schema{gone}")
            continue
        try:
            fragments = normalize_fragments(s.get("fragments") or [], len(text))
        except (ValidationError, TypeError) as error:
            c.fail(f"{sp}.fragments", str(error))
            continue
        if s.get("text") != quote_of(text, fragments):
            c.fail(f"{sp}.text", "differs from the document text at these offsets")
        try:
            attributes = check_attributes(
                tag.attributes, c.obj(s.get("attributes", {}), f"{sp}.attributes")
            )
            if (problem := _json_size_problem(attributes)) is not None:
                raise ValidationError(problem)
        except ValidationError as error:
            c.fail(f"{sp}.attributes", str(error))
            attributes = {}
        entity = s.get("entity")
        if entity is not None and (not isinstance(entity, str) or entity not in entities):
            c.fail(f"{sp}.entity", "no such entity in the file or the project")
        prefix, suffix = context_of(text, fragments)
        span = Span(
            c.uuid(s, "id", sp, new=True),
            uuid,
            author(s, "annotator", sp, True) or "",
            tag.key,
            fragments,
            quote_of(text, fragments),
            prefix,
            suffix,
            attributes,
            c.text(s, "note", sp, ""),
            entity,
            c.time(s, "created", sp),
            c.time(s, "modified", sp),
        )
        out.spans.append(span)
        tags[span.uuid] = tag.key
    for i, raw in enumerate(c.items(d, "links", p)):
        lp = f"{p}.links[{i}]"
        x = c.obj(raw, lp)
        link_type = schema.link_type(c.text(x, "type", lp))
        source, target = x.get("source"), x.get("target")
        if link_type is None:
            gone = (
                " (it was deleted in this project)" if out.schema.link_type(x.get("type")) else ""
            )
            c.fail(f"{lp}.type", f"no link type {quoted(x.get('type'))} in the schema{gone}")
            continue
        ends = (source, target)
        if not all(isinstance(e, str) and e in tags for e in ends) or source == target:
            c.fail(lp, "source and target must be two different spans of this document")
            continue
        if not link_type.allows(tags[source], tags[target]):
            c.fail(
                lp,
                f"{quoted(link_type.key)} does not link {quoted(tags[source])} "
                f"to {quoted(tags[target])}",
            )
        try:
            attributes = check_attributes(
                link_type.attributes, c.obj(x.get("attributes", {}), f"{lp}.attributes")
            )
            if (problem := _json_size_problem(attributes)) is not None:
                raise ValidationError(problem)
        except ValidationError as error:
            c.fail(f"{lp}.attributes", str(error))
            attributes = {}
        out.links.append(
            Link(
                c.uuid(x, "id", lp, new=True),
                uuid,
                link_type.key,
                source,
                target,
                author(x, "annotator", lp, True) or "",
                attributes,
                c.text(x, "note", lp, ""),
                c.time(x, "created", lp),
                c.time(x, "modified", lp),
            )
        )
    for i, raw in enumerate(c.items(d, "status", p)):
        stp = f"{p}.status[{i}]"
        st = c.obj(raw, stp)
        if st.get("status") not in STATUSES:
            c.fail(f"{stp}.status", f"expected one of {list(STATUSES)}")
        out.statuses.append(
            DocumentStatus(
                c.uuid(st, "id", stp, new=True),
                uuid,
                author(st, "annotator", stp, True) or "",
                str(st.get("status")),
                c.time(st, "modified", stp),
            )
        )
