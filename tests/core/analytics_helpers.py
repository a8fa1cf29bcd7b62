"""A generated project for the analytics tests: seeded random articles with actors, events and
claims (entities on some mentions, stance/verdict, dates), typed links, statuses and two
annotators, written through the services; and independent counts in plain SQL on the file."""

from __future__ import annotations

import itertools
import random
import sqlite3
from pathlib import Path

from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.command import Compound
from annotator.services.document_commands import AddDocuments
from annotator.services.entity_commands import CreateEntity, SetStatus
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

ACTORS = ("Russia", "China", "NATO", "Jane Doe", "the Ministry", "Reuters", "Acme Ltd")
EVENTS = ("joint exercise", "summit", "naval patrol", "election")
CLAIMS = (
    "the drills are purely defensive",
    "the bloc is not a military alliance",
    "sanctions have failed",
    "the patrol violated airspace",
    "prices will fall next year",
)
OUTLETS = ("Daily Wire", "Eastern Outlook", "Global Times", "")
AUTHORS = ("A. Smith", "B. Jones", "")
STANCES = ("supportive", "neutral", "critical")
VERDICTS = ("true", "misleading", "false", "unverifiable")


def _article(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """A text of sentences and the (tag, words) it mentions, in order."""
    sentences, mentions = [], []
    for _ in range(rng.randint(3, 7)):
        actor, event, claim = rng.choice(ACTORS), rng.choice(EVENTS), rng.choice(CLAIMS)
        form = rng.randrange(3)
        if form == 0:
            sentences.append(f"{actor} said that {claim}.")
            mentions += [("actor", actor), ("claim", claim)]
        elif form == 1:
            sentences.append(f"{actor} took part in the {event} 🙂 on Monday.")
            mentions += [("actor", actor), ("event", event)]
        else:
            other = rng.choice(CLAIMS)
            sentences.append(f"Critics doubt that {claim}, yet {other}.")
            mentions += [("claim", claim), ("claim", other)]
    return " ".join(sentences), mentions


def generate_project(path: Path, seed: int = 7, documents: int = 12) -> Project:
    """A project of `documents` articles annotated by "ana" (and a few by "bob")."""
    rng = random.Random(seed)
    project = Project.create(path, annotator_name="ana")
    entities = {name: CreateEntity(name, kind="actor") for name in ("Russia", "China")}
    project.run(Compound("entities", list(entities.values())))
    imported, mentions = [], []
    for number in range(documents):
        text, found = _article(rng)
        text = f"Article {number}. {text}"
        metadata = {"published": f"2024-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"}
        if number % 5 == 4:
            metadata = {}  # undated: events fall back to nothing, claims have no dates
        outlet, author = rng.choice(OUTLETS), rng.choice(AUTHORS)
        metadata |= {k: v for k, v in (("outlet", outlet), ("author", author)) if v}
        imported.append(
            ImportedDocument(f"Article {number}", text, sha256_text(text), metadata, "", "")
        )
        mentions.append((text, found))
    add = AddDocuments(imported)
    project.run(add)
    for name in ("ana", "bob"):
        project.switch_annotator(name)
        for uuid, (text, found) in zip(add.report.added, mentions, strict=True):
            if name == "bob" and rng.random() < 0.6:
                continue
            _annotate(project, rng, uuid, text, found, entities)
            if rng.random() < 0.7:
                project.run(SetStatus(uuid, rng.choice(("new", "in_progress", "done"))))
    project.switch_annotator("ana")
    return project


def _annotate(project, rng, document, text, found, entities) -> None:
    commands, spans, position = [], [], 0
    for tag, words in found:
        start = text.index(words, position)
        position = start + len(words)
        attributes = {}
        if tag == "claim":
            attributes = {"stance": rng.choice(STANCES)}
            if rng.random() < 0.7:
                attributes["verdict"] = rng.choice(VERDICTS)
        elif tag == "event" and rng.random() < 0.5:
            attributes = {"date": f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
        elif tag == "actor":
            attributes = {"kind": "state"}
        entity = entities[words].uuid if words in entities and rng.random() < 0.7 else None
        span = CreateSpan(document, tag, [(start, position)], attributes=attributes, entity=entity)
        commands.append(span)
        spans.append((tag, span.uuid))
    for (tag_a, a), (tag_b, b) in itertools.pairwise(spans):
        if tag_a == "actor" and tag_b == "claim":
            commands.append(CreateLink(a, b, "asserts"))
        elif tag_a == "actor" and tag_b == "event":
            commands.append(CreateLink(a, b, "participates_in"))
        elif tag_a == "claim" and tag_b == "claim" and a != b:
            commands.append(CreateLink(a, b, rng.choice(("supports", "contradicts"))))
    actors = [uuid for tag, uuid in spans if tag == "actor"]
    if len(actors) >= 2:
        commands.append(CreateLink(actors[0], actors[-1], "same_as"))
    project.run(Compound("annotate", commands))


def sql(path: Path, query: str, *parameters) -> list[tuple]:
    """Run a query on a closed project file with plain sqlite3 (the independent count)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(query, parameters).fetchall()
    finally:
        connection.close()


#: The node of a span in plain SQL: its entity, else tag and lower-cased quote (the generated
#: quotes are ASCII words without outer punctuation, so this equals the service's rule).
NODE_SQL = "COALESCE('entity:' || {e}.uuid, 'text:' || {t}.key || ':' || lower(trim({s}.quote)))"
