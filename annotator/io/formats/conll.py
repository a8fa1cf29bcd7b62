"""CoNLL-2003 / BIO (IOB2) export: one token per line, the tag of one layer in the last column.

Lines are `TOKEN -X- -X- TAG` (CoNLL-2003's four columns, POS and chunk unknown), a blank line
ends a sentence and `-DOCSTART- -X- -X- O` starts every document. Tags are `B-<tag key>` /
`I-<tag key>` / `O`.

Tokens: runs of letters/digits (with the combining marks, joiners and variation selectors that
follow them) or single other symbols (an emoji with its ZWJ sequence stays one token); whitespace
separates tokens and is not written. Tokens are also cut at the boundaries of the spans written,
so each lines up with whole tokens. Sentences end at a line break and after ".", "!" or "?"
followed by whitespace, but never inside an entity ("J. K. Rowling" stays in one sentence, so
no I- tag follows a boundary and seqeval's strict mode keeps every entity).

Overlap rule (one tag per token): the longest span wins, then the earlier start, then the
schema's tag order; a span overlapping one already chosen is left out entirely (counted in the
warnings), never cut short. A discontinuous span becomes one entity per fragment (counted).
Links, notes, attributes and entities are not carried (counted)."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from annotator.domain.model import Span
from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ExportSource,
    register_export,
)
from annotator.io.formats.export_common import Dropped, iter_document_layers, write_atomically

DOCSTART = "-DOCSTART- -X- -X- O"
SENTENCE_END = frozenset(".!?")
JOINERS = frozenset("\u200d\u200c\ufe0e\ufe0f")


def _attaches(char: str) -> bool:
    """Combining marks, joiners, variation selectors and skin-tone / tag modifiers belong to the
    character before them."""
    return (
        char in JOINERS
        or (unicodedata.category(char) in ("Mn", "Mc", "Me", "Sk") and not char.isascii())
        or "\U0001f3fb" <= char <= "\U0001f3ff"
        or "\U000e0020" <= char <= "\U000e007f"
    )


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def tokenize(text: str, cuts: set[int] = frozenset()) -> list[tuple[int, int]]:
    """Token (start, end) code-point offsets; a token never crosses an offset in `cuts`."""
    tokens: list[tuple[int, int]] = []
    start, index, length = None, 0, len(text)
    while index < length:
        char = text[index]
        if char.isspace():
            if start is not None:
                tokens.append((start, index))
                start = None
            index += 1
            continue
        word = _is_word(char)
        if start is not None and (index in cuts or not word or not _is_word(text[start])):
            tokens.append((start, index))
            start = None
        if start is None:
            start = index
        index += 1
        # A symbol keeps what attaches to it (and what a ZWJ joins to it); a word keeps marks.
        while index < length and index not in cuts:
            nxt = text[index]
            if _attaches(nxt):
                index += 1
                if nxt == "\u200d" and index < length and not text[index].isspace():
                    index += 1
            else:
                break
        if not word:
            tokens.append((start, index))
            start = None
    if start is not None:
        tokens.append((start, length))
    return tokens


def sentences(
    text: str, tokens: list[tuple[int, int]], tags: list[str] | None = None
) -> Iterator[list[tuple[int, int]]]:
    """Group tokens into sentences (see the module docstring). With `tags`, a sentence never
    ends inside an entity ("J. K. Rowling"): no boundary before a token tagged I-."""

    def continues(position: int) -> bool:
        return tags is not None and position < len(tags) and tags[position].startswith("I-")

    current: list[tuple[int, int]] = []
    for position, (start, end) in enumerate(tokens):
        if current and "\n" in text[current[-1][1] : start] and not continues(position):
            yield current
            current = []
        current.append((start, end))
        nxt = tokens[position + 1][0] if position + 1 < len(tokens) else len(text)
        if (
            text[start:end] in SENTENCE_END
            and text[end:nxt].strip() == ""
            and end < nxt
            and not continues(position + 1)
        ):
            yield current
            current = []
    if current:
        yield current


def choose_pieces(
    spans: list[Span], tag_order: dict[str, int], dropped: Dropped
) -> list[tuple[int, int, str]]:
    """The (start, end, tag) pieces written, by the overlap rule in the module docstring."""
    pieces = []
    for span in spans:
        if len(span.fragments) > 1:
            dropped.add("discontinuous span(s)", 1, "one entity per fragment", verb="split")
        pieces += [(a, b, span.tag) for a, b in span.fragments]
    pieces.sort(key=lambda p: (-(p[1] - p[0]), p[0], tag_order.get(p[2], len(tag_order))))
    kept: list[tuple[int, int, str]] = []
    for start, end, tag in pieces:
        if any(start < b and a < end for a, b, _ in kept):
            dropped.add("spans", 1, "they overlap a longer or earlier span (one tag per token)")
        else:
            kept.append((start, end, tag))
    return sorted(kept)


def assign_tags(tokens: list[tuple[int, int]], pieces: list[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags for tokens cut at every piece boundary (so each piece is whole tokens)."""
    starts = {start: i for i, (start, _) in enumerate(tokens)}
    ends = {end: i for i, (_, end) in enumerate(tokens)}
    tags = ["O"] * len(tokens)
    for start, end, tag in pieces:
        first, last = starts[start], ends[end]
        tags[first] = f"B-{tag}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{tag}"
    return tags


