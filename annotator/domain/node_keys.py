"""The text a span is grouped by in the analytics views (its node's normalised text), and the
64-bit hash of it the project file stores per span so SQL can group a million spans."""

from __future__ import annotations

from hashlib import blake2b

#: Outer punctuation a node's text drops ("Russia," and "(Russia)" are one actor).
TRIM = " \t\n.,;:!?\"'“”‘’«»()[]{}"


def fold_spaces(text: str) -> str:
    """Runs of white space as one space, none at either end: how a node's label is shown."""
    return " ".join(text.split())


def normalise(text: str) -> str:
    """The text a node is known by: white space folded, case folded, outer punctuation off."""
    return fold_spaces(text).casefold().strip(TRIM)


def text_hash(normalised: str) -> int:
    """A signed 64-bit hash of a normalised text (what SQLite's INTEGER holds). Two texts
    share one with a chance of about 1 in 10^19 a pair; the views check the texts of the
    nodes they show and fall back to the exact fold in Python if two ever did."""
    digest = blake2b(normalised.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def quote_hash(quote: str) -> int:
    """The stored key of a span with this quote: `text_hash(normalise(quote))`."""
    return text_hash(normalise(quote))
