"""The agreement report of a seeded, generated multi-document project stays identical.

The speed-ups of issue 11 (sweeps sorted on positions, inline passages, the candidate loop,
the layer reads) must not change a figure: the whole report, every coefficient, count and
passage as JSON, is compared with its digest recorded from the implementation before them
(tree 65d80b7), and the token counts with a plain per-token reference written here."""

from __future__ import annotations

import hashlib
import json
import random

from annotator.domain.agreement import compute_report
from annotator.domain.agreement.units import (
    NONE,
    DocumentLayers,
    Layer,
    TokenCounts,
    UnitLink,
    UnitSpan,
    count_tokens,
    tokenise,
)

ANNOTATORS = ("ann-a", "ann-b", "ann-c")
TAGS = ("actor", "claim", "event", "place")
WORDS = ("the", "naval", "exercise", "Δelta", "café", "10", "—", ",", ".", "😀", "ministry")
#: sha256 of the report's JSON (passages included) from the implementation before the
#: speed-up, for the project `_documents()` generates (two and three annotators).
RECORDED = {
    2: "519dea284551d662bd1dfb9e4076d4e99816829107d98e1dec1267c7b242dcc4",
    3: "bab114c77b62df7d32d62a2fee13f013d5a2f8a22502bb416e6c54ca9a240d3e",
}


def _text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 160)):
        parts.append(rng.choice(WORDS))
        parts.append(rng.choice((" ", " ", "  ", "\n", "")))
    return "".join(parts)


def _span(rng: random.Random, number: str, length: int, like: UnitSpan | None) -> UnitSpan:
    if like is not None and rng.random() < 0.7:  # the other annotator often agrees, or nearly
        fragments = like.fragments
        if rng.random() < 0.3:
            start, end = fragments[-1]
            fragments = (*fragments[:-1], (start, min(length, end + rng.randint(-2, 4))))
            if fragments[-1][1] <= fragments[-1][0]:
                fragments = like.fragments
        tag = like.tag if rng.random() < 0.8 else rng.choice(TAGS)
    else:
        start = rng.randrange(length)
        end = min(length, start + rng.randint(1, 30))
        fragments = ((start, end),)
        if rng.random() < 0.15 and end + 3 < length:  # discontinuous
            second = rng.randint(end + 1, length - 1)
            fragments = ((start, end), (second, min(length, second + rng.randint(1, 8))))
        tag = rng.choice(TAGS)
    attributes = {}
    if rng.random() < 0.4:
        attributes["certainty"] = rng.choice(("high", "low", "mid point", None))
    if rng.random() < 0.2:
        attributes["roles"] = rng.sample(["a", "b", "c"], rng.randint(0, 3))
    if rng.random() < 0.1:
        attributes["weight"] = rng.choice((1, 2, True, 1.5))
    return UnitSpan(number, tag, fragments, attributes)


def _documents(seed: int = 11) -> list[DocumentLayers]:
    rng = random.Random(seed)
    documents = []
    for index in range(40):
        text = _text(rng)
        layers: dict[str, Layer] = {}
        first: list[UnitSpan] = []
        for who in ANNOTATORS:
            if who != "ann-a" and rng.random() < 0.15:
                continue  # this annotator did not cover the document: missing data
            spans = []
            if text:
                for number in range(rng.randint(0, 25)):
                    like = rng.choice(first) if first and who != "ann-a" else None
                    spans.append(_span(rng, f"{who}-{index}-{number}", len(text), like))
            if who == "ann-a":
                first = spans
            spans.sort(key=lambda s: (s.start, s.end, s.uuid))
            links = []
            for number in range(len(spans) // 3):
                source, target = rng.sample(spans, 2)
                kind = rng.choice(("cites", "near"))
                links.append(UnitLink(f"{who}-{index}-l{number}", kind, source.uuid, target.uuid))
            layers[who] = Layer(tuple(spans), tuple(links))
        documents.append(DocumentLayers(f"doc-{index:02d}", text, layers))
    return documents


def _report_digest(annotators: tuple[str, ...]) -> str:
    report = compute_report(
        _documents(),
        annotators,
        names={a: a.upper() for a in annotators},
        tags=TAGS[:2],
        link_types=("cites",),
        directed={"cites": True, "near": False},
        attribute_keys={"actor": ["certainty"], "claim": ["certainty", "roles"]},
    )
    data = json.dumps(report.as_json(passages=True), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def test_report_of_two_annotators_is_identical_to_the_recorded_one() -> None:
    assert _report_digest(ANNOTATORS[:2]) == RECORDED[2]


def test_report_of_three_annotators_is_identical_to_the_recorded_one() -> None:
    assert _report_digest(ANNOTATORS) == RECORDED[3]


def _reference_counts(documents, annotators, tags) -> TokenCounts:
    """Token counts the slow, obvious way: every token's labels, one token at a time."""
    counts = TokenCounts()
    for doc in documents:
        starts, ends = tokenise(doc.text)
        counts.tokens += len(starts)
        for token_start, token_end in zip(starts, ends, strict=True):
            carried = []
            for who in annotators:
                layer = doc.layers.get(who)
                if layer is None:
                    carried.append(None)
                    continue
                carried.append(
                    {
                        span.tag
                        for span in layer.spans
                        for start, end in span.fragments
                        if start < token_end and token_start < end
                    }
                )
            counts.overall[
                tuple(None if c is None else "+".join(sorted(c)) or NONE for c in carried)
            ] += 1
            for tag in tags:
                counts.per_tag[tag][tuple(None if c is None else tag in c for c in carried)] += 1
    return counts


def test_token_counts_equal_a_per_token_reference() -> None:
    documents = _documents()
    for annotators in (ANNOTATORS[:2], ANNOTATORS):
        counts = TokenCounts()
        for doc in documents:
            count_tokens(doc, annotators, TAGS, counts)
        expected = _reference_counts(documents, annotators, TAGS)
        assert counts.tokens == expected.tokens > 1000
        assert +counts.overall == +expected.overall
        for tag in TAGS:
            assert +counts.per_tag[tag] == +expected.per_tag[tag], tag
        assert len(counts.overall) > 5  # the project has real disagreement to count
