"""Conversions between table rows and domain values (JSON columns included)."""

from __future__ import annotations

from typing import Any

import orjson

from annotator.domain.model import (
    AttributeDef,
    DocumentInfo,
    Entity,
    Link,
    Span,
)


def dumps(value: Any) -> str:
    """JSON text for a JSON column: compact, keys sorted, so equal values are equal text."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def attribute_def(row: Any, author: str | None) -> AttributeDef:
    return AttributeDef(
        uuid=row.uuid,
        key=row.key,
        label=row.label,
        value_type=row.value_type,
        choices=tuple(loads(row.choices)),
        required=bool(row.required),
        default=loads(row.default_value),
        guideline=row.guideline,
        created=row.created,
        modified=row.modified,
        author=author,
    )


def document_info(row: Any, author: str | None) -> DocumentInfo:
    return DocumentInfo(
        uuid=row.uuid,
        title=row.title,
        sha256=row.sha256,
        length=row.length,
        author=row.author,
        outlet=row.outlet,
        url=row.url,
        published=row.published,
        language=row.language,
        source_filename=row.source_filename,
        source_encoding=row.source_encoding,
        extra=loads(row.extra),
        imported=row.imported,
        created=row.created,
        modified=row.modified,
        author_uuid=author,
    )


def span(row: Any, fragments: tuple[tuple[int, int], ...]) -> Span:
    return Span(
        uuid=row.uuid,
        document=row.document_uuid,
        annotator=row.annotator_uuid,
        tag=row.tag_key,
        fragments=fragments,
        quote=row.quote,
        prefix=row.prefix,
        suffix=row.suffix,
        attributes=loads(row.attributes),
        note=row.note,
        entity=row.entity_uuid,
        created=row.created,
        modified=row.modified,
    )


def link(row: Any) -> Link:
    return Link(
        uuid=row.uuid,
        document=row.document_uuid,
        type=row.type_key,
        source=row.source_uuid,
        target=row.target_uuid,
        annotator=row.annotator_uuid,
        attributes=loads(row.attributes),
        note=row.note,
        created=row.created,
        modified=row.modified,
    )


def entity(row: Any, author: str | None) -> Entity:
    return Entity(
        uuid=row.uuid,
        name=row.name,
        kind=row.kind,
        aliases=tuple(loads(row.aliases)),
        external_ids=loads(row.external_ids),
        note=row.note,
        created=row.created,
        modified=row.modified,
        author=author,
    )
