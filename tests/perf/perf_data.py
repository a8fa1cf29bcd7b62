"""Deterministic project-sized data and shared helpers for the storage benchmarks.

At scale 1: 10,000 documents of about 4 KB of text (a few emoji each), 100 spans per document
(one in 20 discontinuous, attributes on one in 3) and 20 links per document (only link types
the default schema allows between the two spans' tags): 1,000,000 spans and 200,000 links.
`--scale` multiplies the number of documents (0.1 gives 1,000 documents and 100,000 spans).

Everything is derived from one seed, uuids (time-ordered, UUIDv7 layout like the app's) and
timestamps included, so two processes generating the same scale get identical data. The data is
valid for the app: quotes and context come from the text, attribute values fit their
definitions, links join spans of one document with an allowed type, and a project exported to
JSON imports back.

Only the standard library is imported at module level: the raw export baseline imports this
module without loading the app (or SQLAlchemy) into its process.

    .venv/bin/python tests/perf/perf_data.py --scale 0.1     # generate and print a summary
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import pickle
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Benchmarks create projects as made-up annotators: keep their identities (services/identity)
# out of the user's real config folder; child processes inherit the variable.
os.environ.setdefault(
    "ANNOTATOR_CONFIG_DIR", str(Path(tempfile.gettempdir()) / "annotator-perf" / "config")
)

SEED = 20_240_601
DOCUMENTS = 10_000
SPANS_PER_DOCUMENT = 100
LINKS_PER_DOCUMENT = 20
TEXT_CHARS = 4_000
DISCONTINUOUS_EVERY = 20  # one span in 20 has two fragments
ATTRIBUTES_EVERY = 3  # one span in 3 carries attribute values
EMOJI_PER_DOCUMENT = 3
CREATOR_NAME = "perf-creator"  # the annotator Project.create writes (id 1)
ANNOTATOR_NAME = "perf-annotator"  # the annotator of every generated row (id 2)
BASE_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z

_VOCABULARY = (
    "the ministry said on monday that joint naval exercises would continue in the region "
    "despite protests from neighbouring states officials confirmed talks with delegates from "
    "several countries analysts warned the statement contradicts earlier reports about troop "
    "movements near the border a spokesperson denied any involvement in the incident while "
    "observers noted a sharp rise in patrol flights over disputed waters reporters were told "
    "the agreement covers energy trade security cooperation and maritime navigation rights"
)
WORDS = [
    *_VOCABULARY.split(),
    "Zürich",
    "Москва",
    "São",
    "Paulo",
    "Kraków",
    "Tōkyō",
    "naïve",
    "résumé",
]
EMOJI = ("😀", "🚀", "🔥", "🌍", "📰", "🛰", "⚓")
OUTLETS = ("Daily Wire Service", "Evening Courier", "Regional Herald", "Harbour Times")

#: The settings the raw baselines use (the brief: WAL, synchronous=FULL, foreign_keys=ON).
RAW_PRAGMAS = (
    "foreign_keys = ON",
    "busy_timeout = 5000",
    "journal_mode = WAL",
    "synchronous = FULL",
)
#: What production connections set on top (annotator/store/engine.py `harden`); a baseline
#: run with --hardened-baseline adds these, to tell the cost of the settings from that of code.
HARDENING_PRAGMAS = (
    "trusted_schema = OFF",
    "cell_size_check = ON",
    "mmap_size = 0",
    "secure_delete = ON",
)


#: Where generated data, the cached project and the outputs go unless --workdir says otherwise.
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "annotator-perf"


# -- small helpers every benchmark shares -------------------------------------------------------
def common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of 10,000 documents (default 1)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"cache and scratch folder (default {DEFAULT_WORKDIR})",
    )
    parser.add_argument(
        "--hardened-baseline",
        action="store_true",
        help="give the raw baseline the production hardening pragmas too",
    )


def say(message: str) -> None:
    """Progress on stderr (stdout of a child carries its result)."""
    print(message, file=sys.stderr, flush=True)


def run_child(script: str, args: list[str]) -> dict[str, Any]:
    """Run `script --child ...` in a fresh interpreter; return the JSON on its last stdout
    line. The child's stderr passes through."""
    command = [sys.executable, script, *args]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"child failed ({result.returncode}): {' '.join(command)}")
    return json.loads(lines[-1])


