"""Project search, shared by the GUI's Search panel and `annotator search`: ranked documents
with keyword-in-context lines (exact code-point offsets of every hit), and annotation search.

Documents: see `search_query` for the syntax. Annotations: free words and "phrases" must occur
in the span's text; `tag:actor` (key or label), `annotator:Ann` (or a uuid, or a unique start
of one of 8+ characters, for annotators who share a name), `note:word`, `entity:Jane`
and `<attribute key>:<value>` (e.g. `actor_kind:person`; a multi-choice value matches when it
holds the value) narrow the result; `key:"two words"` quotes a value. All conditions must hold.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from annotator.domain.annotator_names import ambiguous_message, annotator_matches
from annotator.domain.model import Annotator
from annotator.errors import AnnotatorError, ValidationError
from annotator.services.project import Project
from annotator.services.search_query import find_terms, parse_query
from annotator.store.search import RANK_AT_MOST, AnnotationFilter, AnnotationRow

PAGE_SIZE = 20
#: KWIC lines kept per document (the count says how many hits there are in all).
HITS_PER_DOCUMENT = 5
#: Context on each side of a hit: this many words, at most CONTEXT_CHARS code points.
CONTEXT_WORDS = 6
CONTEXT_CHARS = 60

_SPACES = re.compile(r"\s+")
_FILTER_TOKEN = re.compile(r'(\w+):(?:"([^"]*)"?|(\S*))|"([^"]*)"?|(\S+)')
_FILTER_KEYS = ("tag", "annotator", "note", "entity")


@dataclass(frozen=True)
class Hit:
    """One occurrence in a document: text[start:end] is `match`."""

    start: int
    end: int
    before: str
    match: str
    after: str


@dataclass(frozen=True)
class DocumentResult:
    document: str
    title: str
    score: float
    hits: tuple[Hit, ...]  # the first HITS_PER_DOCUMENT
    hit_count: int  # all hits in the text (0 when only the title matched)


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: tuple[DocumentResult, ...]
    offset: int
    total: int | None  # documents matching in all (None: not counted)
    #: False: more than RANK_AT_MOST documents match, listed in project order (not ranked)
    ranked: bool = True

    @property
    def has_more(self) -> bool:
        return self.total is None or self.offset + len(self.results) < self.total


@dataclass(frozen=True)
class AnnotationResult:
    row: AnnotationRow
    before: str
    after: str


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text)


def context(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, match, after): the hit with up to CONTEXT_WORDS words either side, on one
    line (whitespace runs become one space), cut at word boundaries."""
    left = text[max(0, start - CONTEXT_CHARS) : start]
    right = text[end : end + CONTEXT_CHARS]
    left_words = left.split(" ")
    if start - CONTEXT_CHARS > 0 and len(left_words) > 1:
        left_words = left_words[1:]  # the first one is probably cut
    right_words = right.split(" ")
    if end + CONTEXT_CHARS < len(text) and len(right_words) > 1:
        right_words = right_words[:-1]
    before = " ".join(left_words[-(CONTEXT_WORDS + 1) :])
    after = " ".join(right_words[: CONTEXT_WORDS + 1])
    return _one_line(before), _one_line(text[start:end]), _one_line(after)


def search_documents(
    project: Project,
    query: str,
    *,
    limit: int = PAGE_SIZE,
    offset: int = 0,
    count: bool = True,
) -> SearchPage:
    """One page of documents matching `query`, best first (bm25, title weighted), each with
    its hits in context. `count=False` skips counting every match (the first page is faster).

    A query matching more than RANK_AT_MOST documents (a one-letter prefix, a word nearly
    every document holds) is listed in project order instead (`SearchPage.ranked` False):
    ranking scores every match, and such terms weigh almost nothing in bm25 anyway."""
    if limit < 1:
        raise ValidationError("the limit must be at least 1")
    parsed = parse_query(query)
    match = parsed.match_expression()
    terms = parsed.terms
    with project.store.read() as session:
        ranks = not session.matches_more_than(match, RANK_AT_MOST)
        listed = session.ranked_documents if ranks else session.documents_in_order
        ranked = listed(match, limit, offset)
        texts = session.texts_of([r.document for r in ranked])
        total = session.count_matches(match) if count else None
    results = []
    for found in ranked:
        text = texts[found.document]
        ranges, count = find_terms(text, terms, HITS_PER_DOCUMENT)
        hits = tuple(Hit(s, e, *context(text, s, e)) for s, e in ranges)
        results.append(DocumentResult(found.document, found.title, found.score, hits, count))
    return SearchPage(query, tuple(results), offset, total, ranks)


