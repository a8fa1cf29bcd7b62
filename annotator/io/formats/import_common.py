"""Importers of foreign formats (brat, W3C) build an Annotator JSON v1 exchange here.

Applied by the services' ImportExchange, a foreign import is validated, matched (documents by
text hash, rows by uuid) and written in one transaction exactly like a JSON import, so importing
the same file twice changes nothing the second time (uuids derived with `stable_uuid`)."""

from __future__ import annotations

import hashlib
from itertools import cycle
from pathlib import Path
from typing import Any

from annotator.domain.ids import is_uuid, now
from annotator.domain.model import Schema
from annotator.domain.offsets import quote_of
from annotator.io.exchange import BUILT_IDS, Exchange, Loss, LossReport, stable_uuid
from annotator.io.formats.json.writer import FORMAT, VERSION
from annotator.io.schema_file import KEY, attribute_to_dict

#: Namespace of the uuids derived from foreign ids (brat "T3", a W3C id that is no urn:uuid).
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")


def built_uuid(*parts: str) -> str:
    """exchange.stable_uuid in the namespace brat and W3C imports have always used."""
    return stable_uuid(*parts, ids=BUILT_IDS)


def uuid_from_iri(iri: str) -> str:
    """`urn:uuid:<uuid>` → that uuid; any other IRI → a stable uuid derived from it."""
    tail = iri.removeprefix("urn:uuid:")
    return tail if iri.startswith("urn:uuid:") and is_uuid(tail) else built_uuid(iri)


def is_key(value: object) -> bool:
    return isinstance(value, str) and KEY.fullmatch(value) is not None


class ExchangeBuilder:
    """Collects annotators, schema additions, documents, spans and links as JSON v1 entries."""

    def __init__(self, project_schema: Schema, when: str | None = None) -> None:
        self.project_schema = project_schema
        self.when = when or now()
        self.annotators: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, dict[str, Any]] = {}
        self.link_types: dict[str, dict[str, Any]] = {}
        self.documents: list[dict[str, Any]] = []
        self._colors = cycle(PALETTE)

    # -- who and what ------------------------------------------------------------------------
    def annotator(self, uuid: str, name: str) -> str:
        self.annotators.setdefault(
            uuid,
            {"id": uuid, "name": name, "identifier": "", "created": self.when},
        )
        self.annotators[uuid]["modified"] = self.when
        return uuid

    def tag(self, key: str, kind: str = "custom", label: str | None = None) -> dict[str, Any]:
        """The schema entry for tag `key`: the project's (to extend) or a new one."""
        if key not in self.tags:
            mine = self.project_schema.tag(key)
            if mine is not None:
                entry = {
                    "id": mine.uuid,
                    "key": mine.key,
                    "label": mine.label,
                    "kind": mine.kind,
                    "color": mine.color,
                    "hotkey": mine.hotkey,
                    "guideline": mine.guideline,
                    "attributes": [attribute_to_dict(a) for a in mine.attributes],
                }
            else:
                entry = {
                    "id": built_uuid("tag", key),
                    "key": key,
                    "label": label or key.replace("_", " "),
                    "kind": kind,
                    "color": next(self._colors),
                    "hotkey": None,
                    "guideline": "",
                    "attributes": [],
                }
            self.tags[key] = entry
        return self.tags[key]

    def link_type(self, key: str, directed: bool = True, label: str | None = None) -> dict:
        if key not in self.link_types:
            mine = self.project_schema.link_type(key)
            self.link_types[key] = {
                "id": mine.uuid if mine else built_uuid("link", key),
                "key": key,
                "label": mine.label if mine else (label or key.replace("_", " ")),
                "directed": mine.directed if mine else directed,
                "color": mine.color if mine else next(self._colors),
                "guideline": mine.guideline if mine else "",
                "sources": list(mine.sources) if mine else [],
                "targets": list(mine.targets) if mine else [],
                "attributes": [attribute_to_dict(a) for a in mine.attributes] if mine else [],
            }
        return self.link_types[key]

    def attribute(
        self, owner: dict[str, Any], key: str, value_type: str, choices: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """The attribute `key` of a schema entry, added when missing; choices seen later are
        added to a new choice attribute."""
        found = next((a for a in owner["attributes"] if a["key"] == key), None)
        if found is None:
            found = {
                "id": built_uuid("attribute", owner["key"], key),
                "key": key,
                "label": key.replace("_", " "),
                "type": value_type,
                "choices": list(choices),
                "required": False,
                "default": None,
                "guideline": "",
                "new": True,
            }
            owner["attributes"].append(found)
        elif found.get("new"):
            found["choices"] += [c for c in choices if c not in found["choices"]]
        return found

    # -- content -----------------------------------------------------------------------------
    def document(self, uuid: str, title: str, text: str, **metadata: str) -> dict[str, Any]:
        entry = {
            "id": uuid,
            "title": title,
            "text": text,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "metadata": {"imported": self.when, **metadata},
            "created": self.when,
            "modified": self.when,
            "spans": [],
            "links": [],
        }
        self.documents.append(entry)
        return entry

    def span(
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
    ) -> None:
        text = document["text"]
        document["spans"].append(
            {
                "id": uuid,
                "tag": tag,
                "fragments": [list(f) for f in fragments],
                "text": quote_of(text, fragments),
                "annotator": annotator,
                "attributes": attributes or {},
                "note": note,
                "entity": None,
                "created": created or self.when,
                "modified": modified or created or self.when,
            }
        )

    def link(
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
            "entities": [],
            "tombstones": [],
        }


def built_exchange(builder: ExchangeBuilder, source: Path, losses: list[Loss] = ()) -> Exchange:
    """The built rows as an exchange (services' ImportExchange validates and writes it in one
    transaction). Rows stamped with the import time (the source had no times) that the
    project already holds keep the project's `modified`, so importing the same file again
    changes nothing."""
    return Exchange(
        Path(source).name,
        builder.data(),
        loss=LossReport.of(losses),
        stamp=builder.when,
        keep_existing="stamped",
        foreign=True,
    )