def emit(result: dict[str, Any]) -> None:
    """A child's result: one JSON line on stdout."""
    print(json.dumps(result), flush=True)


def peak_rss_mb() -> float:
    """VmHWM (peak resident set size) of this process, in MB."""
    return _status_kb("VmHWM") / 1024


def rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if the kernel refused."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def raw_connect(path: Path, *, hardened: bool = False) -> sqlite3.Connection:
    """A plain sqlite3 connection with the baseline settings; transactions are explicit."""
    connection = sqlite3.connect(str(path), isolation_level=None)
    for pragma in (HARDENING_PRAGMAS if hardened else ()) + RAW_PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")
    return connection


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction 0.95 for p95)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain-text table with right-aligned columns."""
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def scale_tag(scale: float) -> str:
    return f"s{scale:g}"


# -- the data set -------------------------------------------------------------------------------
@dataclass
class DataSet:
    scale: float
    annotator: Any  # annotator.domain.model.Annotator
    documents: list  # [Document]
    spans: list  # [Span], grouped by document, in creation order
    links: list  # [Link]

    def summary(self) -> dict[str, Any]:
        texts = [d.text for d in self.documents]
        return {
            "scale": self.scale,
            "documents": len(self.documents),
            "spans": len(self.spans),
            "discontinuous_spans": sum(len(s.fragments) > 1 for s in self.spans),
            "spans_with_attributes": sum(bool(s.attributes) for s in self.spans),
            "links": len(self.links),
            "links_with_attributes": sum(bool(x.attributes) for x in self.links),
            "text_mb_utf8": round(sum(len(t.encode()) for t in texts) / 1e6, 1),
            "mean_text_chars": round(sum(map(len, texts)) / max(1, len(texts))),
            "emoji": sum(t.count(e) for t in texts for e in EMOJI),
        }


class _Uuids:
    """UUIDv7-layout strings from a seeded generator: 48-bit ms time, then random bits."""

    def __init__(self, rng: random.Random) -> None:
        self._getrandbits = rng.getrandbits
        self._ms = BASE_MS

    def __call__(self) -> str:
        self._ms += 1
        rand = self._getrandbits(74)
        value = (
            self._ms << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | rand & ((1 << 62) - 1)
        )
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _text(rng: random.Random, index: int) -> str:
    words = [f"Report {index}:"]
    length = len(words[0])
    sentence = 0
    while length < TEXT_CHARS:
        sentence_words = rng.choices(WORDS, k=rng.randint(8, 20))
        sentence_words[0] = sentence_words[0].capitalize()
        piece = " ".join(sentence_words) + "."
        sentence += 1
        if sentence % 6 == 0:
            piece += "\n"
        words.append(piece)
        length += len(piece) + 1
    for _ in range(EMOJI_PER_DOCUMENT):
        words.insert(rng.randrange(1, len(words)), rng.choice(EMOJI))
    return " ".join(words).replace("\n ", "\n")


def _attribute_value(rng: random.Random, definition: Any) -> Any:
    kind = definition.value_type
    if kind == "choice":
        return rng.choice(definition.choices)
    if kind == "multi_choice":
        return list(definition.choices[:1])
    if kind == "number":
        return round(rng.random(), 2)
    if kind == "date":
        return f"2019-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == "boolean":
        return rng.random() < 0.5
    return rng.choice(("Sea of Japan", "Vladivostok", "the border region"))


def generate(scale: float = 1.0, seed: int = SEED) -> DataSet:
    """The data set as the app's domain values (Document, Span, Link), deterministic."""
    from annotator.domain.model import Annotator, Document, DocumentInfo, Link, Span
    from annotator.domain.offsets import context_of, quote_of
    from annotator.services.project import default_schema

    rng = random.Random(seed)
    rand = rng.random
    new_uuid = _Uuids(rng)
    schema = default_schema()
    tags = schema.tag_types
    allowed = {
        (a.key, b.key): [t for t in schema.allowed_link_types(a.key, b.key) if t.key != "same_as"]
        or [schema.link_type("same_as")]
        for a in tags
        for b in tags
    }
    annotator_uuid = new_uuid()
    annotator = Annotator(
        annotator_uuid, ANNOTATOR_NAME, "", "2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"
    )
    empty: dict[str, Any] = {}
    documents, spans, links = [], [], []
    count = round(DOCUMENTS * scale)
    enabled = gc.isenabled()
    gc.disable()  # a million new objects: no point scanning them while they are being made
    try:
        for index in range(count):
            text = _text(rng, index)
            n = len(text)
            minute = (
                f"2025-01-{1 + index // 1440 % 28:02d}T{index // 60 % 24:02d}:{index % 60:02d}:"
            )
            when = minute + "00.000Z"
            doc_uuid = new_uuid()
            info = DocumentInfo(
                uuid=doc_uuid,
                title=f"Report {index}: {' '.join(rng.choices(WORDS, k=6))}",
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                length=n,
                author="Staff reporter" if index % 2 else "",
                outlet=OUTLETS[index % len(OUTLETS)],
                url=f"https://news.example/{index}",
                published=f"2019-{1 + index % 12:02d}-{1 + index % 28:02d}",
                language="en",
                source_filename=f"report-{index:05d}.txt",
                source_encoding="utf-8",
                extra=empty,
                imported=when,
                created=when,
                modified=when,
                author_uuid=annotator_uuid,
            )
            documents.append(Document(info, text))
            doc_spans = []
            for k in range(SPANS_PER_DOCUMENT):
                number = index * SPANS_PER_DOCUMENT + k
                length = 3 + int(rand() * 38)  # 3..40 code points
                if number % DISCONTINUOUS_EVERY == DISCONTINUOUS_EVERY - 1:
                    second = 3 + int(rand() * 18)
                    gap = 1 + int(rand() * 60)
                    start = int(rand() * (n - length - gap - second))
                    fragments = (
                        (start, start + length),
                        (start + length + gap, start + length + gap + second),
                    )
                else:
                    start = int(rand() * (n - length))
                    fragments = ((start, start + length),)
                with_attributes = number % ATTRIBUTES_EVERY == 0
                tag = tags[int(rand() * len(tags))]
                attributes = (
                    {a.key: _attribute_value(rng, a) for a in tag.attributes}
                    if with_attributes
                    else empty
                )
                prefix, suffix = context_of(text, fragments)
                stamp = f"{minute}{k % 60:02d}.{number % 1000:03d}Z"
                doc_spans.append(
                    Span(
                        uuid=new_uuid(),
                        document=doc_uuid,
                        annotator=annotator_uuid,
                        tag=tag.key,
                        fragments=fragments,
                        quote=quote_of(text, fragments),
                        prefix=prefix,
                        suffix=suffix,
                        attributes=attributes,
                        note="check the source" if k % 10 == 0 else "",
                        entity=None,
                        created=stamp,
                        modified=stamp,
                    )
                )
            spans += doc_spans
            for k in range(LINKS_PER_DOCUMENT):
                source, target = rng.sample(doc_spans, 2)
                link_type = rng.choice(allowed[(source.tag, target.tag)])
                attributes = (
                    {a.key: _attribute_value(rng, a) for a in link_type.attributes}
                    if link_type.attributes and k % ATTRIBUTES_EVERY == 0
                    else empty
                )
                stamp = f"{minute}{59 - k:02d}.{k:03d}Z"
                links.append(
                    Link(
                        uuid=new_uuid(),
                        document=doc_uuid,
                        type=link_type.key,
                        source=source.uuid,
                        target=target.uuid,
                        annotator=annotator_uuid,
                        attributes=attributes,
                        note="",
                        created=stamp,
                        modified=stamp,
                    )
                )
    finally:
        if enabled:
            gc.enable()
    return DataSet(scale, annotator, documents, spans, links)


