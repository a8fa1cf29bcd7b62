"""How counts read in reports: "1 span", "2 spans"."""

from __future__ import annotations


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
