"""A large JSON v1 file checked one document at a time before it is parsed whole, so that a file
which would be refused is refused at the memory of one document, not of the whole file.

Parsing a 500 MB export whole takes about 3.6 GB, all of it spent before validation can refuse
its last span, or a syntax error at its end. A file over STREAM_CHECK_BYTES is first read with
ijson (its C backend): the head (format, version, project, schema, annotators) is validated by
`validate_exchange` itself as a file without documents, then each document by the same
per-document rules (`validate._document`) against the same schema. Ids are remembered as
64-bit hashes (an id used in two documents is refused too; a hash met twice is confirmed, or
not, by a second pass over the ids). The strings of the file are read
by long_strings: one over 1 MiB is decoded there, a piece at a time, and lone surrogate escapes
are refused with the words of the parser that reads the whole file. Entity references not in
the project are noted and confirmed against the file's entities (written after the documents),
read in a pass of their own, as are the tombstones and history when they are not empty (ids
used twice, history ids too, are confirmed the same way). The whole validation still follows,
with the project as the transaction sees it; the first pass refuses what it would refuse.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from annotator.domain.ids import is_uuid
from annotator.domain.model import Schema
from annotator.io.exchange import ImportContext
from annotator.io.formats.json.history import history_row
from annotator.io.formats.json.long_strings import LongStrings, NotValidJson, Undecided
from annotator.io.formats.json.validate import (
    MAX_ERRORS,
    Exchange,
    ExchangeError,
    _Checker,
    _document,
    author_check,
    effective_schema,
    entity_row,
    tombstone_row,
    validate_exchange,
)
from annotator.io.json_bounds import parse_error_line

#: Files up to this size are parsed whole at once: a refusal then costs at most a few hundred
#: MB (about 7 bytes of memory a byte of JSON for a file of many small rows).
STREAM_CHECK_BYTES = 32 * 1024 * 1024
HEAD_KEYS = ("format", "version", "project", "schema", "annotators")


class _WantedEntities:
    """The entity references of spans: those the project has pass; the others are failed and
    noted (the entities come after the documents), to be confirmed once the file's are read."""

    def __init__(self, known: set[str], c: _Checker) -> None:
        self.known, self.c = known, c
        self.asked: list[tuple[int, str]] = []  # (where its line is in c.errors, entity id)

    def __contains__(self, value: object) -> bool:
        if value in self.known:
            return True
        self.asked.append((len(self.c.errors), str(value)))
        return False

    def take(self) -> list[tuple[str, str]]:
        """(entity id, error line) of the references failed since the last take, their lines
        taken out of c.errors."""
        taken = [(value, self.c.errors[at]) for at, value in self.asked]
        for at, _ in reversed(self.asked):
            del self.c.errors[at]
        self.asked.clear()
        return taken


class _HashedIds:
    """The ids seen so far as 64-bit hashes (about 60 bytes an id, not 130 as strings). Never
    says an id was seen: a hash met twice is only noted, to be confirmed exactly afterwards."""

    def __init__(self) -> None:
        self.hashes: set[int] = set()
        self.twice: set[int] = set()

    def __contains__(self, value: object) -> bool:
        key = hash(value)
        if key in self.hashes:
            self.twice.add(key)
        return False

    def add(self, value: object) -> None:
        self.hashes.add(hash(value))


def check_streaming(path: Path, context: ImportContext | None) -> None:
    """Refuse (ExchangeError, one line per problem with its JSON path, as `validate_exchange`
    words them) a JSON v1 file that the whole validation would refuse, reading it one document
    (then one row) at a time. OSError passes through for the caller's "cannot be read" line."""
    import ijson

    schema = context.schema if context is not None else Schema()
    annotators = {a.uuid for a in context.annotators} if context is not None else set()
    known = {
        "annotators": annotators,
        "entities": set(context.entities) if context is not None else set(),
        "tombstones": set(context.tombstones) if context is not None else set(),
    }
    try:
        with _opened(path) as handle:
            head = _head(LongStrings(handle))
        checked = validate_exchange({**head, "documents": []}, schema, known)
        annotators |= {a.uuid for a in checked.annotators}
        c = _Checker()
        ids = _HashedIds()
        c.ids = ids  # type: ignore[assignment]  # membership and add, as the set it stands for
        for annotator in checked.annotators:
            ids.add(annotator.uuid)
        entities = _WantedEntities(known["entities"], c)
        with _opened(path) as handle:
            strings = LongStrings(handle)
            refused, wanted = _check_documents(strings, c, checked, schema, known, entities)
        file_entities: set[str] = set()
        if refused or wanted or "entities" in strings.tails:
            errors = _check_rows(path, "entities", c, annotators, file_entities)
            errors += [line for value, line in wanted if value not in file_entities]
            if errors or refused:
                raise ExchangeError([*errors, *refused][:MAX_ERRORS])
        history_ids = _HashedIds()
        for key in ("tombstones", "history"):
            if key in strings.tails and (
                errors := _check_rows(path, key, c, annotators, history_ids)
            ):
                raise ExchangeError(errors)
        if ids.twice:
            _confirm_twice(path, ids, checked, file_entities)
        if history_ids.twice:
            _confirm_history(path, history_ids)
    except ijson.JSONError as error:
        raise ExchangeError([f"$: not valid JSON ({parse_error_line(error)})"]) from None
    except NotValidJson as error:
        raise ExchangeError([f"$: not valid JSON ({error})"]) from None
    except Undecided:  # a row with more long strings than kept: the whole validation judges
        return


def _opened(path: Path) -> IO[bytes]:
    """The file from after its UTF-8 byte order mark, if any."""
    handle = Path(path).open("rb")  # noqa: SIM115  # returned open, closed by the caller
    if handle.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
        handle.seek(0)
    return handle