def _generator_version() -> str:
    # The pickle holds domain objects: a change to their classes (Span became slotted, which
    # changes how an instance unpickles) must not reuse a cache made with the old ones.
    digest = hashlib.md5(Path(__file__).read_bytes())
    digest.update((Path(__file__).resolve().parents[2] / "annotator/domain/model.py").read_bytes())
    return digest.hexdigest()[:10]


def load_data(workdir: Path, scale: float) -> DataSet:
    """The data set for this scale, from a pickle cache in workdir (made on first use; the
    name carries a hash of this file and of the domain model, so a changed generator or model
    never reuses stale data)."""
    path = workdir / f"data-{scale_tag(scale)}-{_generator_version()}.pickle"
    enabled = gc.isenabled()
    if path.exists():
        gc.disable()
        try:
            return pickle.loads(path.read_bytes())
        finally:
            if enabled:
                gc.enable()
    data = generate(scale)
    workdir.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".partial")
    temp.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temp, path)
    return data


def settle() -> None:
    """Collect, then move every live object out of the collector's sight (the inputs must not
    make the timed code's garbage collections slower than they would be in the app)."""
    gc.collect()
    gc.freeze()


# -- rows for the raw baselines -----------------------------------------------------------------
@dataclass
class RawRows:
    documents: list[tuple]
    spans: list[tuple]
    fragments: list[tuple]
    links: list[tuple]


