"""spaCy training data: `.spacy` DocBin and JSONL export, JSONL import (code point offsets).

DocBin: one Doc per document, tokenised by `spacy.blank(lang)` (the documents' language when
spaCy knows it, else the multi-language "xx") and further split at every span boundary, so each
span is exactly a token range of the same text. All spans of the chosen layers go to
`doc.spans["sc"]` (overlaps allowed, what spancat trains on); a greedy non-overlapping subset
(earliest start, then longest) goes to `doc.ents` (what ner trains on). spaCy has no field for
links, attributes, notes or annotators: they are kept in `doc.user_data["annotator"]` (saved
with `store_user_data`), which other consumers ignore, and the export says so.

JSONL, one document per line: `{"text", "entities": [[start, end, label]] (the doc.ents subset),
"spans": {"sc": [[start, end, label]]}, "relations": [{"head": i, "child": j, "label"}] (indices
into spans.sc), "meta": {"document_id", "title"}}`. The import takes `spans.sc` when present,
else `entities` (as `[start, end, label]` lists or `{"start", "end", "label"}` objects, as in
Prodigy's `spans`). Prodigy files: `answer` "reject"/"ignore" rows are skipped and counted; the
same text again is the same document (one layer per `_annotator_id`/`_session_id`, else merged,
reported); relation `head`/`child` are token indices, resolved through `tokens` to the span
holding that token (`head_span`/`child_span` first).

spaCy is a runtime dependency: the DocBin layout (hashed string tables, packed token arrays,
span groups) is internal to spaCy and versioned with it, and the tokens a `.spacy` file carries
should be spaCy's own so training aligns.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from annotator.domain.ids import is_uuid
from annotator.errors import AnnotatorError
from annotator.io.exchange import Exchange, ImportContext, Loss
from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ExportSource,
    ImportFormat,
    Progress,
    register_export,
    register_import,
)
from annotator.io.formats.builder import ExchangeBuilder
from annotator.io.formats.export_common import (
    Dropped,
    annotator_names,
    iter_document_layers,
    write_atomically,
)
from annotator.io.formats.export_losses import count_losses
from annotator.io.formats.foreign_common import span_order, split_loss
from annotator.io.formats.foreign_files import check_lines_first, jsonl_texts

SPAN_KEY = "sc"


def blank_pipeline(languages: list[str]) -> Any:
    """spaCy's blank pipeline for the documents: their common language if spaCy has one for it
    (without extra packages), else "xx" (multi-language)."""
    import spacy

    codes = {(lang or "").split("-")[0].split("_")[0].lower() for lang in languages}
    if len(codes) == 1 and (code := codes.pop()):
        try:
            return spacy.blank(code)
        except (ImportError, ValueError, OSError):  # unknown, or needs a tokenizer package
            pass
    return spacy.blank("xx")


def entity_subset(pieces: list[tuple[int, int, str]]) -> list[int]:
    """Indices of a greedy non-overlapping subset: earliest start first, then the longest."""
    order = sorted(range(len(pieces)), key=lambda i: (pieces[i][0], -pieces[i][1]))
    chosen, end = [], -1
    for i in order:
        if pieces[i][0] >= end:
            chosen.append(i)
            end = pieces[i][1]
    return sorted(chosen)


def _pieces(layer: Any, names: dict[str, str], split: list[str]) -> list[tuple]:
    """(start, end, label, span) per fragment, in a stable order."""
    pieces = []
    for span in sorted(layer.spans, key=lambda s: span_order(s, names)):
        if len(span.fragments) > 1:
            split.append(span.uuid)
        pieces += [(start, end, span.tag, span) for start, end in span.fragments]
    return pieces


def _aligned_doc(nlp: Any, text: str, boundaries: list[int]) -> Any:
    """spaCy's tokens of text, each further split at the given offsets."""
    from spacy.tokens import Doc

    words, spaces = [], []
    for token in nlp.make_doc(text):
        start, end = token.idx, token.idx + len(token.text)
        low, high = bisect.bisect_right(boundaries, start), bisect.bisect_left(boundaries, end)
        cuts = [start, *boundaries[low:high], end]
        for a, b in itertools.pairwise(cuts):
            words.append(text[a:b])
            spaces.append(False)
        spaces[-1] = bool(token.whitespace_)
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    assert doc.text == text, "spaCy tokens must cover the text exactly"
    return doc


