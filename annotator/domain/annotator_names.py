"""Choosing an annotator by what a user types: a name, 'gold', a uuid or a uuid prefix.

Names need not be unique: importing or merging the work of a colleague who uses the same
display name (both "root") adds a second annotator of that name with another uuid. Taking every
annotator of a name would silently mix two people's layers, so an ambiguous name is refused with
the candidates' uuids, and a uuid (or its first 8 or more characters) chooses one of them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from annotator.domain.layers import is_gold
from annotator.domain.model import Annotator
from annotator.errors import AnnotatorError, NotFoundError

MIN_PREFIX = 8  # hex digits: short enough to type, long enough not to clash by chance

_UUID_PREFIX = re.compile(r"[0-9a-f][0-9a-f-]*", re.ASCII)


def find_annotator(
    everyone: Sequence[Annotator], wanted: str, *, ignore_case: bool = False
) -> Annotator:
    """The one annotator `wanted` names (see the module docstring). Raises NotFoundError when
    nobody matches and AnnotatorError, naming the candidates, when several do."""
    matches = annotator_matches(everyone, wanted, ignore_case=ignore_case)
    if not matches:
        raise NotFoundError(f"no annotator named {wanted.strip()!r} in this project")
    if len(matches) > 1:
        raise AnnotatorError(ambiguous_message(wanted.strip(), matches))
    return matches[0]


def find_annotators(everyone: Sequence[Annotator], wanted: Iterable[str]) -> list[Annotator]:
    """The annotators several names choose, in the order given, each once."""
    chosen: list[Annotator] = []
    for name in wanted:
        found = find_annotator(everyone, name)
        if found not in chosen:
            chosen.append(found)
    return chosen


def annotator_matches(
    everyone: Sequence[Annotator], wanted: str, *, ignore_case: bool = False
) -> list[Annotator]:
    """Everyone `wanted` may mean: a full uuid, else the name (and 'gold' for the gold layer),
    else a uuid prefix of at least MIN_PREFIX hex digits."""
    wanted = wanted.strip()
    lowered = wanted.lower()
    by_uuid = [a for a in everyone if a.uuid == lowered]
    if by_uuid:
        return by_uuid

    def same(name: str) -> bool:
        return name.lower() == lowered if ignore_case else name == wanted

    named = [a for a in everyone if same(a.name) or (lowered == "gold" and is_gold(a.uuid))]
    if named or not _is_uuid_prefix(lowered):
        return named
    return [a for a in everyone if a.uuid.startswith(lowered)]


def ambiguous_message(wanted: str, matches: Sequence[Annotator]) -> str:
    """One line that lists the candidates so the user can pick one by uuid."""
    candidates = ", ".join(f"{a.name} ({a.uuid})" for a in matches)
    return (
        f"{len(matches)} annotators match {wanted!r}: {candidates}; "
        f"choose one by its uuid (or a unique start of it, at least {MIN_PREFIX} characters)"
    )


def _is_uuid_prefix(text: str) -> bool:
    digits = text.replace("-", "")
    return len(digits) >= MIN_PREFIX and _UUID_PREFIX.fullmatch(text) is not None
