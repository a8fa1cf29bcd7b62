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
from itertools import islice

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
    """A character as the index sees it: lower-cased (as unicode61: "ß" stays "ß"), without
    combining marks."""
    decomposed = unicodedata.normalize("NFD", char.lower())
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
# The terms are found in the original text by one regular expression, so offsets are exact by
# construction and no folded copy of the text is made (a copy costs more than the whole query
# at 10,000 documents): each folded letter becomes a class of the precomposed letters that
# fold to it ("e" → [eéèêëÉ…], case via IGNORECASE), and each may carry combining marks.

#: Scripts whose precomposed letters fold to another letter (Latin, Greek, Cyrillic and their
#: extended blocks); other scripts' letters only fold by case.
_FOLDING_RANGES = ((0x00C0, 0x0530), (0x1E00, 0x2000))
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = rf"(?:[^\W_]|[{_MARKS}])"


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """folded letter → the precomposed letters (other than itself) that fold to it."""
    table: dict[str, list[str]] = {}
    for low, high in _FOLDING_RANGES:
        for code in range(low, high):
            char = chr(code)
            folded = fold_char(char)
            if len(folded) == 1 and folded != char.lower() and is_word_char(char):
                table.setdefault(folded, []).append(char)
    return {key: "".join(chars) for key, chars in table.items()}


def _letter(char: str) -> str:
    variants = _variants().get(char)
    body = f"[{re.escape(char + variants)}]" if variants else re.escape(char)
    return body + f"[{_MARKS}]*"


def _term_pattern(term: Term) -> str:
    # Between the words of a phrase: anything but word characters ("_" separates, as in
    # unicode61). No word character or mark right before; none after a whole word; a prefix
    # hit covers the whole word it begins (the reader selects "Springfield", not "Spring").
    body = r"[\W_]+?".join("".join(_letter(c) for c in word) for word in term.words)
    return rf"(?<![^\W_])(?<![{_MARKS}])" + body + (f"{_WORD}*" if term.prefix else r"(?![^\W_])")


@lru_cache(maxsize=256)
def _compiled(terms: tuple[Term, ...]) -> re.Pattern[str]:
    # Longer alternatives first, so a phrase wins over its own first word.
    ordered = sorted(terms, key=lambda t: -sum(len(w) for w in t.words))
    return re.compile("|".join(_term_pattern(term) for term in ordered), re.IGNORECASE)


def find_terms(
    text: str, terms: tuple[Term, ...], limit: int | None = None
) -> tuple[list[tuple[int, int]], int]:
    """Code-point ranges of `text` where any term occurs, left to right, non-overlapping (the
    first `limit` of them, or all), and how many there are in all."""
    if not terms:
        return [], 0
    matches = _compiled(terms).finditer(text)
    ranges = [m.span() for m in (matches if limit is None else islice(matches, limit))]
    return ranges, len(ranges) + sum(1 for _ in matches)