DOCUMENT_INSERT = (
    "INSERT INTO documents (id, uuid, title, text, sha256, author, outlet, url, published, "
    "language, source_filename, source_encoding, extra, imported, created, modified, author_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SPAN_INSERT = (
    'INSERT INTO spans (id, uuid, document_id, annotator_id, tag_type_id, start, "end", quote, '
    "prefix, suffix, attributes, note, entity_id, created, modified) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
FRAGMENT_INSERT = 'INSERT INTO span_fragments (span_id, ordinal, start, "end") VALUES (?, ?, ?, ?)'
LINK_INSERT = (
    "INSERT INTO links (uuid, document_id, link_type_id, source_span_id, target_span_id, "
    "annotator_id, attributes, note, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _dumps(value: Any) -> str:
    import orjson

    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def raw_rows(data: DataSet) -> RawRows:
    """The exact rows the production bulk path writes, with the ids it assigns.

    Ids follow a project made by `Project.create` with the default schema and then
    `add_annotator`: the creator is annotator 1, the data's annotator 2; tag and link types are
    numbered in schema order; documents and spans from 1 in data order.
    """
    from annotator.services.project import default_schema

    schema = default_schema()
    tag_ids = {t.key: i for i, t in enumerate(schema.tag_types, 1)}
    type_ids = {t.key: i for i, t in enumerate(schema.link_types, 1)}
    annotator_id = 2
    doc_ids = {d.uuid: i for i, d in enumerate(data.documents, 1)}
    documents = [
        (
            doc_ids[d.uuid],
            d.uuid,
            d.info.title,
            d.text,
            d.info.sha256,
            d.info.author,
            d.info.outlet,
            d.info.url,
            d.info.published,
            d.info.language,
            d.info.source_filename,
            d.info.source_encoding,
            _dumps(d.info.extra),
            d.info.imported,
            d.info.created,
            d.info.modified,
            annotator_id,
        )
        for d in data.documents
    ]
    span_ids: dict[str, int] = {}
    spans, fragments = [], []
    for span_id, s in enumerate(data.spans, 1):
        span_ids[s.uuid] = span_id
        spans.append(
            (
                span_id,
                s.uuid,
                doc_ids[s.document],
                annotator_id,
                tag_ids[s.tag],
                s.start,
                s.end,
                s.quote,
                s.prefix,
                s.suffix,
                _dumps(s.attributes),
                s.note,
                None,
                s.created,
                s.modified,
            )
        )
        for ordinal, (start, end) in enumerate(s.fragments):
            fragments.append((span_id, ordinal, start, end))
    links = [
        (
            x.uuid,
            doc_ids[x.document],
            type_ids[x.type],
            span_ids[x.source],
            span_ids[x.target],
            annotator_id,
            _dumps(x.attributes),
            x.note,
            x.created,
            x.modified,
        )
        for x in data.links
    ]
    return RawRows(documents, spans, fragments, links)


def create_raw_file(path: Path, data: DataSet, *, hardened: bool = False) -> sqlite3.Connection:
    """A new file from schema.sql with the baseline settings, holding the two annotators and
    the default schema's tag and link types (ids as in `raw_rows`); returns the connection."""
    from annotator.services.project import default_schema
    from annotator.store.ddl import schema_sql, split_statements

    connection = raw_connect(path, hardened=hardened)
    when = "2025-01-01T00:00:00.000Z"
    schema = default_schema()
    connection.execute("BEGIN IMMEDIATE")
    for statement in split_statements(schema_sql()):
        connection.execute(statement)
    connection.executemany(
        "INSERT INTO annotators (id, uuid, name, created, modified) VALUES (?, ?, ?, ?, ?)",
        [
            (1, str(uuid.UUID(int=1)), CREATOR_NAME, when, when),
            (2, data.annotator.uuid, data.annotator.name, when, when),
        ],
    )
    connection.executemany(
        "INSERT INTO tag_types (id, uuid, key, label, kind, color, position, created, modified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (i, t.uuid, t.key, t.label, t.kind, t.color, i - 1, when, when)
            for i, t in enumerate(schema.tag_types, 1)
        ],
    )
    connection.executemany(
        "INSERT INTO link_types (id, uuid, key, label, directed, color, position, created, "
        "modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (i, t.uuid, t.key, t.label, int(t.directed), t.color, i - 1, when, when)
            for i, t in enumerate(schema.link_types, 1)
        ],
    )
    connection.execute("COMMIT")
    return connection