#: The one line a user gets for the DocBin export when spaCy (an optional extra) is missing.
NEEDS_SPACY = "the spaCy DocBin export needs spaCy (optional): pip install 'annotator[spacy]'"


def write_docbin(source: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    try:
        from spacy.tokens import DocBin
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] != "spacy":
            raise
        raise AnnotatorError(NEEDS_SPACY) from None

    result, dropped, split, extra = ExportResult(), Dropped(), [], Counter()
    with source.read() as session:
        languages = [
            i.language
            for i in session.documents()
            if options.documents is None or i.uuid in options.documents
        ]
        nlp = blank_pipeline(languages)
        names = annotator_names(session)
        docbin = DocBin(store_user_data=True)
        for layer in iter_document_layers(session, options):
            pieces = _pieces(layer, names, split)
            text = layer.document.text
            doc = _aligned_doc(nlp, text, sorted({p for x in pieces for p in x[:2]}))
            spans, kept = [], []
            for start, end, tag, span in pieces:
                piece = doc.char_span(start, end, label=tag)
                if piece is None:  # a boundary in white space that ends a token
                    piece = doc.char_span(start, end, label=tag, alignment_mode="contract")
                    extra["shrunk"] += 1
                if piece is None:
                    dropped.add("spans", 1, "only white space, no token to hold them")
                    continue
                spans.append(piece)
                kept.append(span)
            doc.spans[SPAN_KEY] = spans
            ranges = [(s.start_char, s.end_char, s.label_) for s in spans]
            doc.ents = [spans[i] for i in entity_subset(ranges)]
            extra["overlapping"] += len(spans) - len(doc.ents)
            doc.user_data["annotator"] = _user_data(layer, kept, names, extra)
            docbin.add(doc)
            result.documents += 1
            result.spans += len(layer.spans)
            result.links += len(layer.links)
            dropped.add("links", layer.orphan_links, "an endpoint is in a layer not exported")
        write_atomically(destination, lambda temp: temp.write_bytes(docbin.to_bytes()))
    result.record(dropped.losses() + split_loss(split, "one span per fragment"))
    result.record(_notes(extra))
    return result


def _user_data(layer: Any, kept: list, names: dict, extra: Counter) -> dict[str, Any]:
    index = {}
    for position, span in enumerate(kept):
        index.setdefault(span.uuid, position)
    links = [
        {"head": index[x.source], "child": index[x.target], "label": x.type, "id": x.uuid}
        for x in layer.links
        if x.source in index and x.target in index
    ]
    extra["links"] += len(links)
    extra["attributes"] += sum(1 for s in layer.spans if s.attributes or s.note)
    return {
        "document_id": layer.document.uuid,
        "title": layer.document.info.title,
        "spans": [
            {"id": s.uuid, "annotator": names.get(s.annotator, ""), "attributes": s.attributes}
            | {"note": s.note}
            for s in kept
        ],
        "relations": links,
    }


def _notes(extra: Counter) -> list[Loss]:
    return [
        Loss("overlapping spans only in doc.spans['sc'], not in ents", extra["overlapping"]),
        Loss("spans shrunk to whole tokens (they began or ended in space)", extra["shrunk"]),
        Loss("links kept only in doc.user_data (spaCy has no relations)", extra["links"]),
        Loss(
            "spans' attributes/notes kept only in doc.user_data (spaCy has no field for them)",
            extra["attributes"],
        ),
    ]


