"""A large JSON v1 file checked one document at a time before it is parsed whole, so that a file
which would be refused is refused at the memory of one document, not of the whole file.

Parsing a 500 MB export whole takes about 3.6 GB, all of it spent before validation can refuse
its last span, or a syntax error at its end. A file over STREAM_CHECK_BYTES is first read with
ijson (its C backend): the head (format, version, project, schema, annotators) is validated by
`validate_exchange` itself as a file without documents, then each document by the same
per-document rules (`validate._document`) against the same schema. Ids are remembered as
64-bit hashes (an id used in two documents is refused too; a hash met twice is confirmed, or
not, by a second pass over the ids). The whole validation still follows, with the project as
the transaction sees it; what only it checks are the rows an export writes after the documents
(entities, tombstones, history) and the entity references of spans.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from annotator.domain.model import Schema
from annotator.io.exchange import ImportContext
from annotator.io.formats.json.validate import (
    MAX_ERRORS,
    Exchange,
    ExchangeError,
    _Checker,
    _document,
    author_check,
    effective_schema,
    validate_exchange,
)
from annotator.io.json_bounds import parse_error_line

#: Files up to this size are parsed whole at once: a refusal then costs at most a few hundred
#: MB (about 7 bytes of memory a byte of JSON for a file of many small rows).
STREAM_CHECK_BYTES = 32 * 1024 * 1024
HEAD_KEYS = ("format", "version", "project", "schema", "annotators")


class _AnyEntity:
    """Every entity reference passes here: the entities come after the documents."""

    def __contains__(self, value: object) -> bool:
        return True


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
    words them) a JSON v1 file whose head or one of whose documents is invalid, reading it one
    document at a time. OSError passes through for the caller's "cannot be read" line."""
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
            head = _head(ijson.parse(handle, use_float=True))
        checked = validate_exchange({**head, "documents": []}, schema, known)
        annotators |= {a.uuid for a in checked.annotators}
        ids = _HashedIds()
        for annotator in checked.annotators:
            ids.add(annotator.uuid)
        with _opened(path) as handle:
            _check_documents(handle, checked, schema, known, annotators, ids)
        if ids.twice:
            with _opened(path) as handle:
                _confirm_twice(handle, ids, checked)
    except ijson.JSONError as error:
        raise ExchangeError([f"$: not valid JSON ({parse_error_line(error)})"]) from None


def _opened(path: Path) -> IO[bytes]:
    """The file from after its UTF-8 byte order mark, if any."""
    handle = Path(path).open("rb")  # noqa: SIM115  # returned open, closed by the caller
    if handle.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
        handle.seek(0)
    return handle


def _head(events: Iterator[tuple[str, str, Any]]) -> dict[str, Any]:
    """The head's top-level values, built from parse events; other values are passed over
    unbuilt. Stops at "documents" once every head key is in (an export writes them first;
    another order costs a pass over the events, never the memory of what is passed over)."""
    import ijson

    head: dict[str, Any] = {}
    key, builder = "", None
    for prefix, event, value in events:
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
                head[key], builder = builder.value, None
    return head


def _check_documents(
    handle: IO[bytes],
    checked: Exchange,
    schema: Schema,
    known: dict[str, set[str]],
    annotators: set[str],
    ids: _HashedIds,
) -> None:
    """Each document by validate._document's rules; the first with problems is refused."""
    import ijson

    c = _Checker()
    c.ids = ids  # type: ignore[assignment]  # membership and add, as the set it stands for
    effective = effective_schema(schema, checked.schema, known["tombstones"])
    author = author_check(c, annotators)
    out = Exchange(checked.project, checked.schema)
    for i, raw in enumerate(ijson.items(handle, "documents.item", use_float=True)):
        path = f"$.documents[{i}]"
        _document(c, c.obj(raw, path), path, effective, out, author, _AnyEntity())
        if c.errors:
            raise ExchangeError(c.errors)
        del raw
        out.documents.clear()
        out.spans.clear()
        out.links.clear()
        out.statuses.clear()


def _confirm_twice(handle: IO[bytes], ids: _HashedIds, checked: Exchange) -> None:
    """Read the ids again, keeping those whose hash was met twice, and refuse each id that is
    really used twice (the same hash for two ids passes)."""
    import ijson

    seen = {a.uuid for a in checked.annotators if hash(a.uuid) in ids.twice}
    errors: list[str] = []
    for i, raw in enumerate(ijson.items(handle, "documents.item", use_float=True)):
        for path, value in _document_ids(raw, f"$.documents[{i}]"):
            if hash(value) not in ids.twice:
                continue
            if value in seen:
                errors.append(f"{path}: id {value} is used twice")
                if len(errors) >= MAX_ERRORS:
                    raise ExchangeError(errors)
            seen.add(value)
    if errors:
        raise ExchangeError(errors)


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
