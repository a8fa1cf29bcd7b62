"""Annotate all occurrences: find the other places a span's text (and its entity's name and
aliases) occurs, in its document or the whole project, as suggestions to accept or reject.

Suggestions never repeat what the current annotator's layer already has: an occurrence with a
span of the same tag and the same extent is left out. Accepted suggestions become spans with
the source span's tag, attributes and entity (`accept`), all of them one undoable step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.domain.model import Span
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.services.project import Project
from annotator.services.search import context
from annotator.services.span_commands import CreateSpan, CreateSpans

SCOPES = ("document", "project")


@dataclass(frozen=True)
class Template:
    """What to look for and what an accepted suggestion becomes."""

    tag: str
    needles: tuple[str, ...]
    attributes: dict
    entity: str | None = None
    source_document: str = ""
    source_extent: tuple[int, int] | None = None


@dataclass(frozen=True)
class Suggestion:
    document: str
    title: str
    start: int
    end: int
    before: str
    match: str
    after: str


def find_in_text(
    text: str, needles: Iterable[str], *, case_sensitive: bool = True, whole_word: bool = False
) -> list[tuple[int, int]]:
    """Code-point ranges where any needle occurs. Where needles overlap (an alias inside a
    longer name) the longest, leftmost one wins; ranges come back sorted and disjoint.
    A whole word has no letter, digit or underscore right before or after it."""
    flags = 0 if case_sensitive else re.IGNORECASE
    candidates: list[tuple[int, int]] = []
    for needle in {n for n in needles if n.strip()}:
        pattern = re.escape(needle)
        if whole_word:
            pattern = rf"(?<!\w){pattern}(?!\w)"
        candidates += [m.span() for m in re.finditer(pattern, text, flags)]
    candidates.sort(key=lambda r: (r[0], r[0] - r[1]))  # leftmost, then longest
    found: list[tuple[int, int]] = []
    for start, end in candidates:
        if not found or start >= found[-1][1]:
            found.append((start, end))
    return found


def template_of(project: Project, span: Span) -> Template:
    """A template from a tagged span: its text (the first fragment's, for a discontinuous span),
    its entity's name and aliases, its tag, attributes and entity."""
    start, end = span.fragments[0]
    with project.store.read() as session:
        text = session.document_text(span.document)
        entity = session.entity(span.entity) if span.entity else None
    needles = [text[start:end]]
    if entity is not None:
        needles += [entity.name, *entity.aliases]
    return Template(
        tag=span.tag,
        needles=tuple(dict.fromkeys(n for n in needles if n.strip())),
        attributes=dict(span.attributes),
        entity=span.entity,
        source_document=span.document,
        source_extent=(start, end) if len(span.fragments) == 1 else None,
    )


def suggest(
    project: Project,
    template: Template,
    *,
    scope: str = "document",
    document: str | None = None,
    case_sensitive: bool = True,
    whole_word: bool = False,
) -> list[Suggestion]:
    """Occurrences not yet tagged this way in the current annotator's layer, in document
    order (the template's document first)."""
    if scope not in SCOPES:
        raise ValidationError(f"scope must be one of {', '.join(SCOPES)}, not {quoted(scope)}")
    document = document or template.source_document
    if scope == "document" and not document:
        raise ValidationError("no document to look in")
    results: list[Suggestion] = []
    with project.store.read() as session:
        project.tag(template.tag)  # a clear error for a tag the schema no longer has
        known = session.extents_of(project.annotator.uuid, template.tag)
        rows = session.iter_texts([document] if scope == "document" else None)
        for uuid, title, text in rows:
            for start, end in find_in_text(
                text, template.needles, case_sensitive=case_sensitive, whole_word=whole_word
            ):
                if (uuid, start, end) in known:
                    continue
                results.append(Suggestion(uuid, title, start, end, *context(text, start, end)))
    if document:
        results.sort(key=lambda s: s.document != document)  # stable: order kept within
    return results


def accept(template: Template, suggestions: Sequence[Suggestion]) -> CreateSpans:
    """One batched command that tags every suggestion like the template (undone as one
    step; its statements do not grow with the number of suggestions)."""
    if not suggestions:
        raise ValidationError("no suggestions to accept")
    commands = [
        CreateSpan(
            s.document,
            template.tag,
            [(s.start, s.end)],
            attributes=template.attributes,
            entity=template.entity,
        )
        for s in suggestions
    ]
    count = len(commands)
    label = "Annotate 1 occurrence" if count == 1 else f"Annotate {count} occurrences"
    return CreateSpans(label, commands)
