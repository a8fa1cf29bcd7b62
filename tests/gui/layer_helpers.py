"""A second annotator's layer on the sample article, for the layer and compare tests (and the
README screenshot): some spans the same as the first annotator's, some retagged, some missing,
some only in the second layer."""

from __future__ import annotations

from annotator.domain.model import Span
from annotator.services.command import Compound
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

ROTATE = {"actor": "event", "event": "claim", "claim": "actor"}


def add_second_layer(project: Project, document: str, name: str = "Bob") -> dict[str, list]:
    """Annotate `document` as `name` from the current annotator's spans, then switch back.
    Returns the uuids of Bob's spans by how they relate to the first layer."""
    first = project.annotator.name
    with project.store.read() as read:
        text = read.document_text(document)
        theirs = sorted(read.spans(document), key=lambda s: (s.start, s.uuid))
    project.switch_annotator(name)
    made: dict[str, list] = {"same": [], "tag": [], "only_b": [], "skipped": []}
    commands: list[CreateSpan] = []
    for i, span in enumerate(theirs):
        if i % 4 == 0:
            made["skipped"].append(span.uuid)
            continue
        if i % 4 == 1 and span.tag in ROTATE:
            command = CreateSpan(document, ROTATE[span.tag], list(span.fragments))
            made["tag"].append(command.uuid)
        else:
            command = CreateSpan(
                document, span.tag, list(span.fragments), attributes=span.attributes
            )
            made["same"].append(command.uuid)
        commands.append(command)
        if i % 4 == 2 and " " in span.quote:  # plus the first word alone
            word_end = span.start + span.quote.index(" ")
            extra = CreateSpan(document, "actor", [(span.start, word_end)])
            assert text[span.start : word_end].strip()
            made["only_b"].append(extra.uuid)
            commands.append(extra)
    project.run(Compound(f"{name}'s layer", commands))
    project.switch_annotator(first)
    return made


def spans_by(project: Project, document: str, annotator_name: str) -> list[Span]:
    with project.store.read() as read:
        who = {a.name: a.uuid for a in read.annotators()}[annotator_name]
        return read.spans(document, who)