def export_conll(source: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped = ExportResult(), Dropped()

    def write(temp: Path) -> None:
        with source.read() as session, temp.open("w", encoding="utf-8", newline="\n") as out:
            schema = session.schema()
            tag_order = {t.key: i for i, t in enumerate(schema.tag_types)}
            layers: set[str] = set()
            for item in iter_document_layers(session, options):
                text = item.document.text
                spans = [_trimmed(s, text) for s in item.spans]
                dropped.add("spans", sum(1 for s in spans if s is None), "they hold only spaces")
                pieces = choose_pieces([s for s in spans if s], tag_order, dropped)
                tokens = tokenize(text, {offset for a, b, _ in pieces for offset in (a, b)})
                tags = assign_tags(tokens, pieces)
                index = {tok: i for i, tok in enumerate(tokens)}
                out.write(DOCSTART + "\n\n")
                for sentence in sentences(text, tokens, tags):
                    for token in sentence:
                        out.write(f"{text[token[0] : token[1]]} -X- -X- {tags[index[token]]}\n")
                    out.write("\n")
                layers |= {s.annotator for s in item.spans}
                dropped.add("links", len(item.links) + item.orphan_links, "CoNLL has no relations")
                dropped.add(
                    "attribute values",
                    sum(len(s.attributes) for s in item.spans),
                    "CoNLL has one tag column",
                )
                dropped.add("notes", sum(1 for s in item.spans if s.note), "CoNLL has no notes")
                result.documents += 1
                result.spans += len(item.spans)
            if len(layers) > 1:
                dropped.add(
                    "layers merged",
                    len(layers),
                    "spans of several annotators share the one tag column; choose one layer "
                    "(e.g. gold) for training data",
                )

    write_atomically(destination, write)
    result.record(dropped.losses())
    return result


def _trimmed(span: Span, text: str) -> Span | None:
    """The span with leading/trailing whitespace taken off each fragment (tokens hold none);
    None when nothing but whitespace is left."""
    fragments = []
    for start, end in span.fragments:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            fragments.append((start, end))
    return dataclasses.replace(span, fragments=tuple(fragments)) if fragments else None


register_export(
    ExportFormat(
        key="conll",
        label="CoNLL-2003 / BIO (IOB2)",
        suffix=".conll",
        write=export_conll,
        description="tokenised text with one IOB2 tag per token, for NER-style training "
        "(seqeval, spaCy convert, Hugging Face datasets)",
        limits="export only; one tag per token: overlapping spans are resolved (longest wins, "
        "the other left out), discontinuous spans split per fragment; links, attributes, notes, "
        "entities and offsets are not carried",
    )
)
