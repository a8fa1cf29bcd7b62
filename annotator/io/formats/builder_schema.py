"""The schema part of the one exchange builder (builder.ExchangeBuilder): the tag types, link
types and attributes a file needs, as JSON v1 entries: the project's own (extended by the file)
or new ones, and foreign labels matched to the project's types or made into new types."""

from __future__ import annotations

from collections.abc import Callable
from itertools import cycle
from typing import Any

from annotator.domain.ids import is_uuid
from annotator.domain.model import Schema
from annotator.io.exchange import BUILT_IDS
from annotator.io.formats.foreign_common import ForeignFormatError, key_from_label
from annotator.io.formats.foreign_schema import value_type
from annotator.io.schema_file import COLOR, attribute_to_dict
from annotator.io.schema_file import KEY as ATTRIBUTE_KEY

#: Colours of new tag and link types, in turn (a file that gives a colour keeps it).
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")


class SchemaEntries:
    """Tag and link type entries keyed by key: `tags`, `link_types` (a project type appears
    once it is extended; a new type when first needed)."""

    # given by ExchangeBuilder, which completes this class
    schema: Schema
    ids: tuple
    uuid: Callable[..., str]  # a uuid derived from parts in the reader family's namespace
    fail: Callable[[str, str], ForeignFormatError]  # the error naming the file and a place

    def __init__(self) -> None:
        self.tags: dict[str, dict[str, Any]] = {}  # key → entry (new, or the project's extended)
        self.link_types: dict[str, dict[str, Any]] = {}
        self.dropped_attributes = 0  # values whose attribute this import cannot define
        self._colors = cycle(PALETTE)
        self._new_labels: dict[tuple[bool, str], str] = {}  # (is a tag, label) → new type key

    def _type_uuid(self, tag: bool, key: str) -> str:
        if self.ids == BUILT_IDS:  # the recipe brat and W3C imports have always used
            return self.uuid("tag" if tag else "link", key)
        return self.uuid("type", tag, key)

    def _new_type(self, tag: bool, key: str, label: str, **given: Any) -> dict[str, Any]:
        """A new tag or link type entry (the file's uuid, colour and description when it gives
        them and they are usable here)."""
        uuid, color = given.get("uuid"), given.get("color") or ""
        taken = {t.uuid for t in (*self.schema.tag_types, *self.schema.link_types)}
        taken |= {t["id"] for t in (*self.tags.values(), *self.link_types.values())}
        if not is_uuid(uuid) or uuid in taken:
            uuid = self._type_uuid(tag, key)
        entry: dict[str, Any] = {"id": uuid, "key": key, "label": label}
        entry |= {"color": color if COLOR.match(color) else next(self._colors)}
        entry |= {"guideline": given.get("guideline") or "", "attributes": []}
        if tag:
            entry |= {"kind": given.get("kind", "custom"), "hotkey": None}
        else:
            entry |= {"directed": given.get("directed", True), "sources": [], "targets": []}
        (self.tags if tag else self.link_types)[key] = entry
        return entry

    def tag(self, key: str, kind: str = "custom", label: str | None = None) -> dict[str, Any]:
        """The schema entry for tag `key`: the project's (to extend) or a new one."""
        if key not in self.tags:
            mine = self.schema.tag(key)
            if mine is None:
                return self._new_type(True, key, label or key.replace("_", " "), kind=kind)
            self.tags[key] = {
                "id": mine.uuid,
                "key": mine.key,
                "label": mine.label,
                "kind": mine.kind,
                "color": mine.color,
                "hotkey": mine.hotkey,
                "guideline": mine.guideline,
                "attributes": [attribute_to_dict(a) for a in mine.attributes],
            }
        return self.tags[key]

    def link_type(self, key: str, directed: bool = True, label: str | None = None) -> dict:
        """The schema entry for link type `key`: the project's or a new one."""
        if key not in self.link_types:
            mine = self.schema.link_type(key)
            if mine is None:
                return self._new_type(False, key, label or key.replace("_", " "), directed=directed)
            self.link_types[key] = {
                "id": mine.uuid,
                "key": key,
                "label": mine.label,
                "directed": mine.directed,
                "color": mine.color,
                "guideline": mine.guideline,
                "sources": list(mine.sources),
                "targets": list(mine.targets),
                "attributes": [attribute_to_dict(a) for a in mine.attributes],
            }
        return self.link_types[key]

    def attribute(
        self, owner: dict[str, Any], key: str, value_type: str, choices: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """The attribute `key` of a schema entry, added when missing; choices seen later are
        added to a new choice attribute."""
        found = next((a for a in owner["attributes"] if a["key"] == key), None)
        if found is None:
            uuid = (
                self.uuid("attribute", owner["key"], key)
                if self.ids == BUILT_IDS
                else self.uuid("attribute", owner["id"], key)
            )
            found = {"id": uuid, "key": key, "label": key.replace("_", " "), "type": value_type}
            found |= {"choices": list(choices), "required": False, "default": None}
            found |= {"guideline": "", "new": True}
            owner["attributes"].append(found)
        elif found.get("new"):
            found["choices"] += [c for c in choices if c not in found["choices"]]
        return found

    def tag_key(
        self, label: str, where: str, uuid: str | None = None, color: str = "", guideline: str = ""
    ) -> str:
        """The tag type for a foreign label: the project's by key, then by label; else a new
        custom type (with the file's uuid, colour and description when it gives them)."""
        return self._type_key(True, label, where, uuid=uuid, color=color, guideline=guideline)

    def link_type_key(self, label: str, where: str) -> str:
        return self._type_key(False, label, where)

    def _type_key(self, tag: bool, label: Any, where: str, **given: Any) -> str:
        if not isinstance(label, str) or not label.strip():
            raise self.fail(where, "a label must be a non-empty string")
        existing = self.schema.tag_types if tag else self.schema.link_types
        for item in existing:
            if label in (item.key, item.label):
                return item.key
        new = self.tags if tag else self.link_types
        if label in new:
            return label
        found = self._new_labels.get((tag, label.strip()))
        if found is not None:
            return found
        taken = {item.key for item in existing} | set(new)
        key = key_from_label(label, taken)  # another label may give the same stem
        self._new_labels[(tag, label.strip())] = key
        self._new_type(tag, key, label.strip(), **given)
        return key

    def _new_entry(self, key: str) -> dict[str, Any] | None:
        """The entry of a type new with this import (None for the project's types)."""
        if self.schema.tag(key) is None and key in self.tags:
            return self.tags[key]
        if self.schema.link_type(key) is None and key in self.link_types:
            return self.link_types[key]
        return None

    def known_attributes(self, key: str, values: dict[str, Any] | None, tag: bool) -> dict:
        """The values whose attribute the project's type defines; a type new with this import
        gets an attribute for each value (text, number, boolean or multi-choice, by the first
        value seen). The rest (a value of another kind than its attribute's, a name that cannot
        be a key) are counted in `dropped_attributes`."""
        values = values or {}
        mine = self.schema.tag(key) if tag else self.schema.link_type(key)
        new = None if mine is not None else self._new_entry(key)
        kept = {}
        for name, value in values.items():
            defined = mine is not None and mine.attribute(name) is not None
            if defined or (new is not None and self._new_attribute(new, name, value)):
                kept[name] = value
        self.dropped_attributes += len(values) - len(kept)
        return kept

    def _new_attribute(self, owner: dict[str, Any], key: Any, value: Any) -> bool:
        """Define (or extend) attribute `key` of a new type so it holds `value`."""
        kind = value_type(value)
        if kind is None or not isinstance(key, str) or not ATTRIBUTE_KEY.match(key):
            return False
        found = self.attribute(owner, key, kind)
        if found["type"] != kind:
            return False
        if kind == "multi_choice":
            found["choices"] += [v for v in dict.fromkeys(value) if v not in found["choices"]]
        return True