def write_jsonl(source: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped, split, layers = ExportResult(), Dropped(), [], set()

    def write(temp: Path) -> None:
        with source.read() as session, temp.open("wb") as out:
            names = annotator_names(session)
            for layer in iter_document_layers(session, options):
                pieces, info = _pieces(layer, names, split), layer.document.info
                ranges = [(start, end, tag) for start, end, tag, _ in pieces]
                first = {}
                for position, piece in enumerate(pieces):
                    first.setdefault(piece[3].uuid, position)
                for span in layer.spans:
                    layers.add(span.annotator)
                    dropped.add("attribute sets", bool(span.attributes), "not in JSONL")
                    dropped.add("notes", bool(span.note), "not in JSONL")
                relations = [
                    {"head": first[x.source], "child": first[x.target], "label": x.type}
                    for x in sorted(layer.links, key=lambda x: (first[x.source], first[x.target]))
                ]
                line = {
                    "text": layer.document.text,
                    "entities": [list(ranges[i]) for i in entity_subset(ranges)],
                    "spans": {SPAN_KEY: [list(r) for r in ranges]},
                    "relations": relations,
                    "meta": {
                        "document_id": layer.document.uuid,
                        "title": info.title,
                    },
                }
                out.write(orjson.dumps(line) + b"\n")
                result.documents += 1
                result.spans += len(layer.spans)
                result.links += len(layer.links)
                dropped.add("links", layer.orphan_links, "an endpoint is in a layer not exported")
                count_losses(
                    dropped,
                    layer,
                    "spaCy JSONL",
                    entities=True,
                    link_notes=True,
                    link_attributes=True,
                )

    write_atomically(destination, write)
    if len(layers) > 1:
        dropped.add("layer names", len(layers), "JSONL has one layer; spans merged")
    else:  # the one layer's name: the importer's own name takes its place
        dropped.add("layer names", len(layers), "JSONL names no annotator")
    result.record(dropped.losses() + split_loss(split, "one span per fragment"))
    return result


#: Prodigy answers whose spans are not annotations: "reject" (the suggestion was wrong) and
#: "ignore" (the annotator skipped the task). Skipped and counted.
SKIPPED_ANSWERS = ("reject", "ignore")


def read_jsonl(path: Path, context: ImportContext, progress: Progress | None) -> Exchange:
    check_lines_first(context, path, _read_answer)  # a bad last line at bounded memory
    builder = ExchangeBuilder(context, path)
    skipped: Counter[str] = Counter()
    layers: set[str | None] = set()
    for item, where in jsonl_texts(builder, path):
        answer = item.get("answer")
        if answer in SKIPPED_ANSWERS:
            skipped[answer] += 1
            continue
        layers.add(_layer(item))
        _read_item(builder, item, where)
    _report(builder, skipped, layers)
    return builder.exchange(progress)


def _read_answer(builder: ExchangeBuilder, item: dict[str, Any], where: str) -> None:
    """One line as read_jsonl reads it (a skipped Prodigy answer is no document)."""
    if item.get("answer") not in SKIPPED_ANSWERS:
        _read_item(builder, item, where)


def _layer(item: dict[str, Any]) -> str | None:
    """The annotator of a Prodigy answer: its `_annotator_id` (multi-user sessions, as
    "dataset-alex"), else its `_session_id`; None (the importing annotator) for other files, so
    the answers of one person on a repeated text merge into one layer."""
    for key in ("_annotator_id", "_session_id"):
        if isinstance(item.get(key), str) and item[key]:
            return item[key]
    return None


def _report(builder: ExchangeBuilder, skipped: Counter, layers: set) -> None:
    for answer, n in sorted(skipped.items()):
        builder.lost.append(Loss(f'answer(s) "{answer}" skipped (not annotations)', n))
    if builder.repeated_texts:
        how = "one layer per annotator" if len(layers - {None}) > 1 else "their spans merged"
        builder.notices.append(
            f"{builder.repeated_texts} repeated text(s) imported as the same document ({how}; "
            "the same span twice is kept once)"
        )


def _read_item(builder: ExchangeBuilder, item: dict[str, Any], where: str) -> None:
    meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
    uuid, title = meta.get("document_id"), meta.get("title")
    title = title if isinstance(title, str) else f"spaCy JSONL {where}"
    doc = builder.document(item["text"], title, where, uuid if is_uuid(uuid) else None)
    who = _layer(item)
    groups = item.get("spans")
    if isinstance(groups, dict) and SPAN_KEY in groups:
        entries, at = groups[SPAN_KEY], f"{where}: spans.{SPAN_KEY}"
    elif isinstance(groups, list):  # Prodigy style
        entries, at = groups, f"{where}: spans"
    else:
        entries, at = item.get("entities", []), f"{where}: entities"
    if not isinstance(entries, list):
        raise builder.fail(at, "expected a list")
    spans, by_offsets = [], {}
    for i, entry in enumerate(entries):
        if isinstance(entry, dict):
            entry = [entry.get("start"), entry.get("end"), entry.get("label")]
        if not isinstance(entry, list) or len(entry) != 3:
            raise builder.fail(f"{at}[{i}]", "expected [start, end, label]")
        start, end, label = entry
        spans.append(builder.span(doc, label, [(start, end)], f"{at}[{i}]", annotator=who))
        by_offsets.setdefault((start, end), spans[-1])
    relations = item.get("relations", [])
    if not isinstance(relations, list):
        raise builder.fail(f"{where}: relations", "expected a list")
    tokens = item.get("tokens") if isinstance(item.get("tokens"), list) else None
    for i, relation in enumerate(relations):
        rp = f"{where}: relations[{i}]"
        if not isinstance(relation, dict):
            raise builder.fail(rp, "expected an object")
        if tokens is not None:  # Prodigy: head/child are token indices
            ends = [
                _token_end(builder, doc, relation, key, tokens, entries, by_offsets, who, rp)
                for key in ("head", "child")
            ]
        else:  # our export: indices into spans.sc
            ends = [relation.get(k) for k in ("head", "child")]
            if not all(type(e) is int and 0 <= e < len(spans) for e in ends):
                raise builder.fail(rp, "head and child must be indices into the spans")
            ends = [spans[e] for e in ends]
        builder.link(doc, relation.get("label"), ends[0], ends[1], rp, annotator=who)


def _token_end(builder, doc, relation, key, tokens, entries, by_offsets, who, where) -> str:
    """The span a Prodigy relation end names: its `head_span`/`child_span` by offsets, else the
    span whose tokens hold the token index, else a span "token" over that token."""
    given = relation.get(f"{key}_span")
    if isinstance(given, dict) and (given.get("start"), given.get("end")) in by_offsets:
        return by_offsets[(given["start"], given["end"])]
    index = relation.get(key)
    if type(index) is not int or not 0 <= index < len(tokens):
        raise builder.fail(where, f"{key} must be a token index (0 to {len(tokens) - 1})")
    for entry in entries:
        first = entry.get("token_start") if isinstance(entry, dict) else None
        if isinstance(first, int) and first <= index <= entry.get("token_end", first):
            return by_offsets[(entry.get("start"), entry.get("end"))]
    token = tokens[index] if isinstance(tokens[index], dict) else {}
    if isinstance(given, dict) and isinstance(given.get("label"), str):
        label, start, end = given["label"], given.get("start"), given.get("end")
    else:
        label, start, end = "token", token.get("start"), token.get("end")
    span = builder.span(doc, label, [(start, end)], f"{where}.{key}", annotator=who)
    by_offsets[(start, end)] = span
    return span


register_export(
    ExportFormat(
        key="spacy",
        label="spaCy DocBin",
        suffix=".spacy",
        write=write_docbin,
        description="training data for spaCy 3: ents (non-overlapping) and spans['sc'] (all)",
        limits="links, attributes and notes only in doc.user_data; overlapping spans not in ents; "
        "discontinuous spans become one span per fragment",
    )
)
register_export(
    ExportFormat(
        key="spacy-jsonl",
        label="spaCy JSONL",
        suffix=".jsonl",
        write=write_jsonl,
        description="one document per line: text, entities, spans, relations (code points)",
        limits="one layer (spans of several are merged), no attributes or notes",
    )
)
register_import(
    ImportFormat(
        key="spacy-jsonl",
        label="spaCy JSONL",
        suffixes=(".jsonl",),
        read=read_jsonl,
        description="text with entities or span groups as [start, end, label] (code points)",
    )
)
