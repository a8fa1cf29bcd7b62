"""Helpers for the JSON exchange and command-line tests: build projects, export, import, compare.

- `export_bytes(project)` / `export_data(project)`: the project's JSON v1 export, as bytes or
  parsed.
- `project_for(path, data)`: a new empty project for an export, created the way
  `annotator import` creates a missing file (no schema, the file's project id, name, created).
- `build_rich_project(path)`: a project with the default schema and everything the format
  carries (two documents, emoji and combining marks before spans, a discontinuous span, links
  with attributes, an entity, statuses of two annotators, deleted spans and their tombstones);
  returns the open project and the uuids of what it holds (`Rich`).
- `exchange_validator()`: a Draft 2020-12 validator for resources/annotator-json-v1.schema.json.
- `quote(text, fragments)`: what a span's `text` must be.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import orjson

from annotator.domain.model import Schema
from annotator.domain.offsets import FRAGMENT_JOINER
from annotator.io.documents.text import import_text
from annotator.io.formats.json.writer import write_json
from annotator.services.command import Compound
from annotator.services.document_commands import AddDocuments
from annotator.services.entity_commands import CreateEntity, SetStatus
from annotator.services.exchange_files import ProjectSnapshot
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan, DeleteSpans

REPO = Path(__file__).resolve().parents[2]
EXCHANGE_SCHEMA = REPO / "resources" / "annotator-json-v1.schema.json"

#: An emoji, a ZWJ family, an astral letter and a combining mark all come before the spans,
#: so a byte, UTF-16 or grapheme count anywhere shifts the offsets and breaks the quotes.
TEXT_1 = (
    "😀 👩‍👩‍👧 𝐀 Cafe\u0301 report\r\n"
    "Mayor Jane Doe said on Monday that the bridge was safe.\r"
    "The council met in Springfield on 2024-03-01. Jane Doe attended.\n"
)
TEXT_2 = "Second article.\nEngineers disagreed with the mayor about the bridge 🌉.\n"


def export_bytes(project: Project) -> bytes:
    out = io.BytesIO()
    write_json(ProjectSnapshot(project), out)
    return out.getvalue()


def export_data(project: Project) -> dict[str, Any]:
    return orjson.loads(export_bytes(project))


def write_data(path: Path, data: Any) -> Path:
    path.write_bytes(orjson.dumps(data))
    return path


def project_for(path: Path, data: dict[str, Any], annotator_name: str = "Importer") -> Project:
    """A new, empty project for importing `data`, made like `annotator import` makes one."""
    head = data.get("project", {})
    info = {"uuid": head.get("id"), "name": head.get("name"), "created": head.get("created")}
    info = {k: v for k, v in info.items() if isinstance(v, str) and v}
    return Project.create(path, schema=Schema(), annotator_name=annotator_name, info=info)


def quote(text: str, fragments: list[list[int]]) -> str:
    return FRAGMENT_JOINER.join(text[start:end] for start, end in fragments)


def exchange_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(EXCHANGE_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(data: Any) -> list[str]:
    """Every JSON Schema violation of data as "path: message" (empty when valid)."""
    return [f"{e.json_path}: {e.message}" for e in exchange_validator().iter_errors(data)]


def between(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


@dataclass(frozen=True)
class Rich:
    """The uuids of what `build_rich_project` made (documents doc1 and doc2)."""

    ada: str
    bob: str
    doc1: str
    doc2: str
    entity: str
    mayor: str  # actor span "Mayor Jane Doe", kind person, entity Jane Doe
    claim: str  # claim span, discontinuous: "the bridge" … "was safe"
    meeting: str  # event span "met"
    place: str  # place span "Springfield"
    jane: str  # actor span, second "Jane Doe", same entity
    engineers: str  # actor span in doc2
    asserts: str  # link mayor → claim
    participates: str  # link jane → meeting, with role participant
    located: str  # link meeting → place
    deleted_span: str  # deleted (with deleted_link): both tombstoned
    deleted_link: str


def build_rich_project(path: Path) -> tuple[Project, Rich]:
    """A project (default schema, annotators Ada and Bob) holding every kind of row."""
    project = Project.create(path, name="Rich project", annotator_name="Ada")
    add = AddDocuments(
        [import_text(TEXT_1, "one.txt", "utf-8"), import_text(TEXT_2, "two.txt", "utf-8")]
    )
    project.run(add)
    doc1, doc2 = add.report.added
    with project.store.read() as session:
        text1 = session.document_text(doc1)
        text2 = session.document_text(doc2)
    assert "\r" not in text1
    entity = CreateEntity(
        "Jane Doe", kind="person", aliases=["the mayor"], external_ids={"wd": "Q1"}
    )
    mayor = CreateSpan(
        doc1,
        "actor",
        [between(text1, "Mayor Jane Doe")],
        attributes={"kind": "person"},
        entity=entity.uuid,
        note="named with 👩‍👩‍👧 before",
    )
    claim = CreateSpan(
        doc1,
        "claim",
        [between(text1, "the bridge"), between(text1, "was safe")],
        attributes={"stance": "supportive", "confidence": 0.75},
    )
    meeting = CreateSpan(
        doc1, "event", [between(text1, "met")], attributes={"date": "2024-03-01", "type": "meeting"}
    )
    place = CreateSpan(doc1, "place", [between(text1, "Springfield")], attributes={"kind": "city"})
    jane = CreateSpan(
        doc1,
        "actor",
        [between(text1, "Jane Doe", 1)],
        attributes={"kind": "person"},
        entity=entity.uuid,
    )
    nested = CreateSpan(doc1, "actor", [between(text1, "Jane Doe")], attributes={"kind": "person"})
    engineers = CreateSpan(
        doc2, "actor", [between(text2, "Engineers")], attributes={"kind": "other"}
    )
    asserts = CreateLink(mayor.uuid, claim.uuid, "asserts", note="said")
    participates = CreateLink(
        jane.uuid, meeting.uuid, "participates_in", attributes={"role": "participant"}
    )
    located = CreateLink(meeting.uuid, place.uuid, "located_in")
    doomed = CreateLink(nested.uuid, claim.uuid, "asserts")
    project.run(
        Compound(
            "build",
            [
                *(entity, mayor, claim, meeting, place, jane, nested, engineers),
                *(asserts, participates, located, doomed),
            ],
        )
    )
    project.run(DeleteSpans([nested.uuid]))
    project.run(SetStatus(doc1, "done"))
    ada = project.annotator.uuid
    project.switch_annotator("Bob")
    project.run(SetStatus(doc1, "in_progress"))
    project.run(SetStatus(doc2, "new"))
    bob = project.annotator.uuid
    project.switch_annotator("Ada")
    project.history.clear()
    rich = Rich(
        ada=ada,
        bob=bob,
        doc1=doc1,
        doc2=doc2,
        entity=entity.uuid,
        mayor=mayor.uuid,
        claim=claim.uuid,
        meeting=meeting.uuid,
        place=place.uuid,
        jane=jane.uuid,
        engineers=engineers.uuid,
        asserts=asserts.uuid,
        participates=participates.uuid,
        located=located.uuid,
        deleted_span=nested.uuid,
        deleted_link=doomed.uuid,
    )
    return project, rich


# -- finding things in an export ---------------------------------------------------------------


def document(data: dict[str, Any], uuid: str) -> dict[str, Any]:
    return next(d for d in data["documents"] if d["id"] == uuid)


def span(data: dict[str, Any], uuid: str) -> dict[str, Any]:
    return next(s for d in data["documents"] for s in d["spans"] if s["id"] == uuid)


def link(data: dict[str, Any], uuid: str) -> dict[str, Any]:
    return next(x for d in data["documents"] for x in d["links"] if x["id"] == uuid)


def all_ids(data: dict[str, Any], key: str) -> set[str]:
    """uuids of every span / link / status ("spans", "links", "status") in an export."""
    return {item["id"] for d in data["documents"] for item in d[key]}
