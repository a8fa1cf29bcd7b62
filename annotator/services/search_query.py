"""Project search queries: user input → a safe FTS5 MATCH expression, and the same terms found
again in a document's text with exact code-point offsets (for keyword-in-context lines).

Syntax (documented in README.md): words are ANDed; `"two words"` is a phrase; `word*` a prefix;
`OR` (upper case) between two terms makes either enough (it binds tighter than the implicit
AND: `a b OR c` is `a AND (b OR c)`); `-word` or `-"a phrase"` excludes. Every term reaches FTS5
as a quoted string, so no quote, bracket, colon or operator in user input can become FTS5
syntax; an input with nothing left to search for gets a one-line message.

Folding matches the index's `unicode61 remove_diacritics 2` tokenizer: case-folded, combining
marks removed after NFD; letters and digits (and private-use characters) make up words,
everything else separates them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from annotator.errors import ValidationError

#: Query tokens: an optional '-', then a "quoted phrase" (closing quote optional) or a bare word.
_TOKEN = re.compile(r'(-?)"([^"]*)"?(\*?)|(\S+)')


@dataclass(frozen=True)
class Term:
    """One search term: a word or phrase as folded words; `prefix` matches its last word's
    beginning."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        quoted = '"' + " ".join(self.words).replace('"', '""') + '"'
        return quoted + " *" if self.prefix else quoted


@dataclass(frozen=True)
class ParsedQuery:
    """A query: groups of alternatives (all groups must match), and excluded terms."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def terms(self) -> tuple[Term, ...]:
        """The terms a hit can be (excluded ones are never shown as hits)."""
        return tuple(term for group in self.groups for term in group)

    def match_expression(self) -> str:
        parts = []
        for group in self.groups:
            alternatives = " OR ".join(term.fts() for term in group)
            parts.append(f"({alternatives})" if len(group) > 1 else alternatives)
        expression = " AND ".join(parts)
        for term in self.excluded:
            expression = f"({expression}) NOT {term.fts()}"
        return expression


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """A character as the index sees it: case-folded, without combining marks."""
    decomposed = unicodedata.normalize("NFD", char.casefold())
    return "".join(c for c in decomposed if not _is_mark(c))


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


def is_word_char(char: str) -> bool:
    """Part of a word for unicode61: a letter, a digit, a private-use character, or a mark."""
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of a piece of text, as the tokenizer would cut them."""
    folded = "".join(fold_char(c) if is_word_char(c) else " " for c in text)
    return tuple(folded.split())


def parse_query(query: str) -> ParsedQuery:
    """Parse user input; raises ValidationError with a clear message when nothing is left."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for match in _TOKEN.finditer(query):
        minus, phrase, star, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                join_next = bool(groups)
                continue
            if bare == "AND":
                continue
            minus = "-" if bare.startswith("-") and len(bare) > 1 else ""
            bare = bare[1:] if minus else bare
            star = "*" if bare.endswith("*") else ""
            phrase = bare.rstrip("*")
        words = words_of(phrase)
        if not words:
            continue  # punctuation only: nothing the index could hold
        term = Term(words, prefix=bool(star))
        if minus:
            excluded.append(term)
            join_next = False
        elif join_next:
            groups[-1].append(term)
            join_next = False
        else:
            groups.append([term])
    if not groups:
        if excluded:
            raise ValidationError("a search needs at least one word that is not excluded (-word)")
        raise ValidationError('type a word or a "phrase" to search for')
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded))


# -- finding the terms again in a text ---------------------------------------------------------
@dataclass(frozen=True)
class FoldedText:
    """A text's folded form and, for each folded character, the code point it came from."""

    text: str
    folded: str
    origin: tuple[int, ...] | None  # None: folded[i] comes from text[i] (plain ASCII)

    @classmethod
    def of(cls, text: str) -> FoldedText:
        if text.isascii():
            return cls(text, text.lower(), None)
        pieces: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(text):
            folded = fold_char(char) if is_word_char(char) else " "
            pieces.append(folded)
            origin.extend([index] * len(folded))
        return cls(text, "".join(pieces), tuple(origin))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The text range behind folded[start:end], with combining marks that trail it."""
        if self.origin is None:
            return start, end
        first, last = self.origin[start], self.origin[end - 1] + 1
        while last < len(self.text) and _is_mark(self.text[last]):
            last += 1
        return first, last


def _term_pattern(term: Term) -> str:
    # Between words of a phrase: anything that is not a word character; the folded text has
    # only letters, digits and separators ("_" separates, as in unicode61).
    body = r"[\W_]+".join(re.escape(word) for word in term.words)
    # A prefix hit covers the whole word it begins (the reader selects "Springfield", not
    # "Spring").
    return r"(?<![^\W_])" + body + (r"[^\W_]*" if term.prefix else r"(?![^\W_])")


@lru_cache(maxsize=256)
def _compiled(terms: tuple[Term, ...]) -> re.Pattern[str]:
    # Longer alternatives first, so a phrase wins over its own first word.
    ordered = sorted(terms, key=lambda t: -sum(len(w) for w in t.words))
    return re.compile("|".join(_term_pattern(term) for term in ordered))


def find_terms(text: str | FoldedText, terms: tuple[Term, ...]) -> list[tuple[int, int]]:
    """Code-point ranges of `text` where any term occurs, left to right, non-overlapping."""
    if not terms:
        return []
    folded = text if isinstance(text, FoldedText) else FoldedText.of(text)
    return [folded.span(*m.span()) for m in _compiled(terms).finditer(folded.folded)]
