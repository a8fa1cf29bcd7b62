"""Shared by the foreign formats: their error, stable span order, and the keys and uuids made
from a file's own labels and ids (the rows themselves are collected by builder.ExchangeBuilder)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from annotator.domain.ids import is_uuid
from annotator.io.exchange import BUILT_IDS, Loss, stable_uuid
from annotator.io.formats.json.validate import ExchangeError
from annotator.io.schema_file import KEY

KEY_CHARS = re.compile(r"[^A-Za-z0-9_\-]+")


class ForeignFormatError(ExchangeError):
    """A foreign file is malformed; the message names the file and the line or path."""


def span_order(span: Any, names: dict[str, str]) -> tuple:
    """Sort key for spans that is the same in every project holding the same annotations (the
    store breaks ties by uuid, which differ after an import into another project)."""
    return (span.fragments, span.tag, names.get(span.annotator, span.annotator), span.uuid)


def split_loss(split: list[str], how: str) -> list[Loss]:
    """The loss of discontinuous spans a format writes as pieces."""
    return [Loss(f"discontinuous span(s) written as {how}", len(split))]


def key_from_label(label: str, taken: Collection[str]) -> str:
    """A tag or link type key made from a foreign label ("Named Entity" → "Named_Entity"), not
    one of `taken` (another label may give the same stem: "sárga", "s rga" → "s_rga_2")."""
    stem = KEY_CHARS.sub("_", label.strip()).strip("_")[:60] or "label"
    if not stem[0].isalpha():
        stem = f"t_{stem}"[:60]
    key, n = stem, 1
    while key in taken:
        n += 1
        key = f"{stem}_{n}"
    return key


def is_key(value: object) -> bool:
    return isinstance(value, str) and KEY.fullmatch(value) is not None


def uuid_from_iri(iri: str) -> str:
    """`urn:uuid:<uuid>` → that uuid; any other IRI → a stable uuid derived from it."""
    tail = iri.removeprefix("urn:uuid:")
    if iri.startswith("urn:uuid:") and is_uuid(tail):
        return tail
    return stable_uuid(iri, ids=BUILT_IDS)
