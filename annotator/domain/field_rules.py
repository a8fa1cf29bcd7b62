"""The rules every travelling field must meet: types, enums, ids, times and JSON columns.

One definition of what `schema.sql`'s types and CHECKs allow, row by row, in plain Python, for
every entrance to use on data it did not write itself: JSON import, merge (every row of the
other file, history included), schema import, the open checklist and a future team sync. A rule
returns a one-line reason or None; `row_problems` names the column with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import orjson

from annotator.domain.content_rules import describe_character, text_problem
from annotator.domain.model import STATUSES, TAG_KINDS, VALUE_TYPES
from annotator.domain.provenance import ACTIONS, OBJECT_KINDS

TOMBSTONE_KINDS = (
    "span",
    "link",
    "entity",
    "document",
    "tag_type",
    "link_type",
    "attribute_def",
    "annotator",
)
ENDPOINT_ROLES = ("source", "target")
UNIT_KINDS = ("span", "attribute", "link")
VERDICTS = ("accept", "edit", "reject")
#: The longest value of a short field (a name, a key, a note): a generous bound that keeps a
#: hostile file from hiding a document-sized value in a label.
MAX_FIELD_CHARS = 1024 * 1024

#: What no stored string may hold: lone surrogates (not Unicode scalar values: they cannot be
#: written as UTF-8).
FIELD_FORBIDDEN = re.compile("[\ud800-\udfff]")

Rule = Callable[[Any], "str | None"]


#: `ids.is_uuid` and `ids.is_timestamp` as patterns: the same answers, without building a
#: UUID or parsing a date per row (a merge checks every row of a file: 30x faster).
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z", re.ASCII)


def uuid_problem(value: object) -> str | None:
    if isinstance(value, str) and _UUID.fullmatch(value):
        return None
    return f"expected a lower-case UUID, not {_shown(value)}"


@lru_cache(maxsize=4096)
def _is_date(year: str, month: str, day: str) -> bool:
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def time_problem(value: object) -> str | None:
    if isinstance(value, str) and (found := _TIME.fullmatch(value)) and _is_date(*found.groups()):
        return None
    return f"expected a UTC timestamp like 2026-01-31T12:00:00.000Z, not {_shown(value)}"


def field_problem(value: object) -> str | None:
    """A short text field (a name, a label, a note): a string of Unicode scalar values within
    MAX_FIELD_CHARS. Unlike a document's text, control characters (NUL too) are allowed: no
    offsets point into these fields, SQLite keeps them whole, and the app stores what users
    type."""
    if not isinstance(value, str):
        return f"expected a string, not {type(value).__name__}"
    if len(value) > MAX_FIELD_CHARS:
        return f"is {len(value):,} characters long, over the limit of {MAX_FIELD_CHARS:,}"
    found = FIELD_FORBIDDEN.search(value)
    if found is not None:
        return f"contains {describe_character(found.group())} at position {found.start()}"
    return None


def one_of(allowed: tuple[str, ...] | tuple[int, ...]) -> Rule:
    def rule(value: object) -> str | None:
        if value in allowed and type(value) is type(allowed[0]):
            return None
        return f"expected one of {list(allowed)}, not {_shown(value)}"

    return rule


def integer(minimum: int | None = None) -> Rule:
    def rule(value: object) -> str | None:
        if type(value) is not int:
            return f"expected an integer, not {_shown(value)}"
        if minimum is not None and value < minimum:
            return f"expected an integer of at least {minimum}, not {value}"
        return None

    return rule


def json_text(kind: type | None = dict, items: type | None = None) -> Rule:
    """JSON text of the given kind (dict, list, or None for any value), with items of a type.
    Answers are cached: most rows hold the same few values ("{}", "[]")."""

    @lru_cache(maxsize=4096)
    def cached(value: str) -> str | None:
        return rule(value)

    def checked(value: object) -> str | None:
        return cached(value) if isinstance(value, str) and len(value) < 256 else rule(value)

    def rule(value: object) -> str | None:
        if not isinstance(value, str):
            return f"expected JSON text, not {type(value).__name__}"
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return "is not valid JSON"
        if kind is not None and not isinstance(parsed, kind):
            return f"expected a JSON {'object' if kind is dict else 'array'}"
        values = parsed.values() if isinstance(parsed, dict) else parsed
        if items is not None and not all(isinstance(v, items) for v in values):
            return f"expected a JSON {'object' if kind is dict else 'array'} of strings"
        return None

    return checked


def optional(rule: Rule) -> Rule:
    return lambda value: None if value is None else rule(value)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


_ABSENT = object()
_ID = integer(1)
_OPTIONAL_ID = optional(_ID)
_FLAG = one_of((0, 1))
_TEXT = field_problem

#: Every column of every table that travels, with its rule (what schema.sql's types, NOT NULLs
#: and CHECKs say, plus the formats the application writes). `project_info` is free text.
TABLE_RULES: dict[str, dict[str, Rule]] = {
    "annotators": {
        "id": _ID,
        "uuid": uuid_problem,
        "name": _TEXT,
        "identifier": _TEXT,
        "created": time_problem,
        "modified": time_problem,
    },
    "tag_types": {
        "id": _ID,
        "uuid": uuid_problem,
        "key": _TEXT,
        "label": _TEXT,
        "kind": one_of(TAG_KINDS),
        "color": _TEXT,
        "hotkey": optional(_TEXT),
        "guideline": _TEXT,
        "position": integer(),
        "created": time_problem,
        "modified": time_problem,
        "author_id": _OPTIONAL_ID,
    },
    "link_types": {
        "id": _ID,
        "uuid": uuid_problem,
        "key": _TEXT,
        "label": _TEXT,
        "directed": _FLAG,
        "color": _TEXT,
        "guideline": _TEXT,
        "position": integer(),
        "created": time_problem,
        "modified": time_problem,
        "author_id": _OPTIONAL_ID,
    },
    "link_type_endpoints": {
        "link_type_id": _ID,
        "role": one_of(ENDPOINT_ROLES),
        "tag_type_id": _ID,
    },
    "attribute_defs": {
        "id": _ID,
        "uuid": uuid_problem,
        "tag_type_id": _OPTIONAL_ID,
        "link_type_id": _OPTIONAL_ID,
        "key": _TEXT,
        "label": _TEXT,
        "value_type": one_of(VALUE_TYPES),
        "choices": json_text(list, str),
        "required": _FLAG,
        "default_value": optional(json_text(None)),
        "guideline": _TEXT,
        "position": integer(),
        "created": time_problem,
        "modified": time_problem,
        "author_id": _OPTIONAL_ID,
    },
    "documents": {
        "id": _ID,
        "uuid": uuid_problem,
        "title": _TEXT,
        "text": text_problem,
        "sha256": _TEXT,
        "author": _TEXT,
        "outlet": _TEXT,
        "url": _TEXT,
        "published": _TEXT,
        "language": _TEXT,
        "source_filename": _TEXT,
        "source_encoding": _TEXT,
        "extra": json_text(dict),
        "imported": time_problem,
        "created": time_problem,
        "modified": time_problem,
        "author_id": _OPTIONAL_ID,
    },
    "entities": {
        "id": _ID,
        "uuid": uuid_problem,
        "name": _TEXT,
        "kind": _TEXT,
        "aliases": json_text(list, str),
        "external_ids": json_text(dict, str),
        "note": _TEXT,
        "created": time_problem,
        "modified": time_problem,
        "author_id": _OPTIONAL_ID,
    },
    "spans": {
        "id": _ID,
        "uuid": uuid_problem,
        "document_id": _ID,
        "annotator_id": _ID,
        "tag_type_id": _ID,
        "start": integer(0),
        "end": integer(1),
        "quote": text_problem,
        "prefix": text_problem,
        "suffix": text_problem,
        "attributes": json_text(dict),
        "note": _TEXT,
        "entity_id": _OPTIONAL_ID,
        "created": time_problem,
        "modified": time_problem,
    },
    "span_fragments": {
        "span_id": _ID,
        "ordinal": integer(0),
        "start": integer(0),
        "end": integer(1),
    },
    "links": {
        "id": _ID,
        "uuid": uuid_problem,
        "document_id": _ID,
        "link_type_id": _ID,
        "source_span_id": _ID,
        "target_span_id": _ID,
        "annotator_id": _ID,
        "attributes": json_text(dict),
        "note": _TEXT,
        "created": time_problem,
        "modified": time_problem,
    },
    "document_status": {
        "id": _ID,
        "uuid": uuid_problem,
        "document_id": _ID,
        "annotator_id": _ID,
        "status": one_of(STATUSES),
        "modified": time_problem,
    },
    "tombstones": {
        "uuid": uuid_problem,
        "kind": one_of(TOMBSTONE_KINDS),
        "deleted": time_problem,
        "author_id": _OPTIONAL_ID,
    },
    "history": {
        "id": _ID,
        "uuid": uuid_problem,
        "object_uuid": uuid_problem,
        "object_kind": one_of(OBJECT_KINDS),
        "action": one_of(ACTIONS),
        "summary": _TEXT,
        "detail": json_text(dict),
        "annotator_id": _OPTIONAL_ID,
        "at": time_problem,
    },
    "merge_reports": {
        "id": _ID,
        "uuid": uuid_problem,
        "merged": time_problem,
        "source_name": _TEXT,
        "source_uuid": _TEXT,
        "author_id": _OPTIONAL_ID,
        "report": json_text(dict),
    },
    "decisions": {
        "id": _ID,
        "uuid": uuid_problem,
        "document_id": _ID,
        "unit_kind": one_of(UNIT_KINDS),
        "unit_key": json_text(None),
        "verdict": one_of(VERDICTS),
        "gold_uuid": optional(uuid_problem),
        "source_uuid": optional(uuid_problem),
        "source_annotator_id": _OPTIONAL_ID,
        "decided_by": _OPTIONAL_ID,
        "decided": time_problem,
    },
}


_COLUMNS = {table: tuple(rules.items()) for table, rules in TABLE_RULES.items()}


def row_problems(table: str, row: Mapping[str, Any]) -> list[str]:
    """Every "column: reason" of one row, against its table's rules and the row-level CHECKs
    of schema.sql (a span's end after its start, a link between two spans, one owner)."""
    problems = []
    for column, rule in _COLUMNS[table]:
        value = row.get(column, _ABSENT)
        if value is _ABSENT or (rule is _ID and type(value) is int and value >= 1):
            continue  # the common case of a row id, without a call
        reason = rule(value)
        if reason is not None:
            problems.append(f"{column} {reason}")
    start, end = row.get("start"), row.get("end")
    if type(start) is int and type(end) is int and end <= start:
        problems.append(f"end {end} is not after start {start}")
    if table == "links" and row.get("source_span_id") == row.get("target_span_id"):
        problems.append("links a span to itself")
    if table == "attribute_defs" and (row.get("tag_type_id") is None) == (
        row.get("link_type_id") is None
    ):
        problems.append("must belong to exactly one tag type or link type")
    return problems
