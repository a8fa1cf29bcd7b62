"""How things read in messages for people: counts ("1 span"), quoted values and lists of
choices, never a Python repr (no brackets, no straight quotes)."""

from __future__ import annotations

import re
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
    """A value as a message shows it: in typographic quotes, lists joined, booleans as yes/no,
    on one line (a line break or other control character in it shows as a space)."""
    return f"\u201c{_CONTROL.sub(' ', value_text(value))}\u201d"


#: Characters that would break a one-line message (C0, DEL, NEL, line and paragraph separators).
_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


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


def as_reason(error: BaseException, limit: int = 120) -> str:
    """A parsing library's message as a reason a person reads: one line, at most `limit`
    characters, straight quotes made typographic, brackets made round, and no exception
    class names (a KeyError's message is the repr of its key: quotes and all)."""
    message = " ".join(str(error).split())
    message = re.sub(r"\b[A-Za-z_.]*(Error|Exception|Warning)\b:?\s*", "", message).strip()
    if len(message) > 1 and message[0] == message[-1] and message[0] in "\"'":
        message = message[1:-1]
    message = re.sub(r"'([^']*)'", "\u2018\\1\u2019", message)
    message = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", message)
    message = message.replace("'", "\u2019").replace('"', "\u201d")
    message = message.replace("[", "(").replace("]", ")") or "the file could not be parsed"
    return message if len(message) <= limit else message[: limit - 1] + "…"