def count_documents(project: Project, query: str) -> int:
    """How many documents match `query` (the Search panel asks after painting the first
    page: counting a prefix that matches every document costs as much as ranking it)."""
    match = parse_query(query).match_expression()
    with project.store.read() as session:
        return session.count_matches(match)


def parse_annotation_query(query: str) -> AnnotationFilter:
    """The filter an annotation search means (see the module docstring)."""
    words: list[str] = []
    notes: list[str] = []
    attributes: list[tuple[str, str]] = []
    single: dict[str, str] = {}
    for match in _FILTER_TOKEN.finditer(query):
        key, quoted, bare, phrase, word = match.groups()
        if key is not None:
            value = (quoted if quoted is not None else bare).strip()
            if not value:
                raise ValidationError(f"{key}: needs a value, e.g. {key}:something")
            lowered = key.lower()
            if lowered == "note":
                notes.append(value)
            elif lowered in _FILTER_KEYS:
                single[lowered] = value
            else:
                attributes.append((key, value))
        elif phrase is not None:
            if phrase.strip():
                words.append(phrase.strip())
        elif word:
            words.append(word)
    result = AnnotationFilter(
        words=tuple(words),
        tag=single.get("tag"),
        annotator=single.get("annotator"),
        notes=tuple(notes),
        entity=single.get("entity"),
        attributes=tuple(attributes),
    )
    if result == AnnotationFilter():
        raise ValidationError("type words of the annotated text, or a filter such as tag:actor")
    return result


def search_annotations(
    project: Project,
    query: str,
    *,
    limit: int = PAGE_SIZE,
    offset: int = 0,
    only_annotator: str | None = None,
) -> list[AnnotationResult]:
    """Annotations matching `query`, in document and text order; `only_annotator` (an
    annotator's uuid) keeps only that layer whatever the query says (blind mode searches only
    the user's own layer; by uuid, since two annotators may share a name)."""
    if limit < 1:
        raise ValidationError("the limit must be at least 1")
    where = parse_annotation_query(query)
    with project.store.read() as session:
        layer = _one_layer(session.annotators(), where.annotator, only_annotator)
        if layer == _NO_LAYER:
            return []
        where = dataclasses.replace(where, annotator=None, annotator_uuid=layer)
        found = session.find_annotations(where, limit, offset)
    return [AnnotationResult(row, *_trim(row.prefix, row.suffix)) for row in found]


_NO_LAYER = ""  # the filters name no layer that is searched: nothing can match


def _one_layer(everyone: list[Annotator], wanted: str | None, only: str | None) -> str | None:
    """The uuid of the one layer `annotator:wanted` and `only` leave (None: every layer).

    By uuid, since names need not be unique: an ambiguous name is refused naming the
    candidates (a uuid or a unique start of one chooses), unless blind mode's `only` layer is
    among them; an unknown name finds nothing, like an unknown tag."""
    if wanted is None:
        return only
    matches = annotator_matches(everyone, wanted, ignore_case=True)  # as tag: ignores case
    if only is not None:
        return only if any(a.uuid == only for a in matches) else _NO_LAYER
    if len(matches) > 1:
        raise AnnotatorError(ambiguous_message(wanted, matches))
    return matches[0].uuid if matches else _NO_LAYER


def _trim(prefix: str, suffix: str) -> tuple[str, str]:
    before = prefix.split(" ", 1)[-1] if " " in prefix else prefix
    after = suffix.rsplit(" ", 1)[0] if " " in suffix else suffix
    return _one_line(before), _one_line(after)
