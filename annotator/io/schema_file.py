"""The schema file format (`annotator-schema` v1), also the `schema` section of JSON v1."""

from __future__ import annotations

import re
from typing import Any

from annotator.domain.attributes import check_value
from annotator.domain.field_rules import field_problem
from annotator.domain.ids import is_timestamp, is_uuid
from annotator.domain.model import TAG_KINDS, VALUE_TYPES, AttributeDef, LinkType, Schema, TagType
from annotator.domain.wording import as_reason, quoted
from annotator.errors import ValidationError

SCHEMA_FORMAT = "annotator-schema"
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")
#: The one timestamp format of project and exchange files. `is_timestamp` alone parses
#: leniently ("2024-1-01T…", full-width digits), and `modified` times are compared as text.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", re.ASCII)


def is_exchange_time(value: object) -> bool:
    """A valid UTC timestamp written exactly as Annotator writes them."""
    return isinstance(value, str) and TIMESTAMP.fullmatch(value) is not None and is_timestamp(value)


def attribute_to_dict(a: AttributeDef) -> dict[str, Any]:
    return {
        "id": a.uuid,
        "key": a.key,
        "label": a.label,
        "type": a.value_type,
        "choices": list(a.choices),
        "required": a.required,
        "default": a.default,
        "guideline": a.guideline,
    }


def schema_to_dict(schema: Schema) -> dict[str, Any]:
    """The `tag_types` and `link_types` lists of a schema file (without the header)."""
    return {
        "tag_types": [
            {
                "id": tag.uuid,
                "key": tag.key,
                "label": tag.label,
                "kind": tag.kind,
                "color": tag.color,
                "hotkey": tag.hotkey,
                "guideline": tag.guideline,
                "attributes": [attribute_to_dict(a) for a in tag.attributes],
            }
            for tag in schema.tag_types
        ],
        "link_types": [
            {
                "id": lt.uuid,
                "key": lt.key,
                "label": lt.label,
                "directed": lt.directed,
                "color": lt.color,
                "guideline": lt.guideline,
                "sources": list(lt.sources),
                "targets": list(lt.targets),
                "attributes": [attribute_to_dict(a) for a in lt.attributes],
            }
            for lt in schema.link_types
        ],
    }


def schema_file(schema: Schema) -> dict[str, Any]:
    return {"format": SCHEMA_FORMAT, "version": 1, **schema_to_dict(schema)}


