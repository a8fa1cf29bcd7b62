"""AnalyticsFilter: which documents, tags, link types, attribute values and layer a view counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from annotator.domain.wording import quoted
from annotator.errors import ValidationError

#: Layer choices besides an annotator's name or uuid.
MINE, GOLD, ALL = "mine", "gold", "all"


@dataclass(frozen=True)
class AnalyticsFilter:
    """Every field narrows; an empty one narrows nothing.

    Text fields match case-insensitively anywhere in the document's metadata. `published_from`
    and `published_to` compare ISO dates as text (a date "2018-09" is within "2018-01".."2018-12"
    by prefix), and a document without a publication date is left out once either is set.
    `attributes` maps an attribute key to the values kept: a span whose tag defines that key is
    kept only when its value (or one of its values) is among them; other spans are not touched.
    `layer` is mine, gold, all, or an annotator's name or uuid."""

    title: str = ""
    outlet: str = ""
    author: str = ""
    published_from: str = ""
    published_to: str = ""
    tags: frozenset[str] = frozenset()
    link_types: frozenset[str] = frozenset()
    attributes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    layer: str = MINE

    def keeps_document(self, title: str, author: str, outlet: str, published: str) -> bool:
        for wanted, value in ((self.title, title), (self.author, author), (self.outlet, outlet)):
            if wanted and wanted.casefold() not in value.casefold():
                return False
        if self.published_from or self.published_to:
            if not published:
                return False
            if self.published_from and published[: len(self.published_from)] < self.published_from:
                return False
            if self.published_to and published[: len(self.published_to)] > self.published_to:
                return False
        return True

    def describe(self) -> str:
        """One line saying what the filter keeps (for titles and the report)."""
        parts = [f"layer: {self.layer}"]
        for name in ("title", "outlet", "author"):
            if getattr(self, name):
                parts.append(f"{name} contains {quoted(getattr(self, name))}")
        if self.published_from or self.published_to:
            parts.append(f"published {self.published_from or '…'} to {self.published_to or '…'}")
        if self.tags:
            parts.append("tags: " + ", ".join(sorted(self.tags)))
        if self.link_types:
            parts.append("links: " + ", ".join(sorted(self.link_types)))
        for key, values in sorted(self.attributes.items()):
            parts.append(f"{key} in {{{', '.join(sorted(values))}}}")
        return "; ".join(parts)


def parse_attribute_filters(items: list[str]) -> dict[str, frozenset[str]]:
    """`key=value` items (repeat a key for several values) as the filter's attribute map."""
    found: dict[str, set[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"attribute filter {quoted(item)} is not KEY=VALUE")
        found.setdefault(key.strip(), set()).add(value.strip())
    return {key: frozenset(values) for key, values in found.items()}
