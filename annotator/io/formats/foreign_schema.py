"""Foreign rows against the project schema: which link types admit which ends, and which
attribute type a foreign value fits."""

from __future__ import annotations

from typing import Any


def admits(link_type: Any, source: str, target: str) -> bool:
    """Whether a link type allows these end tag types (either way round when undirected)."""

    def fits(a: str, b: str) -> bool:
        return (not link_type.sources or a in link_type.sources) and (
            not link_type.targets or b in link_type.targets
        )

    return fits(source, target) or (not link_type.directed and fits(target, source))


def value_type(value: Any) -> str | None:
    """The attribute type a foreign value fits, None when none does."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number" if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, str):
        return "text"
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "multi_choice" if len(set(value)) == len(value) else None
    return None