def raw_insert(connection: sqlite3.Connection, rows: RawRows) -> None:
    """The baseline: executemany of every row in one transaction, and the documents' full-text
    index entries (rows derived from the documents) in one INSERT ... SELECT."""
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(DOCUMENT_INSERT, rows.documents)
    connection.execute(
        "INSERT INTO documents_fts (rowid, title, text) SELECT id, title, text FROM documents"
    )
    connection.executemany(SPAN_INSERT, rows.spans)
    connection.executemany(FRAGMENT_INSERT, rows.fragments)
    connection.executemany(LINK_INSERT, rows.links)
    connection.execute("COMMIT")


# -- projects through the production code -------------------------------------------------------
def create_project(path: Path, data: DataSet) -> Any:
    """A new project with the default schema and the data's annotator (nothing else yet)."""
    from annotator.services.project import Project

    project = Project.create(path, annotator_name=CREATOR_NAME)
    with project.store.write() as session:
        session.insert_annotator(data.annotator)
    return project


def production_insert(project: Any, data: DataSet) -> None:
    """The production bulk path: documents (their search index entries in batches, as
    AddDocuments and import_json write them), then bulk spans and links, in one transaction."""
    with project.store.write() as session:
        for document in data.documents:
            session.insert_document(document, index=False)
        session.index_documents([document.info.uuid for document in data.documents])
        session.bulk_insert_spans(data.spans)
        session.bulk_insert_links(data.links)


def table_digest(
    path: Path, tables: tuple[str, ...] = ("documents", "spans", "span_fragments", "links")
) -> str:
    """md5 over every row of the given tables in rowid order (to prove two files hold the same
    rows)."""
    digest = hashlib.md5()
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for name in tables:
            order = "span_id, ordinal" if name == "span_fragments" else "id"
            cursor = connection.execute(f"SELECT * FROM {name} ORDER BY {order}")
            while rows := cursor.fetchmany(10_000):
                digest.update(repr(rows).encode("utf-8"))
    finally:
        connection.close()
    return digest.hexdigest()


def project_file(workdir: Path, scale: float) -> Path:
    """The cached project (built once through the production path, then only read or
    copied)."""
    return workdir / f"project-{scale_tag(scale)}.annotator"


def ensure_project(workdir: Path, scale: float) -> Path:
    """Build the cached project for this scale if it is not there yet; return its path.

    Call it in a child process: the data set it generates stays in memory until exit."""
    path = project_file(workdir, scale)
    if path.exists():
        return path
    workdir.mkdir(parents=True, exist_ok=True)
    say(f"building {path} (scale {scale:g}) through the production bulk path ...")
    started = time.perf_counter()
    data = load_data(workdir, scale)
    settle()
    building = path.with_name(f"building-{path.name}")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    project = create_project(building, data)
    try:
        production_insert(project, data)
    finally:
        project.close()
    for leftover in (Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)  # empty after the close's checkpoint
    building.with_name(f".{building.name}.lock").unlink(missing_ok=True)
    os.replace(building, path)
    say(f"built in {time.perf_counter() - started:.0f} s ({path.stat().st_size / 1e6:.1f} MB)")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 10,000 documents")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = generate(args.scale, args.seed)
    elapsed = time.perf_counter() - started
    summary = data.summary()
    print(table(["what", "value"], [[k, v] for k, v in summary.items()]))
    print(f"generated in {elapsed:.1f} s; peak RSS {peak_rss_mb():.0f} MB")
    first = data.spans[0]
    print(f"first span: {first.tag} {first.fragments} {first.quote!r} {first.attributes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
