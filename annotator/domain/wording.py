"""How things read in messages for people: counts ("1 span"), quoted values and lists of
choices, never a Python repr (no brackets, no straight quotes)."""

from __future__ import annotations

from collections.abc import Iterable


def counted(kind: str, n: int) -> str:
    """A kind ("spans", "entities: unchanged or older") as it reads after the number n:
    "1 span", "1 entity: unchanged or older", "2 spans"."""
    if n != 1:
        return kind
    head, colon, rest = kind.partition(":")
    if head.endswith("ies"):
        head = head[:-3] + "y"
    elif head.endswith("uses"):  # statuses
        head = head[:-2]
    elif head.endswith("s"):
        head = head[:-1]
    return head + colon + rest


def quoted(value: object) -> str:
    """A value as a message shows it: in typographic quotes, lists joined, booleans as yes/no."""
    return f"\u201c{value_text(value)}\u201d"


def value_text(value: object) -> str:
    """A stored value as a person reads it: lists joined with commas, booleans as yes/no."""
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def one_of(choices: Iterable[object]) -> str:
    """Choices as a sentence lists them: \u201ca\u201d, \u201cb\u201d or \u201cc\u201d."""
    items = [quoted(c) for c in choices]
    if not items:
        return "nothing"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]