class _Reader:
    """Collects every problem with its JSON path instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, reason: str) -> None:
        self.errors.append(f"{path}: {reason}")

    def field(self, obj: dict, key: str, path: str, kind: type | tuple, optional=False) -> Any:
        if key not in obj:
            if not optional:
                self.fail(f"{path}.{key}", "missing")
            return None
        value = obj[key]
        if value is None and optional:
            return None
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            self.fail(f"{path}.{key}", f"expected {getattr(kind, '__name__', kind)}")
            return None
        if isinstance(value, str) and (problem := field_problem(value)) is not None:
            self.fail(f"{path}.{key}", problem)
            return None
        return value

    def provenance(self, obj: dict, path: str) -> dict[str, Any]:
        """created/modified/author when a JSON v1 export carries them (schema files don't)."""
        found: dict[str, Any] = {}
        for key in ("created", "modified"):
            if obj.get(key) not in (None, ""):
                if not is_exchange_time(obj[key]):
                    self.fail(f"{path}.{key}", "expected a UTC timestamp")
                found[key] = obj[key]
        if obj.get("author") is not None:
            if not is_uuid(obj["author"]):
                self.fail(f"{path}.author", "expected an annotator id")
            found["author"] = obj["author"]
        return found

    def common(self, obj: Any, path: str, keys: set[str]) -> tuple[str, str] | None:
        """The item's (id, key), each "" when wrong (a wrongly typed value, such as a list as
        an id, is reported and never used), or None when the item is not even an object."""
        if not isinstance(obj, dict):
            self.fail(path, "expected an object")
            return None
        uuid = obj.get("id")
        if not is_uuid(uuid):
            self.fail(f"{path}.id", "expected a lower-case UUID")
            uuid = ""
        key = obj.get("key")
        if not isinstance(key, str) or not KEY.fullmatch(key):
            self.fail(f"{path}.key", "expected a key: a letter, then letters, digits, _ or -")
            key = ""
        elif key in keys:
            self.fail(f"{path}.key", f"duplicate key {quoted(key)}")
        if key:
            keys.add(key)
        return uuid, key

    def attributes(self, items: Any, path: str) -> tuple[AttributeDef, ...]:
        if not isinstance(items, list):
            self.fail(path, "expected a list")
            return ()
        result, keys = [], set()
        for i, obj in enumerate(items):
            p = f"{path}[{i}]"
            ident = self.common(obj, p, keys)
            if ident is None:
                continue
            value_type = self.field(obj, "type", p, str)
            if value_type is not None and value_type not in VALUE_TYPES:
                self.fail(f"{p}.type", f"expected one of {list(VALUE_TYPES)}")
            choices = self.field(obj, "choices", p, list, optional=True) or []
            if not all(isinstance(c, str) and c for c in choices) or len(set(choices)) != len(
                choices
            ):
                self.fail(f"{p}.choices", "expected distinct non-empty strings")
                choices = list(dict.fromkeys(c for c in choices if isinstance(c, str) and c))
            if value_type in ("choice", "multi_choice") and not choices:
                self.fail(f"{p}.choices", "a choice attribute needs choices")
            definition = AttributeDef(
                uuid=ident[0],
                key=ident[1],
                label=self.field(obj, "label", p, str) or ident[1],
                value_type=value_type or "text",
                choices=tuple(choices),
                required=bool(self.field(obj, "required", p, bool, optional=True)),
                default=obj.get("default"),
                guideline=self.field(obj, "guideline", p, str, optional=True) or "",
                **self.provenance(obj, p),
            )
            try:
                check_value(definition, definition.default)
            except (ValidationError, TypeError, ValueError) as error:
                self.fail(f"{p}.default", str(error) or "not a valid value")
            result.append(definition)
        return tuple(result)


def _shown(value: object) -> str:
    text = quoted(value) if isinstance(value, str) else as_reason(ValueError(repr(value)), 40)
    return text if len(text) <= 40 else text[:39] + "…"


def schema_from_dict(data: Any, path: str = "$") -> Schema:
    """Parse and validate a schema (file or JSON v1 section); every problem is reported."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise ValidationError(f"{path}: expected an object")
    tags, tag_keys, hotkeys = [], set(), set()
    for i, obj in enumerate(reader.field(data, "tag_types", path, list) or []):
        p = f"{path}.tag_types[{i}]"
        ident = reader.common(obj, p, tag_keys)
        if ident is None:
            continue
        kind = reader.field(obj, "kind", p, str)
        if kind is not None and kind not in TAG_KINDS:
            reader.fail(f"{p}.kind", f"expected one of {list(TAG_KINDS)}")
        color = reader.field(obj, "color", p, str)
        if color is not None and not COLOR.match(color):
            reader.fail(f"{p}.color", "expected a colour #rrggbb")
        hotkey = reader.field(obj, "hotkey", p, str, optional=True)
        if hotkey is not None:
            if len(hotkey) != 1 or not hotkey.isprintable() or hotkey.isspace():
                reader.fail(f"{p}.hotkey", "expected one printable character")
            elif hotkey in hotkeys:
                reader.fail(f"{p}.hotkey", f"hotkey {quoted(hotkey)} is used twice")
            hotkeys.add(hotkey)
        tags.append(
            TagType(
                uuid=ident[0],
                key=ident[1],
                label=reader.field(obj, "label", p, str) or ident[1],
                kind=kind or "custom",
                color=color or "#808080",
                hotkey=hotkey,
                guideline=reader.field(obj, "guideline", p, str, optional=True) or "",
                attributes=reader.attributes(obj.get("attributes", []), f"{p}.attributes"),
                **reader.provenance(obj, p),
            )
        )
    link_types, link_keys = [], set()
    for i, obj in enumerate(reader.field(data, "link_types", path, list) or []):
        p = f"{path}.link_types[{i}]"
        ident = reader.common(obj, p, link_keys)
        if ident is None:
            continue
        ends = {}
        for role in ("sources", "targets"):
            keys = reader.field(obj, role, p, list, optional=True) or []
            for j, key in enumerate(keys):
                if not isinstance(key, str) or key not in tag_keys:
                    reader.fail(f"{p}.{role}[{j}]", f"no tag type {_shown(key)} in this schema")
            ends[role] = tuple(k for k in keys if isinstance(k, str) and k in tag_keys)
        color = reader.field(obj, "color", p, str)
        if color is not None and not COLOR.match(color):
            reader.fail(f"{p}.color", "expected a colour #rrggbb")
        directed = reader.field(obj, "directed", p, bool)
        link_types.append(
            LinkType(
                uuid=ident[0],
                key=ident[1],
                label=reader.field(obj, "label", p, str) or ident[1],
                directed=True if directed is None else directed,
                color=color or "#808080",
                guideline=reader.field(obj, "guideline", p, str, optional=True) or "",
                sources=ends["sources"],
                targets=ends["targets"],
                attributes=reader.attributes(obj.get("attributes", []), f"{p}.attributes"),
                **reader.provenance(obj, p),
            )
        )
    uuids = [t.uuid for t in tags] + [t.uuid for t in link_types]
    uuids += [a.uuid for t in (*tags, *link_types) for a in t.attributes]
    uuids = [u for u in uuids if u]  # a wrong id is reported above
    if len(set(uuids)) != len(uuids):
        reader.fail(path, "an id is used twice")
    if reader.errors:
        raise ValidationError("; ".join(reader.errors[:20]))
    return Schema(tuple(tags), tuple(link_types))


def read_schema_file(data: Any) -> Schema:
    """Validate a whole schema file (header included)."""
    if not isinstance(data, dict) or data.get("format") != SCHEMA_FORMAT:
        raise ValidationError(
            f"not an Annotator schema file (expected format {quoted(SCHEMA_FORMAT)})"
        )
    if data.get("version") != 1:
        raise ValidationError(f"unsupported schema file version {quoted(data.get('version'))}")
    return schema_from_dict(data)
