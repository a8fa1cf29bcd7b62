"""Shared fixtures for core tests: real project files in tmp_path, no Qt anywhere.

- `project_path`: where a test's project file goes (nothing is created there).
- `store`: a new, empty project (created at `project_path`), closed at teardown.
- `populate(store)`: writes a small project through one `store.write()` session and returns a
  `SmallProject` with every value it wrote (the domain values, so tests can compare reads).
- `small`: `store` already populated; `small.store` is that store.
- `populated_file`: a closed, checkpointed populated project file (no -wal, no lock), for tests
  that build damaged copies or open it themselves; `populated_project` is (that path, the
  `SmallProject` written into it); `populated_template` is the same, built once per session
  (copy it, never change it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.domain.ids import new_uuid, now
from annotator.domain.model import (
    Annotator,
    AttributeDef,
    Document,
    DocumentInfo,
    Link,
    LinkType,
    Span,
    TagType,
)
from annotator.domain.offsets import context_of, quote_of
from annotator.store.project_store import ProjectStore

#: The document text: an emoji (one code point, two UTF-16 units, four UTF-8 bytes) comes before
#: the first span, so any byte/UTF-16/code-point mix-up shifts offsets and breaks quotes.
TEXT = "🗞️ Mayor Jane Doe said on Monday that the bridge was safe. Engineers disagreed."


def _between(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


@dataclass(frozen=True)
class SmallProject:
    """Everything `populate` wrote, as domain values."""

    store: ProjectStore
    annotator: Annotator
    actor: TagType
    claim: TagType
    asserts: LinkType
    document: Document
    actor_span: Span
    claim_span: Span  # discontinuous: two fragments
    link: Link

    @property
    def spans(self) -> tuple[Span, Span]:
        return self.actor_span, self.claim_span


def make_span(
    document: Document,
    annotator: Annotator,
    tag: TagType,
    fragments: tuple[tuple[int, int], ...],
    **fields: object,
) -> Span:
    """A span over fragments of document with its quote and context computed from the text."""
    stamp = now()
    prefix, suffix = context_of(document.text, fragments)
    values: dict[str, object] = {
        "uuid": new_uuid(),
        "document": document.uuid,
        "annotator": annotator.uuid,
        "tag": tag.key,
        "fragments": fragments,
        "quote": quote_of(document.text, fragments),
        "prefix": prefix,
        "suffix": suffix,
        "created": stamp,
        "modified": stamp,
    }
    values.update(fields)
    return Span(**values)  # type: ignore[arg-type]


def make_document(text: str, title: str = "Bridge story", **fields: object) -> Document:
    stamp = now()
    info_fields: dict[str, object] = {
        "uuid": new_uuid(),
        "title": title,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "length": len(text),
        "imported": stamp,
        "created": stamp,
        "modified": stamp,
    }
    info_fields.update(fields)
    return Document(DocumentInfo(**info_fields), text)  # type: ignore[arg-type]


def populate(store: ProjectStore) -> SmallProject:
    """Write one annotator, tag types actor and claim, link type asserts (actor → claim), one
    document with an emoji before the spans, an actor span, a two-fragment claim span and one
    asserts link between them — all in one write session."""
    stamp = now()
    annotator = Annotator(uuid=new_uuid(), name="Ada", identifier="ada@example.org",
                          created=stamp, modified=stamp)  # fmt: skip
    stance = AttributeDef(uuid=new_uuid(), key="stance", label="Stance", value_type="choice",
                          choices=("support", "oppose"), created=stamp, modified=stamp)  # fmt: skip
    actor = TagType(uuid=new_uuid(), key="actor", label="Actor", kind="actor", color="#1f77b4",
                    hotkey="a", created=stamp, modified=stamp)  # fmt: skip
    claim = TagType(uuid=new_uuid(), key="claim", label="Claim", kind="claim", color="#d62728",
                    hotkey="c", attributes=(stance,), created=stamp, modified=stamp)  # fmt: skip
    asserts = LinkType(uuid=new_uuid(), key="asserts", label="asserts", directed=True,
                       color="#2ca02c", sources=("actor",), targets=("claim",),
                       created=stamp, modified=stamp)  # fmt: skip
    document = make_document(TEXT)
    actor_span = make_span(document, annotator, actor, (_between(TEXT, "Mayor Jane Doe"),))
    claim_span = make_span(
        document,
        annotator,
        claim,
        (_between(TEXT, "the bridge"), _between(TEXT, "was safe")),
        attributes={"stance": "support"},
        note="hedged in the next sentence",
    )
    link = Link(uuid=new_uuid(), document=document.uuid, type="asserts",
                source=actor_span.uuid, target=claim_span.uuid, annotator=annotator.uuid,
                created=stamp, modified=stamp)  # fmt: skip
    with store.write() as session:
        session.insert_annotator(annotator)
        session.insert_tag_type(actor)
        session.insert_tag_type(claim)
        session.insert_link_type(asserts)
        session.insert_document(document)
        session.insert_span(actor_span)
        session.insert_span(claim_span)
        session.insert_link(link)
    return SmallProject(store, annotator, actor, claim, asserts, document, actor_span,
                        claim_span, link)  # fmt: skip


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "p.annotator"


@pytest.fixture
def store(project_path: Path) -> Iterator[ProjectStore]:
    opened = ProjectStore.create(project_path)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def small(store: ProjectStore) -> SmallProject:
    return populate(store)


@pytest.fixture
def populated_project(tmp_path: Path) -> tuple[Path, SmallProject]:
    """A closed, checkpointed project file holding the small project, and what it holds (the
    `SmallProject`'s store is closed)."""
    path = tmp_path / "populated.annotator"
    created = ProjectStore.create(path)
    try:
        values = populate(created)
    finally:
        created.close()
    return path, values


@pytest.fixture(scope="session")
def populated_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SmallProject]:
    """Like `populated_project`, built once per session: copy the file, never change it."""
    path = tmp_path_factory.mktemp("template") / "template.annotator"
    created = ProjectStore.create(path)
    try:
        values = populate(created)
    finally:
        created.close()
    return path, values


@pytest.fixture
def populated_file(populated_project: tuple[Path, SmallProject]) -> Path:
    """A closed, checkpointed project file holding the small project (see `populate`)."""
    return populated_project[0]


@pytest.fixture
def make_small():
    """The `populate` helper, for tests that populate a store of their own."""
    return populate