def _head(strings: LongStrings) -> dict[str, Any]:
    """The head's top-level values, built from parse events; other values are passed over
    unbuilt. Stops at "documents" once every head key is in (an export writes them first;
    another order costs a pass over the events, never the memory of what is passed over: the
    long strings of a value not built are dropped)."""
    import ijson

    head: dict[str, Any] = {}
    key, builder = "", None
    for prefix, event, value in ijson.parse(strings, use_float=True):
        if builder is None and strings.values:
            strings.values.clear()
        if prefix == "":  # the top-level object's own events
            if event == "map_key":
                if value == "documents" and all(k in head for k in HEAD_KEYS):
                    return head
                key = value
                wanted = value in HEAD_KEYS and value not in head
                builder = ijson.ObjectBuilder() if wanted else None
            continue
        if builder is not None:
            builder.event(event, value)
            # back at the value's own prefix with anything but an opening: it is complete
            if prefix == key and event not in ("start_map", "start_array", "map_key"):
                head[key], builder = strings.restore(builder.value), None
    return head


def _check_documents(
    strings: LongStrings,
    c: _Checker,
    checked: Exchange,
    schema: Schema,
    known: dict[str, set[str]],
    entities: _WantedEntities,
) -> tuple[list[str], list[tuple[str, str]]]:
    """Each document by validate._document's rules, until the first with problems: (its
    problems, the entity references not in the project met before and in it)."""
    import ijson

    effective = effective_schema(schema, checked.schema, known["tombstones"])
    author = author_check(c, checked_annotators(checked, known))
    out = Exchange(checked.project, checked.schema)
    wanted: list[tuple[str, str]] = []
    for i, raw in enumerate(ijson.items(strings, "documents.item", use_float=True)):
        path = f"$.documents[{i}]"
        raw = strings.restore(raw)
        _document(c, c.obj(raw, path), path, effective, out, author, entities)
        wanted += entities.take()
        if c.errors:
            return c.errors, wanted
        del raw
        out.documents.clear()
        out.spans.clear()
        out.links.clear()
        out.statuses.clear()
    return [], wanted


def checked_annotators(checked: Exchange, known: dict[str, set[str]]) -> set[str]:
    """The annotators rows may name: the project's and the file's."""
    return known["annotators"] | {a.uuid for a in checked.annotators}


def _check_rows(path: Path, key: str, c: _Checker, annotators: set[str], seen: Any) -> list[str]:
    """The problems of the rows of `key` after the documents (entities, tombstones, history),
    read one at a time; an entity's id is added to `seen` (history ids to theirs)."""
    import ijson

    c, shared = _Checker(), c
    c.ids, c.times = shared.ids, shared.times  # ids across the file; time stamps met
    author = author_check(c, annotators)
    with _opened(path) as handle:
        strings = LongStrings(handle, keep=False)  # the texts passed over are not decoded
        for i, raw in enumerate(ijson.items(strings, f"{key}.item", use_float=True)):
            raw, where = strings.restore(raw), f"$.{key}[{i}]"
            if key == "entities":
                seen.add(entity_row(c, raw, where, author).uuid)
            elif key == "tombstones":
                tombstone_row(c, raw, where, author)
            else:
                history_row(c, raw, where, annotators, seen)
            if c.errors:
                return c.errors
    return []


def _confirm_twice(path: Path, ids: _HashedIds, checked: Exchange, file_entities: set[str]) -> None:
    """Read the ids again, keeping those whose hash was met twice, and refuse each id that is
    really used twice (the same hash for two ids passes), in the whole validation's order:
    annotators, entities, then the documents."""
    import ijson

    seen = {a.uuid for a in checked.annotators if hash(a.uuid) in ids.twice}
    errors: list[str] = []

    def met(value: Any, where: str) -> None:
        if hash(value) not in ids.twice:
            return
        if value in seen:
            errors.append(f"{where}: id {value} is used twice")
            if len(errors) >= MAX_ERRORS:
                raise ExchangeError(errors)
        seen.add(value)

    if any(hash(e) in ids.twice for e in file_entities):
        with _opened(path) as handle:
            rows = ijson.items(LongStrings(handle, keep=False), "entities.item", use_float=True)
            for i, raw in enumerate(rows):
                met(raw.get("id") if isinstance(raw, dict) else None, f"$.entities[{i}].id")
    with _opened(path) as handle:
        rows = ijson.items(LongStrings(handle, keep=False), "documents.item", use_float=True)
        for i, raw in enumerate(rows):
            for where, value in _document_ids(raw, f"$.documents[{i}]"):
                met(value, where)
    if errors:
        raise ExchangeError(errors)


def _confirm_history(path: Path, ids: _HashedIds) -> None:
    """The history ids whose hash was met twice, read again: each really used twice is
    refused as check_history words it."""
    import ijson

    seen: set[str] = set()
    with _opened(path) as handle:
        rows = ijson.items(LongStrings(handle, keep=False), "history.item", use_float=True)
        for i, raw in enumerate(rows):
            value = raw.get("id") if isinstance(raw, dict) else None
            if hash(value) in ids.twice and is_uuid(value):
                if value in seen:
                    raise ExchangeError([f"$.history[{i}].id: history id {value} is used twice"])
                seen.add(value)


def _document_ids(document: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(JSON path, id) of a document and its spans, links and statuses, in the order the
    validation meets them (spans, links and statuses after the document's own id)."""
    if not isinstance(document, dict):
        return
    yield f"{path}.id", document.get("id")
    for key in ("spans", "links", "status"):
        rows = document.get(key)
        if isinstance(rows, list):
            for j, row in enumerate(rows):
                if isinstance(row, dict):
                    yield f"{path}.{key}[{j}].id", row.get("id")
