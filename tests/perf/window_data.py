"""Project files for the window benchmarks: one long document with many spans, built once
through the production bulk path and cached in the workdir.

A case is named ``<size>-<spans>``: ``1m-10k`` is one document of about 1,000,000 code points
with 10,000 spans (10 % of them linked to a span nearby), ``4k-100`` a short article. The text is
article-like (paragraphs of 3–7 sentences, an emoji now and then so that code points and Qt
positions differ); spans are 60 % random, 25 % nested inside an earlier span and 15 % overlapping
an earlier span's tail (research/qt-perf.md §1). Multi-document projects come from
``perf_data`` (``--scale 0.1``: 1,000 documents, 100,000 spans; scale 1: 10,000 / 1,000,000).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
from pathlib import Path
from typing import Any

from perf_data import (
    ANNOTATOR_NAME,
    BASE_MS,
    DataSet,
    _Uuids,
    create_project,
    production_insert,
    say,
)

SENTENCES = (
    "The city council approved the budget for next year after a long debate.",
    "Mayor Ana Kovač said the plan would fund new schools and repair old bridges.",
    "Opposition members claimed the figures were inflated by optimistic forecasts.",
    "According to the finance office, revenue grew by 4.2 % in the last quarter.",
    "Residents protested outside the town hall on Tuesday morning.",
    "The transport authority announced that bus fares will not rise before 2026.",
    "Critics argued that the consultation had been rushed and poorly advertised.",
    "A spokesperson for the union welcomed the agreement on public sector wages.",
    "The regional court will hear the case about the harbour contract in March.",
    "Experts from the university warned that the flood defences need upgrades.",
    "Officials denied that the tender process had favoured a single company.",
    "The deputy mayor’s office published the full list of projects online.",
)
LINKED = 0.10  # share of spans that get a link to a span within ±3,000 code points
_UNITS = {"k": 1_000, "m": 1_000_000}


def parse_case(case: str) -> tuple[int, int]:
    """``"5m-50k"`` → (5,000,000 code points, 50,000 spans)."""
    size, spans = case.lower().split("-")[:2]
    return _amount(size), _amount(spans)


def parse_linked(case: str) -> float:
    """The share of linked spans: LINKED, or ``"250k-10k-l50"`` → 0.5 (a dense case)."""
    parts = case.lower().split("-")
    if len(parts) > 2 and parts[2].startswith("l"):
        return int(parts[2][1:]) / 100
    return LINKED


def _amount(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", text)
    if not match:
        raise ValueError(f"not an amount: {text!r}")
    return int(float(match.group(1)) * _UNITS.get(match.group(2), 1))


def article_text(size: int, rng: random.Random) -> str:
    """LF-separated paragraphs of 3–7 sentences, ``size`` code points long."""
    paragraphs, total = [], 0
    while total < size:
        paragraph = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 7)))
        if len(paragraphs) % 40 == 7:
            paragraph = paragraph.replace("morning.", "morning 😀.", 1)
        paragraphs.append(paragraph)
        total += len(paragraph) + 1
    return "\n".join(paragraphs)[:size].rstrip() + "."


def generate_document(size: int, count: int, seed: int = 7, linked: float = LINKED) -> DataSet:
    """One document of ``size`` code points with ``count`` spans and their links."""
    from annotator.domain.model import Annotator, Document, DocumentInfo, Link, Span
    from annotator.domain.offsets import context_of, quote_of
    from annotator.services.project import default_schema

    rng = random.Random(seed)
    new_uuid = _Uuids(rng)
    schema = default_schema()
    tags = [t.key for t in schema.tag_types]
    stamp = "2025-01-01T00:00:00.000Z"
    annotator = Annotator(new_uuid(), ANNOTATOR_NAME, "", stamp, stamp)
    text = article_text(size, rng)
    n = len(text)
    doc_uuid = new_uuid()
    info = DocumentInfo(
        uuid=doc_uuid,
        title=f"Council report ({size:,} characters, {count:,} spans)",
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        length=n,
        author="",
        outlet="Regional Herald",
        url="",
        published="2025-01-01",
        language="en",
        source_filename="report.txt",
        source_encoding="utf-8",
        extra={},
        imported=stamp,
        created=stamp,
        modified=stamp,
        author_uuid=annotator.uuid,
    )
    ranges: list[tuple[int, int]] = []
    for _ in range(count):
        roll = rng.random()
        if ranges and roll < 0.25:  # nested inside an earlier span
            a, b = rng.choice(ranges)
            if b - a >= 4:
                start = rng.randint(a, b - 3)
                ranges.append((start, rng.randint(start + 1, b)))
                continue
        if ranges and roll < 0.40:  # overlapping an earlier span's tail
            a, b = rng.choice(ranges)
            start = rng.randint(a, max(a, b - 1))
            ranges.append((start, min(n, start + rng.randint(3, 60))))
            continue
        start = rng.randrange(0, n - 61)
        ranges.append((start, start + rng.randint(3, 60)))
    spans = []
    for k, (start, end) in enumerate(ranges):
        # Whitespace at either end would fail the content rules: trim it.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            start, end = 0, 3
        fragments = ((start, end),)
        prefix, suffix = context_of(text, fragments)
        when = _stamp(k)
        spans.append(
            Span(
                uuid=new_uuid(),
                document=doc_uuid,
                annotator=annotator.uuid,
                tag=tags[k % len(tags)],
                fragments=fragments,
                quote=quote_of(text, fragments),
                prefix=prefix,
                suffix=suffix,
                attributes={},
                note="check the source" if k % 10 == 0 else "",
                entity=None,
                created=when,
                modified=when,
            )
        )
    by_start = sorted(spans, key=lambda s: s.fragments[0][0])
    starts = [s.fragments[0][0] for s in by_start]
    links = []
    from bisect import bisect_left, bisect_right

    for k, source in enumerate(spans):
        if rng.random() >= linked:
            continue
        at = source.fragments[0][0]
        lo, hi = bisect_left(starts, at - 3000), bisect_right(starts, at + 3000)
        target = by_start[rng.randrange(lo, hi)]
        if target.uuid == source.uuid:
            continue
        allowed = schema.allowed_link_types(source.tag, target.tag)
        link_type = allowed[0].key if allowed else "same_as"
        links.append(
            Link(
                uuid=new_uuid(),
                document=doc_uuid,
                type=link_type,
                source=source.uuid,
                target=target.uuid,
                annotator=annotator.uuid,
                attributes={},
                note="",
                created=_stamp(k),
                modified=_stamp(k),
            )
        )
    return DataSet(1.0, annotator, [Document(info, text)], spans, links)


def _stamp(k: int) -> str:
    seconds = (BASE_MS // 1000 + k) % 86_400
    return f"2025-01-01T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000Z"


def ensure_case_project(workdir: Path, case: str) -> Path:
    """The cached project file of one case (built on first use)."""
    path = workdir / f"window-{case}-{_version()}.annotator"
    if path.exists():
        return path
    workdir.mkdir(parents=True, exist_ok=True)
    size, count = parse_case(case)
    say(f"building {path.name} ...")
    data = generate_document(size, count, linked=parse_linked(case))
    building = path.with_name(f"building-{path.name}")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    project: Any = create_project(building, data)
    try:
        production_insert(project, data)
    finally:
        project.close()
    building.with_name(f".{building.name}.lock").unlink(missing_ok=True)
    os.replace(building, path)
    return path


def _version() -> str:
    return hashlib.md5(Path(__file__).read_bytes()).hexdigest()[:8]
